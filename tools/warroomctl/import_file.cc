#include "import_file.h"

#include <google/protobuf/util/time_util.h>

#include <nlohmann/json.hpp>

#include "warroom/common/enum_names.h"

namespace warroom::ctl {

bool ReadCsvRecord(std::istream& in, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  bool any = false;
  char c;
  while (in.get(c)) {
    any = true;
    if (quoted) {
      if (c == '"') {
        if (in.peek() == '"') {
          in.get(c);
          field.push_back('"');
        } else {
          quoted = false;
        }
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  if (!any) return false;
  fields.push_back(std::move(field));
  return true;
}

StatusOr<v1::ImportCaseRecord> RecordFromFields(
    const std::vector<std::pair<std::string, std::string>>& fields, int64_t row) {
  v1::ImportCaseRecord r;
  r.set_row(row);
  FieldErrors errors;
  bool has_lat = false, has_lon = false;
  for (const auto& [key, value] : fields) {
    if (value.empty()) continue;
    if (key == "source_system") {
      r.set_source_system(value);
    } else if (key == "source_id") {
      r.set_source_id(value);
    } else if (key == "category") {
      auto c = ParseLabel<v1::Category>(value);
      if (!c) errors.Add("category", "unknown category '" + value + "'");
      else r.set_category(*c);
    } else if (key == "ward_code") {
      r.mutable_place()->set_ward_code(value);
    } else if (key == "latitude" || key == "longitude") {
      try {
        size_t used = 0;
        double v = std::stod(value, &used);
        if (used != value.size()) throw std::invalid_argument(value);
        if (key == "latitude") {
          r.mutable_place()->mutable_position()->set_latitude(v);
          has_lat = true;
        } else {
          r.mutable_place()->mutable_position()->set_longitude(v);
          has_lon = true;
        }
      } catch (const std::exception&) {
        errors.Add(key, "'" + value + "' is not a number");
      }
    } else if (key == "address") {
      r.mutable_place()->set_address(value);
    } else if (key == "description") {
      r.set_description(value);
    } else if (key == "reported_at") {
      google::protobuf::Timestamp ts;
      if (!google::protobuf::util::TimeUtil::FromString(value, &ts)) {
        errors.Add("reported_at", "'" + value + "' is not an RFC 3339 time like 2026-11-02T08:30:00Z");
      } else {
        *r.mutable_reported_at() = ts;
      }
    } else if (key == "critical") {
      auto c = ParseLabel<v1::CriticalReason>(value);
      if (!c) errors.Add("critical", "is protest_or_unrest or danger_to_life_or_health");
      else r.set_critical_reason(*c);
    } else {
      errors.Add(key, "is not a column of the import format");
    }
  }
  if (has_lat != has_lon) errors.Add("latitude", "give both latitude and longitude, or neither");
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("row " + std::to_string(row) + " cannot be read"));
  return r;
}

StatusOr<v1::ImportCaseRecord> RecordFromJsonLine(const std::string& line, int64_t row) {
  auto json = nlohmann::json::parse(line, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return InvalidArgumentError("row " + std::to_string(row) + " is not a JSON object",
                                {{"", "not a JSON object"}});
  }
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& [key, value] : json.items()) {
    fields.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return RecordFromFields(fields, row);
}

}  // namespace warroom::ctl
