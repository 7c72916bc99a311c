// Shared fixtures for escalation's tests: the shipped holiday rules and an office calendar.
#pragma once


#include "services/escalation/src/business_calendar.h"
#include "services/escalation/src/sla_policy.h"
#include "warroom/common/data_file.h"

namespace warroom::escalation::testing {

inline std::string Source(const std::string& relative) {
  return std::string(WARROOM_SOURCE_DIR) + "/" + relative;
}

inline const SlaPolicy& ShippedPolicy() {
  static const SlaPolicy p = *SlaPolicy::Load(*ReadTextFile(Source("services/escalation/config/sla-policy.yaml")),
                                              "sla-policy.yaml", Source("services/escalation/config"));
  return p;
}

// A local (SAST) wall-clock time as an instant.
inline TimePoint Local(int y, unsigned m, unsigned d, int hh, int mm) {
  using namespace std::chrono;
  return sys_days(year{y} / month{m} / day{d}) + hours(hh) + minutes(mm) - hours(2);
}

}  // namespace warroom::escalation::testing
