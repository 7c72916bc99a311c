// Intake and routing together, as real processes: a case reported through intake is assigned by
// routing, and intake shows the assignment; a reassignment flows through; a bad rules file is
// refused while routing keeps serving; bad config stops a service with exit code 2.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "testing/process.h"
#include "tests/integration/clients.h"
#include "warroom/common/grpc_status.h"
#include "warroom/v1/intake.grpc.pb.h"
#include "warroom/v1/routing.grpc.pb.h"

namespace warroom {
namespace {

using testing::WaitFor;

class RoutingE2eTest : public ::testing::Test {
 protected:
  RoutingE2eTest()
      : redis_server_(dir_.path()),
        broker_(dir_.path()),
        rules_(dir_.File("rules.yaml")) {
    std::filesystem::copy_file(std::string(WARROOM_SOURCE_DIR) + "/services/routing/config/rules.yaml", rules_);
    intake_ = std::make_unique<testing::ServiceProcess>("intake", dir_.path(), redis_server_.port(),
                                                        broker_.bootstrap());
    routing_ = std::make_unique<testing::ServiceProcess>(
        "routing", dir_.path(), redis_server_.port(), broker_.bootstrap(),
        std::map<std::string, std::string>{{"WARROOM_RULES_FILE", rules_}});
    intake_stub_ = v1::IntakeService::NewStub(grpc::CreateChannel(intake_->target(), grpc::InsecureChannelCredentials()));
    routing_stub_ = v1::RoutingService::NewStub(grpc::CreateChannel(routing_->target(), grpc::InsecureChannelCredentials()));
  }

  std::string Report(v1::Category category, const std::string& ward, const std::string& id) {
    return testing::ReportCase(*intake_stub_, id, category, ward, v1::CHANNEL_WALK_IN);
  }
  v1::Case Get(const std::string& cn) { return testing::GetCase(*intake_stub_, cn); }

  testing::TestDir dir_;
  testing::RedisServer redis_server_;
  testing::Broker broker_;
  std::string rules_;
  std::unique_ptr<testing::ServiceProcess> intake_, routing_;
  std::unique_ptr<v1::IntakeService::Stub> intake_stub_;
  std::unique_ptr<v1::RoutingService::Stub> routing_stub_;
};

TEST_F(RoutingE2eTest, AReportedCaseIsAssignedAndIntakeShowsIt) {
  std::string cn = Report(v1::CATEGORY_WATER, "79800001", "e2e-1");
  ASSERT_TRUE(WaitFor([&] { return Get(cn).department() == "jhb-water"; }, std::chrono::seconds(30)))
      << Get(cn).DebugString();
  v1::Case c = Get(cn);
  EXPECT_EQ(c.war_room(), "WR-79800001");
  EXPECT_EQ(c.sphere(), v1::SPHERE_MUNICIPAL);
  std::string topic = testing::Shell("kcat -b " + broker_.bootstrap() +
                                     " -C -t warroom.assignments.v1 -e -q -f '%k %h\\n' 2>/dev/null");
  EXPECT_NE(topic.find(cn + " warroom-event-type=case_assigned"), std::string::npos) << topic;
}

TEST_F(RoutingE2eTest, AReassignmentFlowsThroughToIntake) {
  std::string cn = Report(v1::CATEGORY_ELECTRICITY, "74201002", "e2e-2");
  v1::Assignment a;
  ASSERT_TRUE(WaitFor([&] {
    grpc::ClientContext ctx;
    v1::GetAssignmentRequest r;
    r.set_case_number(cn);
    return routing_stub_->GetAssignment(&ctx, r, &a).ok();
  }, std::chrono::seconds(30)));
  EXPECT_EQ(a.department(), "emfuleni-electricity");
  v1::ReassignRequest r;
  r.set_case_number(cn);
  r.set_expected_version(a.version());
  r.set_department("eskom");
  r.set_reason("Eskom supplies this area directly");
  grpc::ClientContext ctx;
  v1::Assignment after;
  ASSERT_TRUE(routing_stub_->Reassign(&ctx, r, &after).ok());
  EXPECT_EQ(after.history_size(), 2);
  ASSERT_TRUE(WaitFor([&] { return Get(cn).department() == "eskom"; }, std::chrono::seconds(30)));
  EXPECT_EQ(Get(cn).sphere(), v1::SPHERE_NATIONAL);

  // The same from the command line: reassign back (its version read for you), and the war room.
  auto ctl = [&](std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), {"--routing-target", routing_->target()});
    return testing::Warroomctl(args, dir_.File(log));
  };
  testing::CtlRun back = ctl({"route", "reassign", cn, "--department", "emfuleni-electricity", "--reason",
                              "Municipal supply after all"},
                             "ctl-reassign.log");
  ASSERT_EQ(back.code, 0) << back.out;
  EXPECT_NE(back.out.find(cn + " is now with"), std::string::npos) << back.out;
  ASSERT_TRUE(WaitFor([&] { return Get(cn).department() == "emfuleni-electricity"; }, std::chrono::seconds(30)));
  auto room = testing::JsonLines<v1::WarRoom>(ctl({"--json", "warroom", "show", "WR-74201002"}, "ctl-room.log").out);
  ASSERT_EQ(room.size(), 1u);
  EXPECT_EQ(room[0].municipality_code(), "GT421");
  auto rooms = testing::JsonLines<v1::WarRoom>(ctl({"--json", "warroom", "list", "--municipality", "GT421"}, "ctl-rooms.log").out);
  EXPECT_TRUE(std::any_of(rooms.begin(), rooms.end(), [](const v1::WarRoom& w) { return w.id() == "WR-74201002"; }))
      << rooms.size() << " war rooms listed";
}

