#include "services/routing/src/route_rules.h"

#include <gtest/gtest.h>

namespace warroom::routing {
namespace {

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

struct Shipped {
  Geography geo = *Geography::LoadDir(Source("data/geography"));
  Departments departments = *Departments::Load(*ReadTextFile(Source("data/routing/departments.yaml")),
                                               "departments.yaml", geo);
  RuleSet rules = *RuleSet::Load(*ReadTextFile(Source("services/routing/config/rules.yaml")),
                                 "rules.yaml", geo, departments);
};

const Shipped& Data() {
  static const Shipped s;
  return s;
}

RouteDecision Route(v1::Category c, const std::string& ward, const std::string& muni = "") {
  auto d = Data().rules.Route(c, LocationOf(Data().geo, ward, muni));
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? *d : RouteDecision{};
}

TEST(RouteRulesTest, ShippedRulesCoverEveryCategory) {
  for (int c = v1::CATEGORY_WATER; c <= v1::CATEGORY_OTHER; ++c) {
    EXPECT_TRUE(Data().rules.Route(static_cast<v1::Category>(c), LocationOf(Data().geo, "79800001", "")).ok())
        << c;
  }
}

TEST(RouteRulesTest, AMunicipalFunctionResolvesToTheCasesOwnMunicipality) {
  EXPECT_EQ(Route(v1::CATEGORY_WATER, "79800001").department, "jhb-water");
  EXPECT_EQ(Route(v1::CATEGORY_WATER, "79900001").department, "tsh-water");
  EXPECT_EQ(Route(v1::CATEGORY_WATER, "74801012").department, "mogale-water");
  EXPECT_EQ(Route(v1::CATEGORY_WATER, "79800001").war_room, "WR-79800001");
}

TEST(RouteRulesTest, AWardRuleBeatsTheProvinceWideRule) {
  RouteDecision eskom = Route(v1::CATEGORY_ELECTRICITY, "74201001");
  EXPECT_EQ(eskom.department, "eskom");
  EXPECT_EQ(eskom.sphere, v1::SPHERE_NATIONAL);
  EXPECT_EQ(Route(v1::CATEGORY_ELECTRICITY, "74201002").department, "emfuleni-electricity");
}

TEST(RouteRulesTest, AMunicipalityRuleBeatsTheProvinceWideRule) {
  EXPECT_EQ(Route(v1::CATEGORY_HOUSING, "79800001").department, "jhb-housing");
  EXPECT_EQ(Route(v1::CATEGORY_HOUSING, "74201001").department, "gp-human-settlements");
}

TEST(RouteRulesTest, ACaseWithoutAWardGoesToItsMunicipalitysQueue) {
  RouteDecision d = Route(v1::CATEGORY_WATER, "", "TSH");
  EXPECT_TRUE(d.unlocated);
  EXPECT_EQ(d.war_room, "WR-TSH-QUEUE");
  EXPECT_EQ(d.department, "tsh-water");
}

TEST(RouteRulesTest, ExplanationNamesEveryRuleOfTheCategory) {
  RouteDecision d = Route(v1::CATEGORY_ELECTRICITY, "74201001");
  ASSERT_EQ(d.considered.size(), 2u);
  EXPECT_NE(d.considered[0].find("applies, but a more specific rule wins"), std::string::npos) << d.considered[0];
  EXPECT_NE(d.considered[1].find("chosen"), std::string::npos) << d.considered[1];
}

StatusOr<RuleSet> LoadRules(const std::string& yaml) {
  return RuleSet::Load(yaml, "rules.yaml", Data().geo, Data().departments);
}

TEST(RuleLoadingTest, UnknownCategoryIsRefusedWithFileAndLine) {
  auto r = LoadRules("rules:\n  - {id: a, category: water, sphere: municipal, department: jhb-water}\n"
                     "  - {id: b, category: weather, sphere: provincial, department: gp-health}\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "rules.yaml:3: rule b: unknown category 'weather'");
}

TEST(RuleLoadingTest, UnknownDepartmentPlaceAndFunctionAreRefused) {
  EXPECT_EQ(LoadRules("rules:\n  - {id: a, category: water, sphere: municipal, department: nope}\n").status().message(),
            "rules.yaml:2: rule a: unknown department 'nope'");
  EXPECT_EQ(LoadRules("rules:\n  - {id: a, category: water, ward: '99999999', sphere: municipal, department: jhb-water}\n").status().message(),
            "rules.yaml:2: rule a: unknown ward '99999999'");
  EXPECT_EQ(LoadRules("rules:\n  - {id: a, category: water, sphere: municipal, department: 'function:magic'}\n").status().message(),
            "rules.yaml:2: rule a: unknown municipal function 'magic'");
}

TEST(RuleLoadingTest, ASphereThatDisagreesWithTheDepartmentIsRefused) {
  EXPECT_EQ(LoadRules("rules:\n  - {id: a, category: water, sphere: national, department: jhb-water}\n").status().message(),
            "rules.yaml:2: rule a: jhb-water is municipal, not national");
}

TEST(RuleLoadingTest, TwoRulesForTheSameCategoryAndPlaceAreRefused) {
  auto r = LoadRules("rules:\n  - {id: a, category: water, municipality: JHB, sphere: municipal, department: jhb-water}\n"
                     "  - {id: b, category: water, municipality: JHB, sphere: provincial, department: gp-health}\n");
  EXPECT_EQ(r.status().message(), "rules.yaml:3: rule b covers the same category and place as an earlier rule");
}

TEST(RuleLoadingTest, BrokenYamlNamesTheLine) {
  auto r = LoadRules("rules:\n  - {id: a, category: water\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("rules.yaml:", 0), 0u) << r.status().message();
}

TEST(RuleLoadingTest, NoRuleForACategoryIsNotFound) {
  auto r = LoadRules("rules:\n  - {id: a, category: water, sphere: municipal, department: jhb-water}\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Route(v1::CATEGORY_HEALTH, {}).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace warroom::routing
