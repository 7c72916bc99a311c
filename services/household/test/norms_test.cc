#include "services/household/src/norms.h"

#include <gtest/gtest.h>

#include "warroom/common/data_file.h"

namespace warroom::household {
namespace {

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

class NormsTest : public ::testing::Test {
 protected:
  NormsTest()
      : geo_(*Geography::LoadDir(Source("data/geography"))),
        norms_(*NormsPolicy::Load(*ReadTextFile(Source("data/household/norms.yaml")), "norms.yaml",
                                  *ReadTextFile(Source("data/household/indigent-thresholds.yaml")),
                                  "thresholds.yaml", geo_)) {}

  v1::ServiceObservation Good() {
    v1::ServiceObservation o;
    o.set_water_source(v1::WATER_SOURCE_PIPED_IN_YARD);
    o.set_water_distance_m(10);
    o.set_sanitation(v1::SANITATION_TYPE_FLUSH_SEWER);
    o.set_electricity(v1::ELECTRICITY_SOURCE_GRID);
    o.set_refuse_collections_per_month(4);
    o.set_road_access(v1::ROAD_ACCESS_ALL_WEATHER);
    o.set_floor_area_m2(45);
    return o;
  }
  v1::ServiceAssessment Of(const v1::Assessment& a, v1::BasicService s) {
    for (const auto& x : a.services()) {
      if (x.service() == s) return x;
    }
    ADD_FAILURE() << "no assessment of " << s;
    return {};
  }

