// Nothing acknowledged is lost and nothing is counted twice: load on intake while every service
// and redis-server are killed with SIGKILL and restarted, then a ledger check of every case the
// load generator got an acknowledgement for.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <thread>

#include "load.h"
#include "testing/process.h"
#include "tests/integration/clients.h"
#include "warroom/common/topics.h"
#include "warroom/v1/escalation.grpc.pb.h"
#include "warroom/v1/reporting.grpc.pb.h"
#include "warroom/v1/routing.grpc.pb.h"

namespace warroom {
namespace {

using testing::WaitFor;

// Calls until the answer is not UNAVAILABLE: a pooled Redis connection that went stale while
// redis-server restarted reports UNAVAILABLE once and reconnects, and clients retry that code.
template <typename Call>
grpc::Status Retrying(Call call) {
  grpc::Status s;
  for (int attempt = 0; attempt < 20; ++attempt) {
    grpc::ClientContext ctx;
    s = call(ctx);
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return s;
}

// Waits until every acknowledged case has its department (routing applied) and its SLA clock
// (escalation applied).
void ExpectAllSettle(v1::IntakeService::Stub& intake, v1::EscalationService::Stub& escalation,
                     const std::vector<std::string>& acknowledged) {
  auto settled = [&](const std::string& cn) {
    if (testing::GetCase(intake, cn).department().empty()) return false;
    grpc::ClientContext ctx;
    v1::GetSlaRequest r;
    r.set_case_number(cn);
    v1::GetSlaResponse sla;
    return escalation.GetSla(&ctx, r, &sla).ok();
  };
  size_t next = 0;
  ASSERT_TRUE(WaitFor([&] {
    while (next < acknowledged.size() && settled(acknowledged[next])) ++next;
    return next == acknowledged.size();
  }, std::chrono::seconds(120))) << "settled " << next << " of " << acknowledged.size()
                                 << "; first unsettled " << acknowledged[next];
}

// redis-server, the broker, and the services that take a case from report to SLA clock.
struct Stack {
  testing::TestDir dir;
  testing::RedisServer redis{dir.path()};
  testing::Broker broker{dir.path()};
  testing::ServiceProcess intake{"intake", dir.path(), redis.port(), broker.bootstrap()};
  testing::ServiceProcess routing{"routing", dir.path(), redis.port(), broker.bootstrap()};
  testing::ServiceProcess escalation{"escalation", dir.path(), redis.port(), broker.bootstrap()};
};

TEST(FaultsTest, KillNineEveryProcessUnderLoadLosesNothingAndDoublesNothing) {
  Stack stack;
  auto& [dir, redis, broker, intake, routing, escalation] = stack;
  testing::ServiceProcess reporting("reporting", dir.path(), redis.port(), broker.bootstrap(),
                                    {{"WARROOM_MODEL_CHECKPOINT_INTERVAL", "200ms"}});

  // Residents who gave their details: none of it may appear on a topic or in a log.
  struct Resident {
    std::string name, phone, phone_e164, id_number;
  };
  const std::vector<Resident> residents = {
      {"Nomvula Khumalo", "082 555 0101", "+27825550101", "8001015009087"},
      {"Pieter van der Merwe", "071 555 0202", "+27715550202", "9202204720083"},
      {"Lerato Mokoena", "060 555 0303", "+27605550303", "8506150123089"},
  };
  auto intake_stub = testing::IntakeStub(intake.target());
  for (size_t i = 0; i < residents.size(); ++i) {
    v1::ReportCaseRequest r;
    r.set_client_request_id("pii-" + std::to_string(i));
    r.set_channel(v1::CHANNEL_WALK_IN);
    r.set_category(v1::CATEGORY_SOCIAL_GRANTS);
    r.mutable_place()->set_ward_code("79800001");
    r.set_description("Grant stopped; call " + residents[i].name + " on " + residents[i].phone);
    r.mutable_reporter()->set_name(residents[i].name);
    r.mutable_reporter()->set_phone(residents[i].phone);
    r.mutable_reporter()->set_id_number(residents[i].id_number);
    grpc::ClientContext ctx;
    v1::ReportCaseResponse resp;
    grpc::Status s = intake_stub->ReportCase(&ctx, r, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  loadgen::LoadOptions load;
  load.target = intake.target();
  load.rate = 60;
  load.duration = std::chrono::seconds(24);
  load.transition_percent = 0;
  load.wards = {"79800001", "79900012", "79700003", "74201001", "74801012"};
  load.run_id = "faults";
  loadgen::LoadResult result;
  std::jthread driver([&] { result = loadgen::RunLoad(load); });  // joins even if a fault throws

  // A random schedule: every service dies twice and redis-server once, at random moments of the
  // load, each coming straight back. The seed is printed; WARROOM_FAULT_SEED replays a schedule.
  uint64_t seed = std::random_device{}();
  if (const char* given = std::getenv("WARROOM_FAULT_SEED")) seed = std::stoull(given);
  std::cerr << "fault schedule seed " << seed << std::endl;
  std::mt19937_64 rng(seed);
  // Each fault returns how its process ended, so the test knows every kill hit a live process.
  std::vector<std::pair<int, std::function<int()>>> schedule;
  for (testing::ServiceProcess* s : {&intake, &routing, &escalation, &reporting}) {
    for (int k = 0; k < 2; ++k) {
      schedule.emplace_back(1000 + static_cast<int>(rng() % 20000), [s] {
        int code = s->Kill9();
        s->Start();
        return code;
      });
    }
  }
  schedule.emplace_back(1000 + static_cast<int>(rng() % 20000), [&] { return redis.Restart(); });
  std::sort(schedule.begin(), schedule.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  auto started = std::chrono::steady_clock::now();
  size_t killed = 0;
  for (auto& [at_ms, fault] : schedule) {
    std::this_thread::sleep_until(started + std::chrono::milliseconds(at_ms));
    if (fault() == 128 + SIGKILL) ++killed;
  }
  driver.join();
  EXPECT_EQ(killed, schedule.size()) << "every fault killed a running process";

  // Whether a call was in flight at a kill is chance (a restart takes a fraction of a second), so
  // the run does not demand failures; it demands that every call sent got an answer, and that
  // only the acknowledged ones count.
  const std::vector<std::string>& acknowledged = result.acknowledged;
  ASSERT_GT(acknowledged.size(), 300u) << "the load must have been real";
  EXPECT_EQ(result.ok + result.failed, result.sent) << "every call was answered";
  EXPECT_EQ(result.not_sent, 0u);
  std::cerr << "calls: " << result.sent << " sent, " << result.ok << " acknowledged, " << result.failed
            << " failed during the faults" << std::endl;

  auto routing_stub = v1::RoutingService::NewStub(grpc::CreateChannel(routing.target(), grpc::InsecureChannelCredentials()));
  auto escalation_stub = v1::EscalationService::NewStub(grpc::CreateChannel(escalation.target(), grpc::InsecureChannelCredentials()));
  ExpectAllSettle(*intake_stub, *escalation_stub, acknowledged);

  std::set<std::string> unique(acknowledged.begin(), acknowledged.end());
  EXPECT_EQ(unique.size(), acknowledged.size()) << "one case number per acknowledged report";
  for (const auto& cn : acknowledged) {
    v1::Case c = testing::GetCase(*intake_stub, cn);
    ASSERT_EQ(c.case_number(), cn) << "lost: " << cn;
    v1::GetAssignmentRequest ar;
    ar.set_case_number(cn);
    v1::Assignment a;
    grpc::Status as = Retrying([&](grpc::ClientContext& ctx) { return routing_stub->GetAssignment(&ctx, ar, &a); });
    ASSERT_TRUE(as.ok()) << cn << ": " << as.error_message();
    EXPECT_EQ(a.history_size(), 1) << "assigned more than once: " << cn;
    v1::GetSlaRequest sr;
    sr.set_case_number(cn);
    v1::GetSlaResponse sla;
    grpc::Status ss = Retrying([&](grpc::ClientContext& ctx) { return escalation_stub->GetSla(&ctx, sr, &sla); });
    ASSERT_TRUE(ss.ok()) << cn << ": " << ss.error_message();
    EXPECT_EQ(sla.clock().tiers_size(), 1) << "more than one clock start: " << cn;
    EXPECT_EQ(sla.clock().tier(), v1::TIER_WARD) << cn;
  }

  // Reporting counts every case intake holds, each once: per ward, its rollup equals intake's own
  // list, and a rebuild from offset zero equals the live model.
  auto reporting_stub = v1::ReportingService::NewStub(grpc::CreateChannel(reporting.target(), grpc::InsecureChannelCredentials()));
  auto intake_count = [&](const std::string& ward) {
    int64_t n = 0;
    v1::ListCasesRequest r;
    r.set_ward_code(ward);
    r.set_page_size(500);
    while (true) {
      v1::ListCasesResponse page;
      grpc::Status s = Retrying([&](grpc::ClientContext& ctx) { return intake_stub->ListCases(&ctx, r, &page); });
      if (!s.ok()) return int64_t{-1};
      n += page.cases_size();
      if (page.next_page_token().empty()) return n;
      r.set_page_token(page.next_page_token());
    }
  };
  for (const std::string& ward : load.wards) {
    int64_t expected = intake_count(ward);
    int64_t counted = -1;
    EXPECT_TRUE(WaitFor([&] {
      v1::GetAreaSummaryRequest r;
      r.set_level(v1::AREA_LEVEL_WARD);
      r.set_code(ward);
      v1::AreaSummary summary;
      grpc::Status s = Retrying([&](grpc::ClientContext& ctx) { return reporting_stub->GetAreaSummary(&ctx, r, &summary); });
      counted = s.ok() ? summary.totals().cases() : -1;
      return counted == expected;
    }, std::chrono::seconds(60))) << "ward " << ward << ": intake holds " << expected << ", reporting counts " << counted;
  }
  v1::RebuildResponse rebuilt;
  grpc::Status rs = Retrying([&](grpc::ClientContext& ctx) { return reporting_stub->Rebuild(&ctx, {}, &rebuilt); });
  ASSERT_TRUE(rs.ok()) << rs.error_message();
  EXPECT_TRUE(rebuilt.equal()) << rebuilt.DebugString();

  // Every topic and every log of the run, scanned for the residents' details in any form.
  std::string everything = testing::TopicsAndLogs(broker.bootstrap(), dir.path());
  ASSERT_GT(everything.size(), 10000u) << "the topics must hold the run's events";
  // A positive control: what events do carry (case numbers) is found in the same haystack.
  ASSERT_NE(everything.find(acknowledged.front()), std::string::npos);
  ASSERT_NE(everything.find("event=case_reported"), std::string::npos) << "the logs were read";
  std::vector<testing::PersonalDetails> people;
  for (const auto& r : residents) people.push_back({r.name, r.phone, r.phone_e164, r.id_number});
  testing::ExpectNoPersonalDetails(everything, people);
}

// The broker stopped (SIGSTOP: connections stay open, nothing answers) under load: intake keeps
// acknowledging every report, stays in service with /readyz saying Kafka is away and how many
// events wait, and once the broker runs again everything drains to routing and escalation.
TEST(FaultsTest, BrokerPausedUnderLoadIntakeKeepsAcceptingAndEverythingDrains) {
  Stack stack;
  auto& [dir, redis, broker, intake, routing, escalation] = stack;

  loadgen::LoadOptions load;
  load.target = intake.target();
  load.rate = 50;
  load.duration = std::chrono::seconds(16);
  load.transition_percent = 0;
  load.wards = {"79800001", "74201001"};
  load.run_id = "pause";
  loadgen::LoadResult result;
  std::jthread driver([&] { result = loadgen::RunLoad(load); });  // joins even if a fault throws

  std::this_thread::sleep_for(std::chrono::seconds(3));
  broker.process().Signal(SIGSTOP);
  auto paused_at = std::chrono::steady_clock::now();
  std::pair<int, std::string> ready;
  int64_t waiting = 0;
  bool degraded = WaitFor([&] {
    ready = testing::HttpGet(intake.admin_port(), "/readyz");
    auto at = ready.second.find(" outbox entries wait for Kafka");
    if (at == std::string::npos) return false;
    auto start = ready.second.rfind("; ", at);
    waiting = std::stoll(ready.second.substr(start + 2, at - start - 2));
    return waiting > 0;
  }, std::chrono::seconds(10));
  std::this_thread::sleep_until(paused_at + std::chrono::seconds(8));
  broker.process().Signal(SIGCONT);
  driver.join();

  EXPECT_TRUE(degraded) << "/readyz while the broker was paused: " << ready.second;
  EXPECT_EQ(ready.first, 200) << "intake stays in service: " << ready.second;
  EXPECT_NE(ready.second.find("kafka: degraded"), std::string::npos) << ready.second;
  EXPECT_EQ(result.failed, 0u) << "intake accepts while the broker is away";
  EXPECT_EQ(result.ok, result.sent);
  ASSERT_GT(result.acknowledged.size(), 600u) << "the load must have been real";

  auto intake_stub = testing::IntakeStub(intake.target());
  auto escalation_stub = v1::EscalationService::NewStub(grpc::CreateChannel(escalation.target(), grpc::InsecureChannelCredentials()));
  ExpectAllSettle(*intake_stub, *escalation_stub, result.acknowledged);
  EXPECT_TRUE(WaitFor([&] { return testing::HttpGet(intake.admin_port(), "/readyz").second.find("kafka: ok") != std::string::npos; }))
      << testing::HttpGet(intake.admin_port(), "/readyz").second;
}

}  // namespace
}  // namespace warroom
