// Config files as operators edit them: whatever the text, loading the server, Redis and Kafka
// settings either succeeds or throws ConfigError naming the key; nothing else escapes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "warroom/common/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto no_environment = [](const char*) -> const char* { return nullptr; };
  try {
    auto config = warroom::ConfigReader::FromString(text, no_environment);
    warroom::ServerConfig::Load(config);
    warroom::RedisConfig::Load(config);
    warroom::KafkaConfig::Load(config);
    config.Duration("escalation.sweep_interval", std::chrono::seconds(1));
    config.Double("household.weight", 1.0, 0.0, 10.0);
    config.Bool("reporting.rebuild", false);
  } catch (const warroom::ConfigError&) {
  }
  return 0;
}
