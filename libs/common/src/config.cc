#include "warroom/common/config.h"

#include <absl/synchronization/mutex.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace warroom {

ConfigError::ConfigError(std::string key, std::string reason)
    : std::runtime_error("key " + key + ": " + reason),
      key_(std::move(key)),
      reason_(std::move(reason)) {}

ConfigReader::ConfigReader(YAML::Node root, std::string base_dir, Getenv getenv)
    : root_(std::move(root)), base_dir_(std::move(base_dir)), getenv_(std::move(getenv)) {}

ConfigReader::Getenv ConfigReader::DefaultGetenv() {
  return [](const char* name) -> const char* { return std::getenv(name); };
}

ConfigReader ConfigReader::FromFile(const std::string& path, Getenv getenv) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError("(file)", "cannot read config file " + path);
  } catch (const YAML::Exception& e) {
    throw ConfigError("(file)", path + " is not valid YAML: " + e.what());
  }
  auto dir = std::filesystem::absolute(path).parent_path().string();
  return ConfigReader(root, dir, std::move(getenv));
}

ConfigReader ConfigReader::FromString(const std::string& yaml, Getenv getenv) {
  try {
    return ConfigReader(YAML::Load(yaml), std::filesystem::current_path().string(),
                        std::move(getenv));
  } catch (const YAML::Exception& e) {
    throw ConfigError("(file)", std::string("not valid YAML: ") + e.what());
  }
}

ConfigReader ConfigReader::Empty(Getenv getenv) {
  return ConfigReader(YAML::Node(), std::filesystem::current_path().string(), std::move(getenv));
}

