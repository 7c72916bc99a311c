#include "warroom/common/authz.h"

#include <grpcpp/grpcpp.h>

#include <regex>

#include "warroom/common/config.h"
#include "warroom/common/data_file.h"
#include "warroom/common/digest.h"
#include "warroom/common/log.h"

namespace warroom {

namespace {

bool IsIdentifier(std::string_view s) {
  static const std::regex kIdentifier("[A-Za-z][A-Za-z0-9_]*");
  return std::regex_match(s.begin(), s.end(), kIdentifier);
}

Status LoadPolicy(const YAML::Node& root, const std::string& file,
                  std::map<std::string, std::set<std::string>, std::less<>>& grants) {
  const YAML::Node roles = root["roles"];
  if (!roles || !roles.IsMap()) return DataError(file, root, "expected a map 'roles'");
  for (const auto& role : roles) {
    std::string name = role.first.as<std::string>();
    if (!IsIdentifier(name)) return DataError(file, role.first, "'" + name + "' is not a role name");
    auto& granted = grants[name];
    if (!role.second.IsMap()) return DataError(file, role.second, "role '" + name + "' maps services to methods");
    for (const auto& service : role.second) {
      std::string service_name = service.first.as<std::string>();
      if (!IsIdentifier(service_name)) {
        return DataError(file, service.first, "'" + service_name + "' is not a service name");
      }
      if (!service.second.IsSequence()) {
        return DataError(file, service.second, service_name + ": expected a list of methods, or [\"*\"]");
      }
      for (const auto& method : service.second) {
        std::string m = method.as<std::string>();
        if (m != "*" && !IsIdentifier(m)) return DataError(file, method, "'" + m + "' is not a method name");
        granted.insert(service_name + "/" + m);
      }
    }
  }
  return Status::Ok();
}

Status LoadCallers(const YAML::Node& root, const std::string& file,
                   const std::map<std::string, std::set<std::string>, std::less<>>& grants,
                   std::unordered_map<std::string, Caller>& by_token_hash,
                   std::unordered_map<std::string, Caller>& by_certificate) {
  const YAML::Node callers = root["callers"];
  if (!callers || !callers.IsSequence()) return DataError(file, root, "expected a list 'callers'");
  static const std::regex kSha256("[0-9a-f]{64}");
  for (const auto& entry : callers) {
    Caller c;
    c.id = entry["id"].as<std::string>("");
    c.role = entry["role"].as<std::string>("");
    c.source_system = entry["source_system"].as<std::string>("");
    c.household_role = entry["household_role"].as<std::string>("");
    if (c.id.empty()) return DataError(file, entry, "a caller needs an id");
    if (!grants.contains(c.role)) {
      return DataError(file, entry, "caller '" + c.id + "': role '" + c.role + "' is not in the policy");
    }
    std::string certificate = entry["certificate"].as<std::string>("");
    std::string token_hash = entry["token_sha256"].as<std::string>("");
    if (certificate.empty() && token_hash.empty()) {
      return DataError(file, entry, "caller '" + c.id + "' needs a certificate name or a token_sha256");
    }
    if (!token_hash.empty()) {
      if (!std::regex_match(token_hash, kSha256)) {
        return DataError(file, entry, "caller '" + c.id + "': token_sha256 is 64 lower-case hex digits");
      }
      if (!by_token_hash.emplace(token_hash, c).second) {
        return DataError(file, entry, "caller '" + c.id + "': this token is already another caller's");
      }
    }
    if (!certificate.empty() && !by_certificate.emplace(certificate, c).second) {
      return DataError(file, entry, "caller '" + c.id + "': certificate '" + certificate + "' is already another caller's");
    }
  }
  return Status::Ok();
}

}  // namespace

Status PermissionDenied() { return PermissionDeniedError("permission denied"); }

StatusOr<Authorizer> Authorizer::FromYaml(const std::string& policy_yaml, const std::string& callers_yaml,
                                          const std::string& policy_name, const std::string& callers_name) {
  auto policy = ParseYaml(policy_yaml, policy_name);
  if (!policy.ok()) return policy.status();
  auto callers = ParseYaml(callers_yaml, callers_name);
  if (!callers.ok()) return callers.status();
  Authorizer a;
  a.enabled_ = true;
  try {
    if (Status s = LoadPolicy(*policy, policy_name, a.grants_); !s.ok()) return s;
    if (Status s = LoadCallers(*callers, callers_name, a.grants_, a.by_token_hash_, a.by_certificate_); !s.ok()) {
      return s;
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string("authorisation files: ") + e.what());
  }
  return a;
}

StatusOr<Authorizer> Authorizer::Load(const std::string& policy_file, const std::string& callers_file) {
  auto policy = ReadTextFile(policy_file);
  if (!policy.ok()) return policy.status();
  auto callers = ReadTextFile(callers_file);
  if (!callers.ok()) return callers.status();
  return FromYaml(*policy, *callers, policy_file, callers_file);
}

Authorizer Authorizer::FromConfig(const ConfigReader& config) {
  std::string policy = config.Path("security.policy_file", "");
  std::string callers = config.Path("security.callers_file", "");
  if (policy.empty() && callers.empty()) {
    log::Warn("authorisation_off").Kv("reason", "security.policy_file and security.callers_file are not set");
    return Authorizer();
  }
  if (policy.empty() || callers.empty()) {
    throw ConfigError(policy.empty() ? "security.policy_file" : "security.callers_file",
                      "set both files, or neither (authorisation off)");
  }
  auto a = Load(policy, callers);
  if (!a.ok()) throw ConfigError("security", a.status().message());
  return std::move(*a);
}

StatusOr<Caller> Authorizer::Identify(std::optional<std::string_view> bearer_token,
                                      const std::vector<std::string>& certificate_names) const {
  if (bearer_token) {
    auto it = by_token_hash_.find(Sha256Hex(*bearer_token));
    if (it == by_token_hash_.end()) return UnauthenticatedError("the bearer token is not known");
    return it->second;
  }
  for (const auto& name : certificate_names) {
    auto it = by_certificate_.find(name);
    if (it != by_certificate_.end()) return it->second;
  }
  if (!certificate_names.empty()) return UnauthenticatedError("the client certificate is not a known caller");
  return UnauthenticatedError("present a client certificate or an 'authorization: Bearer' token");
}

bool Authorizer::Allows(std::string_view role, std::string_view service, std::string_view method) const {
  auto it = grants_.find(role);
  if (it == grants_.end()) return false;
  std::string prefix = std::string(service) + "/";
  return it->second.contains(prefix + std::string(method)) || it->second.contains(prefix + "*");
}

std::vector<std::string> Authorizer::roles() const {
  std::vector<std::string> out;
  for (const auto& [role, _] : grants_) out.push_back(role);
  return out;
}

StatusOr<Caller> Authorizer::Authorize(const grpc::ServerContextBase& context, std::string_view service,
                                       std::string_view method) const {
  if (!enabled_) return Caller{};
  std::optional<std::string_view> token;
  const auto& md = context.client_metadata();
  if (auto it = md.find(kAuthorizationHeader); it != md.end()) {
    std::string_view value(it->second.data(), it->second.size());
    constexpr std::string_view kBearer = "Bearer ";
    if (value.substr(0, kBearer.size()) != kBearer) return UnauthenticatedError("the authorization header is not 'Bearer <token>'");
    token = value.substr(kBearer.size());
  }
  std::vector<std::string> names;
  if (auto auth = context.auth_context(); auth && auth->IsPeerAuthenticated()) {
    for (const char* property : {"x509_common_name", "x509_subject_alternative_name"}) {
      for (const auto& v : auth->FindPropertyValues(property)) names.emplace_back(v.data(), v.size());
    }
  }
  auto caller = Identify(token, names);
  if (!caller.ok()) {
    log::Info("unauthenticated").Kv("service", service).Kv("method", method).Kv("reason", caller.status().message());
    return caller.status();
  }
  if (!Allows(caller->role, service, method)) {
    log::Info("permission_denied").Kv("caller", caller->id).Kv("role", caller->role)
        .Kv("service", service).Kv("method", method);
    return PermissionDenied();
  }
  return caller;
}

}  // namespace warroom
