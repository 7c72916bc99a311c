// EscalationCore against a real redis-server with a fake clock: events in, clocks and timers in
// Redis, events in the outbox; two sweepers racing produce each escalation once.
#include "services/escalation/src/escalation_core.h"

#include <gtest/gtest.h>

#include <atomic>
#include <google/protobuf/util/time_util.h>
#include <thread>

#include "services/escalation/test/test_support.h"
#include "testing/fake_clock.h"
#include "testing/process.h"
#include "warroom/common/case_number.h"

namespace warroom::escalation {
namespace {

using namespace std::chrono;

class EscalationCoreTest : public ::testing::Test {
 protected:
  EscalationCoreTest()
      : server_(dir_.path()),
        redis_(Config()),
        outbox_(redis_, "escalation"),
        geo_(*Geography::LoadDir(testing::Source("data/geography"))),
        engine_(testing::ShippedPolicy(), geo_, {{"ward", {"ward_councillor"}}}),
        clock_(testing::Local(2026, 11, 23, 8, 0)),
        ids_(clock_, 5),
        core_(redis_, outbox_, engine_, testing::ShippedPolicy(), clock_, ids_, nullptr) {}
  RedisConfig Config() {
    RedisConfig c;
    c.port = server_.port();
    c.pool_size = 4;
    return c;
  }
  Status Apply(v1::EventEnvelope e) {
    std::string bytes = e.SerializeAsString();
    KafkaMessage m;
    m.value = bytes;
    return core_.ApplyEvent(m);
  }
  v1::EventEnvelope Assigned(const std::string& cn, const std::string& id) {
    v1::EventEnvelope e;
    e.set_event_id(id);
    auto* a = e.mutable_case_assigned();
    a->set_case_number(cn);
    a->set_category(v1::CATEGORY_WATER);
    a->set_ward_code("79800001");
    a->set_war_room("WR-79800001");
    return e;
  }
  // SLA events in the outbox, by kind.
  std::map<std::string, int> Kinds() {
    std::map<std::string, int> kinds;
    for (int s = 0; s < outbox_.shards(); ++s) {
      auto entries = redis_.Command({"XRANGE", outbox_.StreamKey(s), "-", "+"});
      for (const auto& e : entries->elements) {
        const auto& f = e.elements[1].elements;
        for (size_t i = 0; i + 1 < f.size(); i += 2) {
          if (f[i].str == "y") ++kinds[f[i + 1].str];
        }
      }
    }
    return kinds;
  }

  ::warroom::testing::TestDir dir_;
  ::warroom::testing::RedisServer server_;
  RedisClient redis_;
  OutboxStore outbox_;
  Geography geo_;
  SlaEngine engine_;
  ::warroom::testing::FakeClock clock_;
  IdGenerator ids_;
  EscalationCore core_;
};

constexpr char kCase[] = "GP26-0001234-9";

TEST_F(EscalationCoreTest, AnAssignmentArmsTheClockOnceEvenWhenReplayed) {
  ASSERT_TRUE(Apply(Assigned(kCase, "e-1")).ok());
  ASSERT_TRUE(Apply(Assigned(kCase, "e-1")).ok());
  auto sla = core_.GetSla(kCase);
  ASSERT_TRUE(sla.ok()) << sla.status().ToString();
  EXPECT_EQ(sla->clock().tier(), v1::TIER_WARD);
  EXPECT_EQ(sla->remaining_seconds(), 17 * 3600);
  EXPECT_EQ(redis_.Command({"ZCARD", "escalation:timers"})->integer, 3);
  EXPECT_EQ(Kinds()["sla_changed"], 1);
}

TEST_F(EscalationCoreTest, TheSweeperTouchesOnlyDueTimersAndEscalatesOnce) {
  for (int i = 1; i <= 50; ++i) ASSERT_TRUE(Apply(Assigned(MakeCaseNumber("GP", 26, i).ToString(), "a-" + std::to_string(i))).ok());
  EXPECT_EQ(*core_.SweepOnce(), 0);  // nothing due yet
  clock_.Set(testing::Local(2026, 11, 25, 8, 1));  // past every ward deadline
  // Two sweepers race over the same due timers.
  std::atomic<int> handled{0};
  auto sweep = [&] {
    auto n = core_.SweepOnce();
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (n.ok()) handled += *n;
  };
  std::thread a(sweep);
  std::thread b(sweep);
  a.join();
  b.join();
  while (true) {
    int more = *core_.SweepOnce();
    if (more == 0) break;
    handled += more;
  }
  auto kinds = Kinds();
  // Per case: started, warning, escalated = 3 SLA events; warning, escalated, acknowledge reminder = 3 notifications.
  EXPECT_EQ(kinds["sla_changed"], 150);
  EXPECT_EQ(kinds["notification"], 150);
  EXPECT_EQ(handled.load(), 150);
  auto first = core_.GetSla(MakeCaseNumber("GP", 26, 1).ToString());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->clock().tier(), v1::TIER_LOCAL);
}

TEST_F(EscalationCoreTest, PastTheProvinceTheCaseIsListedOverdue) {
  ASSERT_TRUE(Apply(Assigned(kCase, "e-1")).ok());
  for (int day = 0; day < 30; ++day) {
    clock_.Advance(hours(24));
    while (*core_.SweepOnce() > 0) {
    }
  }
  auto sla = core_.GetSla(kCase);
  EXPECT_EQ(sla->clock().state(), v1::SlaClock::STATE_OVERDUE);
  v1::ListOverdueRequest r;
  r.set_tier(v1::TIER_PROVINCE);
  ASSERT_EQ(core_.ListOverdue(r)->clocks_size(), 1);
  r.set_municipality_code("TSH");
  EXPECT_EQ(core_.ListOverdue(r)->clocks_size(), 0);
}

v1::EventEnvelope ReportedIn(const std::string& cn, const std::string& ward, const std::string& id,
                             TimePoint at) {
  v1::EventEnvelope e;
  e.set_event_id(id);
  auto* r = e.mutable_case_reported();
  r->set_case_number(cn);
  r->set_category(v1::CATEGORY_SANITATION);
  r->set_ward_code(ward);
  r->set_municipality_code("JHB");
  *r->mutable_reported_at() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      duration_cast<nanoseconds>(at.time_since_epoch()).count());
  return e;
}

