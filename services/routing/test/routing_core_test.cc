// RoutingCore against a real redis-server: events in, assignments (in the outbox) out.
#include "services/routing/src/routing_core.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/fake_clock.h"
#include "testing/process.h"

namespace warroom::routing {
namespace {

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

class RoutingCoreTest : public ::testing::Test {
 protected:
  RoutingCoreTest()
      : server_(dir_.path()),
        redis_(Config()),
        outbox_(redis_, "routing"),
        geo_(*Geography::LoadDir(Source("data/geography"))),
        departments_(*Departments::Load(*ReadTextFile(Source("data/routing/departments.yaml")), "d", geo_)),
        roles_(*WarRoomRoles::Load(*ReadTextFile(Source("data/routing/war-room-roles.yaml")), "r")),
        ids_(clock_, 3) {
    rules_file_ = dir_.File("rules.yaml");
    std::ofstream(rules_file_) << *ReadTextFile(Source("services/routing/config/rules.yaml"));
    core_ = std::make_unique<RoutingCore>(redis_, outbox_, RoutingData{&geo_, &departments_, &roles_, rules_file_},
                                          clock_, ids_, nullptr);
    EXPECT_TRUE(core_->ReloadRules().ok());
  }
  RedisConfig Config() {
    RedisConfig c;
    c.port = server_.port();
    return c;
  }
  Status Apply(const v1::EventEnvelope& e) {
    std::string bytes = e.SerializeAsString();
    KafkaMessage m;
    m.value = bytes;
    return core_->ApplyEvent(m);
  }
  v1::EventEnvelope Reported(const std::string& cn, v1::Category c, const std::string& ward,
                             const std::string& id) {
    v1::EventEnvelope e;
    e.set_event_id(id);
    e.set_aggregate_id(cn);
    auto* r = e.mutable_case_reported();
    r->set_case_number(cn);
    r->set_category(c);
    r->set_ward_code(ward);
    r->set_municipality_code(ward.empty() ? "EKU" : "");
    return e;
  }
  int64_t Published() { return *outbox_.Depth(); }

  ::warroom::testing::TestDir dir_;
  ::warroom::testing::RedisServer server_;
  RedisClient redis_;
  OutboxStore outbox_;
  Geography geo_;
  Departments departments_;
  WarRoomRoles roles_;
  ::warroom::testing::FakeClock clock_;
  IdGenerator ids_;
  std::string rules_file_;
  std::unique_ptr<RoutingCore> core_;
};

constexpr char kCase[] = "GP26-0001234-9";

TEST_F(RoutingCoreTest, AReportedCaseIsAssignedOnceEvenWhenTheEventIsReplayed) {
  auto e = Reported(kCase, v1::CATEGORY_WATER, "79800001", "e-1");
  ASSERT_TRUE(Apply(e).ok());
  ASSERT_TRUE(Apply(e).ok());
  EXPECT_EQ(Published(), 1);
  auto a = core_->Get(kCase);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->department(), "jhb-water");
  EXPECT_EQ(a->war_room(), "WR-79800001");
  EXPECT_EQ(a->region(), "Region A");
  EXPECT_EQ(a->version(), 1);
  EXPECT_EQ(a->history_size(), 1);
}

TEST_F(RoutingCoreTest, RecategorisingReroutesAndKeepsHistory) {
  ASSERT_TRUE(Apply(Reported(kCase, v1::CATEGORY_WATER, "79800001", "e-1")).ok());
  v1::EventEnvelope e;
  e.set_event_id("e-2");
  e.mutable_case_recategorised()->set_case_number(kCase);
  e.mutable_case_recategorised()->set_from(v1::CATEGORY_WATER);
  e.mutable_case_recategorised()->set_to(v1::CATEGORY_HEALTH);
  ASSERT_TRUE(Apply(e).ok());
  auto a = core_->Get(kCase);
  EXPECT_EQ(a->department(), "gp-health");
  EXPECT_EQ(a->sphere(), v1::SPHERE_PROVINCIAL);
  ASSERT_EQ(a->history_size(), 2);
  EXPECT_EQ(a->history(1).reason(), "recategorised");
  EXPECT_EQ(Published(), 2);
}

TEST_F(RoutingCoreTest, AnUnlocatedCaseWaitsInItsMunicipalitysQueueUntilLocated) {
  ASSERT_TRUE(Apply(Reported(kCase, v1::CATEGORY_REFUSE_REMOVAL, "", "e-1")).ok());
  auto queued = core_->Get(kCase);
  EXPECT_TRUE(queued->unlocated());
  EXPECT_EQ(queued->war_room(), "WR-EKU-QUEUE");
  EXPECT_EQ(queued->department(), "eku-waste");
  v1::EventEnvelope e;
  e.set_event_id("e-2");
  e.mutable_case_located()->set_case_number(kCase);
  e.mutable_case_located()->set_ward_code("79700005");
  ASSERT_TRUE(Apply(e).ok());
  auto placed = core_->Get(kCase);
  EXPECT_FALSE(placed->unlocated());
  EXPECT_EQ(placed->war_room(), "WR-79700005");
}

TEST_F(RoutingCoreTest, AManualReassignmentNeedsAReasonAndTheCurrentVersion) {
  ASSERT_TRUE(Apply(Reported(kCase, v1::CATEGORY_WATER, "79800001", "e-1")).ok());
  v1::ReassignRequest r;
  r.set_case_number(kCase);
  r.set_expected_version(1);
  r.set_department("dws");
  auto missing = core_->Reassign(r);
  ASSERT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().violations()[0].field, "reason");
  r.set_reason("Bulk supply failure: national department");
  r.set_actor_role("ward_councillor");
  auto done = core_->Reassign(r);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->department(), "dws");
  EXPECT_EQ(done->sphere(), v1::SPHERE_NATIONAL);
  EXPECT_TRUE(done->history(1).manual());
  EXPECT_NE(done->history(1).reason().find("ward_councillor"), std::string::npos);
  EXPECT_EQ(core_->Reassign(r).status().code(), StatusCode::kAborted);  // version 1 is stale now
}

