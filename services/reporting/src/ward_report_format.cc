#include "services/reporting/src/ward_report_format.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <sstream>

#include "warroom/common/enum_names.h"

namespace warroom::reporting {
namespace {

std::string Time(const google::protobuf::Timestamp& t) {
  return t.seconds() == 0 ? "" : google::protobuf::util::TimeUtil::ToString(t);
}

// CSV fields never need quoting here except free names; quote everything that could hold a comma.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Markdown(const v1::WardReport& r) {
  std::ostringstream o;
  o << "# Ward report: " << r.ward().name() << " (" << r.ward().code() << "), " << r.month() << "\n\n";
  o << "War room " << r.war_room() << "; generated " << Time(r.generated_at()) << ".\n\n";
  o << "## The month\n\n";
  o << "| cases opened | resolved | resolved within SLA |\n|---:|---:|---:|\n";
  o << "| " << r.opened() << " | " << r.resolved() << " | " << r.resolved_within_sla() << " |\n\n";
  if (r.opened_by_category_size() > 0) {
    o << "| category | opened |\n|---|---:|\n";
    for (const auto& c : r.opened_by_category()) {
      o << "| " << Label(c.category()) << " | " << c.counts().cases() << " |\n";
    }
    o << "\n";
  }
  o << "## Escalations\n\n";
  if (r.escalations_size() == 0) o << "None.\n";
  for (const auto& e : r.escalations()) o << "- to " << Label(e.tier()) << ": " << e.escalations() << "\n";
  o << "\n## Hotspots\n\n";
  if (r.hotspots_size() == 0) o << "None.\n";
  for (const auto& h : r.hotspots()) {
    o << "- " << Label(h.category()) << ": " << h.count() << " cases from " << Time(h.window_start())
      << (h.acknowledged() ? " (acknowledged)" : " (open)") << "\n";
  }
  o << "\n## Now\n\n| open | overdue | resolved | closed | rejected |\n|---:|---:|---:|---:|---:|\n";
  o << "| " << r.now().open() << " | " << r.now().overdue() << " | " << r.now().resolved() << " | "
    << r.now().closed() << " | " << r.now().rejected() << " |\n\n";
  o << "## Agenda: overdue items by owner\n\n";
  if (r.agenda_size() == 0) o << "Nothing overdue.\n";
  for (const auto& item : r.agenda()) {
    o << "### " << item.owner() << " (" << item.cases_size() << ")\n\n";
    o << "| case | category | tier | status | reported | due |\n|---|---|---|---|---|---|\n";
    for (const auto& c : item.cases()) {
      o << "| " << c.case_number() << " | " << Label(c.category()) << " | " << Label(c.tier())
        << " | " << Label(c.status()) << " | " << Time(c.reported_at()) << " | "
        << Time(c.due_at()) << " |\n";
    }
    o << "\n";
  }
  return o.str();
}

std::string Csv(const v1::WardReport& r) {
  std::ostringstream o;
  o << "section,key,value\n";
  auto row = [&](std::string_view section, std::string_view key, auto value) {
    o << section << "," << Quote(key) << "," << value << "\n";
  };
  row("ward", "code", r.ward().code());
  row("ward", "month", r.month());
  row("month", "opened", r.opened());
  row("month", "resolved", r.resolved());
  row("month", "resolved_within_sla", r.resolved_within_sla());
  for (const auto& c : r.opened_by_category()) row("opened_by_category", Label(c.category()), c.counts().cases());
  for (const auto& e : r.escalations()) row("escalations_to", Label(e.tier()), e.escalations());
  for (const auto& h : r.hotspots()) row("hotspot", Label(h.category()), h.count());
  for (const auto& d : r.overdue_by_department()) row("overdue_by_department", d.department(), d.overdue());
  row("now", "open", r.now().open());
  row("now", "overdue", r.now().overdue());
  for (const auto& item : r.agenda()) {
    for (const auto& c : item.cases()) row("agenda", item.owner(), c.case_number());
  }
  return o.str();
}

}  // namespace

std::optional<ReportFormat> ParseReportFormat(std::string_view name) {
  if (name == "markdown" || name == "md") return ReportFormat::kMarkdown;
  if (name == "csv") return ReportFormat::kCsv;
  if (name == "json") return ReportFormat::kJson;
  return std::nullopt;
}

std::string FormatWardReport(const v1::WardReport& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kCsv:
      return Csv(report);
    case ReportFormat::kJson: {
      std::string json;
      google::protobuf::util::JsonPrintOptions options;
      options.add_whitespace = true;
      options.always_print_primitive_fields = true;
      (void)google::protobuf::util::MessageToJsonString(report, &json, options);
      return json;
    }
    case ReportFormat::kMarkdown:
    default:
      return Markdown(report);
  }
}

}  // namespace warroom::reporting
