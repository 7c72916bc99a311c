#include "services/reporting/src/ward_report_format.h"

#include <gtest/gtest.h>

namespace warroom::reporting {
namespace {

v1::WardReport Sample() {
  v1::WardReport r;
  r.mutable_ward()->set_code("79800001");
  r.mutable_ward()->set_name("Ward 1, City of Johannesburg Metropolitan Municipality");
  r.set_month("2026-11");
  r.set_opened(4);
  r.set_resolved(2);
  auto* item = r.add_agenda();
  item->set_owner("JHB-WATER");
  item->add_cases()->set_case_number("GP26-0000011-7");
  return r;
}

TEST(WardReportFormatTest, MarkdownCarriesTheAgendaByOwner) {
  std::string md = FormatWardReport(Sample(), ReportFormat::kMarkdown);
  EXPECT_NE(md.find("# Ward report: Ward 1"), std::string::npos);
  EXPECT_NE(md.find("### JHB-WATER (1)"), std::string::npos);
  EXPECT_NE(md.find("GP26-0000011-7"), std::string::npos);
}

TEST(WardReportFormatTest, CsvHasOneRowPerFigure) {
  std::string csv = FormatWardReport(Sample(), ReportFormat::kCsv);
  EXPECT_EQ(csv.rfind("section,key,value\n", 0), 0u);
  EXPECT_NE(csv.find("month,\"opened\",4\n"), std::string::npos);
  EXPECT_NE(csv.find("agenda,\"JHB-WATER\",GP26-0000011-7\n"), std::string::npos);
}

TEST(WardReportFormatTest, JsonUsesTheProtoFieldNames) {
  std::string json = FormatWardReport(Sample(), ReportFormat::kJson);
  EXPECT_NE(json.find("\"opened\": \"4\""), std::string::npos) << json;
}

TEST(WardReportFormatTest, UnknownFormatsAreRefused) {
  EXPECT_FALSE(ParseReportFormat("pdf").has_value());
  EXPECT_EQ(ParseReportFormat("md"), ReportFormat::kMarkdown);
}

}  // namespace
}  // namespace warroom::reporting
