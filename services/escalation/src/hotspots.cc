#include "services/escalation/src/hotspots.h"

#include <algorithm>

namespace warroom::escalation {

std::optional<HotspotVerdict> JudgeHotspot(const std::map<int64_t, int64_t>& hourly, int64_t current_hour,
                                           const HotspotRule& rule) {
  auto sum = [&](int64_t from, int64_t to) {  // hours [from, to]
    int64_t total = 0;
    for (auto it = hourly.lower_bound(from); it != hourly.end() && it->first <= to; ++it) total += it->second;
    return total;
  };
  int64_t start = current_hour - rule.window_hours + 1;
  HotspotVerdict v;
  v.window_start_hour = start;
  v.count = sum(start, current_hour);
  int64_t history = sum(start - static_cast<int64_t>(rule.window_hours) * rule.baseline_windows, start - 1);
  v.baseline = static_cast<double>(history) / rule.baseline_windows;
  double threshold = std::max(static_cast<double>(rule.floor), rule.multiplier * v.baseline);
  if (static_cast<double>(v.count) < threshold) return std::nullopt;
  return v;
}

}  // namespace warroom::escalation
