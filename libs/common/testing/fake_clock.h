// A clock that moves only when a test says so.
#pragma once

#include <atomic>

#include "warroom/common/clock.h"

namespace warroom::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1795737600)))  // 2026-11-27
      : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(TimePoint::duration(now_.load())); }
  void Set(TimePoint t) { now_ = t.time_since_epoch().count(); }
  void Advance(TimePoint::duration d) { now_ += d.count(); }

 private:
  std::atomic<TimePoint::duration::rep> now_;
};

}  // namespace warroom::testing
