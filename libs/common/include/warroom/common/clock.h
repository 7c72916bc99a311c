// Time as an injected dependency, so that SLA and expiry logic is tested without sleeping.
#pragma once

#include <chrono>

namespace warroom {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace warroom
