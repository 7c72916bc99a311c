// Mutual TLS on the gRPC port: intake started with a certificate from a CA answers only clients
// whose certificate that CA signed; plaintext, a client without a certificate and one from
// another CA are refused. Intake runs with the authorisation policy on, so the certificate's name
// is also the caller's identity (the development callers file makes "warroom-service" a
// platform_service), and a bearer token on top speaks for a person's role. Household, given a
// client certificate, raises its cases in intake over mutual TLS as a platform_service.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "testing/process.h"
#include "tests/integration/clients.h"
#include "warroom/common/grpc_server.h"
#include "warroom/v1/household.grpc.pb.h"
#include "warroom/v1/intake.grpc.pb.h"

namespace warroom {
namespace {

using testing::WaitFor;

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

class TlsTest : public ::testing::Test {
 protected:
  TlsTest() : redis_server_(dir_.path()), broker_(dir_.path()) {
    testing::Shell(Source("tools/dev") + " certs " + dir_.File("pki") + " >/dev/null 2>&1");
    testing::Shell(Source("tools/dev") + " certs " + dir_.File("rogue") + " >/dev/null 2>&1");
    intake_ = std::make_unique<testing::ServiceProcess>(
        "intake", dir_.path(), redis_server_.port(), broker_.bootstrap(),
        std::map<std::string, std::string>{{"WARROOM_SERVER_TLS_CERT_FILE", dir_.File("pki/service.pem")},
                                           {"WARROOM_SERVER_TLS_KEY_FILE", dir_.File("pki/service.key")},
                                           {"WARROOM_SERVER_TLS_CA_FILE", dir_.File("pki/ca.pem")},
                                           {"WARROOM_SECURITY_POLICY_FILE", Source("data/security/rpc-policy.yaml")},
                                           {"WARROOM_SECURITY_CALLERS_FILE", Source("data/security/callers.dev.yaml")}});
  }
  TlsFiles Files(const std::string& pki) {
    return {dir_.File(pki + "/service.pem"), dir_.File(pki + "/service.key"), dir_.File(pki + "/ca.pem")};
  }
  grpc::StatusCode GetCaseWith(std::shared_ptr<grpc::ChannelCredentials> credentials,
                               const std::string& bearer_token = "") {
    auto stub = v1::IntakeService::NewStub(grpc::CreateChannel(intake_->target(), credentials));
    grpc::ClientContext ctx;
    if (!bearer_token.empty()) ctx.AddMetadata("authorization", "Bearer " + bearer_token);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    v1::GetCaseRequest r;
    r.set_case_number("GP26-0000001-4");
    v1::Case c;
    return stub->GetCase(&ctx, r, &c).error_code();
  }

  testing::TestDir dir_;
  testing::RedisServer redis_server_;
  testing::Broker broker_;
  std::unique_ptr<testing::ServiceProcess> intake_;
};

TEST_F(TlsTest, OnlyClientsWithACertificateFromTheCaGetIn) {
  // The certificate names a platform_service, which may report but not look cases up.
  EXPECT_EQ(GetCaseWith(*ClientCredentials(Files("pki"))), grpc::StatusCode::PERMISSION_DENIED)
      << "the call reached intake, which knew the caller by its certificate";
  EXPECT_EQ(GetCaseWith(*ClientCredentials(Files("pki")), "dev-ward-token"), grpc::StatusCode::NOT_FOUND)
      << "a ward war room's token over the same connection may";
  EXPECT_EQ(GetCaseWith(*ClientCredentials(Files("pki")), "a-guessed-token"), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetCaseWith(grpc::InsecureChannelCredentials()), grpc::StatusCode::UNAVAILABLE);
  grpc::SslCredentialsOptions no_client_cert;
  no_client_cert.pem_root_certs = testing::Process::ReadFile(dir_.File("pki/ca.pem"));
  EXPECT_EQ(GetCaseWith(grpc::SslCredentials(no_client_cert)), grpc::StatusCode::UNAVAILABLE);
  TlsFiles rogue = Files("rogue");
  rogue.ca_file = dir_.File("pki/ca.pem");  // trusts the server, but its own cert is another CA's
  EXPECT_EQ(GetCaseWith(*ClientCredentials(rogue)), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, HouseholdRaisesCasesInIntakeOverMutualTls) {
  testing::ServiceProcess household(
      "household", dir_.path(), redis_server_.port(), broker_.bootstrap(),
      {{"WARROOM_INTAKE_TARGET", intake_->target()},
       {"WARROOM_INTAKE_TLS_CERT_FILE", dir_.File("pki/service.pem")},
       {"WARROOM_INTAKE_TLS_KEY_FILE", dir_.File("pki/service.key")},
       {"WARROOM_INTAKE_TLS_CA_FILE", dir_.File("pki/ca.pem")}});
  auto stub = v1::HouseholdService::NewStub(grpc::CreateChannel(household.target(), grpc::InsecureChannelCredentials()));
  v1::RegisterHouseholdRequest r;
  r.set_client_request_id("h1");
  r.set_ward_code("79800001");
  r.set_dwelling(v1::DWELLING_TYPE_FORMAL);
  r.mutable_ages()->set_adults_18_59(1);
  v1::Household h;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub->RegisterHousehold(&ctx, r, &h).ok());
  }
  v1::RecordVisitRequest v;
  v.set_visit_id("v1");
  v.set_household_id(h.household_id());
  v.set_cdw_id("cdw-1");
  v.mutable_observed()->set_water_source(v1::WATER_SOURCE_PIPED_IN_YARD);
  v.mutable_observed()->set_sanitation(v1::SANITATION_TYPE_FLUSH_SEWER);
  v.mutable_observed()->set_electricity(v1::ELECTRICITY_SOURCE_GRID);
  v.mutable_observed()->set_road_access(v1::ROAD_ACCESS_ALL_WEATHER);
  v.mutable_observed()->set_refuse_collections_per_month(4);
  v.add_needs()->set_kind(v1::NEED_KIND_FOOD);
  grpc::ClientContext ctx;
  v1::Visit out;
  ASSERT_TRUE(stub->RecordVisit(&ctx, v, &out).ok());
  ASSERT_EQ(out.needs_size(), 1);
  EXPECT_FALSE(out.needs(0).case_number().empty()) << "raised in intake over mutual TLS";
}

}  // namespace
}  // namespace warroom
