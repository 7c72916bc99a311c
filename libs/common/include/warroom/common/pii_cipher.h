// Personal information at rest: AES-256-GCM with keys from the environment (WARROOM_PII_KEYS,
// "id:64-hex[,id:64-hex...]"; the first key seals, every key opens, so keys rotate without a
// migration window). A sealed value names its key id; a value written without any key is marked
// plain and still readable, so a key can be introduced on a running system.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "warroom/common/config.h"
#include "warroom/common/status.h"

namespace warroom {

class PiiCipher {
 public:
  // No keys: values are stored plain (development only; the service warns at start).
  PiiCipher() = default;
  // INVALID_ARGUMENT naming the problem (never the key) for a malformed key list.
  static StatusOr<PiiCipher> FromKeyList(std::string_view keys);

  bool enabled() const { return !current_.empty(); }
  const std::string& current_key_id() const { return current_; }
  std::string Seal(std::string_view plaintext) const;
  // DATA_LOSS when the value was tampered with or sealed with a key no longer configured.
  StatusOr<std::string> Open(std::string_view sealed) const;

 private:
  std::string current_;
  std::map<std::string, std::string, std::less<>> keys_;  // id -> 32 raw bytes
};

// The keys from `pii.keys` (WARROOM_PII_KEYS); a ConfigError for a malformed list, a warning at
// start when there are none.
PiiCipher PiiCipherFromConfig(const ConfigReader& config);

}  // namespace warroom
