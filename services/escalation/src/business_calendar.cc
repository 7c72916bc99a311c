#include "services/escalation/src/business_calendar.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "warroom/common/data_file.h"

namespace warroom::escalation {

using namespace std::chrono;

year_month_day EasterSunday(int y) {
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25;
  int g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
  int l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31, day = ((h + l - 7 * m + 114) % 31) + 1;
  return year{y} / month / day;
}

StatusOr<HolidayRules> HolidayRules::Load(const std::string& text, const std::string& file) {
  HolidayRules rules;
  auto parsed = ParseYaml(text, file);
  if (!parsed.ok()) return parsed.status();
  const YAML::Node& root = *parsed;
  auto at = [&](const YAML::Node& n, const std::string& why) { return DataError(file, n, why); };
  for (const auto& n : root["fixed"]) {
    std::string date = n["date"].as<std::string>("");
    unsigned m = 0, d = 0;
    if (date.size() != 5 || std::sscanf(date.c_str(), "%2u-%2u", &m, &d) != 2 ||
        !year_month_day(year{2000}, month{m}, day{d}).ok()) {
      return at(n, "fixed holiday date '" + date + "' is not MM-DD");
    }
    rules.fixed.push_back({m, d, n["name"].as<std::string>("")});
  }
  for (const auto& n : root["easter_relative"]) {
    rules.easter_relative.push_back({n["offset_days"].as<int>(0), n["name"].as<std::string>("")});
  }
  rules.sunday_to_monday = root["sunday_to_monday"].as<bool>(true);
  for (const auto& n : root["one_off"]) {
    std::string date = n["date"].as<std::string>("");
    int y = 0;
    unsigned m = 0, d = 0;
    if (std::sscanf(date.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3 ||
        !year_month_day(year{y}, month{m}, day{d}).ok()) {
      return at(n, "one-off holiday date '" + date + "' is not YYYY-MM-DD");
    }
    rules.one_off.emplace_back(sys_days(year{y} / month{m} / day{d}), n["name"].as<std::string>(""));
  }
  if (rules.fixed.empty()) return InvalidArgumentError(file + ": no fixed holidays");
  return rules;
}

BusinessCalendar BusinessCalendar::Always(std::string name) {
  BusinessCalendar c;
  c.name_ = std::move(name);
  c.always_ = true;
  return c;
}

BusinessCalendar BusinessCalendar::Office(std::string name, std::array<WorkingHours, 7> hours,
                                          HolidayRules holidays, seconds utc_offset) {
  BusinessCalendar c;
  c.name_ = std::move(name);
  c.always_ = false;
  c.hours_ = hours;
  c.holidays_ = std::move(holidays);
  c.offset_ = utc_offset;
  return c;
}

std::optional<std::string> BusinessCalendar::Holiday(sys_days date) const {
  year_month_day ymd(date);
  int y = static_cast<int>(ymd.year());
  auto check = [&](sys_days candidate) { return candidate == date; };
  for (const auto& f : holidays_.fixed) {
    sys_days d = year{y} / month{f.month} / day{f.day};
    if (check(d)) return f.name;
    if (holidays_.sunday_to_monday && weekday(d) == Sunday && check(d + days{1})) {
      return f.name + " (observed)";
    }
  }
  sys_days easter = EasterSunday(y);
  for (const auto& e : holidays_.easter_relative) {
    sys_days d = easter + days{e.offset_days};
    if (check(d)) return e.name;
  }
  for (const auto& [d, name] : holidays_.one_off) {
    if (check(d)) return name;
  }
  return std::nullopt;
}

bool BusinessCalendar::IsWorkingDay(sys_days date) const {
  if (always_) return true;
  return hours_[weekday(date).c_encoding()].works() && !Holiday(date);
}

namespace {
constexpr int kMaxDaysScanned = 3660;  // ten years: a budget that needs more is a policy error
}

TimePoint BusinessCalendar::Add(TimePoint start, seconds amount) const {
  if (always_ || amount <= seconds{0}) {
    return start + std::chrono::duration_cast<TimePoint::duration>(std::max(amount, seconds{0}));
  }
  // Work in local seconds; sub-second precision of start is kept by adding it back at the end.
  auto local = floor<seconds>(start) + offset_;
  auto fraction = start - floor<seconds>(start);
  seconds remaining = amount;
  auto t = local;
  for (int i = 0; i < kMaxDaysScanned; ++i) {
    sys_days date = floor<days>(t);
    const WorkingHours& h = hours_[weekday(date).c_encoding()];
    if (IsWorkingDay(date)) {
      auto open = date + h.open;
      auto close = date + h.close;
      if (t < open) t = open;
      if (t < close) {
        seconds available = close - t;
        if (remaining <= available) return t + remaining - offset_ + fraction;
        remaining -= available;
      }
    }
    t = date + days{1};
  }
  return start + std::chrono::hours(24 * kMaxDaysScanned);
}

seconds BusinessCalendar::Between(TimePoint from, TimePoint to) const {
  if (to <= from) return seconds{0};
  if (always_) return duration_cast<seconds>(to - from);
  auto a = floor<seconds>(from) + offset_;
  auto b = floor<seconds>(to) + offset_;
  seconds total{0};
  for (sys_days date = floor<days>(a); date <= floor<days>(b); date += days{1}) {
    if (!IsWorkingDay(date)) continue;
    const WorkingHours& h = hours_[weekday(date).c_encoding()];
    auto open = std::max<sys_seconds>(date + h.open, a);
    auto close = std::min<sys_seconds>(date + h.close, b);
    if (close > open) total += close - open;
  }
  return total;
}

}  // namespace warroom::escalation
