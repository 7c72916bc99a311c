#include "histogram.h"

#include <gtest/gtest.h>

namespace warroom::loadgen {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

TEST(HistogramTest, PercentilesOfAUniformSpreadAreWithinOnePercent) {
  Histogram h;
  for (int us = 1; us <= 10000; ++us) h.Record(microseconds(us));
  EXPECT_EQ(h.count(), 10000u);
  auto near = [](nanoseconds got, double expected_us) {
    double us = got.count() / 1000.0;
    return us >= expected_us * 0.99 && us <= expected_us * 1.01;
  };
  EXPECT_TRUE(near(h.Percentile(50), 5000)) << h.Percentile(50).count();
  EXPECT_TRUE(near(h.Percentile(99), 9900)) << h.Percentile(99).count();
  EXPECT_TRUE(near(h.Percentile(99.9), 9990)) << h.Percentile(99.9).count();
  EXPECT_EQ(h.Max(), microseconds(10000));
}

TEST(HistogramTest, OneSlowCallShowsInTheTailOnly) {
  Histogram h;
  for (int i = 0; i < 999; ++i) h.Record(microseconds(100));
  h.Record(std::chrono::seconds(2));
  EXPECT_LT(h.Percentile(99).count(), 102000);
  EXPECT_EQ(h.Percentile(100), std::chrono::seconds(2));
}

TEST(HistogramTest, MergeAddsCounts) {
  Histogram a, b;
  a.Record(microseconds(10));
  b.Record(microseconds(20));
  a.Merge(b);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_GE(a.Percentile(100).count(), 19800);
}

TEST(HistogramTest, EmptyIsZero) { EXPECT_EQ(Histogram().Percentile(99).count(), 0); }

}  // namespace
}  // namespace warroom::loadgen
