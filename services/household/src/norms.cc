#include "services/household/src/norms.h"

#include "warroom/common/data_file.h"
#include "warroom/common/enum_names.h"

namespace warroom::household {
namespace {

// A list of enum labels ("piped_in_yard") from the file, each checked against the enum.
template <typename E>
Status ReadLabels(const YAML::Node& node, const std::string& file, const std::string& what,
                  std::set<int>& out) {
  if (!node || !node.IsSequence()) return DataError(file, node, what + " must be a list");
  for (const auto& item : node) {
    auto value = ParseLabel<E>(item.as<std::string>());
    if (!value) return DataError(file, item, what + ": unknown value '" + item.as<std::string>() + "'");
    out.insert(static_cast<int>(*value));
  }
  return Status::Ok();
}

Status ReadInt(const YAML::Node& node, const std::string& file, const std::string& what, int64_t min,
               int64_t& out) {
  if (!node || !node.IsScalar()) return DataError(file, node, what + " is missing");
  try {
    out = node.as<int64_t>();
  } catch (const YAML::Exception&) {
    return DataError(file, node, what + " must be a whole number");
  }
  if (out < min) return DataError(file, node, what + " must be at least " + std::to_string(min));
  return Status::Ok();
}

template <typename T>
Status ReadInt(const YAML::Node& node, const std::string& file, const std::string& what, T& out) {
  int64_t v = 0;
  WARROOM_RETURN_IF_ERROR(ReadInt(node, file, what, 0, v));
  out = static_cast<T>(v);
  return Status::Ok();
}

v1::ServiceAssessment Judge(v1::BasicService service, v1::ServiceLevel level, std::string rule) {
  v1::ServiceAssessment a;
  a.set_service(service);
  a.set_level(level);
  a.set_rule(std::move(rule));
  return a;
}

template <typename E>
v1::ServiceLevel LevelOf(E value, const std::set<int>& met, const std::set<int>& below) {
  if (met.count(static_cast<int>(value))) return v1::SERVICE_LEVEL_MET;
  if (below.count(static_cast<int>(value))) return v1::SERVICE_LEVEL_BELOW_NORM;
  return v1::SERVICE_LEVEL_NO_ACCESS;
}

}  // namespace

StatusOr<NormsPolicy> NormsPolicy::Load(const std::string& norms_text, const std::string& norms_file,
                                        const std::string& thresholds_text,
                                        const std::string& thresholds_file, const Geography& geo) {
  auto root = ParseYaml(norms_text, norms_file);
  if (!root.ok()) return root.status();
  const YAML::Node& n = *root;
  const std::string& f = norms_file;
  NormsPolicy p;
  p.version_ = n["version"] ? n["version"].as<std::string>() : "unversioned";
  WARROOM_RETURN_IF_ERROR(ReadInt(n["water"]["max_distance_m"], f, "water.max_distance_m", p.water_max_distance_m_));
  WARROOM_RETURN_IF_ERROR(ReadInt(n["water"]["min_litres_per_person_day"], f, "water.min_litres_per_person_day", p.water_min_litres_));
  WARROOM_RETURN_IF_ERROR(ReadInt(n["water"]["max_interruption_days_year"], f, "water.max_interruption_days_year", p.water_max_interruption_days_));
  WARROOM_RETURN_IF_ERROR(ReadLabels<v1::WaterSource>(n["water"]["met_sources"], f, "water.met_sources", p.water_sources_.met));
  WARROOM_RETURN_IF_ERROR(ReadLabels<v1::WaterSource>(n["water"]["below_sources"], f, "water.below_sources", p.water_sources_.below));
  WARROOM_RETURN_IF_ERROR(ReadLabels<v1::SanitationType>(n["sanitation"]["met"], f, "sanitation.met", p.sanitation_.met));
  WARROOM_RETURN_IF_ERROR(ReadLabels<v1::SanitationType>(n["sanitation"]["below"], f, "sanitation.below", p.sanitation_.below));
  WARROOM_RETURN_IF_ERROR(ReadLabels<v1::ElectricitySource>(n["electricity"]["met"], f, "electricity.met", p.electricity_.met));
  WARROOM_RETURN_IF_ERROR(ReadLabels<v1::ElectricitySource>(n["electricity"]["below"], f, "electricity.below", p.electricity_.below));
  WARROOM_RETURN_IF_ERROR(ReadInt(n["refuse_removal"]["min_collections_per_month"], f, "refuse_removal.min_collections_per_month", p.refuse_min_per_month_));
  WARROOM_RETURN_IF_ERROR(ReadLabels<v1::RoadAccess>(n["roads"]["met"], f, "roads.met", p.roads_.met));
  WARROOM_RETURN_IF_ERROR(ReadLabels<v1::RoadAccess>(n["roads"]["below"], f, "roads.below", p.roads_.below));
  WARROOM_RETURN_IF_ERROR(ReadInt(n["housing"]["min_floor_area_m2"], f, "housing.min_floor_area_m2", p.housing_min_area_m2_));
  WARROOM_RETURN_IF_ERROR(ReadLabels<v1::DwellingType>(n["housing"]["below_dwellings"], f, "housing.below_dwellings", p.housing_below_dwellings_));
  const YAML::Node& needs = n["need_categories"];
  if (!needs || !needs.IsMap()) return DataError(f, needs, "need_categories must map each need to a category");
  for (const auto& kv : needs) {
    auto need = ParseLabel<v1::NeedKind>(kv.first.as<std::string>());
    auto category = ParseLabel<v1::Category>(kv.second.as<std::string>());
    if (!need) return DataError(f, kv.first, "unknown need '" + kv.first.as<std::string>() + "'");
    if (!category) return DataError(f, kv.second, "unknown category '" + kv.second.as<std::string>() + "'");
    p.need_categories_[*need] = *category;
  }
  for (int k = 1; k < v1::NeedKind_ARRAYSIZE; ++k) {
    if (!p.need_categories_.count(k)) {
      return DataError(f, needs, "need_categories has no category for " + Label(static_cast<v1::NeedKind>(k)));
    }
  }

  auto troot = ParseYaml(thresholds_text, thresholds_file);
  if (!troot.ok()) return troot.status();
  WARROOM_RETURN_IF_ERROR(ReadInt((*troot)["default_rand"], thresholds_file, "default_rand", 0, p.default_threshold_));
  if (const YAML::Node& m = (*troot)["municipalities"]; m) {
    for (const auto& kv : m) {
      std::string code = kv.first.as<std::string>();
      if (geo.FindMunicipality(code) == nullptr) {
        return DataError(thresholds_file, kv.first, "unknown municipality '" + code + "'");
      }
      WARROOM_RETURN_IF_ERROR(ReadInt(kv.second, thresholds_file, code, 0, p.thresholds_[code]));
    }
  }
  return p;
}

int64_t NormsPolicy::IndigentThreshold(const std::string& municipality) const {
  auto it = thresholds_.find(municipality);
  return it == thresholds_.end() ? default_threshold_ : it->second;
}

v1::Category NormsPolicy::CategoryOf(v1::NeedKind need) const {
  auto it = need_categories_.find(need);
  return it == need_categories_.end() ? v1::CATEGORY_OTHER : it->second;
}

v1::Assessment NormsPolicy::Assess(const v1::ServiceObservation& o, v1::DwellingType dwelling,
                                   int64_t income, const std::string& municipality) const {
  v1::Assessment a;
  a.set_norms_version(version_);
  if (o.water_source() != v1::WATER_SOURCE_UNSPECIFIED) {
    std::string source = Label(o.water_source());
    v1::ServiceLevel level = LevelOf(o.water_source(), water_sources_.met, water_sources_.below);
    std::string rule = "water: " + source;
    if (level == v1::SERVICE_LEVEL_NO_ACCESS) {
      rule += " is not a basic water supply";
    } else if (level == v1::SERVICE_LEVEL_BELOW_NORM) {
      rule += " is below the basic supply norm";
    } else if (o.water_distance_m() > water_max_distance_m_) {
      level = v1::SERVICE_LEVEL_BELOW_NORM;
      rule += " " + std::to_string(o.water_distance_m()) + " m away; norm within " +
              std::to_string(water_max_distance_m_) + " m";
    } else if (o.water_litres_per_person_day() > 0 && o.water_litres_per_person_day() < water_min_litres_) {
      level = v1::SERVICE_LEVEL_BELOW_NORM;
      rule += " gives " + std::to_string(o.water_litres_per_person_day()) +
              " l per person per day; norm at least " + std::to_string(water_min_litres_);
    } else if (o.water_interruption_days_year() > water_max_interruption_days_) {
      level = v1::SERVICE_LEVEL_BELOW_NORM;
      rule += " interrupted " + std::to_string(o.water_interruption_days_year()) +
              " days this year; norm at most " + std::to_string(water_max_interruption_days_);
    } else {
      rule += " within " + std::to_string(water_max_distance_m_) + " m, meets the norm";
    }
    *a.add_services() = Judge(v1::BASIC_SERVICE_WATER, level, rule);
  }
  auto by_list = [&](v1::BasicService service, auto value, const Levels& levels, const char* what) {
    if (static_cast<int>(value) == 0) return;
    v1::ServiceLevel level = LevelOf(value, levels.met, levels.below);
    std::string verdict = level == v1::SERVICE_LEVEL_MET          ? "meets the norm"
                          : level == v1::SERVICE_LEVEL_BELOW_NORM ? "is below the norm"
                                                                  : "is no access";
    *a.add_services() = Judge(service, level, std::string(what) + ": " + Label(value) + " " + verdict);
  };
  by_list(v1::BASIC_SERVICE_SANITATION, o.sanitation(), sanitation_, "sanitation");
  by_list(v1::BASIC_SERVICE_ELECTRICITY, o.electricity(), electricity_, "electricity");
  by_list(v1::BASIC_SERVICE_ROADS, o.road_access(), roads_, "roads");
  {
    int n = o.refuse_collections_per_month();
    v1::ServiceLevel level = n == 0                       ? v1::SERVICE_LEVEL_NO_ACCESS
                             : n < refuse_min_per_month_ ? v1::SERVICE_LEVEL_BELOW_NORM
                                                          : v1::SERVICE_LEVEL_MET;
    *a.add_services() = Judge(v1::BASIC_SERVICE_REFUSE_REMOVAL, level,
                              "refuse removal: collected " + std::to_string(n) +
                                  " times a month; norm at least " + std::to_string(refuse_min_per_month_));
  }
  if (dwelling != v1::DWELLING_TYPE_UNSPECIFIED) {
    v1::ServiceLevel level = v1::SERVICE_LEVEL_MET;
    std::string rule = "housing: " + Label(dwelling);
    if (housing_below_dwellings_.count(dwelling)) {
      level = v1::SERVICE_LEVEL_BELOW_NORM;
      rule += " dwelling is below the norm";
    } else if (o.floor_area_m2() > 0 && o.floor_area_m2() < housing_min_area_m2_) {
      level = v1::SERVICE_LEVEL_BELOW_NORM;
      rule += " of " + std::to_string(o.floor_area_m2()) + " m2; norm at least " +
              std::to_string(housing_min_area_m2_) + " m2";
    } else {
      rule += " meets the norm";
    }
    *a.add_services() = Judge(v1::BASIC_SERVICE_HOUSING, level, rule);
  }
  int64_t threshold = IndigentThreshold(municipality);
  a.set_indigent(income <= threshold);
  a.set_indigent_rule("household income R" + std::to_string(income) + " a month " +
                      (a.indigent() ? "at or below " : "above ") + municipality + "'s threshold R" +
                      std::to_string(threshold));
  return a;
}

}  // namespace warroom::household
