#include "services/escalation/src/hotspots.h"

#include <gtest/gtest.h>

namespace warroom::escalation {
namespace {

constexpr int64_t kNow = 500000;  // an hour index

TEST(HotspotRuleTest, AWardWithNoHistoryNeedsTheFloor) {
  std::map<int64_t, int64_t> hourly = {{kNow, 4}};
  EXPECT_FALSE(JudgeHotspot(hourly, kNow, {}));
  hourly[kNow - 3] = 1;
  auto v = JudgeHotspot(hourly, kNow, {});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->count, 5);
  EXPECT_EQ(v->baseline, 0);
  EXPECT_EQ(v->window_start_hour, kNow - 23);
}

TEST(HotspotRuleTest, ABusyWardNeedsThreeTimesItsOwnBaseline) {
  std::map<int64_t, int64_t> hourly;
  for (int day = 1; day <= 7; ++day) hourly[kNow - 24 * day] = 10;  // 10 a day for a week
  hourly[kNow] = 29;
  EXPECT_FALSE(JudgeHotspot(hourly, kNow, {}));
  hourly[kNow] = 30;
  auto v = JudgeHotspot(hourly, kNow, {});
  ASSERT_TRUE(v);
  EXPECT_DOUBLE_EQ(v->baseline, 10);
}

TEST(HotspotRuleTest, OnlyTheWindowCounts) {
  std::map<int64_t, int64_t> hourly = {{kNow - 24, 50}};  // yesterday's storm is history now
  EXPECT_FALSE(JudgeHotspot(hourly, kNow, {}));
}

}  // namespace
}  // namespace warroom::escalation
