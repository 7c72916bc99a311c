// Intake, routing and escalation as real processes with a test SLA policy of a few seconds per
// tier: a case climbs every tier and intake shows it; escalation killed with SIGKILL while clocks
// are due still produces each escalation exactly once.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "testing/process.h"
#include "tests/integration/clients.h"
#include "warroom/common/events.h"
#include "warroom/common/kafka.h"
#include "warroom/common/topics.h"
#include "warroom/v1/escalation.grpc.pb.h"
#include "warroom/v1/intake.grpc.pb.h"

namespace warroom {
namespace {

using testing::WaitFor;

class EscalationE2eTest : public ::testing::Test {
 protected:
  EscalationE2eTest() : redis_server_(dir_.path()), broker_(dir_.path()) {
    intake_ = std::make_unique<testing::ServiceProcess>("intake", dir_.path(), redis_server_.port(), broker_.bootstrap());
    routing_ = std::make_unique<testing::ServiceProcess>("routing", dir_.path(), redis_server_.port(), broker_.bootstrap());
    escalation_ = std::make_unique<testing::ServiceProcess>(
        "escalation", dir_.path(), redis_server_.port(), broker_.bootstrap(),
        testing::ShortSlaPolicy(dir_.File("sla-test.yaml"), "3s", "3s"));
    intake_stub_ = v1::IntakeService::NewStub(grpc::CreateChannel(intake_->target(), grpc::InsecureChannelCredentials()));
  }
  std::string Report(const std::string& id) {
    return testing::ReportCase(*intake_stub_, id, v1::CATEGORY_HOUSING, "79900012");
  }
  v1::Case Get(const std::string& cn) { return testing::GetCase(*intake_stub_, cn); }
  // Distinct escalation events per case on warroom.escalations.v1, counted by kind; duplicates
  // of one event id (at-least-once delivery) count once.
  std::map<std::string, std::map<int, int>> EscalationsByCase(size_t expected_events) {
    KafkaConfig k;
    k.bootstrap_servers = broker_.bootstrap();
    k.client_id = "e2e-reader";
    auto consumer = KafkaConsumer::Create(k, {"e2e-reader-" + std::to_string(++readers_), {std::string(topics::kEscalations)}});
    std::set<std::string> ids;
    std::map<std::string, std::map<int, int>> out;
    std::stop_source stop;
    std::thread t([&] {
      (*consumer)->Run(stop.get_token(), [&](const KafkaMessage& m) {
        auto e = DecodeEnvelope(m.value);
        if (e.ok() && e->has_sla_changed() && ids.insert(e->event_id()).second) {
          ++out[e->sla_changed().case_number()][e->sla_changed().kind()];
        }
        if (ids.size() >= expected_events) stop.request_stop();
        return Status::Ok();
      });
    });
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    stop.request_stop();
    t.join();
    return out;
  }

  testing::TestDir dir_;
  testing::RedisServer redis_server_;
  testing::Broker broker_;
  std::unique_ptr<testing::ServiceProcess> intake_, routing_, escalation_;
  std::unique_ptr<v1::IntakeService::Stub> intake_stub_;
  int readers_ = 0;
};

TEST_F(EscalationE2eTest, AnUnresolvedCaseClimbsEveryTierAndIntakeShowsIt) {
  std::string cn = Report("climb-1");
  ASSERT_TRUE(WaitFor([&] { return Get(cn).tier() == v1::TIER_LOCAL; }, std::chrono::seconds(30)))
      << Get(cn).DebugString();
  // Past due at a tier already shows as overdue in intake; past the province it stays so.
  ASSERT_TRUE(WaitFor([&] {
    v1::Case c = Get(cn);
    return c.tier() == v1::TIER_PROVINCE && c.overdue() && c.has_due_at();
  }, std::chrono::seconds(30))) << Get(cn).DebugString();
  // started, escalated x3, overdue; plus a warning at each of the four tiers.
  auto events = EscalationsByCase(9);
  EXPECT_EQ(events[cn][v1::SlaChanged::KIND_ESCALATED], 3);
  EXPECT_EQ(events[cn][v1::SlaChanged::KIND_OVERDUE], 1);
  auto stub = v1::EscalationService::NewStub(grpc::CreateChannel(escalation_->target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  v1::ListOverdueRequest r;
  r.set_municipality_code("TSH");
  v1::ListOverdueResponse overdue;
  ASSERT_TRUE(stub->ListOverdue(&ctx, r, &overdue).ok());
  ASSERT_EQ(overdue.clocks_size(), 1);
  EXPECT_EQ(overdue.clocks(0).tiers_size(), 4);

  // The command line shows the same: the clock's four tiers, and the case among the overdue.
  auto ctl = [&](std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), {"--escalation-target", escalation_->target()});
    return testing::Warroomctl(args, dir_.File(log));
  };
  testing::CtlRun shown = ctl({"sla", "show", cn}, "warroomctl-sla.log");
  ASSERT_EQ(shown.code, 0) << shown.out;
  EXPECT_NE(shown.out.find("case          " + cn), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("tier province"), std::string::npos) << shown.out;
  auto sla = testing::JsonLines<v1::GetSlaResponse>(ctl({"--json", "sla", "show", cn}, "warroomctl-sla-json.log").out);
  ASSERT_EQ(sla.size(), 1u);
  EXPECT_EQ(sla[0].clock().tiers_size(), 4);
  testing::CtlRun listed = ctl({"overdue", "--municipality", "TSH"}, "warroomctl-overdue.log");
  ASSERT_EQ(listed.code, 0) << listed.out;
  EXPECT_NE(listed.out.find(cn), std::string::npos) << listed.out;
}

TEST_F(EscalationE2eTest, KillNineWhileClocksAreDueStillEscalatesEachBreachOnce) {
  constexpr int kCases = 20;
  std::vector<std::string> cases;
  for (int i = 0; i < kCases; ++i) cases.push_back(Report("kill-" + std::to_string(i)));
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& cn : cases) {
      if (Get(cn).tier() == v1::TIER_UNSPECIFIED) return false;
    }
    return true;
  }, std::chrono::seconds(30)));
  escalation_->Kill9();
  std::this_thread::sleep_for(std::chrono::seconds(4));  // the ward deadlines pass while it is down
  escalation_->Start();
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& cn : cases) {
      v1::Case c = Get(cn);
      if (c.tier() != v1::TIER_PROVINCE || !c.overdue()) return false;
    }
    return true;
  }, std::chrono::seconds(60)));
  auto events = EscalationsByCase(kCases * 9);
  for (const auto& cn : cases) {
    EXPECT_EQ(events[cn][v1::SlaChanged::KIND_ESCALATED], 3) << cn;
    EXPECT_EQ(events[cn][v1::SlaChanged::KIND_OVERDUE], 1) << cn;
    EXPECT_EQ(events[cn][v1::SlaChanged::KIND_CLOCK_STARTED], 1) << cn;
  }
}

}  // namespace
}  // namespace warroom
