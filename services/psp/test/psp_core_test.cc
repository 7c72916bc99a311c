#include "services/psp/src/psp_core.h"

#include <gtest/gtest.h>

#include "testing/fake_clock.h"
#include "testing/process.h"
#include "warroom/common/data_file.h"
#include "warroom/common/timestamps.h"
#include "warroom/common/topics.h"

namespace warroom::psp {
namespace {

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

class PspCoreTest : public ::testing::Test {
 protected:
  PspCoreTest()
      : server_(dir_.path()),
        redis_(Config()),
        outbox_(redis_, "psp"),
        geo_(*Geography::LoadDir(Source("data/geography"))),
        priority_(*PriorityDistricts::Load(*ReadTextFile(Source("data/misa/priority-districts.yaml")), "p")),
        ids_(clock_),
        core_(redis_, outbox_, geo_, priority_, clock_, ids_, nullptr) {}
  RedisConfig Config() {
    RedisConfig c;
    c.port = server_.port();
    return c;
  }
  void RegisterFirm(int64_t ceiling = 1000000) {
    v1::RegisterFirmRequest r;
    auto* f = r.mutable_firm();
    f->set_firm_id("F1");
    f->set_name("Vaal Water Engineers");
    f->add_provinces("GT");
    auto* p = f->add_professionals();
    p->set_professional_id("P1");
    p->set_discipline(v1::DISCIPLINE_WATER);
    p->set_registration_number("ECSA 2011/0001");
    p->set_max_concurrent_deployments(3);
    auto* c = f->add_contracts();
    c->set_contract_id("FC-1");
    c->set_ceiling_rand(ceiling);
    c->set_daily_rate_rand(10000);
    *c->mutable_starts() = ToTimestamp(clock_.Now() - std::chrono::hours(24));
    *c->mutable_ends() = ToTimestamp(clock_.Now() + std::chrono::hours(24 * 365));
    ASSERT_TRUE(core_.RegisterFirm(r).ok());
  }
  v1::SupportRequest Request(const std::string& id, int days = 30) {
    v1::CreateSupportRequestRequest r;
    r.set_client_request_id(id);
    r.set_municipality_code("GT421");
    r.set_programme(v1::PROGRAMME_MUNICIPAL_TECHNICAL_SUPPORT);
    r.set_discipline(v1::DISCIPLINE_WATER);
    r.set_days(days);
    r.set_priority(1);
    auto got = core_.CreateRequest(r);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return *got;
  }
  StatusOr<v1::Deployment> Propose(const std::string& request_id) {
    v1::ProposeDeploymentRequest p;
    p.set_request_id(request_id);
    p.set_firm_id("F1");
    p.set_professional_id("P1");
    p.set_contract_id("FC-1");
    return core_.Propose(p);
  }
  Status Apply(std::string_view topic, const v1::EventEnvelope& e) {
    std::string bytes = e.SerializeAsString();
    KafkaMessage m;
    m.topic = topic;
    m.value = bytes;
    return core_.ApplyEvent(m);
  }
  v1::EventEnvelope Assessment(const std::string& h, int64_t version, v1::ServiceLevel water) {
    v1::EventEnvelope e;
    e.set_event_id(h + "-" + std::to_string(version));
    e.set_aggregate_id(h);
    e.set_aggregate_version(version);
    auto* a = e.mutable_household_assessed();
    a->set_household_id(h);
    a->set_ward_code("74201001");
    a->set_municipality_code("GT421");
    auto* s = a->add_services();
    s->set_service(v1::BASIC_SERVICE_WATER);
    s->set_level(water);
    return e;
  }
  v1::EventEnvelope Hotspot(const std::string& id, v1::Category category) {
    v1::EventEnvelope e;
    e.set_event_id("alert-" + id);
    e.set_aggregate_id("74201001:water");
    e.set_aggregate_version(1);
    auto* a = e.mutable_hotspot_alert();
    a->set_alert_id(id);
    a->set_ward_code("74201001");
    a->set_municipality_code("GT421");
    a->set_category(category);
    a->set_count(12);
    return e;
  }
  const v1::ServiceBacklogLine& Water(const v1::DistrictBacklog& b) { return b.services(0); }

