#include "warroom/common/authz.h"

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "warroom/common/data_file.h"
#include "testing/our_services.h"
#include "warroom/common/digest.h"

namespace warroom {
namespace {

const std::string kPolicyFile = std::string(WARROOM_SOURCE_DIR) + "/data/security/rpc-policy.yaml";
const std::string kCallersFile = std::string(WARROOM_SOURCE_DIR) + "/data/security/callers.dev.yaml";

// Diagnostics and the six binaries' APIs.
std::vector<const google::protobuf::ServiceDescriptor*> OurServices() {
  auto services = testing::ApiServices();
  services.push_back(testing::DiagnosticsService());
  return services;
}

TEST(AuthzTest, TheShippedPolicyNamesOnlyRealRpcsAndGrantsEveryRpcToSomeRole) {
  auto policy = ParseYaml(*ReadTextFile(kPolicyFile), kPolicyFile);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  ASSERT_EQ(OurServices().size(), 7u);
  for (const auto& role : (*policy)["roles"]) {
    for (const auto& service : role.second) {
      std::string name = service.first.as<std::string>();
      const auto* descriptor = pool->FindServiceByName("warroom.v1." + name);
      ASSERT_NE(descriptor, nullptr) << role.first.as<std::string>() << ": no service " << name;
      for (const auto& method : service.second) {
        std::string m = method.as<std::string>();
        if (m != "*") {
          EXPECT_NE(descriptor->FindMethodByName(m), nullptr) << name << "/" << m;
        }
      }
    }
  }
  auto authz = Authorizer::Load(kPolicyFile, kCallersFile);
  ASSERT_TRUE(authz.ok()) << authz.status().ToString();
  for (const auto* service : OurServices()) {
    for (int i = 0; i < service->method_count(); ++i) {
      bool granted = false;
      for (const auto& role : authz->roles()) granted |= authz->Allows(role, service->name(), service->method(i)->name());
      EXPECT_TRUE(granted) << service->name() << "/" << service->method(i)->name() << " is granted to no role";
    }
  }
  for (const char* role : {"resident_channel", "ward_war_room", "municipality", "province", "misa",
                           "reporting_only", "metro_system"}) {
    EXPECT_TRUE(authz->Allows(role, "Diagnostics", "Echo")) << role << " is a role of the policy";
  }
}

TEST(AuthzTest, RolesGetWhatThePolicySaysAndNothingMore) {
  auto authz = Authorizer::Load(kPolicyFile, kCallersFile);
  ASSERT_TRUE(authz.ok()) << authz.status().ToString();
  EXPECT_TRUE(authz->Allows("province", "ReportingService", "Rebuild")) << "a \"*\" grant";
  EXPECT_FALSE(authz->Allows("reporting_only", "ReportingService", "Rebuild"));
  EXPECT_TRUE(authz->Allows("metro_system", "IntakeService", "ImportCases"));
  EXPECT_FALSE(authz->Allows("metro_system", "IntakeService", "TransitionCase"));
  EXPECT_FALSE(authz->Allows("resident_channel", "IntakeService", "ListCases"));
  EXPECT_FALSE(authz->Allows("misa", "HouseholdService", "GetHousehold"));
  EXPECT_FALSE(authz->Allows("no_such_role", "Diagnostics", "Echo"));
  EXPECT_FALSE(authz->Allows("province", "Unknown", "Echo"));
}

TEST(AuthzTest, CallersAreKnownByTheirTokenOrTheirCertificate) {
  auto authz = Authorizer::Load(kPolicyFile, kCallersFile);
  ASSERT_TRUE(authz.ok());
  auto metro = authz->Identify("dev-jhb-sap-token", {});
  ASSERT_TRUE(metro.ok()) << metro.status().ToString();
  EXPECT_EQ(metro->id, "dev-jhb-sap");
  EXPECT_EQ(metro->role, "metro_system");
  EXPECT_TRUE(metro->scoped());
  EXPECT_TRUE(metro->MayUseSource("JHB-SAP"));
  EXPECT_FALSE(metro->MayUseSource("TSH-METRO"));
  EXPECT_FALSE(metro->MayUseSource("")) << "a case reported through a channel is no metro's";

  auto service = authz->Identify(std::nullopt, {"localhost", "warroom-service"});
  ASSERT_TRUE(service.ok());
  EXPECT_EQ(service->role, "platform_service");
  EXPECT_FALSE(service->scoped());

  EXPECT_EQ(authz->Identify("a-guess", {}).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(authz->Identify(std::nullopt, {"someone-else"}).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(authz->Identify(std::nullopt, {}).status().code(), StatusCode::kUnauthenticated);
  // A token outranks the certificate: a gateway with a service certificate speaks for its user.
  EXPECT_EQ(authz->Identify("dev-ward-token", {"warroom-service"})->role, "ward_war_room");
}

TEST(AuthzTest, BadFilesAreRefusedWithTheirLine) {
  const std::string policy = "roles:\n  province:\n    IntakeService: [\"*\"]\n";
  auto unknown_role = Authorizer::FromYaml(policy, "callers:\n  - id: x\n    role: warden\n    certificate: x\n");
  EXPECT_EQ(unknown_role.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown_role.status().message().find("callers:2:"), std::string::npos) << unknown_role.status().message();
  EXPECT_NE(unknown_role.status().message().find("'warden' is not in the policy"), std::string::npos);

  auto bad_hash = Authorizer::FromYaml(policy, "callers:\n  - id: x\n    role: province\n    token_sha256: abc\n");
  EXPECT_NE(bad_hash.status().message().find("64 lower-case hex"), std::string::npos) << bad_hash.status().message();

  auto twice = Authorizer::FromYaml(policy,
                                    "callers:\n  - {id: a, role: province, certificate: c}\n"
                                    "  - {id: b, role: province, certificate: c}\n");
  EXPECT_NE(twice.status().message().find("already another caller's"), std::string::npos);

  auto no_identity = Authorizer::FromYaml(policy, "callers:\n  - {id: a, role: province}\n");
  EXPECT_NE(no_identity.status().message().find("needs a certificate name or a token_sha256"), std::string::npos);

  auto bad_method = Authorizer::FromYaml("roles:\n  p:\n    IntakeService: [Get-Case]\n", "callers: []\n");
  EXPECT_NE(bad_method.status().message().find("'Get-Case' is not a method name"), std::string::npos)
      << bad_method.status().message();

  auto named = Authorizer::Load("/nonexistent/policy.yaml", kCallersFile);
  EXPECT_EQ(named.status().code(), StatusCode::kNotFound);

  // Loaded from files, an error names the file and line.
  std::string bad = (std::filesystem::temp_directory_path() / "warroom-authz-test-callers.yaml").string();
  std::ofstream(bad) << "callers:\n  - {id: a, role: warden, certificate: c}\n";
  auto from_file = Authorizer::Load(kPolicyFile, bad);
  std::filesystem::remove(bad);
  EXPECT_EQ(from_file.status().message().rfind(bad + ":2:", 0), 0u) << from_file.status().message();
}

TEST(AuthzTest, TokenHashesAreSha256HexAndNoFilesMeansOff) {
  EXPECT_FALSE(Authorizer().enabled());
  EXPECT_TRUE(Authorizer::FromYaml("roles: {}\n", "callers: []\n")->enabled());
  EXPECT_EQ(Sha256Hex("dev-province-token"),
            "c87a94f5d67570b1b1841edc39f9c8cc2724f78047b6a1f31e2f86444ca415a0");
}

}  // namespace
}  // namespace warroom
