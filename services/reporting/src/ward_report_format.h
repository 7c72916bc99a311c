// The monthly ward report as the war-room meeting reads it: Markdown for the agenda pack, CSV for
// spreadsheets, JSON for other systems.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "warroom/v1/reporting.pb.h"

namespace warroom::reporting {

enum class ReportFormat { kMarkdown, kCsv, kJson };

std::optional<ReportFormat> ParseReportFormat(std::string_view name);  // markdown, csv, json
std::string FormatWardReport(const v1::WardReport& report, ReportFormat format);

}  // namespace warroom::reporting