TEST_F(RoutingE2eTest, ABadRulesFileIsRefusedWhileRoutingKeepsServing) {
  // The good file reloads, from the command line too (JSON for scripts).
  auto reload = [&](const std::string& log) {
    return testing::Warroomctl({"--routing-target", routing_->target(), "--json", "route", "reload"}, dir_.File(log));
  };
  testing::CtlRun good = reload("reload-good.log");
  ASSERT_EQ(good.code, 0) << good.out;
  auto loaded = testing::JsonLines<v1::ReloadRulesResponse>(good.out);
  ASSERT_EQ(loaded.size(), 1u) << good.out;
  EXPECT_GT(loaded[0].rules(), 0);
  std::ofstream(rules_) << "rules:\n  - {id: x, category: water, sphere: municipal, department: nowhere}\n";
  grpc::ClientContext ctx;
  v1::ReloadRulesResponse resp;
  grpc::Status s = routing_stub_->ReloadRules(&ctx, v1::ReloadRulesRequest(), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("rules.yaml:2: rule x: unknown department 'nowhere'"), std::string::npos)
      << s.error_message();
  testing::CtlRun bad = reload("reload-bad.log");
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(bad.out.find("FAILED_PRECONDITION"), std::string::npos) << bad.out;
  std::string cn = Report(v1::CATEGORY_HEALTH, "79900012", "e2e-3");
  ASSERT_TRUE(WaitFor([&] { return Get(cn).department() == "gp-health"; }, std::chrono::seconds(30)));
  grpc::ClientContext explain_ctx;
  v1::ExplainRouteRequest er;
  er.set_category(v1::CATEGORY_WATER);
  er.set_ward_code("79900012");
  v1::ExplainRouteResponse explained;
  ASSERT_TRUE(routing_stub_->ExplainRoute(&explain_ctx, er, &explained).ok());
  EXPECT_EQ(explained.department(), "tsh-water");
  auto by_ctl = testing::JsonLines<v1::ExplainRouteResponse>(
      testing::Warroomctl({"--routing-target", routing_->target(), "--json", "route", "explain", "--category", "water",
                           "--ward", "79900012"},
                          dir_.File("explain.log"))
          .out);
  ASSERT_EQ(by_ctl.size(), 1u);
  EXPECT_EQ(by_ctl[0].department(), "tsh-water");
}

TEST(ServiceConfigTest, ABadConfigValueStopsWithOneLineAndExitCodeTwo) {
  testing::TestDir dir;
  testing::Process p({testing::BinaryPath("services/routing/warroom-routing"), "--config",
                      std::string(WARROOM_SOURCE_DIR) + "/services/routing/config/routing.yaml"},
                     dir.File("routing.log"),
                     {{"WARROOM_REDIS_PORT", "70000"}, {"WARROOM_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"}});
  EXPECT_EQ(p.Wait(std::chrono::seconds(20)), 2);
  EXPECT_EQ(p.Log(), "warroom-routing: config error: key redis.port: 70000 is outside 1..65535\n");
}

}  // namespace
}  // namespace warroom
