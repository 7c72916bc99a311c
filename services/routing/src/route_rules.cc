#include "services/routing/src/route_rules.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "warroom/common/data_file.h"
#include "warroom/common/enum_names.h"

namespace warroom::routing {

namespace {

std::string Scalar(const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  return v && v.IsScalar() ? v.Scalar() : std::string();
}

}  // namespace

StatusOr<Departments> Departments::Load(const std::string& text, const std::string& file,
                                        const Geography& geo) {
  auto root = ParseYaml(text, file);
  if (!root.ok()) return root.status();
  Departments d;
  auto add = [&](Department dep, const YAML::Node& at) -> Status {
    if (dep.id.empty() || dep.name.empty()) return DataError(file, at, "a department needs an id and a name");
    if (!d.by_id_.emplace(dep.id, dep).second) return DataError(file, at, "duplicate department id " + dep.id);
    return Status::Ok();
  };
  for (const auto& f : (*root)["municipal_functions"]) d.functions_.push_back(f.Scalar());
  for (const auto& m : (*root)["municipal"]) {
    std::string muni = m.first.Scalar();
    const Municipality* known = geo.FindMunicipality(muni);
    if (known == nullptr || (known->kind != MunicipalityKind::kMetro && known->kind != MunicipalityKind::kLocal)) {
      return DataError(file, m.first, "'" + muni + "' is not a metro or local municipality");
    }
    for (const auto& f : m.second) {
      std::string function = f.first.Scalar();
      if (!d.IsFunction(function)) return DataError(file, f.first, "unknown municipal function '" + function + "'");
      Department dep{Scalar(f.second, "id"), Scalar(f.second, "name"), v1::SPHERE_MUNICIPAL, muni, function};
      WARROOM_RETURN_IF_ERROR(add(dep, f.second));
      d.by_function_[muni + "/" + function] = dep.id;
    }
  }
  for (auto [key, sphere] : {std::pair{"provincial", v1::SPHERE_PROVINCIAL}, std::pair{"national", v1::SPHERE_NATIONAL}}) {
    for (const auto& n : (*root)[key]) {
      WARROOM_RETURN_IF_ERROR(add({Scalar(n, "id"), Scalar(n, "name"), sphere, "", ""}, n));
    }
  }
  if (d.by_id_.empty()) return InvalidArgumentError(file + ": no departments");
  return d;
}

const Department* Departments::Find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

const Department* Departments::FindByName(std::string_view name) const {
  auto lower = [](std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::string wanted = lower(name);
  for (const auto& [id, dep] : by_id_) {
    if (lower(dep.name) == wanted || lower(id) == wanted) return &dep;
  }
  return nullptr;
}

const Department* Departments::ForFunction(std::string_view municipality,
                                           std::string_view function) const {
  auto it = by_function_.find(std::string(municipality) + "/" + std::string(function));
  return it == by_function_.end() ? nullptr : Find(it->second);
}

bool Departments::IsFunction(std::string_view function) const {
  return std::find(functions_.begin(), functions_.end(), function) != functions_.end();
}

StatusOr<RuleSet> RuleSet::Load(const std::string& text, const std::string& file,
                                const Geography& geo, const Departments& departments) {
  auto root = ParseYaml(text, file);
  if (!root.ok()) return root.status();
  const YAML::Node list = (*root)["rules"];
  if (!list || !list.IsSequence()) return InvalidArgumentError(file + ": needs a 'rules' list");
  RuleSet set;
  set.geo_ = &geo;
  set.departments_ = &departments;
  std::set<std::string> ids, scopes;
  for (const auto& n : list) {
    Rule r;
    r.line = n.Mark().line + 1;
    r.id = Scalar(n, "id");
    if (r.id.empty()) return DataError(file, n, "a rule needs an id");
    if (!ids.insert(r.id).second) return DataError(file, n, "duplicate rule id " + r.id);
    for (const auto& kv : n) {
      static const std::set<std::string> kKeys = {"id", "category", "municipality", "region",
                                                  "ward", "sphere", "department"};
      if (!kKeys.contains(kv.first.Scalar())) {
        return DataError(file, kv.first, "rule " + r.id + ": unknown key '" + kv.first.Scalar() + "'");
      }
    }
    auto category = ParseLabel<v1::Category>(Scalar(n, "category"));
    if (!category) return DataError(file, n, "rule " + r.id + ": unknown category '" + Scalar(n, "category") + "'");
    r.category = *category;
    r.municipality = Scalar(n, "municipality");
    r.region = Scalar(n, "region");
    r.ward = Scalar(n, "ward");
    int narrowing = !r.municipality.empty() + !r.region.empty() + !r.ward.empty();
    if (narrowing > 1) return DataError(file, n, "rule " + r.id + ": narrow by one of municipality, region or ward");
    if (!r.municipality.empty() && geo.FindMunicipality(r.municipality) == nullptr) {
      return DataError(file, n, "rule " + r.id + ": unknown municipality '" + r.municipality + "'");
    }
    if (!r.ward.empty() && geo.FindWard(r.ward) == nullptr) {
      return DataError(file, n, "rule " + r.id + ": unknown ward '" + r.ward + "'");
    }
    if (!r.region.empty()) {
      bool known = false;
      for (const auto& [code, w] : geo.wards()) known |= w.region == r.region;
      if (!known) return DataError(file, n, "rule " + r.id + ": unknown region '" + r.region + "'");
    }
    auto sphere = ParseLabel<v1::Sphere>(Scalar(n, "sphere"));
    if (!sphere) return DataError(file, n, "rule " + r.id + ": unknown sphere '" + Scalar(n, "sphere") + "'");
    r.sphere = *sphere;
    r.department = Scalar(n, "department");
    if (r.department.rfind("function:", 0) == 0) {
      if (r.sphere != v1::SPHERE_MUNICIPAL) {
        return DataError(file, n, "rule " + r.id + ": a municipal function needs sphere municipal");
      }
      if (!departments.IsFunction(r.department.substr(9))) {
        return DataError(file, n, "rule " + r.id + ": unknown municipal function '" + r.department.substr(9) + "'");
      }
    } else {
      const Department* dep = departments.Find(r.department);
      if (dep == nullptr) return DataError(file, n, "rule " + r.id + ": unknown department '" + r.department + "'");
      if (dep->sphere != r.sphere) {
        return DataError(file, n, "rule " + r.id + ": " + r.department + " is " + Label(dep->sphere) +
                               ", not " + Label(r.sphere));
      }
    }
    std::string scope = Label(r.category) + "|" + r.municipality + "|" + r.region + "|" + r.ward;
    if (!scopes.insert(scope).second) {
      return DataError(file, n, "rule " + r.id + " covers the same category and place as an earlier rule");
    }
    set.rules_.push_back(std::move(r));
  }
  return set;
}

Location LocationOf(const Geography& geo, std::string_view ward, std::string_view municipality) {
  Location loc;
  if (const Ward* w = geo.FindWard(ward)) {
    loc.ward = w->code;
    loc.region = w->region;
    loc.municipality = w->municipality_code;
  } else {
    loc.municipality = std::string(municipality);
  }
  return loc;
}

std::string WarRoomId(const Location& where) {
  if (!where.ward.empty()) return "WR-" + where.ward;
  if (!where.municipality.empty()) return "WR-" + where.municipality + "-QUEUE";
  return "WR-PROVINCE-QUEUE";
}

StatusOr<RouteDecision> RuleSet::Route(v1::Category category, const Location& where) const {
  RouteDecision d;
  const Rule* best = nullptr;
  for (const auto& r : rules_) {
    if (r.category != category) continue;
    bool applies = (r.ward.empty() || r.ward == where.ward) &&
                   (r.region.empty() || r.region == where.region) &&
                   (r.municipality.empty() || r.municipality == where.municipality);
    if (!applies) continue;
    if (best == nullptr || r.Specificity() > best->Specificity()) best = &r;
  }
  for (const auto& r : rules_) {
    if (r.category != category) continue;
    std::string scope = !r.ward.empty() ? "ward " + r.ward
                        : !r.region.empty() ? "region " + r.region
                        : !r.municipality.empty() ? "municipality " + r.municipality
                                                  : "the whole province";
    bool applies = (r.ward.empty() || r.ward == where.ward) &&
                   (r.region.empty() || r.region == where.region) &&
                   (r.municipality.empty() || r.municipality == where.municipality);
    std::string verdict = &r == best ? "chosen: the most specific rule that applies"
                          : applies  ? "applies, but a more specific rule wins"
                                     : "does not apply here";
    d.considered.push_back(r.id + " (line " + std::to_string(r.line) + ", " + scope + "): " + verdict);
  }
  if (best == nullptr) {
    return NotFoundError("no routing rule for " + Label(category) + " covers this place");
  }
  d.rule_id = best->id;
  d.sphere = best->sphere;
  d.war_room = WarRoomId(where);
  d.unlocated = where.ward.empty();
  if (best->department.rfind("function:", 0) == 0) {
    std::string function = best->department.substr(9);
    const Department* dep = departments_->ForFunction(where.municipality, function);
    if (dep == nullptr) {
      // No municipality known (an unplaced case): the function is named, for a person to place.
      d.department = best->department;
      d.department_name = "municipal " + function + " (municipality not yet known)";
    } else {
      d.department = dep->id;
      d.department_name = dep->name;
    }
  } else {
    d.department = best->department;
    d.department_name = departments_->Find(best->department)->name;
  }
  return d;
}

StatusOr<WarRoomRoles> WarRoomRoles::Load(const std::string& text, const std::string& file) {
  auto root = ParseYaml(text, file);
  if (!root.ok()) return root.status();
  WarRoomRoles roles;
  for (const auto& tier : *root) {
    for (const auto& role : tier.second) roles.by_tier[tier.first.Scalar()].push_back(role.Scalar());
  }
  if (roles.by_tier["ward"].empty()) return InvalidArgumentError(file + ": no ward roles");
  return roles;
}

}  // namespace warroom::routing