std::string ConfigReader::EnvName(const std::string& key) {
  std::string name = "WARROOM_";
  for (char c : key) {
    name.push_back(c == '.' || c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  }
  return name;
}

std::optional<std::string> ConfigReader::Raw(const std::string& key) const {
  if (const char* env = getenv_(EnvName(key).c_str()); env != nullptr) return std::string(env);
  if (!root_ || !root_.IsMap()) return std::nullopt;
  YAML::Node node = YAML::Clone(root_);
  size_t start = 0;
  while (true) {
    size_t dot = key.find('.', start);
    std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!node.IsMap()) return std::nullopt;
    node = node[part];
    if (!node) return std::nullopt;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (!node.IsScalar()) throw ConfigError(key, "must be a single value");
  return node.Scalar();
}

std::string ConfigReader::String(const std::string& key, std::optional<std::string> fallback) const {
  auto raw = Raw(key);
  if (raw) return *raw;
  if (fallback) return *fallback;
  throw ConfigError(key, "is required (set it in the file or " + EnvName(key) + ")");
}

int64_t ConfigReader::Int(const std::string& key, std::optional<int64_t> fallback, int64_t min,
                          int64_t max) const {
  auto raw = Raw(key);
  if (!raw) {
    if (fallback) return *fallback;
    throw ConfigError(key, "is required (set it in the file or " + EnvName(key) + ")");
  }
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(*raw, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != raw->size()) {
    throw ConfigError(key, "'" + *raw + "' is not a whole number");
  }
  if (value < min || value > max) {
    throw ConfigError(key, std::to_string(value) + " is outside " + std::to_string(min) + ".." +
                               std::to_string(max));
  }
  return value;
}

bool ConfigReader::Bool(const std::string& key, std::optional<bool> fallback) const {
  auto raw = Raw(key);
  if (!raw) {
    if (fallback) return *fallback;
    throw ConfigError(key, "is required (set it in the file or " + EnvName(key) + ")");
  }
  if (*raw == "true" || *raw == "1" || *raw == "yes") return true;
  if (*raw == "false" || *raw == "0" || *raw == "no") return false;
  throw ConfigError(key, "'" + *raw + "' is not true or false");
}

double ConfigReader::Double(const std::string& key, std::optional<double> fallback, double min,
                            double max) const {
  auto raw = Raw(key);
  if (!raw) {
    if (fallback) return *fallback;
    throw ConfigError(key, "is required (set it in the file or " + EnvName(key) + ")");
  }
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(*raw, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != raw->size()) throw ConfigError(key, "'" + *raw + "' is not a number");
  if (value < min || value > max) {
    throw ConfigError(key, *raw + " is outside " + std::to_string(min) + ".." + std::to_string(max));
  }
  return value;
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  int64_t n = std::stoll(std::string(text.substr(0, digits)));
  std::string_view unit = text.substr(digits);
  if (unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "s") return std::chrono::seconds(n);
  if (unit == "m") return std::chrono::minutes(n);
  if (unit == "h") return std::chrono::hours(n);
  if (unit == "d") return std::chrono::hours(24 * n);
  return std::nullopt;
}

std::chrono::milliseconds ConfigReader::Duration(
    const std::string& key, std::optional<std::chrono::milliseconds> fallback) const {
  auto raw = Raw(key);
  if (!raw) {
    if (fallback) return *fallback;
    throw ConfigError(key, "is required (set it in the file or " + EnvName(key) + ")");
  }
  auto parsed = ParseDuration(*raw);
  if (!parsed) throw ConfigError(key, "'" + *raw + "' is not a duration like 250ms, 30s, 5m, 2h");
  return *parsed;
}

std::string ConfigReader::Path(const std::string& key, std::optional<std::string> fallback) const {
  std::string path = String(key, std::move(fallback));
  if (path.empty() || path.front() == '/') return path;
  return (std::filesystem::path(base_dir_) / path).lexically_normal().string();
}

RedisConfig RedisConfig::Load(const ConfigReader& c, const std::string& p) {
  RedisConfig r;
  r.host = c.String(p + ".host", r.host);
  r.port = static_cast<int>(c.Int(p + ".port", r.port, 1, 65535));
  r.pool_size = static_cast<int>(c.Int(p + ".pool_size", r.pool_size, 1, 256));
  r.timeout = c.Duration(p + ".timeout", r.timeout);
  return r;
}

KafkaConfig KafkaConfig::Load(const ConfigReader& c, const std::string& p) {
  KafkaConfig k;
  k.bootstrap_servers = c.String(p + ".bootstrap_servers");
  if (k.bootstrap_servers.empty()) throw ConfigError(p + ".bootstrap_servers", "must not be empty");
  k.client_id = c.String(p + ".client_id", "warroom");
  k.fetch_wait_max_ms = static_cast<int>(c.Int(p + ".fetch_wait_max_ms", 10, 1, 5000));
  k.message_timeout_ms =
      static_cast<int>(c.Int(p + ".message_timeout_ms", 0, 0, 24 * 3600 * 1000));
  return k;
}

ServerConfig ServerConfig::Load(const ConfigReader& c, const std::string& p) {
  ServerConfig s;
  s.host = c.String(p + ".host", s.host);
  s.grpc_port = static_cast<int>(c.Int(p + ".grpc_port", s.grpc_port, 0, 65535));
  s.admin_port = static_cast<int>(c.Int(p + ".admin_port", s.admin_port, 0, 65535));
  s.tls = TlsFiles::Load(c, p + ".tls");
  return s;
}

TlsFiles TlsFiles::Load(const ConfigReader& c, const std::string& p) {
  TlsFiles t;
  t.cert_file = c.Path(p + ".cert_file", "");
  t.key_file = c.Path(p + ".key_file", "");
  t.ca_file = c.Path(p + ".ca_file", "");
  bool any = !t.cert_file.empty() || !t.key_file.empty() || !t.ca_file.empty();
  bool all = !t.cert_file.empty() && !t.key_file.empty() && !t.ca_file.empty();
  if (any && !all) throw ConfigError(p, "give cert_file, key_file and ca_file together (mutual TLS)");
  return t;
}

void PrepareProcess() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

int RunMain(const std::string& program, const std::function<int()>& body) {
  PrepareProcess();
  try {
    return body();
  } catch (const ConfigError& e) {
    std::cerr << program << ": config error: " << e.what() << std::endl;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << program << ": fatal: " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace warroom
