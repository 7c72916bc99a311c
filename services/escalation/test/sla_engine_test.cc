#include "services/escalation/src/sla_engine.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "services/escalation/test/test_support.h"

namespace warroom::escalation {
namespace {

using namespace std::chrono;
using google::protobuf::util::TimeUtil;
using testing::Local;

TimePoint At(const google::protobuf::Timestamp& ts) {
  return TimePoint(duration_cast<TimePoint::duration>(nanoseconds(TimeUtil::TimestampToNanoseconds(ts))));
}

class SlaEngineTest : public ::testing::Test {
 protected:
  SlaEngineTest()
      : geo_(*Geography::LoadDir(testing::Source("data/geography"))),
        engine_(testing::ShippedPolicy(), geo_,
                {{"ward", {"ward_councillor", "community_development_worker"}},
                 {"local", {"municipal_manager_delegate"}},
                 {"province", {"provincial_command_centre"}},
                 {"rapid_response", {"rapid_response_team"}}}) {}

  v1::SlaClock Assigned(TimePoint now, v1::Category category = v1::CATEGORY_WATER) {
    v1::SlaClock c;
    v1::CaseReported r;
    r.set_case_number("GP26-0001234-9");
    r.set_category(category);
    r.set_ward_code("79800001");
    Outputs out;
    engine_.OnReported(c, r, now, out);
    v1::CaseAssigned a;
    a.set_case_number("GP26-0001234-9");
    a.set_ward_code("79800001");
    a.set_municipality_code("JHB");
    a.set_war_room("WR-79800001");
    engine_.OnAssigned(c, a, now, last_);
    return c;
  }
  bool Fire(v1::SlaClock& c, TimerKind kind, TimePoint now) {
    last_ = Outputs();
    return engine_.OnTimer(c, kind, c.generation(), now, last_);
  }
  void Status(v1::SlaClock& c, v1::CaseStatus to, TimePoint now) {
    last_ = Outputs();
    v1::CaseStatusChanged e;
    e.set_case_number(c.case_number());
    e.set_to(to);
    engine_.OnStatusChanged(c, e, now, last_);
  }

  Geography geo_;
  SlaEngine engine_;
  Outputs last_;
};

TEST_F(SlaEngineTest, AssignmentStartsTheWardClockOnBusinessTime) {
  TimePoint monday = Local(2026, 11, 23, 8, 0);
  v1::SlaClock c = Assigned(monday);
  EXPECT_EQ(c.state(), v1::SlaClock::STATE_RUNNING);
  EXPECT_EQ(c.tier(), v1::TIER_WARD);
  // 17 business hours from Monday 08:00: 8h Monday, 8h30 Tuesday, 30m Wednesday.
  EXPECT_EQ(At(c.due_at()), Local(2026, 11, 25, 8, 0));
  ASSERT_EQ(last_.changes.size(), 1u);
  EXPECT_EQ(last_.changes[0].kind(), v1::SlaChanged::KIND_CLOCK_STARTED);
  EXPECT_EQ(engine_.Timers(c).size(), 3u);  // warn, breach, acknowledge
}

TEST_F(SlaEngineTest, WarningAtSeventyFivePercentOnceAndNotifiesTheWardRoles) {
  v1::SlaClock c = Assigned(Local(2026, 11, 23, 8, 0));
  EXPECT_TRUE(Fire(c, TimerKind::kWarn, At(c.warn_at())));
  EXPECT_EQ(last_.changes[0].kind(), v1::SlaChanged::KIND_WARNING);
  ASSERT_EQ(last_.notifications.size(), 1u);
  EXPECT_EQ(last_.notifications[0].war_room(), "WR-79800001");
  EXPECT_EQ(last_.notifications[0].role_ids(0), "ward_councillor");
  EXPECT_FALSE(Fire(c, TimerKind::kWarn, At(c.warn_at())));  // once
}

TEST_F(SlaEngineTest, BreachesClimbEveryTierThenStayOverdue) {
  v1::SlaClock c = Assigned(Local(2026, 11, 23, 8, 0));
  std::vector<v1::Tier> seen;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Fire(c, TimerKind::kBreach, At(c.due_at())));
    EXPECT_EQ(last_.changes[0].kind(), v1::SlaChanged::KIND_ESCALATED);
    seen.push_back(c.tier());
  }
  EXPECT_EQ(seen, (std::vector<v1::Tier>{v1::TIER_LOCAL, v1::TIER_DISTRICT, v1::TIER_PROVINCE}));
  EXPECT_EQ(last_.notifications[0].war_room(), "WR-GT-PROVINCE");
  ASSERT_TRUE(Fire(c, TimerKind::kBreach, At(c.due_at())));
  EXPECT_EQ(c.state(), v1::SlaClock::STATE_OVERDUE);
  EXPECT_TRUE(last_.changes[0].overdue());
  EXPECT_TRUE(engine_.Timers(c).size() <= 1u);  // only the acknowledgement reminder may remain
  EXPECT_EQ(c.tiers_size(), 4);
}

TEST_F(SlaEngineTest, TheLocalTierOfAMetroIsItsRegion) {
  v1::SlaClock c = Assigned(Local(2026, 11, 23, 8, 0));
  ASSERT_TRUE(Fire(c, TimerKind::kBreach, At(c.due_at())));
  EXPECT_EQ(last_.notifications[0].war_room(), "WR-JHB-Region A");
  EXPECT_EQ(last_.notifications[0].role_ids(0), "municipal_manager_delegate");
}

