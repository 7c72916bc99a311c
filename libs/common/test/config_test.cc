#include "warroom/common/config.h"

#include <gtest/gtest.h>

#include <map>

namespace warroom {
namespace {

ConfigReader::Getenv Env(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

TEST(ConfigTest, ReadsNestedKeysFromYaml) {
  auto c = ConfigReader::FromString("redis:\n  host: 10.0.0.1\n  port: 6380\n", Env({}));
  EXPECT_EQ(c.String("redis.host"), "10.0.0.1");
  EXPECT_EQ(c.Int("redis.port", {}, 1, 65535), 6380);
}

TEST(ConfigTest, EnvironmentOverridesTheFile) {
  auto c = ConfigReader::FromString("redis:\n  port: 6380\n", Env({{"WARROOM_REDIS_PORT", "7000"}}));
  EXPECT_EQ(c.Int("redis.port", {}, 1, 65535), 7000);
}

TEST(ConfigTest, MissingRequiredKeyNamesKeyAndVariable) {
  auto c = ConfigReader::FromString("{}", Env({}));
  try {
    c.String("kafka.bootstrap_servers");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "kafka.bootstrap_servers");
    EXPECT_NE(e.reason().find("WARROOM_KAFKA_BOOTSTRAP_SERVERS"), std::string::npos);
  }
}

TEST(ConfigTest, OutOfRangeNumberIsRejectedWithTheRange) {
  auto c = ConfigReader::FromString("redis:\n  port: 70000\n", Env({}));
  try {
    c.Int("redis.port", {}, 1, 65535);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "key redis.port: 70000 is outside 1..65535");
  }
}

TEST(ConfigTest, NonNumberIsRejected) {
  auto c = ConfigReader::FromString("redis:\n  port: six\n", Env({}));
  EXPECT_THROW(c.Int("redis.port", {}, 1, 65535), ConfigError);
}

TEST(ConfigTest, DurationsNeedAUnit) {
  auto c = ConfigReader::FromString("a: 250ms\nb: 5m\nc: 30\n", Env({}));
  EXPECT_EQ(c.Duration("a"), std::chrono::milliseconds(250));
  EXPECT_EQ(c.Duration("b"), std::chrono::minutes(5));
  EXPECT_THROW(c.Duration("c"), ConfigError);
}

TEST(ConfigTest, DefaultsApplyWhenAbsent) {
  auto c = ConfigReader::Empty(Env({}));
  RedisConfig r = RedisConfig::Load(c);
  EXPECT_EQ(r.host, "127.0.0.1");
  EXPECT_EQ(r.port, 6379);
}

TEST(ConfigTest, BadYamlIsAConfigError) {
  EXPECT_THROW(ConfigReader::FromString("a: [1, 2", Env({})), ConfigError);
}

TEST(ConfigTest, MissingFileIsAConfigError) {
  EXPECT_THROW(ConfigReader::FromFile("/nonexistent/warroom.yaml", Env({})), ConfigError);
}

TEST(ConfigTest, RunMainTurnsConfigErrorIntoExitCodeTwo) {
  int code = RunMain("test", [] () -> int { throw ConfigError("redis.port", "bad"); });
  EXPECT_EQ(code, 2);
}

TEST(ConfigTest, RelativePathsResolveAgainstTheConfigFolder) {
  auto c = ConfigReader::FromString("data: ../data/wards.csv\n", Env({}));
  EXPECT_EQ(c.Path("data").front(), '/');
}

}  // namespace
}  // namespace warroom
