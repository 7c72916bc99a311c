// Authorisation end to end: all six services run with the shipped policy and the development
// callers file. Every role (by its bearer token) calls every RPC of every service, found from the
// proto descriptors so a new RPC is covered without editing this test; each call is denied with a
// bare PERMISSION_DENIED exactly when the policy does not grant it. A metro system imports, sees
// and lists only its own cases.
#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "testing/our_services.h"
#include "testing/process.h"
#include "tests/integration/clients.h"
#include "warroom/common/authz.h"
#include "warroom/common/case_number.h"
#include "warroom/common/grpc_server.h"
#include "warroom/v1/household.grpc.pb.h"
#include "warroom/v1/intake.grpc.pb.h"

namespace warroom {
namespace {

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

// The development callers (data/security/callers.dev.yaml) by role, with their tokens.
const std::map<std::string, std::string> kTokenOfRole = {
    {"resident_channel", "dev-resident-token"}, {"ward_war_room", "dev-ward-token"},
    {"municipality", "dev-municipality-token"}, {"province", "dev-province-token"},
    {"misa", "dev-misa-token"},                 {"reporting_only", "dev-reporting-token"},
    {"metro_system", "dev-jhb-sap-token"},      {"platform_service", "dev-platform-token"}};

// One call of any RPC with an empty request message, as a stream (which every RPC is on the
// wire): start, send the request and half-close, read every response, finish.
grpc::Status CallWithEmptyRequest(const std::shared_ptr<grpc::Channel>& channel, const std::string& path,
                                  const std::string& token) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  // Household asks why personal information is wanted; the policy layer is what is tested here.
  ctx.AddMetadata("x-warroom-purpose", "authorisation test");
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&ctx, path, &cq);
  void* tag = nullptr;
  bool ok = false;
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  grpc::ByteBuffer empty;
  grpc::Slice nothing("");
  empty = grpc::ByteBuffer(&nothing, 1);
  call->WriteLast(empty, grpc::WriteOptions(), reinterpret_cast<void*>(2));
  cq.Next(&tag, &ok);
  grpc::ByteBuffer response;
  do {
    call->Read(&response, reinterpret_cast<void*>(3));
    cq.Next(&tag, &ok);
  } while (ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  return status;
}

class AuthzTest : public ::testing::Test {
 protected:
  AuthzTest() : redis_server_(dir_.path()), broker_(dir_.path()) {
    std::map<std::string, std::string> secured = {
        {"WARROOM_SECURITY_POLICY_FILE", Source("data/security/rpc-policy.yaml")},
        {"WARROOM_SECURITY_CALLERS_FILE", Source("data/security/callers.dev.yaml")}};
    auto start = [&](const std::string& name, std::map<std::string, std::string> env = {}) {
      env.insert(secured.begin(), secured.end());
      return std::make_unique<testing::ServiceProcess>(name, dir_.path(), redis_server_.port(),
                                                       broker_.bootstrap(), std::move(env));
    };
    intake_ = start("intake");
    services_["IntakeService"] = intake_.get();
    services_["RoutingService"] = (routing_ = start("routing")).get();
    services_["EscalationService"] = (escalation_ = start("escalation")).get();
    services_["HouseholdService"] =
        (household_ = start("household", {{"WARROOM_INTAKE_TARGET", intake_->target()},
                                          {"WARROOM_INTAKE_BEARER_TOKEN", "dev-platform-token"}}))
            .get();
    services_["PspService"] = (psp_ = start("psp")).get();
    services_["ReportingService"] = (reporting_ = start("reporting")).get();
    auto authz = Authorizer::Load(Source("data/security/rpc-policy.yaml"), Source("data/security/callers.dev.yaml"));
    EXPECT_TRUE(authz.ok()) << authz.status().ToString();
    policy_ = std::move(*authz);
  }

  // Intake as the caller this development token names.
  std::unique_ptr<v1::IntakeService::Stub> IntakeAs(const std::string& token) {
    return v1::IntakeService::NewStub(ClientChannel(intake_->target(), grpc::InsecureChannelCredentials(), token));
  }

