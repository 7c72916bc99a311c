// Business time on a calendar: working hours per weekday, South African public holidays computed
// per year (fixed dates, Good Friday and Family Day from the Gregorian Easter, the
// Sunday-to-Monday rule) and one-off dates, in South African Standard Time (UTC+2, no daylight
// saving). An "always" calendar counts every hour of every day, for critical cases.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "warroom/common/clock.h"
#include "warroom/common/status.h"

namespace warroom::escalation {

using std::chrono::days;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::year_month_day;

struct HolidayRules {
  struct Fixed {
    unsigned month, day;
    std::string name;
  };
  struct EasterRelative {
    int offset_days;
    std::string name;
  };
  std::vector<Fixed> fixed;
  std::vector<EasterRelative> easter_relative;
  bool sunday_to_monday = true;
  std::vector<std::pair<sys_days, std::string>> one_off;

  static StatusOr<HolidayRules> Load(const std::string& yaml_text, const std::string& file);
};

// Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm).
year_month_day EasterSunday(int year);

struct WorkingHours {
  seconds open{0}, close{0};  // since local midnight; open == close: not a working day
  bool works() const { return close > open; }
};

class BusinessCalendar {
 public:
  // Every hour counts.
  static BusinessCalendar Always(std::string name);
  // index 0 is Sunday, as std::chrono::weekday counts.
  static BusinessCalendar Office(std::string name, std::array<WorkingHours, 7> hours,
                                 HolidayRules holidays, seconds utc_offset);

  const std::string& name() const { return name_; }
  bool always() const { return always_; }
  // The holiday's name, or nothing, for a local civil date.
  std::optional<std::string> Holiday(sys_days local_date) const;
  bool IsWorkingDay(sys_days local_date) const;

  // The instant at which `amount` of business time has passed since `start`.
  TimePoint Add(TimePoint start, seconds amount) const;
  // Business time between two instants (zero when to <= from).
  seconds Between(TimePoint from, TimePoint to) const;

 private:
  std::string name_;
  bool always_ = true;
  std::array<WorkingHours, 7> hours_{};
  HolidayRules holidays_;
  seconds offset_{0};
};

}  // namespace warroom::escalation
