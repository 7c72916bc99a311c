// Who may read personal information in household profiles: roles from a data file, and the
// caller as the call metadata names it (role, actor, purpose).
#pragma once

#include <map>
#include <string>

#include "warroom/common/status.h"

namespace warroom::household {

struct Caller {
  std::string role;     // x-warroom-role
  std::string actor;    // x-warroom-actor: who, e.g. a staff number (never a name)
  std::string purpose;  // x-warroom-purpose: why the personal fields are read
};

class AccessPolicy {
 public:
  static StatusOr<AccessPolicy> Load(const std::string& text, const std::string& file);
  // Personal fields are shown to a role that may see them, with a named actor and purpose.
  bool MaySeePersonal(const Caller& caller) const;

 private:
  std::map<std::string, bool> personal_;
};

}  // namespace warroom::household