  testing::TestDir dir_;
  testing::RedisServer redis_server_;
  testing::Broker broker_;
  std::unique_ptr<testing::ServiceProcess> intake_, routing_, escalation_, household_, psp_, reporting_;
  std::map<std::string, testing::ServiceProcess*> services_;
  Authorizer policy_;
};

TEST_F(AuthzTest, EveryRoleCallsEveryRpcOfEveryServiceAndOnlyThePolicysGrantsGetThrough) {
  int calls = 0, denied = 0;
  for (const auto* service : testing::ApiServices()) {
    ASSERT_TRUE(services_.contains(service->name())) << service->name() << " has no process in this test";
    testing::ServiceProcess* process = services_[service->name()];
    auto channel = grpc::CreateChannel(process->target(), grpc::InsecureChannelCredentials());
    std::vector<const google::protobuf::MethodDescriptor*> methods;
    for (int m = 0; m < service->method_count(); ++m) methods.push_back(service->method(m));
    methods.push_back(testing::DiagnosticsService()->method(0));  // every binary serves Diagnostics too
    for (const auto* method : methods) {
      std::string path = "/" + method->service()->full_name() + "/" + method->name();
      grpc::Status anonymous = CallWithEmptyRequest(channel, path, "");
      EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED) << path << " without a token";
      EXPECT_EQ(CallWithEmptyRequest(channel, path, "not-a-token").error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << path << " with an unknown token";
      for (const auto& [role, token] : kTokenOfRole) {
        bool granted = policy_.Allows(role, method->service()->name(), method->name());
        grpc::Status got = CallWithEmptyRequest(channel, path, token);
        ++calls;
        if (granted) {
          EXPECT_NE(got.error_code(), grpc::StatusCode::PERMISSION_DENIED)
              << role << " " << path << ": " << got.error_message();
          EXPECT_NE(got.error_code(), grpc::StatusCode::UNAUTHENTICATED) << role << " " << path;
        } else {
          ++denied;
          EXPECT_EQ(got.error_code(), grpc::StatusCode::PERMISSION_DENIED) << role << " " << path;
          EXPECT_EQ(got.error_message(), "permission denied") << "no detail leaked: " << role << " " << path;
          EXPECT_TRUE(got.error_details().empty()) << role << " " << path;
        }
      }
    }
  }
  EXPECT_GT(calls, 300) << "8 roles on every RPC of 6 services";
  EXPECT_GT(denied, calls / 3) << "the policy denies much; a test where nothing is denied tests nothing";
  EXPECT_LT(denied, calls) << "and grants some";
}

TEST_F(AuthzTest, AMetroSystemImportsSeesAndListsOnlyItsOwnCases) {
  // JHB-SAP watches the ward from the start: it must see its own cases' changes and no other's.
  std::mutex watched_mu;
  std::set<std::string> watched;
  grpc::ClientContext watch_ctx;
  watch_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(90));
  auto watch_stub = IntakeAs("dev-jhb-sap-token");
  v1::WatchCasesRequest w;
  w.set_ward_code("79800001");
  auto watch = watch_stub->WatchCases(&watch_ctx, w);
  watch->WaitForInitialMetadata();  // live: every change from here on reaches it
  std::thread watcher([&] {
    v1::CaseChange change;
    while (watch->Read(&change)) {
      std::lock_guard lock(watched_mu);
      watched.insert(change.case_().case_number());
    }
  });
  auto import = [&](const std::string& token, std::vector<std::pair<std::string, std::string>> records) {
    grpc::ClientContext ctx;
    auto stub = IntakeAs(token);
    auto stream = stub->ImportCases(&ctx);
    int64_t row = 0;
    for (const auto& [source, id] : records) {
      v1::ImportCaseRecord r;
      r.set_source_system(source);
      r.set_source_id(id);
      r.set_category(v1::CATEGORY_WATER);
      r.mutable_place()->set_ward_code("79800001");
      r.set_description("No water since Monday");
      r.set_row(++row);
      EXPECT_TRUE(stream->Write(r));
    }
    stream->WritesDone();
    std::vector<v1::ImportCaseResult> results;
    v1::ImportCaseResult result;
    while (stream->Read(&result)) results.push_back(result);
    EXPECT_TRUE(stream->Finish().ok());
    return results;
  };
  auto jhb = import("dev-jhb-sap-token", {{"JHB-SAP", "J-1"}, {"TSH-METRO", "T-1"}, {"JHB-SAP", "J-2"}});
  ASSERT_EQ(jhb.size(), 3u);
  EXPECT_EQ(jhb[0].outcome(), v1::ImportCaseResult::OUTCOME_CREATED);
  EXPECT_EQ(jhb[1].outcome(), v1::ImportCaseResult::OUTCOME_REJECTED) << "another metro's record";
  ASSERT_EQ(jhb[1].violations_size(), 1);
  EXPECT_EQ(jhb[1].violations(0).field(), "source_system");
  EXPECT_EQ(jhb[2].outcome(), v1::ImportCaseResult::OUTCOME_CREATED) << "one refused record does not stop the rest";
  auto tsh = import("dev-tshwane-metro-token", {{"TSH-METRO", "T-1"}});
  ASSERT_EQ(tsh.size(), 1u);
  ASSERT_EQ(tsh[0].outcome(), v1::ImportCaseResult::OUTCOME_CREATED);