  Geography geo_;
  NormsPolicy norms_;
};

TEST_F(NormsTest, AHouseholdWithEveryServiceMeetsEveryNorm) {
  auto a = norms_.Assess(Good(), v1::DWELLING_TYPE_FORMAL, 9000, "JHB");
  ASSERT_EQ(a.services_size(), 6);
  for (const auto& s : a.services()) EXPECT_EQ(s.level(), v1::SERVICE_LEVEL_MET) << s.rule();
  EXPECT_FALSE(a.indigent());
}

TEST_F(NormsTest, AStandpipeFurtherThan200MetresIsBelowTheNormAndSaysSo) {
  auto o = Good();
  o.set_water_source(v1::WATER_SOURCE_COMMUNAL_STANDPIPE);
  o.set_water_distance_m(350);
  auto w = Of(norms_.Assess(o, v1::DWELLING_TYPE_FORMAL, 9000, "JHB"), v1::BASIC_SERVICE_WATER);
  EXPECT_EQ(w.level(), v1::SERVICE_LEVEL_BELOW_NORM);
  EXPECT_NE(w.rule().find("350 m away; norm within 200 m"), std::string::npos) << w.rule();
}

TEST_F(NormsTest, TooLittleWaterPerPersonIsBelowTheNorm) {
  auto o = Good();
  o.set_water_litres_per_person_day(15);
  EXPECT_EQ(Of(norms_.Assess(o, v1::DWELLING_TYPE_FORMAL, 9000, "JHB"), v1::BASIC_SERVICE_WATER).level(),
            v1::SERVICE_LEVEL_BELOW_NORM);
}

TEST_F(NormsTest, ARiverIsNoAccessToWater) {
  auto o = Good();
  o.set_water_source(v1::WATER_SOURCE_RIVER_OR_DAM);
  EXPECT_EQ(Of(norms_.Assess(o, v1::DWELLING_TYPE_FORMAL, 9000, "JHB"), v1::BASIC_SERVICE_WATER).level(),
            v1::SERVICE_LEVEL_NO_ACCESS);
}

TEST_F(NormsTest, AVipLatrineMeetsTheSanitationNormAndABucketDoesNot) {
  auto o = Good();
  o.set_sanitation(v1::SANITATION_TYPE_VIP);
  EXPECT_EQ(Of(norms_.Assess(o, v1::DWELLING_TYPE_FORMAL, 0, "JHB"), v1::BASIC_SERVICE_SANITATION).level(),
            v1::SERVICE_LEVEL_MET);
  o.set_sanitation(v1::SANITATION_TYPE_BUCKET);
  EXPECT_EQ(Of(norms_.Assess(o, v1::DWELLING_TYPE_FORMAL, 0, "JHB"), v1::BASIC_SERVICE_SANITATION).level(),
            v1::SERVICE_LEVEL_BELOW_NORM);
  o.set_sanitation(v1::SANITATION_TYPE_NONE);
  EXPECT_EQ(Of(norms_.Assess(o, v1::DWELLING_TYPE_FORMAL, 0, "JHB"), v1::BASIC_SERVICE_SANITATION).level(),
            v1::SERVICE_LEVEL_NO_ACCESS);
}

TEST_F(NormsTest, RefuseCollectedLessThanWeeklyIsBelowAndNeverIsNoAccess) {
  auto o = Good();
  o.set_refuse_collections_per_month(2);
  EXPECT_EQ(Of(norms_.Assess(o, v1::DWELLING_TYPE_FORMAL, 0, "JHB"), v1::BASIC_SERVICE_REFUSE_REMOVAL).level(),
            v1::SERVICE_LEVEL_BELOW_NORM);
  o.set_refuse_collections_per_month(0);
  EXPECT_EQ(Of(norms_.Assess(o, v1::DWELLING_TYPE_FORMAL, 0, "JHB"), v1::BASIC_SERVICE_REFUSE_REMOVAL).level(),
            v1::SERVICE_LEVEL_NO_ACCESS);
}

TEST_F(NormsTest, AnInformalDwellingOrASmallHouseIsBelowTheHousingNorm) {
  EXPECT_EQ(Of(norms_.Assess(Good(), v1::DWELLING_TYPE_INFORMAL, 0, "JHB"), v1::BASIC_SERVICE_HOUSING).level(),
            v1::SERVICE_LEVEL_BELOW_NORM);
  auto o = Good();
  o.set_floor_area_m2(30);
  auto h = Of(norms_.Assess(o, v1::DWELLING_TYPE_FORMAL, 0, "JHB"), v1::BASIC_SERVICE_HOUSING);
  EXPECT_EQ(h.level(), v1::SERVICE_LEVEL_BELOW_NORM);
  EXPECT_NE(h.rule().find("norm at least 40 m2"), std::string::npos);
}

TEST_F(NormsTest, IndigentScreeningUsesTheMunicipalitysThreshold) {
  auto a = norms_.Assess(Good(), v1::DWELLING_TYPE_FORMAL, 4630, "GT421");
  EXPECT_TRUE(a.indigent());
  EXPECT_NE(a.indigent_rule().find("GT421's threshold R4630"), std::string::npos) << a.indigent_rule();
  EXPECT_FALSE(norms_.Assess(Good(), v1::DWELLING_TYPE_FORMAL, 4631, "GT421").indigent());
}

TEST_F(NormsTest, NeedsMapToTheirCategories) {
  EXPECT_EQ(norms_.CategoryOf(v1::NEED_KIND_GRANT), v1::CATEGORY_SOCIAL_GRANTS);
  EXPECT_EQ(norms_.CategoryOf(v1::NEED_KIND_SCHOOL_PLACE), v1::CATEGORY_EDUCATION);
}

TEST_F(NormsTest, ABadNormsFileIsRefusedWithItsLine) {
  auto p = NormsPolicy::Load("version: x\nwater:\n  max_distance_m: far\n", "bad.yaml",
                             "default_rand: 1\n", "t.yaml", geo_);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("bad.yaml:3"), std::string::npos) << p.status().message();
  auto t = NormsPolicy::Load(*ReadTextFile(Source("data/household/norms.yaml")), "n.yaml",
                             "default_rand: 1\nmunicipalities:\n  XYZ: 5\n", "t.yaml", geo_);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("unknown municipality 'XYZ'"), std::string::npos);
}

}  // namespace
}  // namespace warroom::household
