// Event ids: UUIDv7 (RFC 9562), time-ordered so that ids sort by creation and index well.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "warroom/common/clock.h"

namespace warroom {

class IdGenerator {
 public:
  // seed 0 draws a seed from std::random_device.
  explicit IdGenerator(const Clock& clock, uint64_t seed = 0);

  // Ids from one generator are strictly increasing, even within one millisecond.
  std::string NewUuidV7();

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::mt19937_64 random_;
  uint64_t last_ms_ = 0;
  uint16_t counter_ = 0;  // the 12-bit rand_a field, incremented within a millisecond
};

// True when text is a canonical lower-case UUID of any version.
bool IsUuid(std::string_view text);

}  // namespace warroom