  std::string hotline_case = testing::ReportCase(*IntakeAs("dev-resident-token"), "authz-hotline-1",
                                                 v1::CATEGORY_WATER, "79800001");
  ASSERT_FALSE(hotline_case.empty());

  auto get = [&](const std::string& token, const std::string& cn) {
    grpc::ClientContext ctx;
    auto stub = IntakeAs(token);
    v1::GetCaseRequest r;
    r.set_case_number(cn);
    v1::Case c;
    return stub->GetCase(&ctx, r, &c);
  };
  EXPECT_TRUE(get("dev-jhb-sap-token", jhb[0].case_number()).ok());
  for (const std::string& other : {tsh[0].case_number(), hotline_case}) {
    grpc::Status s = get("dev-jhb-sap-token", other);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << other;
    EXPECT_EQ(s.error_message(), "permission denied");
  }
  grpc::Status absent = get("dev-jhb-sap-token", MakeCaseNumber("GP", 26, 999999).ToString());
  EXPECT_EQ(absent.error_code(), grpc::StatusCode::PERMISSION_DENIED) << "a case that does not exist looks like another's";
  EXPECT_EQ(get("dev-jhb-sap-token", "GP26-0999999-0").error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << "a mistyped number is still said to be mistyped";
  EXPECT_TRUE(get("dev-ward-token", tsh[0].case_number()).ok()) << "a war room sees every case of its area";

  auto list = [&](const std::string& token) {
    v1::ListCasesRequest r;
    r.set_ward_code("79800001");
    r.set_page_size(2);
    std::set<std::string> seen;
    for (const auto& c : testing::ListAllCases(*IntakeAs(token), r)) seen.insert(c.case_number());
    return seen;
  };
  EXPECT_EQ(list("dev-jhb-sap-token"), (std::set<std::string>{jhb[0].case_number(), jhb[2].case_number()}));
  EXPECT_EQ(list("dev-ward-token").size(), 4u);

  // One more JHB case, imported after every other: once the watcher has seen it, it has been
  // past the other metro's and the hotline's changes, and must not have been shown them.
  auto last = import("dev-jhb-sap-token", {{"JHB-SAP", "J-3"}});
  ASSERT_EQ(last.size(), 1u);
  EXPECT_TRUE(testing::WaitFor([&] {
    std::lock_guard lock(watched_mu);
    return watched.contains(last[0].case_number());
  }, std::chrono::seconds(30))) << "the watcher saw its own new case";
  watch_ctx.TryCancel();
  watcher.join();
  EXPECT_EQ(watched, (std::set<std::string>{jhb[0].case_number(), jhb[2].case_number(), last[0].case_number()}))
      << "a metro watching a ward sees only its own cases change";

  // The grouped stream holds a metro to its own source the same way, and is a metro's call only.
  auto import_grouped = [&](const std::string& token, grpc::Status& status) {
    grpc::ClientContext ctx;
    auto stub = IntakeAs(token);
    auto stream = stub->ImportCaseGroups(&ctx);
    v1::ImportCaseRecords group;
    for (const char* source : {"JHB-SAP", "TSH-METRO"}) {
      v1::ImportCaseRecord& r = *group.add_records();
      r.set_source_system(source);
      r.set_source_id(std::string("G-") + source);
      r.set_category(v1::CATEGORY_WATER);
      r.mutable_place()->set_ward_code("79800001");
      r.set_description("No water since Monday");
      r.set_row(group.records_size());
    }
    stream->Write(group);
    stream->WritesDone();
    std::vector<v1::ImportCaseResult> results;
    v1::ImportCaseResults got;
    while (stream->Read(&got)) results.insert(results.end(), got.results().begin(), got.results().end());
    status = stream->Finish();
    return results;
  };
  grpc::Status grouped_status;
  auto grouped = import_grouped("dev-jhb-sap-token", grouped_status);
  EXPECT_TRUE(grouped_status.ok()) << grouped_status.error_message();
  ASSERT_EQ(grouped.size(), 2u);
  EXPECT_EQ(grouped[0].outcome(), v1::ImportCaseResult::OUTCOME_CREATED);
  EXPECT_EQ(grouped[1].outcome(), v1::ImportCaseResult::OUTCOME_REJECTED) << "another metro's record";
  EXPECT_TRUE(import_grouped("dev-resident-token", grouped_status).empty());
  EXPECT_EQ(grouped_status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

// With authorisation on, household takes the access role from the authenticated caller: a
// municipality caller claiming to be a community development worker in the metadata sees no personal
// details, and a ward war room (household_role war_room_secretary) does.
TEST_F(AuthzTest, HouseholdPersonalDetailsFollowTheAuthenticatedCallerNotItsMetadata) {
  auto as = [&](const std::string& token) {
    return v1::HouseholdService::NewStub(
        ClientChannel(household_->target(), grpc::InsecureChannelCredentials(), token));
  };
  v1::RegisterHouseholdRequest r;
  r.set_client_request_id("authz-h1");
  r.set_ward_code("79800001");
  r.set_dwelling(v1::DWELLING_TYPE_FORMAL);
  r.mutable_ages()->set_adults_18_59(2);
  r.mutable_personal()->mutable_head()->set_name("Thandi Nkosi");
  r.mutable_personal()->mutable_head()->set_phone("082 555 0199");
  v1::Household registered;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-warroom-purpose", "registration visit");
    grpc::Status s = as("dev-ward-token")->RegisterHousehold(&ctx, r, &registered);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto read = [&](const std::string& token) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-warroom-role", "community_development_worker");
    ctx.AddMetadata("x-warroom-actor", "cdw-7");
    ctx.AddMetadata("x-warroom-purpose", "follow-up visit");
    v1::GetHouseholdRequest g;
    g.set_household_id(registered.household_id());
    v1::Household h;
    grpc::Status s = as(token)->GetHousehold(&ctx, g, &h);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return h;
  };
  v1::Household by_ward = read("dev-ward-token");
  EXPECT_FALSE(by_ward.personal_redacted());
  EXPECT_EQ(by_ward.personal().head().name(), "Thandi Nkosi");
  v1::Household by_municipality = read("dev-municipality-token");
  EXPECT_TRUE(by_municipality.personal_redacted()) << "the metadata's role is not believed";
  EXPECT_TRUE(by_municipality.personal().head().name().empty());
}

}  // namespace
}  // namespace warroom
