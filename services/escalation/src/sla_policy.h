// The SLA policy file: calendars, and per category the time to acknowledge and the time to
// resolve at each tier; critical cases have their own (rapid response) entry.
#pragma once

#include <map>
#include <string>

#include "services/escalation/src/business_calendar.h"
#include "warroom/v1/common.pb.h"

namespace warroom::escalation {

struct TierBudgets {
  std::string calendar;
  seconds acknowledge{0};
  std::map<v1::Tier, seconds> resolve;
};

// "45m", "17h", "42h30m", "2d": whole numbers with units d, h, m, s.
std::optional<seconds> ParseSlaDuration(std::string_view text);

class SlaPolicy {
 public:
  // Calendar holiday files are read relative to base_dir.
  static StatusOr<SlaPolicy> Load(const std::string& yaml_text, const std::string& file,
                                  const std::string& base_dir);
  const BusinessCalendar* Calendar(std::string_view name) const;
  const TierBudgets& For(v1::Category category, bool critical) const;
  double warning_at() const { return warning_at_; }

 private:
  double warning_at_ = 0.75;
  std::map<std::string, BusinessCalendar, std::less<>> calendars_;
  std::map<v1::Category, TierBudgets> by_category_;
  TierBudgets default_, critical_;
};

}  // namespace warroom::escalation
