// Intake, routing, escalation and reporting as real processes (escalation with a ward tier of
// three seconds): cases driven through intake show up in the rollups and the ward report with the right
// counts; a rebuild from offset zero equals the live model; reporting killed with SIGKILL while
// cases flow counts every case exactly once; a restart with --rebuild gives the same model.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "testing/process.h"
#include "tests/integration/clients.h"
#include "warroom/common/timestamps.h"
#include "warroom/v1/intake.grpc.pb.h"
#include "warroom/v1/reporting.grpc.pb.h"

namespace warroom {
namespace {

using testing::WaitFor;

constexpr char kWardA[] = "79800001";  // Johannesburg, Region A
constexpr char kWardB[] = "79900012";  // Tshwane

class ReportingE2eTest : public ::testing::Test {
 protected:
  ReportingE2eTest() : redis_server_(dir_.path()), broker_(dir_.path()) {
    auto start = [&](const std::string& name, std::map<std::string, std::string> env = {}) {
      return std::make_unique<testing::ServiceProcess>(name, dir_.path(), redis_server_.port(),
                                                       broker_.bootstrap(), std::move(env));
    };
    intake_ = start("intake");
    routing_ = start("routing");
    escalation_ = start("escalation", testing::ShortSlaPolicy(dir_.File("sla-test.yaml"), "3s", "1h"));
    reporting_ = start("reporting", {{"WARROOM_MODEL_CHECKPOINT_INTERVAL", "200ms"}});
    intake_stub_ = testing::IntakeStub(intake_->target());
  }
  v1::ReportingService::Stub& Reporting() {
    reporting_stub_ = v1::ReportingService::NewStub(
        grpc::CreateChannel(reporting_->target(), grpc::InsecureChannelCredentials()));
    return *reporting_stub_;
  }
  v1::AreaSummary Summary(v1::AreaLevel level, const std::string& code = "") {
    v1::GetAreaSummaryRequest r;
    r.set_level(level);
    r.set_code(code);
    grpc::ClientContext ctx;
    v1::AreaSummary s;
    grpc::Status st = Reporting().GetAreaSummary(&ctx, r, &s);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return s;
  }
  v1::DescribeModelResponse Describe() {
    grpc::ClientContext ctx;
    v1::DescribeModelResponse d;
    EXPECT_TRUE(Reporting().DescribeModel(&ctx, {}, &d).ok());
    return d;
  }
  // Waits until reporting has applied everything on the topics and its totals stand still.
  bool Settled(int64_t cases) {
    return WaitFor([&] {
      auto d = Describe();
      return d.lag() == 0 && Summary(v1::AREA_LEVEL_PROVINCE).totals().cases() == cases;
    }, std::chrono::seconds(60));
  }
  void Resolve(const std::string& cn) {
    v1::TransitionCaseRequest t;
    t.set_case_number(cn);
    t.set_expected_version(testing::GetCase(*intake_stub_, cn).version());
    t.set_actor_role("e2e");
    t.mutable_resolve()->set_resolution_note("Fixed by the department");
    grpc::ClientContext ctx;
    v1::Case c;
    grpc::Status s = intake_stub_->TransitionCase(&ctx, t, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  testing::TestDir dir_;
  testing::RedisServer redis_server_;
  testing::Broker broker_;
  std::unique_ptr<testing::ServiceProcess> intake_, routing_, escalation_, reporting_;
  std::unique_ptr<v1::IntakeService::Stub> intake_stub_;
  std::unique_ptr<v1::ReportingService::Stub> reporting_stub_;
};

TEST_F(ReportingE2eTest, CasesThroughIntakeShowUpInTheRollupsAndTheWardReport) {
  std::vector<std::string> ward_a;
  for (int i = 0; i < 12; ++i) {
    ward_a.push_back(testing::ReportCase(*intake_stub_, "a-" + std::to_string(i), v1::CATEGORY_WATER, kWardA));
  }
  for (int i = 0; i < 8; ++i) {
    testing::ReportCase(*intake_stub_, "b-" + std::to_string(i), v1::CATEGORY_HOUSING, kWardB,
                        v1::CHANNEL_WALK_IN);
  }
  for (int i = 0; i < 5; ++i) Resolve(ward_a[i]);

  // The 15 cases still open miss their three-second ward deadline and escalate.
  ASSERT_TRUE(WaitFor([&] {
    auto p = Summary(v1::AREA_LEVEL_PROVINCE);
    return p.totals().cases() == 20 && p.totals().resolved() == 5 && p.totals().overdue() == 15;
  }, std::chrono::seconds(60))) << Summary(v1::AREA_LEVEL_PROVINCE).DebugString();

  auto a = Summary(v1::AREA_LEVEL_WARD, kWardA);
  EXPECT_EQ(a.totals().cases(), 12);
  EXPECT_EQ(a.totals().open(), 7);
  EXPECT_EQ(a.totals().overdue(), 7);
  ASSERT_EQ(a.by_category_size(), 1);
  EXPECT_EQ(a.by_category(0).category(), v1::CATEGORY_WATER);
  EXPECT_EQ(Summary(v1::AREA_LEVEL_MUNICIPALITY, "TSH").totals().cases(), 8);
  EXPECT_EQ(Summary(v1::AREA_LEVEL_REGION, "JHB/Region A").totals().cases(), 12);
  auto b = Summary(v1::AREA_LEVEL_WARD, kWardB);
  ASSERT_EQ(b.by_channel_size(), 1);
  EXPECT_EQ(b.by_channel(0).channel(), v1::CHANNEL_WALK_IN);
  EXPECT_EQ(b.escalations(), 8);

  v1::GetWardReportRequest wr;
  wr.set_ward_code(kWardA);
  wr.set_month(MonthOf(UnixSeconds(std::chrono::system_clock::now())));
  grpc::ClientContext ctx;
  v1::WardReport report;
  ASSERT_TRUE(Reporting().GetWardReport(&ctx, wr, &report).ok());
  EXPECT_EQ(report.opened(), 12);
  EXPECT_EQ(report.resolved(), 5);
  EXPECT_EQ(report.resolved_within_sla(), 5);
  ASSERT_EQ(report.escalations_size(), 1);
  EXPECT_EQ(report.escalations(0).escalations(), 7);
  int64_t on_agenda = 0;
  for (const auto& item : report.agenda()) on_agenda += item.cases_size();
  EXPECT_EQ(on_agenda, 7);

  v1::ListOverdueCasesRequest lo;
  lo.set_war_room(std::string("WR-") + kWardA);
  grpc::ClientContext octx;
  v1::ListOverdueCasesResponse overdue;
  ASSERT_TRUE(Reporting().ListOverdue(&octx, lo, &overdue).ok());
  EXPECT_EQ(overdue.total(), 7);

  // The command line writes the same report as Markdown.
  std::string md = testing::Shell(testing::BinaryPath("tools/warroomctl/warroomctl") +
                                  " --reporting-target " + reporting_->target() + " report ward " +
                                  kWardA + " --format markdown");
  EXPECT_NE(md.find("| 12 | 5 | 5 |"), std::string::npos) << md;
  // And the area summary and the overdue list, as JSON for scripts.
  auto ctl = [&](std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), {"--reporting-target", reporting_->target(), "--json", "report"});
    return testing::Warroomctl(args, dir_.File(log)).out;
  };
  auto area = testing::JsonLines<v1::AreaSummary>(ctl({"area", "--level", "ward", "--code", kWardA}, "ctl-area.log"));
  ASSERT_EQ(area.size(), 1u);
  EXPECT_EQ(area[0].totals().cases(), 12);
  EXPECT_EQ(area[0].totals().overdue(), 7);
  auto listed = testing::JsonLines<v1::OverdueCase>(
      ctl({"overdue", "--war-room", std::string("WR-") + kWardA}, "ctl-overdue.log"));  // a case a line
  ASSERT_EQ(listed.size(), 7u);
  for (const auto& c : listed) EXPECT_EQ(c.ward_code(), kWardA);

