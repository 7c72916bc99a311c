#include "services/reporting/src/read_model.h"

#include <gtest/gtest.h>

#include <random>

#include "warroom/common/timestamps.h"
#include "warroom/common/topics.h"

namespace warroom::reporting {
namespace {

using v1::EventEnvelope;

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

// 2026-11-10 08:00 SAST
constexpr int64_t kT0 = 1794290400;

class ReadModelTest : public ::testing::Test {
 protected:
  ReadModelTest() : geo_(*Geography::LoadDir(Source("data/geography"))), model_(geo_) {}

  EventEnvelope Envelope(const std::string& cn, int64_t version, int64_t at) {
    EventEnvelope e;
    e.set_event_id("ev-" + std::to_string(++next_id_));
    e.set_aggregate_id(cn);
    e.set_aggregate_version(version);
    *e.mutable_occurred_at() = SecondsToTimestamp(at);
    return e;
  }
  EventEnvelope Reported(const std::string& cn, const std::string& ward, v1::Category category,
                         int64_t at = kT0) {
    EventEnvelope e = Envelope(cn, 1, at);
    auto* r = e.mutable_case_reported();
    r->set_case_number(cn);
    r->set_ward_code(ward);
    r->set_municipality_code(geo_.FindWard(ward)->municipality_code);
    r->set_category(category);
    r->set_channel(v1::CHANNEL_HOTLINE);
    *r->mutable_reported_at() = SecondsToTimestamp(at);
    return e;
  }
  EventEnvelope Status(const std::string& cn, int64_t version, v1::CaseStatus to, int64_t at) {
    EventEnvelope e = Envelope(cn, version, at);
    e.mutable_case_status_changed()->set_to(to);
    *e.mutable_case_status_changed()->mutable_changed_at() = SecondsToTimestamp(at);
    return e;
  }
  EventEnvelope Assigned(const std::string& cn, const std::string& dept, const std::string& war_room) {
    EventEnvelope e = Envelope(cn, 1, kT0);
    e.mutable_case_assigned()->set_department(dept);
    e.mutable_case_assigned()->set_war_room(war_room);
    e.mutable_case_assigned()->set_sphere(v1::SPHERE_MUNICIPAL);
    return e;
  }
  EventEnvelope Sla(const std::string& cn, int64_t version, v1::SlaChanged::Kind kind, v1::Tier tier,
                    int64_t at) {
    EventEnvelope e = Envelope(cn, version, at);
    e.mutable_sla_changed()->set_kind(kind);
    e.mutable_sla_changed()->set_tier(tier);
    return e;
  }
  void Apply(std::string_view topic, const EventEnvelope& e) {
    auto r = model_.Apply(topic, e);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  v1::AreaSummary Area(v1::AreaLevel level, const std::string& code) {
    v1::GetAreaSummaryRequest r;
    r.set_level(level);
    r.set_code(code);
    auto s = model_.Summary(r, TimePoint(std::chrono::seconds(kT0 + 86400)));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return *s;
  }

  Geography geo_;
  ReadModel model_;
  int next_id_ = 0;
};

TEST_F(ReadModelTest, AReportedCaseCountsInEveryAreaAboveItsWard) {
  Apply(topics::kCases, Reported("GP26-0000001-2", "79800001", v1::CATEGORY_WATER));
  for (auto [level, code] : std::vector<std::pair<v1::AreaLevel, std::string>>{
           {v1::AREA_LEVEL_WARD, "79800001"},
           {v1::AREA_LEVEL_REGION, "JHB/Region A"},
           {v1::AREA_LEVEL_MUNICIPALITY, "JHB"},
           {v1::AREA_LEVEL_DISTRICT, "JHB"},
           {v1::AREA_LEVEL_PROVINCE, ""}}) {
    auto s = Area(level, code);
    EXPECT_EQ(s.totals().cases(), 1) << code;
    EXPECT_EQ(s.totals().open(), 1) << code;
    ASSERT_EQ(s.by_category_size(), 1);
    EXPECT_EQ(s.by_category(0).category(), v1::CATEGORY_WATER);
  }
  EXPECT_EQ(Area(v1::AREA_LEVEL_MUNICIPALITY, "TSH").totals().cases(), 0);
}

TEST_F(ReadModelTest, ALocalMunicipalityCaseCountsInItsDistrict) {
  const Ward* ward = geo_.WardsOf("GT421").front();
  Apply(topics::kCases, Reported("GP26-0000002-1", ward->code, v1::CATEGORY_SANITATION));
  EXPECT_EQ(Area(v1::AREA_LEVEL_DISTRICT, "DC42").totals().cases(), 1);
  EXPECT_EQ(Area(v1::AREA_LEVEL_MUNICIPALITY, "GT421").totals().cases(), 1);
}

TEST_F(ReadModelTest, ResolvingMovesACaseFromOpenToResolved) {
  std::string cn = "GP26-0000003-4";
  Apply(topics::kCases, Reported(cn, "79800001", v1::CATEGORY_WATER));
  Apply(topics::kCases, Status(cn, 2, v1::CASE_STATUS_RESOLVED, kT0 + 3600));
  auto s = Area(v1::AREA_LEVEL_PROVINCE, "");
  EXPECT_EQ(s.totals().open(), 0);
  EXPECT_EQ(s.totals().resolved(), 1);
  EXPECT_EQ(s.backlog().under_7_days(), 0);
}

TEST_F(ReadModelTest, ADuplicateDeliveryIsCountedOnce) {
  EventEnvelope e = Reported("GP26-0000004-5", "79800001", v1::CATEGORY_WATER);
  Apply(topics::kCases, e);
  auto again = model_.Apply(topics::kCases, e);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(Area(v1::AREA_LEVEL_PROVINCE, "").totals().cases(), 1);
  EXPECT_EQ(model_.duplicates_ignored(), 1u);
}

TEST_F(ReadModelTest, TwoEventsOfOneCommitShareAVersionAndBothApply) {
  std::string cn = "GP26-0000005-0";
  Apply(topics::kEscalations, Sla(cn, 3, v1::SlaChanged::KIND_ESCALATED, v1::TIER_LOCAL, kT0 + 10));
  Apply(topics::kEscalations, Sla(cn, 3, v1::SlaChanged::KIND_WARNING, v1::TIER_LOCAL, kT0 + 10));
  EXPECT_EQ(model_.duplicates_ignored(), 0u);
  EXPECT_EQ(model_.FindFact(cn)->milestones_size(), 1);
}

TEST_F(ReadModelTest, AnEscalationMakesTheCaseOverdueAndListsItForItsWarRoom) {
  std::string cn = "GP26-0000006-3";
  Apply(topics::kCases, Reported(cn, "79800001", v1::CATEGORY_WATER));
  Apply(topics::kAssignments, Assigned(cn, "JHB-WATER", "WR-79800001"));
  Apply(topics::kEscalations, Sla(cn, 2, v1::SlaChanged::KIND_ESCALATED, v1::TIER_LOCAL, kT0 + 7200));
  auto s = Area(v1::AREA_LEVEL_WARD, "79800001");
  EXPECT_EQ(s.totals().overdue(), 1);
  EXPECT_EQ(s.escalations(), 1);
  v1::ListOverdueCasesRequest r;
  r.set_war_room("WR-79800001");
  auto list = model_.Overdue(r);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->cases_size(), 1);
  EXPECT_EQ(list->cases(0).case_number(), cn);
  EXPECT_EQ(list->cases(0).department(), "JHB-WATER");
  EXPECT_EQ(list->cases(0).tier(), v1::TIER_LOCAL);
}

TEST_F(ReadModelTest, EventsFromDifferentTopicsGiveTheSameModelInAnyOrder) {
  std::string cn = "GP26-0000007-9";
  std::vector<std::pair<std::string_view, EventEnvelope>> events = {
      {topics::kCases, Reported(cn, "79800001", v1::CATEGORY_WATER)},
      {topics::kAssignments, Assigned(cn, "JHB-WATER", "WR-79800001")},
      {topics::kEscalations, Sla(cn, 2, v1::SlaChanged::KIND_ESCALATED, v1::TIER_LOCAL, kT0 + 100)},
      {topics::kCases, Status(cn, 2, v1::CASE_STATUS_RESOLVED, kT0 + 200)},
  };
  ReadModel in_order(geo_), out_of_order(geo_);
  for (const auto& [t, e] : events) ASSERT_TRUE(in_order.Apply(t, e).ok());
  // Each topic keeps its own order; the topics interleave differently.
  for (int i : {2, 1, 0, 3}) ASSERT_TRUE(out_of_order.Apply(events[i].first, events[i].second).ok());
  EXPECT_EQ(in_order.Digest(), out_of_order.Digest());
}

TEST_F(ReadModelTest, ComplianceCountsABreachAtTheWardAndAResolutionMetAtTheLocalTier) {
  std::string cn = "GP26-0000008-6";
  Apply(topics::kCases, Reported(cn, "79800001", v1::CATEGORY_WATER));
  Apply(topics::kAssignments, Assigned(cn, "JHB-WATER", "WR-79800001"));
  Apply(topics::kEscalations, Sla(cn, 2, v1::SlaChanged::KIND_ESCALATED, v1::TIER_LOCAL, kT0 + 100));
  Apply(topics::kCases, Status(cn, 2, v1::CASE_STATUS_RESOLVED, kT0 + 200));
  Apply(topics::kCases, Reported("GP26-0000009-3", "79800001", v1::CATEGORY_WATER));
  Apply(topics::kCases, Status("GP26-0000009-3", 2, v1::CASE_STATUS_RESOLVED, kT0 + 300));
  v1::GetSlaComplianceRequest r;
  r.set_month("2026-11");
  auto c = model_.Compliance(r);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->overall().met(), 2);
  EXPECT_EQ(c->overall().breached(), 1);
  ASSERT_EQ(c->by_tier_size(), 2);
  EXPECT_EQ(c->by_tier(0).tier(), v1::TIER_WARD);
  EXPECT_EQ(c->by_tier(0).met(), 1);
  EXPECT_EQ(c->by_tier(0).breached(), 1);
  EXPECT_EQ(c->by_tier(1).tier(), v1::TIER_LOCAL);
  EXPECT_DOUBLE_EQ(c->by_tier(1).share(), 1.0);
}

TEST_F(ReadModelTest, TheWardReportCountsTheMonthAndListsOverdueCasesByOwner) {
  Apply(topics::kCases, Reported("GP26-0000010-0", "79800001", v1::CATEGORY_WATER));
  Apply(topics::kCases, Reported("GP26-0000011-7", "79800001", v1::CATEGORY_SANITATION));
  Apply(topics::kAssignments, Assigned("GP26-0000011-7", "JHB-SANITATION", "WR-79800001"));
  Apply(topics::kEscalations, Sla("GP26-0000011-7", 2, v1::SlaChanged::KIND_ESCALATED, v1::TIER_LOCAL, kT0 + 60));
  Apply(topics::kCases, Reported("GP26-0000012-4", "79800001", v1::CATEGORY_WATER, kT0 - 40 * 86400));
  v1::GetWardReportRequest r;
  r.set_ward_code("79800001");
  r.set_month("2026-11");
  auto report = model_.WardReport(r, TimePoint(std::chrono::seconds(kT0)));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->opened(), 2);
  EXPECT_EQ(report->now().open(), 3);
  ASSERT_EQ(report->escalations_size(), 1);
  EXPECT_EQ(report->escalations(0).tier(), v1::TIER_LOCAL);
  ASSERT_EQ(report->agenda_size(), 1);
  EXPECT_EQ(report->agenda(0).owner(), "JHB-SANITATION");
  EXPECT_EQ(report->agenda(0).cases(0).case_number(), "GP26-0000011-7");
}

