#include "warroom/common/grpc_stream.h"

#include <gtest/gtest.h>

namespace warroom {
namespace {

// Only a group's last message goes out plain (and so sends the group).
TEST(GroupedWriteTest, HoldsEveryMessageButAGroupsLast) {
  std::vector<bool> held;
  for (size_t i = 0; i < 7; ++i) held.push_back(GroupedWrite(i, 3).get_buffer_hint());
  EXPECT_EQ(held, (std::vector<bool>{true, true, false, true, true, false, true}));
}

TEST(GroupedWriteTest, AGroupOfOneHoldsNothing) {
  for (size_t i = 0; i < 3; ++i) EXPECT_FALSE(GroupedWrite(i, 1).get_buffer_hint());
}

}  // namespace
}  // namespace warroom
