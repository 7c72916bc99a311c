#include "warroom/common/geography.h"

#include <gtest/gtest.h>

namespace warroom {
namespace {

const Geography& Shipped() {
  static const Geography g = *Geography::LoadDir(std::string(WARROOM_SOURCE_DIR) + "/data/geography");
  return g;
}

TEST(GeographyTest, ShippedDataLoads) {
  auto g = Geography::LoadDir(std::string(WARROOM_SOURCE_DIR) + "/data/geography");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->province(), "GT");
  EXPECT_EQ(g->wards().size(), 135u + 107 + 112 + 45 + 15 + 13 + 39 + 28 + 35);
}

TEST(GeographyTest, WardCodesFollowTheDemarcationBoardScheme) {
  const auto& g = Shipped();
  ASSERT_NE(g.FindWard("79800001"), nullptr);
  EXPECT_EQ(g.FindWard("79800001")->municipality_code, "JHB");
  EXPECT_EQ(g.FindWard("74201001")->municipality_code, "GT421");  // Emfuleni ward 1
  EXPECT_EQ(g.FindWard("74801012")->municipality_code, "GT481");  // Mogale City ward 12
  EXPECT_EQ(g.FindWard("74801012")->district, "DC48");
  EXPECT_EQ(g.FindWard("79800136"), nullptr);  // Johannesburg has 135 wards
}

TEST(GeographyTest, MetroWardsHaveARegion) {
  const auto& g = Shipped();
  EXPECT_EQ(g.FindWard("79800001")->region, "Region A");
  EXPECT_EQ(g.FindWard("79900107")->region, "Region 7");
  for (const auto& [code, w] : g.wards()) {
    const Municipality* m = g.FindMunicipality(w.municipality_code);
    if (m->kind == MunicipalityKind::kMetro) {
      EXPECT_FALSE(w.region.empty()) << code;
    }
  }
}

TEST(GeographyTest, MunicipalitiesWithinACodeAreTheOnesHoldingItsWards) {
  const auto& g = Shipped();
  using V = std::vector<std::string>;
  EXPECT_EQ(g.MunicipalitiesWithin("JHB"), V({"JHB"}));
  EXPECT_EQ(g.MunicipalitiesWithin("GT422"), V({"GT422"}));
  EXPECT_EQ(g.MunicipalitiesWithin("DC42"), V({"GT421", "GT422", "GT423"}));
  V all = {"EKU", "GT421", "GT422", "GT423", "GT481", "GT484", "GT485", "JHB", "TSH"};
  EXPECT_EQ(g.MunicipalitiesWithin("GT"), all);
  EXPECT_EQ(g.MunicipalitiesWithin(), all);
  EXPECT_TRUE(g.MunicipalitiesWithin("WC").empty());
}

TEST(GeographyTest, BoundsContainJohannesburgAndNotCapeTown) {
  EXPECT_TRUE(Shipped().bounds().Contains(-26.2041, 28.0473));
  EXPECT_FALSE(Shipped().bounds().Contains(-33.9249, 18.4241));
}

TEST(GeographyTest, ErrorsNameFileLineAndReason) {
  auto g = Geography::Load(
      "code,name,kind,parent,ward_code_prefix,wards_2021\nGT,Gauteng,province,,,\n"
      "JHB,Johannesburg,metro,GT,798,lots\n",
      "metro,region,first_ward,last_ward\n", "code,a,b,c,d\nGT,-27,-25,27,29\n");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message(), "municipalities-gauteng.csv:3: ward count 'lots' is not 1..999");
}

TEST(GeographyTest, RegionRangesMustFitTheMetro) {
  auto g = Geography::Load(
      "code,name,kind,parent,ward_code_prefix,wards_2021\nGT,Gauteng,province,,,\n"
      "JHB,Johannesburg,metro,GT,798,10\n",
      "metro,region,first_ward,last_ward\nJHB,Region A,1,11\n",
      "code,a,b,c,d\nGT,-27,-25,27,29\n");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message(), "metro-regions.csv:2: ward range 1..11 is not within 1..10");
}

}  // namespace
}  // namespace warroom
