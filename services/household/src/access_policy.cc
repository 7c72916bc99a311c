#include "services/household/src/access_policy.h"

#include "warroom/common/data_file.h"

namespace warroom::household {

StatusOr<AccessPolicy> AccessPolicy::Load(const std::string& text, const std::string& file) {
  auto root = ParseYaml(text, file);
  if (!root.ok()) return root.status();
  const YAML::Node& roles = (*root)["roles"];
  if (!roles || !roles.IsMap()) return DataError(file, *root, "roles must map each role to its rights");
  AccessPolicy p;
  for (const auto& kv : roles) {
    const YAML::Node& personal = kv.second["personal_information"];
    if (!personal || !personal.IsScalar()) {
      return DataError(file, kv.second, kv.first.as<std::string>() + ": personal_information (true or false) is missing");
    }
    try {
      p.personal_[kv.first.as<std::string>()] = personal.as<bool>();
    } catch (const YAML::Exception&) {
      return DataError(file, personal, "personal_information must be true or false");
    }
  }
  return p;
}

bool AccessPolicy::MaySeePersonal(const Caller& caller) const {
  auto it = personal_.find(caller.role);
  return it != personal_.end() && it->second && !caller.actor.empty() && !caller.purpose.empty();
}

}  // namespace warroom::household
