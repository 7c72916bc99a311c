// Hotspot detection as a pure rule over hourly case counts of one ward and category: the last
// window's count against the ward's own average over the windows before it, or a floor when it
// has no history.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

namespace warroom::escalation {

struct HotspotRule {
  int window_hours = 24;
  int baseline_windows = 7;
  double multiplier = 3.0;  // "well above": at least this many times the baseline
  int64_t floor = 5;        // and at least this many cases, history or not
};

struct HotspotVerdict {
  int64_t count = 0;
  double baseline = 0;
  int64_t window_start_hour = 0;  // hours since the epoch
};

// hourly: hour index (hours since the epoch) -> cases. Returns a verdict when the window ending
// with `current_hour` is a hotspot.
std::optional<HotspotVerdict> JudgeHotspot(const std::map<int64_t, int64_t>& hourly, int64_t current_hour,
                                           const HotspotRule& rule);

}  // namespace warroom::escalation
