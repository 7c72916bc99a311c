// A log-linear latency histogram (about 1% relative precision from 1 us to over an hour), so a
// load run keeps fixed memory however long it lasts, and percentiles come from the buckets.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

namespace warroom::loadgen {

class Histogram {
 public:
  void Record(std::chrono::nanoseconds latency);
  void Merge(const Histogram& other);
  uint64_t count() const { return count_; }
  // The latency at or below which p percent of the recorded values fall (upper bucket bound).
  std::chrono::nanoseconds Percentile(double p) const;
  std::chrono::nanoseconds Max() const { return std::chrono::nanoseconds(max_ns_); }

 private:
  static constexpr int kSubBuckets = 128;  // per power of two: under 1% apart
  static constexpr int kOctaves = 42;      // 1 us * 2^42 is about 51 days
  static int BucketOf(uint64_t micros_x128);
  static uint64_t UpperBoundNs(int bucket);

  std::array<uint64_t, kSubBuckets * kOctaves> buckets_{};
  uint64_t count_ = 0;
  uint64_t max_ns_ = 0;
};

}  // namespace warroom::loadgen