TEST_F(RoutingCoreTest, ABadRulesFileIsRefusedAndTheOldRulesStay) {
  std::ofstream(rules_file_) << "rules:\n  - {id: x, category: weather, sphere: municipal, department: jhb-water}\n";
  Status s = core_->ReloadRules();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("rules.yaml:2"), std::string::npos) << s.message();
  ASSERT_TRUE(Apply(Reported(kCase, v1::CATEGORY_WATER, "79800001", "e-1")).ok());
  EXPECT_EQ(core_->Get(kCase)->department(), "jhb-water");
}

TEST_F(RoutingCoreTest, ARejectionWithAKnownReferralGoesToThatBody) {
  ASSERT_TRUE(Apply(Reported(kCase, v1::CATEGORY_OTHER, "79800001", "e-1")).ok());
  v1::EventEnvelope e;
  e.set_event_id("e-2");
  auto* c = e.mutable_case_status_changed();
  c->set_case_number(kCase);
  c->set_to(v1::CASE_STATUS_REJECTED);
  c->set_referred_sphere(v1::SPHERE_NATIONAL);
  c->set_referred_to("SASSA");
  ASSERT_TRUE(Apply(e).ok());
  auto a = core_->Get(kCase);
  EXPECT_EQ(a->department(), "sassa");
  EXPECT_EQ(a->history(1).reason(), "referred to SASSA (national)");
}

TEST_F(RoutingCoreTest, ARejectionWithAnUnknownReferralKeepsTheOwnerAndSaysSo) {
  ASSERT_TRUE(Apply(Reported(kCase, v1::CATEGORY_OTHER, "79800001", "e-1")).ok());
  v1::EventEnvelope e;
  e.set_event_id("e-2");
  auto* c = e.mutable_case_status_changed();
  c->set_case_number(kCase);
  c->set_to(v1::CASE_STATUS_REJECTED);
  c->set_referred_to("Rand Water Board");
  ASSERT_TRUE(Apply(e).ok());
  auto a = core_->Get(kCase);
  EXPECT_EQ(a->department(), "gp-cogta");
  EXPECT_NE(a->history(1).reason().find("not in the department catalogue"), std::string::npos);
}

TEST_F(RoutingCoreTest, WarRoomsCarryRolesNotPeople) {
  auto room = core_->GetWarRoom("WR-79900012");
  ASSERT_TRUE(room.ok());
  EXPECT_EQ(room->municipality_code(), "TSH");
  EXPECT_EQ(room->region(), "Region 1");
  EXPECT_EQ(room->roles(0), "ward_councillor");
  v1::ListWarRoomsRequest list;
  list.set_municipality_code("JHB");
  list.set_region("Region A");
  EXPECT_EQ(core_->ListWarRooms(list)->war_rooms_size(), 19);
  EXPECT_EQ(core_->GetWarRoom("WR-1").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RoutingCoreTest, AMistypedCaseNumberIsRejected) {
  EXPECT_EQ(core_->Get("GP26-0001234-8").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace warroom::routing
