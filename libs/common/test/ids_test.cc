#include "warroom/common/ids.h"

#include <gtest/gtest.h>

#include <set>

#include "testing/fake_clock.h"

namespace warroom {
namespace {

TEST(IdsTest, UuidV7HasVersionAndVariant) {
  testing::FakeClock clock;
  IdGenerator ids(clock, 42);
  std::string id = ids.NewUuidV7();
  EXPECT_TRUE(IsUuid(id)) << id;
  EXPECT_EQ(id[14], '7');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
}

TEST(IdsTest, IdsIncreaseStrictlyWithinOneMillisecond) {
  testing::FakeClock clock;
  IdGenerator ids(clock, 42);
  std::string prev = ids.NewUuidV7();
  for (int i = 0; i < 10000; ++i) {  // more than the 12-bit counter holds
    std::string next = ids.NewUuidV7();
    ASSERT_LT(prev, next);
    prev = next;
  }
}

TEST(IdsTest, TimestampLeadsTheId) {
  testing::FakeClock clock;
  IdGenerator ids(clock, 1);
  std::string a = ids.NewUuidV7();
  clock.Advance(std::chrono::seconds(1));
  std::string b = ids.NewUuidV7();
  EXPECT_LT(a.substr(0, 13), b.substr(0, 13));
}

TEST(IdsTest, IsUuidRejectsOtherText) {
  EXPECT_FALSE(IsUuid("not-a-uuid"));
  EXPECT_FALSE(IsUuid("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5G"));
}

}  // namespace
}  // namespace warroom
