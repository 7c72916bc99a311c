#include "warroom/common/redis.h"

#include <gtest/gtest.h>

#include <thread>

#include "testing/process.h"

namespace warroom {
namespace {

RedisConfig ConfigFor(int port) {
  RedisConfig c;
  c.port = port;
  c.pool_size = 2;
  c.timeout = std::chrono::milliseconds(500);
  return c;
}

TEST(RedisClientTest, RunsCommandsAndPipelines) {
  testing::TestDir dir;
  testing::RedisServer server(dir.path());
  RedisClient redis(ConfigFor(server.port()));
  ASSERT_TRUE(redis.Command({"SET", "k", "v"}).ok());
  auto got = redis.Command({"GET", "k"});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->str, "v");
  auto replies = redis.Pipeline({{"INCR", "n"}, {"INCR", "n"}, {"GET", "missing"}});
  ASSERT_TRUE(replies.ok());
  EXPECT_EQ((*replies)[1].integer, 2);
  EXPECT_TRUE((*replies)[2].is_nil());
}

// Replies are built straight from the protocol reader: every kind, nested arrays and nils inside
// them, come out as Redis sent them.
TEST(RedisClientTest, EveryReplyShapeIsReadWhole) {
  testing::TestDir dir;
  testing::RedisServer server(dir.path());
  RedisClient redis(ConfigFor(server.port()));
  ASSERT_TRUE(redis.Command({"XADD", "s", "1-1", "a", "1", "b", "2"}).ok());
  ASSERT_TRUE(redis.Command({"XADD", "s", "2-1", "c", "3"}).ok());
  auto r = redis.Pipeline({{"PING"},
                           {"XRANGE", "s", "-", "+"},
                           {"HMGET", "nothing", "x", "y"},
                           {"EVAL", "return {1, {'two', {}}, false, 'four'}", "0"},
                           {"INCR", "s"},
                           {"LRANGE", "empty", "0", "-1"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0].type, RedisReply::Type::kStatus);
  EXPECT_EQ((*r)[0].str, "PONG");
  const RedisReply& xr = (*r)[1];
  ASSERT_EQ(xr.elements.size(), 2u);
  EXPECT_EQ(xr.elements[0].elements[0].str, "1-1");
  ASSERT_EQ(xr.elements[0].elements[1].elements.size(), 4u);
  EXPECT_EQ(xr.elements[0].elements[1].elements[3].str, "2");
  EXPECT_EQ(xr.elements[1].elements[1].elements[1].str, "3");
  ASSERT_EQ((*r)[2].elements.size(), 2u);
  EXPECT_TRUE((*r)[2].elements[0].is_nil() && (*r)[2].elements[1].is_nil());
  const RedisReply& lua = (*r)[3];
  ASSERT_EQ(lua.elements.size(), 4u);
  EXPECT_EQ(lua.elements[0].type, RedisReply::Type::kInteger);
  EXPECT_EQ(lua.elements[0].integer, 1);
  EXPECT_EQ(lua.elements[1].elements[0].str, "two");
  EXPECT_EQ(lua.elements[1].elements[1].type, RedisReply::Type::kArray);
  EXPECT_TRUE(lua.elements[1].elements[1].elements.empty());
  EXPECT_TRUE(lua.elements[2].is_nil());
  EXPECT_EQ(lua.elements[3].str, "four");
  EXPECT_TRUE((*r)[4].is_error());
  EXPECT_NE((*r)[4].str.find("WRONGTYPE"), std::string::npos) << (*r)[4].str;
  EXPECT_EQ((*r)[5].type, RedisReply::Type::kArray);
  EXPECT_TRUE((*r)[5].elements.empty());
}

TEST(RedisClientTest, BinaryValuesSurviveTheRoundTrip) {
  testing::TestDir dir;
  testing::RedisServer server(dir.path());
  RedisClient redis(ConfigFor(server.port()));
  std::string bytes("a\0b\xff", 4);
  ASSERT_TRUE(redis.Command({"SET", "bin", bytes}).ok());
  EXPECT_EQ(redis.Command({"GET", "bin"})->str, bytes);
}

TEST(RedisClientTest, ErrorReplyBecomesInternalWithRedisText) {
  testing::TestDir dir;
  testing::RedisServer server(dir.path());
  RedisClient redis(ConfigFor(server.port()));
  auto r = redis.Command({"NOSUCHCOMMAND"});
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("unknown command"), std::string::npos);
}

TEST(RedisClientTest, ABusyServerIsUnavailableNotAnAnswer) {
  // A read during a restart's LOADING (or a long script's BUSY) must not look like a missing key.
  testing::TestDir dir;
  testing::RedisServer server(dir.path());
  RedisClient redis(ConfigFor(server.port()));
  ASSERT_TRUE(redis.Command({"CONFIG", "SET", "busy-reply-threshold", "100"}).ok());
  RedisConfig slow = ConfigFor(server.port());
  slow.timeout = std::chrono::seconds(5);
  RedisClient busy(slow);
  std::thread script([&] {
    (void)busy.Command({"EVAL",
                        "local t = redis.call('TIME') local s = t[1] + t[2] / 1e6 "
                        "repeat t = redis.call('TIME') until t[1] + t[2] / 1e6 > s + 1.5 return 1",
                        "0"});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto read = redis.Pipeline({{"HGET", "some:case", "pb"}});
  script.join();
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kUnavailable) << read.status().ToString();
}

TEST(RedisClientTest, ScriptsRunBySHAAndReloadAfterFlush) {
  testing::TestDir dir;
  testing::RedisServer server(dir.path());
  RedisClient redis(ConfigFor(server.port()));
  RedisScript script = RedisClient::MakeScript("return ARGV[1] .. KEYS[1]");
  auto first = redis.Eval(script, {"k"}, {"x"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->str, "xk");
  auto sha = redis.Command({"SCRIPT", "LOAD", script.source});
  EXPECT_EQ(sha->str, script.sha);  // our SHA-1 agrees with Redis's
  ASSERT_TRUE(redis.Command({"SCRIPT", "FLUSH"}).ok());
  auto again = redis.Eval(script, {"k"}, {"y"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->str, "yk");
}

// A pipe's flushed commands reach Redis before its replies are read, so Redis works on them
// while the caller goes on; Finish answers every command in order, the scripts reloaded if Redis
// had forgotten them (each run once).
TEST(RedisClientTest, APipeSendsEachFlushAtOnceAndAnswersAllInOrder) {
  testing::TestDir dir;
  testing::RedisServer server(dir.path());
  RedisClient redis(ConfigFor(server.port()));
  RedisScript script = RedisClient::MakeScript("return redis.call('INCR', KEYS[1])");
  ASSERT_TRUE(redis.Command({"SCRIPT", "FLUSH"}).ok());
  auto pipe = redis.OpenPipe();
  pipe.Add({"SET", "first", "1"});
  pipe.AddScript(script, {{"runs"}, {}});
  pipe.Flush();
  // Another connection of the pool sees the flushed command applied, replies still unread.
  ASSERT_TRUE(testing::WaitFor([&] {
    auto seen = redis.Command({"EXISTS", "first"});
    return seen.ok() && seen->integer == 1;
  }));
  pipe.Add({"GET", "first"});
  pipe.AddScript(script, {{"runs"}, {}});
  auto replies = pipe.Finish();
  ASSERT_TRUE(replies.ok()) << replies.status().ToString();
  ASSERT_EQ(replies->size(), 4u);
  EXPECT_EQ((*replies)[0].str, "OK");
  EXPECT_EQ((*replies)[1].integer, 1);
  EXPECT_EQ((*replies)[2].str, "1");
  EXPECT_EQ((*replies)[3].integer, 2);
  EXPECT_EQ(redis.Command({"GET", "runs"})->str, "2");
}

// A pipe given up after sending leaves no replies behind for the connection's next user.
TEST(RedisClientTest, APipeGivenUpAfterSendingLeavesNoRepliesBehind) {
  testing::TestDir dir;
  testing::RedisServer server(dir.path());
  RedisConfig config = ConfigFor(server.port());
  config.pool_size = 1;
  RedisClient redis(config);
  {
    auto pipe = redis.OpenPipe();
    pipe.Add({"SET", "k", "sent"});
    pipe.Flush();
  }
  auto got = redis.Command({"GET", "k"});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->str, "sent");
}

TEST(RedisClientTest, DownServerGivesUnavailableAndClientReconnectsWhenBack) {
  testing::TestDir dir;
  testing::RedisServer server(dir.path());
  RedisClient redis(ConfigFor(server.port()));
  ASSERT_TRUE(redis.Command({"SET", "durable", "1"}).ok());
  server.Stop();
  EXPECT_EQ(redis.Command({"GET", "durable"}).status().code(), StatusCode::kUnavailable);
  server.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return redis.Ping().ok(); }));
  EXPECT_EQ(redis.Command({"GET", "durable"})->str, "1");
}

// Entries of several items each are read in fewer entries; a first read, or one that found
// nothing, asks as if an entry held one.
TEST(StreamReadSizerTest, AsksForAboutTheWantedItemsJudgedByTheLastRead) {
  StreamReadSizer sizer;
  EXPECT_EQ(sizer.Entries(500), 500);
  sizer.Read(10, 640);  // 64 a entry
  EXPECT_EQ(sizer.Entries(500), 7);
  EXPECT_EQ(sizer.Entries(20), 1);  // never none
  sizer.Read(0, 0);  // nothing read: the estimate stands
  EXPECT_EQ(sizer.Entries(500), 7);
  sizer.Read(3, 4);  // 1.3 a entry: rounded up
  EXPECT_EQ(sizer.Entries(500), 250);
  sizer.Read(5, 5);
  EXPECT_EQ(sizer.Entries(500), 500);
}

}  // namespace
}  // namespace warroom