TEST_F(ReadModelTest, AReopenedCaseIsOpenAgainWithAFreshClock) {
  std::string cn = "GP26-0000013-1";
  Apply(topics::kCases, Reported(cn, "79800001", v1::CATEGORY_WATER));
  Apply(topics::kEscalations, Sla(cn, 2, v1::SlaChanged::KIND_ESCALATED, v1::TIER_LOCAL, kT0 + 60));
  Apply(topics::kCases, Status(cn, 2, v1::CASE_STATUS_RESOLVED, kT0 + 120));
  EventEnvelope reopen = Envelope(cn, 3, kT0 + 180);
  reopen.mutable_case_reopened()->set_reopen_count(1);
  Apply(topics::kCases, reopen);
  auto s = Area(v1::AREA_LEVEL_PROVINCE, "");
  EXPECT_EQ(s.totals().open(), 1);
  EXPECT_EQ(s.totals().overdue(), 0);
}

TEST_F(ReadModelTest, BadQueriesNameTheField) {
  v1::GetAreaSummaryRequest r;
  r.set_level(v1::AREA_LEVEL_WARD);
  r.set_code("12345");
  auto s = model_.Summary(r, TimePoint());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().violations().at(0).field, "code");
  v1::GetWardReportRequest w;
  w.set_ward_code("79800001");
  w.set_month("2026-13");
  auto report = model_.WardReport(w, TimePoint());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().violations().at(0).field, "month");
  v1::ListOverdueCasesRequest o;
  EXPECT_EQ(model_.Overdue(o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ReadModelTest, FactsLoadedBackGiveTheSameRollups) {
  std::mt19937 rng(7);
  const auto& wards = geo_.wards();
  std::vector<std::string> codes;
  for (const auto& [code, w] : wards) codes.push_back(code);
  for (int i = 0; i < 300; ++i) {
    std::string cn = "GP26-" + std::to_string(1000000 + i) + "-0";
    Apply(topics::kCases, Reported(cn, codes[rng() % codes.size()],
                                   static_cast<v1::Category>(1 + rng() % 19), kT0 + i));
    if (i % 3 == 0) Apply(topics::kEscalations, Sla(cn, 2, v1::SlaChanged::KIND_ESCALATED, v1::TIER_LOCAL, kT0 + i + 50));
    if (i % 2 == 0) Apply(topics::kCases, Status(cn, 2, v1::CASE_STATUS_RESOLVED, kT0 + i + 100));
  }
  ReadModel loaded(geo_);
  for (const std::string& cn : model_.TakeDirtyCases()) loaded.LoadFact(*model_.FindFact(cn));
  EXPECT_EQ(loaded.Digest(), model_.Digest());
  v1::GetAreaSummaryRequest r;
  auto a = loaded.Summary(r, TimePoint(std::chrono::seconds(kT0)));
  auto b = model_.Summary(r, TimePoint(std::chrono::seconds(kT0)));
  EXPECT_EQ(a->SerializeAsString(), b->SerializeAsString());
  EXPECT_EQ(a->totals().cases(), 300);
  EXPECT_EQ(a->totals().resolved(), 150);
}

}  // namespace
}  // namespace warroom::reporting

