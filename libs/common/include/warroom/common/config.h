// Typed configuration from a YAML file with WARROOM_* environment overrides. A bad or missing
// value throws ConfigError naming the key; RunMain turns it into one log line and exit code 2.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "warroom/common/status.h"

namespace warroom {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, std::string reason);
  const std::string& key() const { return key_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string key_;
  std::string reason_;
};

// The loaded value, or a ConfigError naming the key (start-up logs one line and exits 2).
template <typename T>
T LoadOrExit(const std::string& key, StatusOr<T> loaded) {
  if (!loaded.ok()) throw ConfigError(key, loaded.status().message());
  return std::move(*loaded);
}

// Reads dotted keys ("redis.port") from YAML; the environment variable WARROOM_REDIS_PORT, when
// set, wins over the file.
class ConfigReader {
 public:
  using Getenv = std::function<const char*(const char*)>;

  static ConfigReader FromFile(const std::string& path, Getenv getenv = DefaultGetenv());
  static ConfigReader FromString(const std::string& yaml, Getenv getenv = DefaultGetenv());
  // No file at all: every value comes from the environment or its default.
  static ConfigReader Empty(Getenv getenv = DefaultGetenv());

  std::string String(const std::string& key, std::optional<std::string> fallback = {}) const;
  int64_t Int(const std::string& key, std::optional<int64_t> fallback, int64_t min,
              int64_t max) const;
  bool Bool(const std::string& key, std::optional<bool> fallback = {}) const;
  double Double(const std::string& key, std::optional<double> fallback, double min,
                double max) const;
  // "250ms", "30s", "5m", "2h", "7d"; plain numbers are rejected to avoid unit mistakes.
  std::chrono::milliseconds Duration(const std::string& key,
                                     std::optional<std::chrono::milliseconds> fallback = {}) const;
  // A path relative to the config file's folder is resolved against it.
  std::string Path(const std::string& key, std::optional<std::string> fallback = {}) const;

  static std::string EnvName(const std::string& key);
  static Getenv DefaultGetenv();

 private:
  ConfigReader(YAML::Node root, std::string base_dir, Getenv getenv);
  // The raw text of a key: environment first, then the file. Empty optional when absent.
  std::optional<std::string> Raw(const std::string& key) const;

  YAML::Node root_;
  std::string base_dir_;
  Getenv getenv_;
};

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Shared pieces of every service's config.
struct RedisConfig {
  std::string host = "127.0.0.1";
  int port = 6379;
  int pool_size = 4;
  std::chrono::milliseconds timeout{2000};
  static RedisConfig Load(const ConfigReader& config, const std::string& prefix = "redis");
};

struct KafkaConfig {
  std::string bootstrap_servers;
  std::string client_id;
  int fetch_wait_max_ms = 10;
  // 0 keeps undelivered messages in the producer until the broker is back (never times out).
  int message_timeout_ms = 0;
  static KafkaConfig Load(const ConfigReader& config, const std::string& prefix = "kafka");
};

// Certificate files for mutual TLS (PEM). Empty cert_file: plaintext (development only).
struct TlsFiles {
  std::string cert_file, key_file, ca_file;
  bool enabled() const { return !cert_file.empty(); }
  // `<prefix>.cert_file`, `.key_file`, `.ca_file`; all three or none, else ConfigError.
  static TlsFiles Load(const ConfigReader& config, const std::string& prefix);
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  int grpc_port = 0;   // 0: any free port, reported at start
  int admin_port = 0;  // /metrics, /healthz, /readyz
  TlsFiles tls;        // server.tls.*: the gRPC port requires and verifies client certificates
  static ServerConfig Load(const ConfigReader& config, const std::string& prefix = "server");
};

// What every binary does before anything else (RunMain does it): turns off abseil's lock-order
// deadlock detection. Debian's abseil is built without NDEBUG, so it is on, and every absl::Mutex
// that gRPC takes while holding another pays for it (about 65 ns a nested lock; a few per cent
// of intake's CPU under load). Our own code does not use absl::Mutex.
void PrepareProcess();

// Runs a binary's main body after PrepareProcess: ConfigError becomes one line "config error: key
// ...: reason" on stderr and exit code 2; any other escaping exception is logged and exits 1.
int RunMain(const std::string& program, const std::function<int()>& body);

}  // namespace warroom