  grpc::ClientContext rctx;
  v1::RebuildResponse rebuilt;
  grpc::Status st = Reporting().Rebuild(&rctx, {}, &rebuilt);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(rebuilt.equal()) << rebuilt.DebugString();
  EXPECT_EQ(rebuilt.cases(), 20);
  EXPECT_GT(rebuilt.events_applied(), 40);
  // The rebuilt model now serves, with the same figures.
  EXPECT_EQ(Summary(v1::AREA_LEVEL_WARD, kWardA).totals().DebugString(), a.totals().DebugString());
}

TEST_F(ReportingE2eTest, ReportingKilledWhileCasesFlowCountsEveryCaseOnce) {
  constexpr int kCases = 300;
  std::atomic<int> reported{0};
  std::thread load([&] {
    for (int i = 0; i < kCases; ++i) {
      testing::ReportCase(*intake_stub_, "k-" + std::to_string(i), v1::CATEGORY_REFUSE_REMOVAL,
                          i % 2 ? kWardA : kWardB);
      ++reported;
    }
  });
  ASSERT_TRUE(WaitFor([&] { return reported.load() >= kCases / 3; }, std::chrono::seconds(60)));
  reporting_->Kill9();
  ASSERT_TRUE(WaitFor([&] { return reported.load() >= 2 * kCases / 3; }, std::chrono::seconds(60)));
  reporting_->Start();
  load.join();
  ASSERT_TRUE(Settled(kCases)) << Summary(v1::AREA_LEVEL_PROVINCE).DebugString();
  EXPECT_EQ(Summary(v1::AREA_LEVEL_WARD, kWardA).totals().cases(), kCases / 2);
  EXPECT_EQ(Summary(v1::AREA_LEVEL_WARD, kWardB).totals().cases(), kCases / 2);
  // Let escalations land too, then compare with a model rebuilt from offset zero.
  ASSERT_TRUE(WaitFor([&] { return Summary(v1::AREA_LEVEL_PROVINCE).totals().overdue() == kCases; },
                      std::chrono::seconds(60)));
  ASSERT_TRUE(WaitFor([&] { return Describe().lag() == 0; }, std::chrono::seconds(30)));
  std::string live = Describe().digest();

  reporting_->Terminate();
  reporting_->Start({"--rebuild"});
  ASSERT_TRUE(WaitFor([&] { return Describe().digest() == live; }, std::chrono::seconds(60)))
      << "live " << live << " rebuilt " << Describe().digest();
  EXPECT_EQ(Summary(v1::AREA_LEVEL_PROVINCE).totals().cases(), kCases);
}

// Started while Redis is away (both restarted at once), reporting waits for it instead of exiting.
TEST_F(ReportingE2eTest, ReportingStartedWhileRedisIsAwayWaitsForIt) {
  testing::ReportCase(*intake_stub_, "away-1", v1::CATEGORY_WATER, kWardA);
  ASSERT_TRUE(Settled(1));
  reporting_->Terminate();
  redis_server_.Stop();
  // A shutdown signal ends the wait at once (exit 0), not after the two minutes.
  reporting_->Launch();
  ASSERT_TRUE(WaitFor([&] {
    return reporting_->process().Log().find("reporting_waiting_for_redis") != std::string::npos;
  }));
  EXPECT_EQ(reporting_->Terminate(), 0);
  std::jthread back([&] {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    redis_server_.Start();
  });
  reporting_->Start();  // throws if the process exits instead of becoming ready
  back.join();
  ASSERT_TRUE(Settled(1)) << Summary(v1::AREA_LEVEL_PROVINCE).DebugString();
  EXPECT_NE(reporting_->process().Log().find("reporting_waiting_for_redis"), std::string::npos);
}

}  // namespace
}  // namespace warroom
