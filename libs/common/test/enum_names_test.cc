#include "warroom/common/enum_names.h"

#include <gtest/gtest.h>

#include "warroom/v1/common.pb.h"

namespace warroom {
namespace {

TEST(EnumNamesTest, LabelDropsThePrefixAndLowers) {
  EXPECT_EQ(Label(v1::CHANNEL_HOTLINE), "hotline");
  EXPECT_EQ(Label(v1::CASE_STATUS_AWAITING_RESIDENT), "awaiting_resident");
  EXPECT_EQ(Label(v1::CATEGORY_ROADS_STORMWATER), "roads_stormwater");
}

TEST(EnumNamesTest, ParseAcceptsLabelsAndDashes) {
  EXPECT_EQ(ParseLabel<v1::Channel>("walk-in"), v1::CHANNEL_WALK_IN);
  EXPECT_EQ(ParseLabel<v1::Category>("water"), v1::CATEGORY_WATER);
}

TEST(EnumNamesTest, ParseRefusesUnknownAndUnspecified) {
  EXPECT_EQ(ParseLabel<v1::Channel>("pigeon"), std::nullopt);
  EXPECT_EQ(ParseLabel<v1::Channel>("unspecified"), std::nullopt);
}

}  // namespace
}  // namespace warroom
