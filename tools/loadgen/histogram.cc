#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace warroom::loadgen {

// Values are kept in units of 1/128 us, so that the first octave already has 128 sub-buckets.
int Histogram::BucketOf(uint64_t v) {
  if (v < kSubBuckets) return static_cast<int>(v);
  int octave = std::bit_width(v) - 8;  // v has 8 + octave bits
  int sub = static_cast<int>(v >> octave) - kSubBuckets;
  return std::min((octave + 1) * kSubBuckets + sub, kSubBuckets * kOctaves - 1);
}

uint64_t Histogram::UpperBoundNs(int bucket) {
  int octave = bucket / kSubBuckets - 1;
  uint64_t sub = bucket % kSubBuckets;
  uint64_t v = octave < 0 ? sub + 1 : ((sub + kSubBuckets + 1) << octave);
  return v * 1000 / kSubBuckets;
}

void Histogram::Record(std::chrono::nanoseconds latency) {
  uint64_t ns = static_cast<uint64_t>(std::max<int64_t>(0, latency.count()));
  ++buckets_[BucketOf(ns * kSubBuckets / 1000)];
  ++count_;
  max_ns_ = std::max(max_ns_, ns);
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ns_ = std::max(max_ns_, other.max_ns_);
}

std::chrono::nanoseconds Histogram::Percentile(double p) const {
  if (count_ == 0) return std::chrono::nanoseconds(0);
  uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      return std::chrono::nanoseconds(std::min(UpperBoundNs(static_cast<int>(i)), max_ns_));
    }
  }
  return Max();
}

}  // namespace warroom::loadgen
