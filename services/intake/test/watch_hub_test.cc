// WatchHub against a real redis-server: a watcher gets every change made after it subscribed, in
// its ward only, and the hub leaves the change stream alone while nobody watches.
#include "services/intake/src/watch_hub.h"

#include <gtest/gtest.h>

#include <thread>

#include "services/intake/src/case_store.h"
#include "testing/process.h"

namespace warroom::intake {
namespace {

class WatchHubTest : public ::testing::Test {
 protected:
  WatchHubTest() : server_(dir_.path()), redis_(Config()), hub_redis_(Config()), hub_(hub_redis_) {
    runner_ = std::jthread([this](std::stop_token st) { hub_.Run(st); });
  }
  RedisConfig Config() {
    RedisConfig c;
    c.port = server_.port();
    c.pool_size = 1;
    return c;
  }
  void Change(const std::string& cn, const std::string& ward) {
    ASSERT_TRUE(redis_.Command({"XADD", keys::kChanges, "*", "cn", cn, "w", ward, "m", "JHB", "y", "case_reported"}).ok());
  }
  int64_t Reads() {
    auto stats = redis_.Command({"INFO", "commandstats"});
    auto at = stats->str.find("cmdstat_xread:calls=");
    return at == std::string::npos ? 0 : std::stoll(stats->str.substr(at + 20));
  }

  testing::TestDir dir_;
  testing::RedisServer server_;
  RedisClient redis_;
  RedisClient hub_redis_;
  WatchHub hub_;
  std::jthread runner_;
};

TEST_F(WatchHubTest, AWatcherGetsEveryChangeAfterItSubscribedInItsWard) {
  Change("GP26-0000001-4", "79800001");  // before the watcher: not delivered
  auto sub = hub_.Subscribe("79800001", "");
  Change("GP26-0000002-3", "79800002");  // another ward
  Change("GP26-0000003-2", "79800001");
  CaseChangeRef ref;
  ASSERT_TRUE(sub->Next(ref, std::chrono::seconds(5)));
  EXPECT_EQ(ref.case_number, "GP26-0000003-2");
  EXPECT_EQ(ref.change, "case_reported");
  EXPECT_FALSE(sub->Next(ref, std::chrono::milliseconds(700)));
}

TEST_F(WatchHubTest, NobodyWatchingMeansNoReads) {
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int64_t before = Reads();
  for (int i = 0; i < 20; ++i) Change("GP26-0000001-4", "79800001");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_EQ(Reads(), before);
  {
    auto sub = hub_.Subscribe("79800001", "");
    Change("GP26-0000005-0", "79800001");
    CaseChangeRef ref;
    ASSERT_TRUE(sub->Next(ref, std::chrono::seconds(5)));
    EXPECT_EQ(ref.case_number, "GP26-0000005-0");
  }
  EXPECT_GT(Reads(), before);
}

}  // namespace
}  // namespace warroom::intake