TEST_F(SlaEngineTest, AStaleTimerIsIgnored) {
  v1::SlaClock c = Assigned(Local(2026, 11, 23, 8, 0));
  int64_t old = c.generation();
  Status(c, v1::CASE_STATUS_AWAITING_RESIDENT, Local(2026, 11, 23, 10, 0));
  Outputs out;
  EXPECT_FALSE(engine_.OnTimer(c, TimerKind::kBreach, old, Local(2026, 11, 25, 8, 0), out));
  EXPECT_TRUE(out.empty());
}

TEST_F(SlaEngineTest, WaitingOnTheResidentPausesAndResumingKeepsTheTimeUsed) {
  v1::SlaClock c = Assigned(Local(2026, 11, 23, 8, 0));
  Status(c, v1::CASE_STATUS_AWAITING_RESIDENT, Local(2026, 11, 23, 10, 0));  // 2h used
  EXPECT_EQ(c.state(), v1::SlaClock::STATE_PAUSED);
  EXPECT_EQ(c.consumed_seconds(), 7200);
  EXPECT_TRUE(engine_.Timers(c).size() <= 1u);
  EXPECT_EQ(last_.changes[0].kind(), v1::SlaChanged::KIND_PAUSED);
  // The resident answers a week later; 15h remain from Monday 30 Nov 08:00.
  Status(c, v1::CASE_STATUS_IN_PROGRESS, Local(2026, 11, 30, 8, 0));
  EXPECT_EQ(c.state(), v1::SlaClock::STATE_RUNNING);
  EXPECT_EQ(last_.changes[0].kind(), v1::SlaChanged::KIND_RESUMED);
  EXPECT_EQ(At(c.due_at()), Local(2026, 12, 1, 14, 30));
}

TEST_F(SlaEngineTest, ResolvingStopsAndReopeningStartsANewClockAtTheSameTier) {
  v1::SlaClock c = Assigned(Local(2026, 11, 23, 8, 0));
  ASSERT_TRUE(Fire(c, TimerKind::kBreach, At(c.due_at())));  // now at the local tier
  Status(c, v1::CASE_STATUS_RESOLVED, Local(2026, 11, 26, 9, 0));
  EXPECT_EQ(c.state(), v1::SlaClock::STATE_STOPPED);
  EXPECT_TRUE(engine_.Timers(c).empty());
  Outputs out;
  engine_.OnReopened(c, Local(2026, 12, 2, 9, 0), out);
  EXPECT_EQ(c.state(), v1::SlaClock::STATE_RUNNING);
  EXPECT_EQ(c.tier(), v1::TIER_LOCAL);
  EXPECT_EQ(c.consumed_seconds(), 0);
}

TEST_F(SlaEngineTest, ACriticalCaseGoesStraightToRapidResponseOnEveryHour) {
  v1::SlaClock c;
  v1::CaseReported r;
  r.set_case_number("GP26-0001234-9");
  r.set_category(v1::CATEGORY_SAFETY);
  r.set_ward_code("79800001");
  r.set_critical_reason(v1::CRITICAL_REASON_PROTEST_OR_UNREST);
  Outputs out;
  TimePoint saturday_night = Local(2026, 11, 28, 23, 0);
  engine_.OnReported(c, r, saturday_night, out);
  EXPECT_EQ(c.tier(), v1::TIER_RAPID_RESPONSE);
  EXPECT_EQ(At(c.due_at()), saturday_night + hours(4));
  EXPECT_EQ(out.changes[0].kind(), v1::SlaChanged::KIND_RAPID_RESPONSE);
  EXPECT_EQ(out.notifications[0].war_room(), "WR-GT-RAPID-RESPONSE");
  ASSERT_TRUE(Fire(c, TimerKind::kBreach, At(c.due_at())));
  EXPECT_EQ(c.state(), v1::SlaClock::STATE_OVERDUE);
}

TEST_F(SlaEngineTest, RecategorisingRecomputesTheTierTime) {
  v1::SlaClock c = Assigned(Local(2026, 11, 23, 8, 0), v1::CATEGORY_HOUSING);  // default: 34h
  EXPECT_EQ(c.budget_seconds(), 34 * 3600);
  Outputs out;
  engine_.OnRecategorised(c, v1::CATEGORY_WATER, Local(2026, 11, 23, 10, 0), out);  // 2h used
  EXPECT_EQ(c.budget_seconds(), 17 * 3600);
  EXPECT_EQ(c.consumed_seconds(), 7200);
  EXPECT_EQ(At(c.due_at()), Local(2026, 11, 25, 8, 0));  // as if water from the start
}

TEST_F(SlaEngineTest, AnUnacknowledgedCaseNotifiesOnceAtItsAcknowledgeTime) {
  v1::SlaClock c = Assigned(Local(2026, 11, 23, 8, 0));
  EXPECT_TRUE(Fire(c, TimerKind::kAcknowledge, Local(2026, 11, 23, 12, 0)));
  EXPECT_EQ(last_.notifications[0].what(), "acknowledge_overdue");
  v1::SlaClock acknowledged = Assigned(Local(2026, 11, 23, 8, 0));
  Status(acknowledged, v1::CASE_STATUS_ACKNOWLEDGED, Local(2026, 11, 23, 9, 0));
  EXPECT_FALSE(Fire(acknowledged, TimerKind::kAcknowledge, Local(2026, 11, 23, 12, 0)));
}

}  // namespace
}  // namespace warroom::escalation
