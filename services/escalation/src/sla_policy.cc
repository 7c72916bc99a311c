#include "services/escalation/src/sla_policy.h"

#include <yaml-cpp/yaml.h>


#include "warroom/common/data_file.h"
#include "warroom/common/enum_names.h"

namespace warroom::escalation {

std::optional<seconds> ParseSlaDuration(std::string_view text) {
  seconds total{0};
  size_t i = 0;
  if (text.empty()) return std::nullopt;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i - start > 9 || i == text.size()) return std::nullopt;
    int64_t n = std::stoll(std::string(text.substr(start, i - start)));
    switch (text[i++]) {
      case 'd': total += std::chrono::hours(24 * n); break;
      case 'h': total += std::chrono::hours(n); break;
      case 'm': total += std::chrono::minutes(n); break;
      case 's': total += seconds(n); break;
      default: return std::nullopt;
    }
  }
  return total;
}

namespace {

const std::map<std::string, v1::Tier>& TierKeys() {
  static const std::map<std::string, v1::Tier> kKeys = {
      {"ward", v1::TIER_WARD},
      {"local", v1::TIER_LOCAL},
      {"district", v1::TIER_DISTRICT},
      {"province", v1::TIER_PROVINCE},
      {"rapid_response", v1::TIER_RAPID_RESPONSE}};
  return kKeys;
}

std::optional<WorkingHours> ParseHours(const std::string& text) {
  unsigned oh, om, ch, cm;
  if (std::sscanf(text.c_str(), "%2u:%2u-%2u:%2u", &oh, &om, &ch, &cm) != 4 || oh > 24 ||
      ch > 24 || om > 59 || cm > 59) {
    return std::nullopt;
  }
  WorkingHours h{seconds(oh * 3600 + om * 60), seconds(ch * 3600 + cm * 60)};
  if (!h.works()) return std::nullopt;
  return h;
}

}  // namespace

StatusOr<SlaPolicy> SlaPolicy::Load(const std::string& text, const std::string& file,
                                    const std::string& base_dir) {
  auto parsed = ParseYaml(text, file);
  if (!parsed.ok()) return parsed.status();
  const YAML::Node& root = *parsed;
  auto at = [&](const YAML::Node& n, const std::string& why) { return DataError(file, n, why); };
  SlaPolicy p;
  p.warning_at_ = root["warning_at"].as<double>(0.75);
  if (p.warning_at_ <= 0 || p.warning_at_ >= 1) return at(root["warning_at"], "warning_at must be between 0 and 1");
  static const char* kDays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  for (const auto& c : root["calendars"]) {
    std::string name = c.first.Scalar();
    if (c.second["always"].as<bool>(false)) {
      p.calendars_.emplace(name, BusinessCalendar::Always(name));
      continue;
    }
    std::array<WorkingHours, 7> hours{};
    for (const auto& d : c.second["working_hours"]) {
      auto it = std::find(std::begin(kDays), std::end(kDays), d.first.Scalar());
      if (it == std::end(kDays)) return at(d.first, "unknown weekday '" + d.first.Scalar() + "'");
      auto h = ParseHours(d.second.Scalar());
      if (!h) return at(d.second, "working hours '" + d.second.Scalar() + "' are not HH:MM-HH:MM");
      hours[it - std::begin(kDays)] = *h;
    }
    std::string holidays_file = base_dir + "/" + c.second["holidays"].as<std::string>("");
    auto holidays_text = ReadTextFile(holidays_file);
    if (!holidays_text.ok()) return at(c.second, "calendar " + name + ": " + holidays_text.status().message());
    auto holidays = HolidayRules::Load(*holidays_text, holidays_file);
    if (!holidays.ok()) return holidays.status();
    int offset_hours = c.second["utc_offset_hours"].as<int>(2);
    p.calendars_.emplace(name, BusinessCalendar::Office(name, hours, std::move(*holidays),
                                                        std::chrono::hours(offset_hours)));
  }
  auto budgets = [&](const YAML::Node& n, bool critical) -> StatusOr<TierBudgets> {
    TierBudgets b;
    b.calendar = n["calendar"].as<std::string>("");
    if (!p.calendars_.contains(b.calendar)) return at(n, "unknown calendar '" + b.calendar + "'");
    auto ack = ParseSlaDuration(n["acknowledge"].as<std::string>(""));
    if (!ack) return at(n, "acknowledge needs a duration like 4h or 30m");
    b.acknowledge = *ack;
    for (const auto& [key, tier] : TierKeys()) {
      if (!n[key]) continue;
      auto d = ParseSlaDuration(n[key].as<std::string>(""));
      if (!d || *d <= seconds{0}) return at(n[key], key + " needs a duration like 17h or 42h30m");
      b.resolve[tier] = *d;
    }
    std::vector<v1::Tier> needed = critical ? std::vector<v1::Tier>{v1::TIER_RAPID_RESPONSE}
                                            : std::vector<v1::Tier>{v1::TIER_WARD, v1::TIER_LOCAL,
                                                                    v1::TIER_DISTRICT, v1::TIER_PROVINCE};
    for (auto t : needed) {
      if (!b.resolve.contains(t)) return at(n, "needs a time for the " + Label(t) + " tier");
    }
    return b;
  };
  for (const auto& entry : root["policies"]) {
    std::string key = entry.first.Scalar();
    auto b = budgets(entry.second, false);
    if (!b.ok()) return b.status();
    if (key == "default") {
      p.default_ = std::move(*b);
    } else if (auto category = ParseLabel<v1::Category>(key)) {
      p.by_category_[*category] = std::move(*b);
    } else {
      return at(entry.first, "unknown category '" + key + "'");
    }
  }
  if (p.default_.calendar.empty()) return InvalidArgumentError(file + ": needs a default policy");
  if (!root["critical"]) return InvalidArgumentError(file + ": needs a critical policy");
  auto critical = budgets(root["critical"], true);
  if (!critical.ok()) return critical.status();
  p.critical_ = std::move(*critical);
  return p;
}

const BusinessCalendar* SlaPolicy::Calendar(std::string_view name) const {
  auto it = calendars_.find(name);
  return it == calendars_.end() ? nullptr : &it->second;
}

const TierBudgets& SlaPolicy::For(v1::Category category, bool critical) const {
  if (critical) return critical_;
  auto it = by_category_.find(category);
  return it == by_category_.end() ? default_ : it->second;
}

}  // namespace warroom::escalation
