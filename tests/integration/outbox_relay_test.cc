// The outbox promise end to end: events committed to Redis reach a consumer in another process
// through the embedded broker, with the relay and the consumer killed (-9) half-way; every event
// is applied exactly once and none is missing.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "testing/process.h"
#include "warroom/common/outbox.h"
#include "warroom/common/redis.h"

namespace warroom {
namespace {

using testing::BinaryPath;
using testing::Process;
using testing::WaitFor;

class OutboxRelayTest : public ::testing::Test {
 protected:
  OutboxRelayTest() : redis_server_(dir_.path()), broker_(dir_.path()), redis_(Config()) {}

  RedisConfig Config() {
    RedisConfig c;
    c.port = redis_server_.port();
    return c;
  }
  std::vector<std::string> Probe(const std::string& command, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {BinaryPath("tools/outbox-probe/warroom-outbox-probe"), command,
                                     "--redis-port", std::to_string(redis_server_.port())};
    if (command != "write") {
      argv.push_back("--bootstrap");
      argv.push_back(broker_.bootstrap());
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
  std::unique_ptr<Process> Start(const std::string& command, std::vector<std::string> extra = {}) {
    return std::make_unique<Process>(Probe(command, std::move(extra)),
                                     dir_.File(command + ".log"));
  }
  int64_t Integer(const RedisArgs& args) {
    auto r = redis_.Command(args);
    if (!r.ok()) return -1;
    return r->type == RedisReply::Type::kString ? std::stoll(r->str) : r->integer;
  }
  int64_t Applied() { return Integer({"HLEN", "probe:applied"}); }
  int64_t OutboxDepth() {
    int64_t total = 0;
    for (int shard = 0; shard < 4; ++shard) {
      total += Integer({"XLEN", "probe:outbox:{" + std::to_string(shard) + "}"});
    }
    return total;
  }
  int Write(int count, int start, int per_commit = 1) {
    Process writer(Probe("write", {"--count", std::to_string(count), "--start", std::to_string(start),
                                   "--per-commit", std::to_string(per_commit)}),
                   dir_.File("write.log"));
    return writer.Wait(std::chrono::seconds(120));
  }

  testing::TestDir dir_;
  testing::RedisServer redis_server_;
  testing::Broker broker_;
  RedisClient redis_;
};

// Commits of three events each: a commit's events share one outbox entry, which leaves the
// stream only once all three are delivered.
TEST_F(OutboxRelayTest, EveryEventIsAppliedExactlyOnceAcrossKillNine) {
  constexpr int kEvents = 10000;
  ASSERT_EQ(Write(kEvents, 0, 3), 0);
  ASSERT_EQ(OutboxDepth(), (kEvents + 2) / 3);

  auto consumer = Start("consume");
  auto relay = Start("relay");
  ASSERT_TRUE(WaitFor([&] { return Applied() >= kEvents / 4; }, std::chrono::seconds(60)));
  relay->Kill9();
  consumer->Kill9();
  int64_t at_kill = Applied();
  EXPECT_LT(at_kill, kEvents) << "the kill must land half-way to prove anything";

  consumer = Start("consume");
  relay = Start("relay");
  ASSERT_TRUE(WaitFor([&] { return Applied() == kEvents; }, std::chrono::seconds(90)))
      << "applied " << Applied() << " of " << kEvents;
  EXPECT_TRUE(WaitFor([&] { return OutboxDepth() == 0; }, std::chrono::seconds(30)))
      << "outbox still holds " << OutboxDepth();

  // Every written event id was applied exactly once.
  auto written = redis_.Command({"HKEYS", "probe:written"});
  ASSERT_TRUE(written.ok());
  ASSERT_EQ(written->elements.size(), static_cast<size_t>(kEvents));
  auto counts = redis_.Command({"HGETALL", "probe:applied"});
  ASSERT_EQ(counts->elements.size(), static_cast<size_t>(2 * kEvents));
  for (size_t i = 1; i < counts->elements.size(); i += 2) {
    ASSERT_EQ(counts->elements[i].str, "1") << "event " << counts->elements[i - 1].str;
  }
  for (const auto& id : written->elements) {
    ASSERT_EQ(Integer({"HEXISTS", "probe:applied", id.str}), 1) << "missing " << id.str;
  }
  EXPECT_EQ(relay->Terminate(), 0);
  EXPECT_EQ(consumer->Terminate(), 0);
}

TEST_F(OutboxRelayTest, BrokerOutageKeepsEventsAndReadinessSaysSo) {
  int admin = testing::FreePort();
  auto consumer = Start("consume");
  auto relay = Start("relay", {"--admin-port", std::to_string(admin)});
  ASSERT_TRUE(WaitFor([&] { return testing::HttpGet(admin, "/readyz").first == 200; }));

  broker_.process().Signal(SIGUSR1);  // every broker down
  ASSERT_EQ(Write(500, 0), 0);
  EXPECT_GT(OutboxDepth(), 0) << "events wait in the outbox while the broker is away";
  // Still in service (writes keep committing), and /readyz names the broker and the backlog.
  std::pair<int, std::string> ready;
  ASSERT_TRUE(WaitFor([&] {
    ready = testing::HttpGet(admin, "/readyz");
    return ready.second.find("kafka: degraded") != std::string::npos;
  }, std::chrono::seconds(30))) << ready.second;
  EXPECT_EQ(ready.first, 200) << ready.second;
  EXPECT_NE(ready.second.find("ready, degraded"), std::string::npos) << ready.second;
  EXPECT_NE(ready.second.find(" outbox entries wait for Kafka"), std::string::npos) << ready.second;

  broker_.process().Signal(SIGUSR2);  // back
  ASSERT_TRUE(WaitFor([&] { return Applied() == 500; }, std::chrono::seconds(60)))
      << "applied " << Applied();
  EXPECT_TRUE(WaitFor([&] { return OutboxDepth() == 0; }));
  EXPECT_TRUE(WaitFor([&] { return testing::HttpGet(admin, "/readyz").second == "ready\nredis: ok\nkafka: ok\n"; }))
      << testing::HttpGet(admin, "/readyz").second;
  auto metrics = testing::HttpGet(admin, "/metrics").second;
  EXPECT_NE(metrics.find("warroom_probe_outbox_events_total{result=\"delivered\"} 500"),
            std::string::npos)
      << metrics;
}

// A backlog of entries that hold several events each (commits made together, as intake's are)
// drains in one go: the relay reads on while its reads come back with all they asked for, not
// once per idle poll. The poll here is an hour, so only reading on can drain it. (The relay used
// to read on only when a read held a whole batch of entries, which entries of ten never do.)
TEST_F(OutboxRelayTest, ABacklogOfManyEventEntriesDrainsWithoutWaitingForThePoll) {
  constexpr int kCommits = 400;
  constexpr int kEventsEach = 10;
  ASSERT_EQ(Write(kCommits * kEventsEach, 0, kEventsEach), 0);  // one entry a commit
  OutboxStore store(redis_, "probe");

  KafkaConfig kafka;
  kafka.bootstrap_servers = broker_.bootstrap();
  kafka.client_id = "backlog-relay";
  RelayOptions options;
  options.instance_id = "backlog-relay";
  options.batch = 50;  // so that the backlog is many reads
  options.idle_wait = std::chrono::hours(1);
  auto relay = OutboxRelay::Create(redis_, store, kafka, options, nullptr);
  ASSERT_TRUE(relay.ok()) << relay.status().ToString();
  std::jthread loop([&](std::stop_token stop) {
    std::stop_callback wake(stop, [&] { (*relay)->Notify(); });  // so that it stops at once
    (*relay)->Run(stop);
  });
  EXPECT_TRUE(WaitFor([&] { return (*relay)->published() == kCommits * kEventsEach; }, std::chrono::seconds(60)))
      << (*relay)->published() << " of " << kCommits * kEventsEach << " delivered";
}

}  // namespace
}  // namespace warroom
