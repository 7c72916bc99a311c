#include "import_file.h"

#include <gtest/gtest.h>

#include <sstream>

namespace warroom::ctl {
namespace {

TEST(CsvTest, QuotedFieldsKeepCommasQuotesAndNewlines) {
  std::istringstream in("a,\"b, c\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext,row\n");
  std::vector<std::string> f;
  ASSERT_TRUE(ReadCsvRecord(in, f));
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b, c", "say \"hi\"", "two\nlines"}));
  ASSERT_TRUE(ReadCsvRecord(in, f));
  EXPECT_EQ(f, (std::vector<std::string>{"next", "row"}));
  EXPECT_FALSE(ReadCsvRecord(in, f));
}

TEST(CsvTest, EmptyTrailingFieldIsKept) {
  std::istringstream in("a,b,\r\n");
  std::vector<std::string> f;
  ASSERT_TRUE(ReadCsvRecord(in, f));
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b", ""}));
}

TEST(RecordTest, FieldsBecomeARecord) {
  auto r = RecordFromFields({{"source_system", "JHB-SAP"},
                             {"source_id", "SR-1"},
                             {"category", "water"},
                             {"ward_code", "79800001"},
                             {"latitude", "-26.2"},
                             {"longitude", "28.04"},
                             {"reported_at", "2026-11-02T08:30:00Z"},
                             {"critical", "danger_to_life_or_health"}},
                            3);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->category(), v1::CATEGORY_WATER);
  EXPECT_DOUBLE_EQ(r->place().position().latitude(), -26.2);
  EXPECT_EQ(r->row(), 3);
  EXPECT_EQ(r->critical_reason(), v1::CRITICAL_REASON_DANGER_TO_LIFE_OR_HEALTH);
}

TEST(RecordTest, BadColumnsAreNamed) {
  auto r = RecordFromFields({{"category", "weather"}, {"latitude", "south"}, {"colour", "red"}}, 9);
  ASSERT_FALSE(r.ok());
  std::vector<std::string> fields;
  for (const auto& v : r.status().violations()) fields.push_back(v.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"category", "latitude", "colour"}));
}

TEST(RecordTest, JsonLinesUseTheSameKeys) {
  auto r = RecordFromJsonLine(R"({"source_system":"EKU","source_id":"7","category":"housing"})", 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->source_id(), "7");
  EXPECT_FALSE(RecordFromJsonLine("[1,2]", 2).ok());
  EXPECT_FALSE(RecordFromJsonLine("{not json", 3).ok());
}

}  // namespace
}  // namespace warroom::ctl
