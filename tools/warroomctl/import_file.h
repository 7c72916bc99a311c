// Reading metro feed files for `warroomctl import`: CSV (RFC 4180 quoting) or JSON Lines, one
// record per row, with the columns documented in docs/API.md. A row that cannot be read becomes
// an error for that row only.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "warroom/common/status.h"
#include "warroom/v1/intake.pb.h"

namespace warroom::ctl {

// The columns of the CSV header and the keys of a JSON Lines object.
inline constexpr const char* kImportColumns[] = {
    "source_system", "source_id", "category",    "ward_code",   "latitude",
    "longitude",     "address",   "description", "reported_at", "critical"};

// Splits one CSV record; a quoted field may hold commas, doubled quotes and newlines, so the
// reader may consume more than one line.
bool ReadCsvRecord(std::istream& in, std::vector<std::string>& fields);

// Turns named fields into a record; INVALID_ARGUMENT names the bad column.
StatusOr<v1::ImportCaseRecord> RecordFromFields(
    const std::vector<std::pair<std::string, std::string>>& fields, int64_t row);

// Reads one JSON Lines row.
StatusOr<v1::ImportCaseRecord> RecordFromJsonLine(const std::string& line, int64_t row);

}  // namespace warroom::ctl