TEST_F(EscalationCoreTest, ASurgeInOneWardRaisesOneAlertNotAStorm) {
  for (int i = 1; i <= 12; ++i) {
    auto e = ReportedIn(MakeCaseNumber("GP", 26, i).ToString(), "79800001", "r-" + std::to_string(i), clock_.Now());
    ASSERT_TRUE(Apply(e).ok());
    ASSERT_TRUE(Apply(e).ok());  // replayed: counted once
  }
  ASSERT_TRUE(Apply(ReportedIn(MakeCaseNumber("GP", 26, 99).ToString(), "79800002", "other", clock_.Now())).ok());
  auto alerts = core_.ListAlerts(v1::ListAlertsRequest());
  ASSERT_TRUE(alerts.ok());
  ASSERT_EQ(alerts->alerts_size(), 1);
  EXPECT_EQ(alerts->alerts(0).ward_code(), "79800001");
  EXPECT_EQ(alerts->alerts(0).count(), 5);  // raised when the floor was reached
  EXPECT_EQ(Kinds()["hotspot_alert"], 1);
  EXPECT_EQ(redis_.Command({"HGET", "escalation:hot:79800001:sanitation",
                            std::to_string(duration_cast<hours>(clock_.Now().time_since_epoch()).count())})->str,
            "12");
}

TEST_F(EscalationCoreTest, AnAcknowledgedAlertLeavesTheOpenList) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(Apply(ReportedIn(MakeCaseNumber("GP", 26, i).ToString(), "79800001", "r-" + std::to_string(i), clock_.Now())).ok());
  }
  auto open = core_.ListAlerts(v1::ListAlertsRequest());
  ASSERT_EQ(open->alerts_size(), 1);
  v1::AcknowledgeAlertRequest ack;
  ack.set_alert_id(open->alerts(0).alert_id());
  EXPECT_EQ(core_.AcknowledgeAlert(ack).status().violations()[0].field, "actor_role");
  ack.set_actor_role("ward_councillor");
  auto done = core_.AcknowledgeAlert(ack);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_TRUE(done->acknowledged());
  EXPECT_EQ(core_.ListAlerts(v1::ListAlertsRequest())->alerts_size(), 0);
  v1::ListAlertsRequest all;
  all.set_include_acknowledged(true);
  EXPECT_EQ(core_.ListAlerts(all)->alerts_size(), 1);
  EXPECT_EQ(Kinds()["alert_acknowledged"], 1);
}

TEST_F(EscalationCoreTest, BusinessTimeForOtherSystems) {
  v1::BusinessTimeRequest r;
  r.set_calendar("office");
  *r.mutable_from() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      duration_cast<nanoseconds>(testing::Local(2026, 11, 27, 15, 0).time_since_epoch()).count());
  r.set_add_seconds(7200);
  auto resp = core_.BusinessTime(r);
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(google::protobuf::util::TimeUtil::ToString(resp->to()), "2026-11-30T06:30:00Z");  // Monday 08:30 SAST
  r.set_calendar("lunar");
  EXPECT_EQ(core_.BusinessTime(r).status().violations()[0].field, "calendar");
}

}  // namespace
}  // namespace warroom::escalation
