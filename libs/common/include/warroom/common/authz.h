// Who is calling, and may they call this RPC. A caller is identified by a bearer token
// (`authorization: Bearer <token>`, matched by its SHA-256 against the callers file) or by the
// name in its client certificate (common name or a DNS subject alternative name, under mutual
// TLS). The policy file says which role may call which RPC; the callers file says who has which
// role, and for a metro system which source system it speaks for. Denials carry no detail: the
// caller learns "permission denied", the log learns why.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "warroom/common/status.h"

namespace grpc {
class ServerContextBase;
}

namespace warroom {

class ConfigReader;

struct Caller {
  std::string id;              // the caller's system name (never a person's name)
  std::string role;            // a role of the policy file
  std::string source_system;   // metro systems: the only source whose cases it sees and imports
  std::string household_role;  // the access-roles.yaml role for household personal information

  // A metro system: sees and imports only cases of its own source system.
  bool scoped() const { return !source_system.empty(); }
  bool MayUseSource(std::string_view source) const { return !scoped() || source == source_system; }
};

class Authorizer {
 public:
  // Authorisation off: every call is allowed and its caller is unscoped (development without a
  // policy; a service logs a warning when it runs so).
  Authorizer() = default;

  // Reads the policy and callers files; INVALID_ARGUMENT "file:line: why" for an unknown role,
  // service or method, a malformed token hash, or an identity given twice.
  static StatusOr<Authorizer> Load(const std::string& policy_file, const std::string& callers_file);
  // The same from text; errors name the texts policy_name and callers_name.
  static StatusOr<Authorizer> FromYaml(const std::string& policy_yaml, const std::string& callers_yaml,
                                       const std::string& policy_name = "policy",
                                       const std::string& callers_name = "callers");
  // security.policy_file and security.callers_file; both empty means off. Throws ConfigError.
  static Authorizer FromConfig(const ConfigReader& config);

  bool enabled() const { return enabled_; }

  // The caller of this call, if it may call service/method ("IntakeService", "GetCase");
  // UNAUTHENTICATED when no identity is presented or a token is unknown, PERMISSION_DENIED when
  // its role may not.
  StatusOr<Caller> Authorize(const grpc::ServerContextBase& context, std::string_view service,
                             std::string_view method) const;

  // The pieces of Authorize, for tests and tools: identity from a bearer token or certificate
  // names, then the role's permission.
  StatusOr<Caller> Identify(std::optional<std::string_view> bearer_token,
                            const std::vector<std::string>& certificate_names) const;
  bool Allows(std::string_view role, std::string_view service, std::string_view method) const;
  std::vector<std::string> roles() const;

 private:
  bool enabled_ = false;
  // role -> "Service/Method" or "Service/*"
  std::map<std::string, std::set<std::string>, std::less<>> grants_;
  std::unordered_map<std::string, Caller> by_token_hash_;
  std::unordered_map<std::string, Caller> by_certificate_;
};

// One service's door: Authorize(context, __func__) at the top of each handler checks the caller
// against the policy for "<service>/<method>".
class ServiceGuard {
 public:
  ServiceGuard(const Authorizer& authorizer, std::string service)
      : authorizer_(authorizer), service_(std::move(service)) {}
  StatusOr<Caller> Authorize(const grpc::ServerContextBase& context, std::string_view method) const {
    return authorizer_.Authorize(context, service_, method);
  }

 private:
  const Authorizer& authorizer_;
  std::string service_;
};

// Metadata a client sends to be identified by a bearer token.
inline constexpr char kAuthorizationHeader[] = "authorization";

// The denial every service returns for a call outside the caller's scope (another metro's case):
// the same words as a policy denial, so the caller learns nothing about the case.
Status PermissionDenied();

}  // namespace warroom
