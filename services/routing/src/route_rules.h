// Routing as pure data and functions: the department catalogue, the war rooms, and the rule set
// (category, optionally narrowed to a municipality, region or ward, to sphere and department).
// The most specific matching rule wins. Loading refuses a file with an unknown category, place
// or department, naming the file, line and reason.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "warroom/common/data_file.h"
#include "warroom/common/geography.h"
#include "warroom/common/status.h"
#include "warroom/v1/common.pb.h"

namespace warroom::routing {

struct Department {
  std::string id;
  std::string name;
  v1::Sphere sphere = v1::SPHERE_UNSPECIFIED;
  std::string municipality;  // municipal departments only
  std::string function;      // municipal departments only
};

class Departments {
 public:
  static StatusOr<Departments> Load(const std::string& yaml_text, const std::string& file,
                                    const Geography& geo);
  const Department* Find(std::string_view id) const;
  // Case-insensitive match on the department's name or id ("SASSA" finds sassa).
  const Department* FindByName(std::string_view name) const;
  // The department doing `function` in a municipality, or null.
  const Department* ForFunction(std::string_view municipality, std::string_view function) const;
  bool IsFunction(std::string_view function) const;

 private:
  std::map<std::string, Department, std::less<>> by_id_;
  std::map<std::string, std::string, std::less<>> by_function_;  // "JHB/water_sanitation" -> id
  std::vector<std::string> functions_;
};

struct Rule {
  std::string id;
  v1::Category category = v1::CATEGORY_UNSPECIFIED;
  std::string municipality, region, ward;  // at most one narrows the rule
  v1::Sphere sphere = v1::SPHERE_UNSPECIFIED;
  std::string department;  // an id, or "function:<name>"
  int line = 0;
  int Specificity() const { return !ward.empty() ? 3 : !region.empty() ? 2 : !municipality.empty() ? 1 : 0; }
};

// Where a case is, as routing sees it.
struct Location {
  std::string ward, region, municipality;
};

struct RouteDecision {
  std::string rule_id;
  v1::Sphere sphere = v1::SPHERE_UNSPECIFIED;
  std::string department;
  std::string department_name;
  std::string war_room;
  bool unlocated = false;
  std::vector<std::string> considered;  // each matching rule and why it won or lost
};

class RuleSet {
 public:
  static StatusOr<RuleSet> Load(const std::string& yaml_text, const std::string& file,
                                const Geography& geo, const Departments& departments);
  // NOT_FOUND when no rule covers the category here.
  StatusOr<RouteDecision> Route(v1::Category category, const Location& where) const;
  size_t size() const { return rules_.size(); }

 private:
  const Geography* geo_ = nullptr;
  const Departments* departments_ = nullptr;
  std::vector<Rule> rules_;
};

// War rooms: one per ward ("WR-79800001"), and a queue per municipality for unlocated cases.
std::string WarRoomId(const Location& where);
Location LocationOf(const Geography& geo, std::string_view ward, std::string_view municipality);

struct WarRoomRoles {
  std::map<std::string, std::vector<std::string>> by_tier;  // ward, local, district, province, ...
  static StatusOr<WarRoomRoles> Load(const std::string& yaml_text, const std::string& file);
};

}  // namespace warroom::routing
