#include "services/psp/src/matching.h"

#include <gtest/gtest.h>

#include "warroom/common/timestamps.h"

namespace warroom::psp {
namespace {

using std::chrono::hours;
const TimePoint kJan = TimePoint(std::chrono::seconds(1767225600));  // 2026-01-01

v1::FrameworkContract Contract(int64_t ceiling, int64_t committed, int64_t rate = 10000) {
  v1::FrameworkContract c;
  c.set_contract_id("FC-1");
  c.set_ceiling_rand(ceiling);
  c.set_committed_rand(committed);
  c.set_daily_rate_rand(rate);
  *c.mutable_starts() = ToTimestamp(kJan);
  *c.mutable_ends() = ToTimestamp(kJan + hours(24 * 365));
  return c;
}

TEST(CallOffTest, ACallOffOverTheCeilingIsRefusedSayingByHowMuch) {
  Status s = CheckCallOff(Contract(1000000, 950000), 100000, kJan, kJan + hours(240));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("exceed the ceiling of R1000000 by R50000"), std::string::npos) << s.message();
  EXPECT_TRUE(CheckCallOff(Contract(1000000, 900000), 100000, kJan, kJan + hours(240)).ok());
}

TEST(CallOffTest, ACallOffPastTheContractPeriodIsRefusedSayingByHowManyDays) {
  Status s = CheckCallOff(Contract(10000000, 0), 1000, kJan + hours(24 * 360), kJan + hours(24 * 375));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("ends 10 days after the contract ends"), std::string::npos) << s.message();
}

v1::Firm Firm(const std::string& id, std::vector<std::pair<std::string, int>> pros,
              v1::Discipline d = v1::DISCIPLINE_WATER) {
  v1::Firm f;
  f.set_firm_id(id);
  f.add_provinces("GT");
  for (auto [pid, years] : pros) {
    auto* p = f.add_professionals();
    p->set_professional_id(pid);
    p->set_discipline(d);
    p->set_years_experience(years);
    p->set_max_concurrent_deployments(2);
  }
  *f.add_contracts() = Contract(5000000, 0);
  return f;
}

TEST(RankTest, BetterRecordsRankFirstAndEveryCandidateIsExplained) {
  v1::SupportRequest r;
  r.set_discipline(v1::DISCIPLINE_WATER);
  r.set_days(20);
  std::map<std::string, Track> tracks = {{"good", {4, 20, 10, 10, 0}}, {"late", {4, 12, 10, 3, 1}}};
  auto ranked = Rank(r, "GT", {Firm("A", {{"good", 5}, {"late", 20}, {"new", 8}})}, tracks, kJan, kJan + hours(480));
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0].professional_id(), "good");  // 50 + 30 + 20 = 100
  EXPECT_DOUBLE_EQ(ranked[0].score(), 100);
  EXPECT_EQ(ranked[1].professional_id(), "new");   // 30 + 18 + 20 = 68
  EXPECT_EQ(ranked[2].professional_id(), "late");  // 30 + 9 + 10 = 49
  EXPECT_NE(ranked[2].explanation().find("1 of 2 slots free"), std::string::npos) << ranked[2].explanation();
}

TEST(RankTest, WrongDisciplineFullBookingsOtherProvincesAndFullContractsAreNotEligible) {
  v1::SupportRequest r;
  r.set_discipline(v1::DISCIPLINE_WATER);
  r.set_days(10);
  auto civil = Firm("C", {{"civil", 10}}, v1::DISCIPLINE_CIVIL);
  auto elsewhere = Firm("E", {{"far", 10}});
  elsewhere.set_provinces(0, "LP");
  auto full = Firm("F", {{"busy", 10}});
  auto broke = Firm("B", {{"broke", 10}});
  broke.mutable_contracts(0)->set_committed_rand(4990000);
  auto ranked = Rank(r, "GT", {civil, elsewhere, full, broke}, {{"busy", {0, 0, 0, 0, 2}}}, kJan, kJan + hours(240));
  EXPECT_TRUE(ranked.empty());
}

TEST(RankTest, TiesGoToExperienceThenId) {
  v1::SupportRequest r;
  r.set_discipline(v1::DISCIPLINE_WATER);
  r.set_days(5);
  auto ranked = Rank(r, "GT", {Firm("A", {{"b", 3}, {"a", 3}, {"c", 9}})}, {}, kJan, kJan + hours(120));
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0].professional_id(), "c");
  EXPECT_EQ(ranked[1].professional_id(), "a");
}

TEST(BacklogTest, AssessedHouseholdsReplaceTheirShareOfTheBaseline) {
  EXPECT_EQ(CombinedBacklog(10000, 1000, 100, 40), 1030);
  EXPECT_EQ(CombinedBacklog(10000, 1000, 0, 0), 1000);
  EXPECT_EQ(CombinedBacklog(100, 50, 200, 30), 30) << "fully assessed: the assessments alone";
  EXPECT_EQ(CombinedBacklog(0, 0, 5, 2), 2) << "no baseline: the assessments alone";
}

}  // namespace
}  // namespace warroom::psp