namespace warroom::reporting {
namespace {

TEST_F(ReadModelTest, DeploymentsAndProjectsShowInTheirDistrictOnceEach) {
  auto deployment = [&](int64_t version, v1::DeploymentStatus status) {
    EventEnvelope e = Envelope("DP-1", version, kT0);
    auto* d = e.mutable_deployment_event();
    d->set_kind(v1::DeploymentEvent::KIND_PSP_DEPLOYED);
    d->set_deployment_id("DP-1");
    d->set_district_code("DC42");
    d->set_status(status);
    d->set_amount_rand(300000);
    return e;
  };
  Apply(topics::kDeployments, deployment(1, v1::DEPLOYMENT_STATUS_PROPOSED));
  EventEnvelope active = deployment(2, v1::DEPLOYMENT_STATUS_ACTIVE);
  Apply(topics::kDeployments, active);
  Apply(topics::kDeployments, active);  // redelivered
  EventEnvelope project = Envelope("PRJ-1", 1, kT0);
  project.mutable_deployment_event()->set_project_id("PRJ-1");
  project.mutable_deployment_event()->set_district_code("DC42");
  project.mutable_deployment_event()->set_budget_rand(5000000);
  project.mutable_deployment_event()->set_amount_rand(1200000);
  Apply(topics::kDeployments, project);
  auto s = Area(v1::AREA_LEVEL_DISTRICT, "DC42");
  EXPECT_EQ(s.active_deployments(), 1);
  EXPECT_EQ(s.deployments_committed_rand(), 300000);
  EXPECT_EQ(s.project_budget_rand(), 5000000);
  EXPECT_EQ(s.project_spend_rand(), 1200000);
  EXPECT_EQ(model_.duplicates_ignored(), 1u);
}

}  // namespace
}  // namespace warroom::reporting