  testing::TestDir dir_;
  testing::RedisServer server_;
  RedisClient redis_;
  OutboxStore outbox_;
  Geography geo_;
  PriorityDistricts priority_;
  testing::FakeClock clock_;
  IdGenerator ids_;
  PspCore core_;
};

TEST_F(PspCoreTest, ACallOffBeyondTheCeilingIsRefusedAndATerminationFreesIt) {
  RegisterFirm(500000);
  auto first = Propose(Request("r1", 30).request_id());  // R300,000
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = Propose(Request("r2", 30).request_id());
  ASSERT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("by R100000"), std::string::npos) << second.status().message();
  v1::TransitionDeploymentRequest t;
  t.set_deployment_id(first->deployment_id());
  t.set_expected_version(1);
  t.set_to(v1::DEPLOYMENT_STATUS_TERMINATED);
  ASSERT_TRUE(core_.Transition(t).ok());
  EXPECT_TRUE(Propose(Request("r3", 30).request_id()).ok());
}

TEST_F(PspCoreTest, ADeploymentRunsItsLifecycleAndItsRecordFeedsTheShortlist) {
  RegisterFirm();
  auto d = Propose(Request("r1", 10).request_id());
  ASSERT_TRUE(d.ok());
  v1::AddDeliverableRequest add;
  add.set_deployment_id(d->deployment_id());
  add.set_title("Water conservation and demand management plan");
  *add.mutable_due() = ToTimestamp(clock_.Now() + std::chrono::hours(48));
  ASSERT_TRUE(core_.AddDeliverable(add).ok());
  v1::CompleteDeliverableRequest done;
  done.set_deployment_id(d->deployment_id());
  done.set_deliverable_id("DL-1");
  auto completed = core_.CompleteDeliverable(done);
  ASSERT_TRUE(completed.ok());
  EXPECT_TRUE(completed->deliverables(0).on_time());
  int64_t v = completed->version();
  for (auto to : {v1::DEPLOYMENT_STATUS_APPROVED, v1::DEPLOYMENT_STATUS_ACTIVE}) {
    v1::TransitionDeploymentRequest t;
    t.set_deployment_id(d->deployment_id());
    t.set_expected_version(v);
    t.set_to(to);
    auto moved = core_.Transition(t);
    ASSERT_TRUE(moved.ok()) << moved.status().ToString();
    v = moved->version();
  }
  v1::TransitionDeploymentRequest finish;
  finish.set_deployment_id(d->deployment_id());
  finish.set_expected_version(v);
  finish.set_to(v1::DEPLOYMENT_STATUS_COMPLETED);
  EXPECT_EQ(core_.Transition(finish).status().code(), StatusCode::kInvalidArgument) << "a rating is required";
  finish.set_rating(5);
  finish.set_municipal_staff_trained(4);
  ASSERT_TRUE(core_.Transition(finish).ok());
  finish.set_to(v1::DEPLOYMENT_STATUS_ACTIVE);
  finish.set_expected_version(v + 1);
  EXPECT_EQ(core_.Transition(finish).status().code(), StatusCode::kFailedPrecondition);
  v1::ShortlistRequest s;
  s.set_request_id(Request("r2", 5).request_id());
  auto list = core_.Shortlist(s);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->candidates_size(), 1);
  EXPECT_DOUBLE_EQ(list->candidates(0).score(), 100);
  EXPECT_EQ(core_.Backlog("DC42")->capacity_trained(), 4);
}

TEST_F(PspCoreTest, HouseholdAssessmentsMoveTheDistrictBacklogOnceEach) {
  v1::ImportBaselineRequest b;
  b.set_district_code("DC42");
  b.set_service(v1::BASIC_SERVICE_WATER);
  b.set_households_total(1000);
  b.set_households_below_norm(100);
  ASSERT_TRUE(core_.ImportBaseline(b).ok());
  EXPECT_EQ(Water(*core_.Backlog("DC42")).backlog_households(), 100);
  ASSERT_TRUE(Apply(topics::kHouseholds, Assessment("HH-1", 2, v1::SERVICE_LEVEL_NO_ACCESS)).ok());
  ASSERT_TRUE(Apply(topics::kHouseholds, Assessment("HH-1", 2, v1::SERVICE_LEVEL_NO_ACCESS)).ok());  // again
  ASSERT_TRUE(Apply(topics::kHouseholds, Assessment("HH-2", 2, v1::SERVICE_LEVEL_MET)).ok());
  auto line = Water(*core_.Backlog("DC42"));
  EXPECT_EQ(line.assessed_households(), 2);
  EXPECT_EQ(line.assessed_below_norm(), 1);
  EXPECT_EQ(line.backlog_households(), 101);  // round(100 x (1 - 2/1000)) + 1
  // The household's water is fixed: its later assessment replaces the earlier one.
  ASSERT_TRUE(Apply(topics::kHouseholds, Assessment("HH-1", 3, v1::SERVICE_LEVEL_MET)).ok());
  line = Water(*core_.Backlog("DC42"));
  EXPECT_EQ(line.assessed_households(), 2);
  EXPECT_EQ(line.assessed_below_norm(), 0);
}

TEST_F(PspCoreTest, AWaterHotspotWithNoEngineerThereSuggestsOneRequest) {
  ASSERT_TRUE(Apply(topics::kAlerts, Hotspot("a1", v1::CATEGORY_WATER)).ok());
  ASSERT_TRUE(Apply(topics::kAlerts, Hotspot("a1", v1::CATEGORY_WATER)).ok());  // redelivered
  ASSERT_TRUE(Apply(topics::kAlerts, Hotspot("a2", v1::CATEGORY_ELECTRICITY)).ok());
  v1::ListSupportRequestsRequest l;
  l.set_status(v1::REQUEST_STATUS_SUGGESTED);
  auto suggested = core_.ListRequests(l);
  ASSERT_EQ(suggested->requests_size(), 1);
  EXPECT_EQ(suggested->requests(0).municipality_code(), "GT421");
  EXPECT_EQ(suggested->requests(0).source_alert_id(), "a1");
}

TEST_F(PspCoreTest, AHotspotWhereAWaterEngineerIsDeployedSuggestsNothing) {
  RegisterFirm();
  ASSERT_TRUE(Propose(Request("r1").request_id()).ok());
  ASSERT_TRUE(Apply(topics::kAlerts, Hotspot("a1", v1::CATEGORY_SANITATION)).ok());
  v1::ListSupportRequestsRequest l;
  l.set_status(v1::REQUEST_STATUS_SUGGESTED);
  EXPECT_EQ(core_.ListRequests(l)->requests_size(), 0);
}

TEST_F(PspCoreTest, BadRequestsNameTheFields) {
  v1::CreateSupportRequestRequest r;
  r.set_municipality_code("XX");
  auto got = core_.CreateRequest(r);
  ASSERT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  std::string fields;
  for (const auto& v : got.status().violations()) fields += v.field + " ";
  for (const char* f : {"client_request_id", "municipality_code", "programme", "discipline", "days", "priority"}) {
    EXPECT_NE(fields.find(f), std::string::npos) << f;
  }
}

}  // namespace
}  // namespace warroom::psp
