#include <gtest/gtest.h>

#include "testing/process.h"
#include "warroom/common/outbox.h"

namespace warroom {
namespace {

class OutboxStoreTest : public ::testing::Test {
 protected:
  OutboxStoreTest() : server_(dir_.path()), redis_(Config()), store_(redis_, "svc", 2) {}
  RedisConfig Config() {
    RedisConfig c;
    c.port = server_.port();
    return c;
  }
  OutboxEvent Event(const std::string& id) {
    return OutboxEvent{"warroom.probe.v1", "agg", "outbox_probe", id, "payload-" + id};
  }

  testing::TestDir dir_;
  testing::RedisServer server_;
  RedisClient redis_;
  OutboxStore store_;
};

TEST_F(OutboxStoreTest, StateAndEventLandTogether) {
  Mutation m("agg");
  m.Do("HSET", "agg:state", {"v", "1", "status", "reported"}).Emit(Event("e1"));
  auto r = store_.Commit(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->applied());
  EXPECT_EQ(redis_.Command({"HGET", "agg:state", "status"})->str, "reported");
  EXPECT_EQ(*store_.Depth(), 1);
  auto entries = redis_.Command({"XRANGE", store_.StreamKey(store_.ShardOf("agg")), "-", "+"});
  ASSERT_EQ(entries->elements.size(), 1u);
  const auto& fields = entries->elements[0].elements[1].elements;
  EXPECT_EQ(fields[1].str, "warroom.probe.v1");
  EXPECT_EQ(fields[9].str, "payload-e1");
}

TEST_F(OutboxStoreTest, ACommitsEventsShareOneStreamEntryInOrder) {
  Mutation m("agg");
  m.Do("HSET", "agg:state", {"v", "1"}).Emit(Event("e1")).Emit(Event("e2")).Emit(Event("e3"));
  ASSERT_TRUE(store_.Commit(m).ok());
  EXPECT_EQ(*store_.Depth(), 1);
  auto entries = redis_.Command({"XRANGE", store_.StreamKey(store_.ShardOf("agg")), "-", "+"});
  ASSERT_EQ(entries->elements.size(), 1u);
  std::vector<std::string> fields;
  for (const auto& f : entries->elements[0].elements[1].elements) fields.push_back(f.str);
  ASSERT_EQ(fields.size(), 30u);
  for (int e = 0; e < 3; ++e) {
    std::string id = "e" + std::to_string(e + 1);
    std::vector<std::string> expected = {"t", "warroom.probe.v1", "k", "agg", "y", "outbox_probe",
                                         "i", id, "v", "payload-" + id};
    EXPECT_EQ(std::vector<std::string>(fields.begin() + 10 * e, fields.begin() + 10 * (e + 1)), expected);
  }
}

// The script calls commands of up to four arguments after the key directly and longer ones
// through unpack: every length, from none to six, reaches Redis whole and in order.
TEST_F(OutboxStoreTest, CommandsOfEveryLengthApplyWhole) {
  ASSERT_TRUE(redis_.Command({"SET", "gone", "1"}).ok());
  Mutation m("agg");
  m.Do("DEL", "gone", {})
      .Do("SET", "one", {"1"})
      .Do("HSET", "two", {"f", "2"})
      .Do("SET", "three", {"3", "EX", "1000"})
      .Do("HSET", "four", {"a", "4", "b", "4"})
      .Do("RPUSH", "five", {"1", "2", "3", "4", "5"})
      .Do("HSET", "six", {"a", "6", "b", "6", "c", "6"})
      .Emit(Event("e0"));
  auto r = store_.Commit(m);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->applied());
  EXPECT_EQ(redis_.Command({"EXISTS", "gone"})->integer, 0);
  EXPECT_EQ(redis_.Command({"GET", "one"})->str, "1");
  EXPECT_EQ(redis_.Command({"HGET", "two", "f"})->str, "2");
  EXPECT_GT(redis_.Command({"TTL", "three"})->integer, 900);
  EXPECT_EQ(redis_.Command({"HLEN", "four"})->integer, 2);
  auto five = redis_.Command({"LRANGE", "five", "0", "-1"});
  ASSERT_EQ(five->elements.size(), 5u);
  EXPECT_EQ(five->elements[4].str, "5");
  EXPECT_EQ(redis_.Command({"HGET", "six", "c"})->str, "6");
  EXPECT_EQ(*store_.Depth(), 1);
}

TEST_F(OutboxStoreTest, VersionGuardRejectsAStaleWriteAndAppliesNothing) {
  ASSERT_TRUE(store_.Commit(Mutation("agg").Do("HSET", "agg:state", {"v", "2"})).ok());
  Mutation stale("agg");
  stale.RequireField("agg:state", "v", "1").Do("HSET", "agg:state", {"v", "3"}).Emit(Event("e2"));
  auto r = store_.Commit(stale);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, CommitResult::Outcome::kConflict);
  EXPECT_EQ(r->actual, "2");
  EXPECT_EQ(redis_.Command({"HGET", "agg:state", "v"})->str, "2");
  EXPECT_EQ(*store_.Depth(), 0);
}

// Several mutations in one round trip stand alone: the one whose guard fails applies nothing and
// the others apply, each with its events; the first use of the script on a fresh server (NOSCRIPT)
// still applies each exactly once.
TEST_F(OutboxStoreTest, CommitManyAppliesEachOnItsOwn) {
  ASSERT_TRUE(redis_.Command({"SCRIPT", "FLUSH"}).ok());
  ASSERT_TRUE(redis_.Command({"SET", "taken", "1"}).ok());
  Mutation a("a"), b("b"), c("c");
  a.Do("INCR", "a:count").Emit(Event("ea"));
  b.RequireAbsent("taken").Do("INCR", "b:count").Emit(Event("eb"));
  c.Do("INCR", "c:count").Emit(Event("ec"));
  auto results = store_.CommitMany({&a, &b, &c});
  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results[0].ok() && results[1].ok() && results[2].ok());
  EXPECT_TRUE(results[0]->applied());
  EXPECT_EQ(results[1]->outcome, CommitResult::Outcome::kDuplicate);
  EXPECT_TRUE(results[2]->applied());
  EXPECT_EQ(redis_.Command({"GET", "a:count"})->str, "1");
  EXPECT_TRUE(redis_.Command({"GET", "b:count"})->is_nil());
  EXPECT_EQ(redis_.Command({"GET", "c:count"})->str, "1");
  EXPECT_EQ(*store_.Depth(), 2);
}

TEST_F(OutboxStoreTest, CreateOnceSetsItsKeyOrStopsTheCommitAsADuplicate) {
  auto create = [&](const std::string& value) {
    Mutation m("agg");
    m.CreateOnce("request:r1", value, std::chrono::seconds(600)).Do("INCR", "made").Emit(Event(value));
    return store_.Commit(m);
  };
  EXPECT_TRUE(create("first")->applied());
  auto again = create("second");
  EXPECT_EQ(again->outcome, CommitResult::Outcome::kDuplicate);
  EXPECT_EQ(again->guard, 0);
  EXPECT_EQ(redis_.Command({"GET", "request:r1"})->str, "first");
  EXPECT_GT(redis_.Command({"TTL", "request:r1"})->integer, 500);
  EXPECT_EQ(redis_.Command({"GET", "made"})->str, "1");
  EXPECT_EQ(*store_.Depth(), 1);
  Mutation forever("agg");
  forever.CreateOnce("kept", "1");
  EXPECT_TRUE(store_.Commit(forever)->applied());
  EXPECT_EQ(redis_.Command({"TTL", "kept"})->integer, -1);
}

// A key created by one guard is gone again when a later guard stops the commit: nothing applied.
TEST_F(OutboxStoreTest, AGuardStoppingTheCommitUndoesTheKeysItCreated) {
  ASSERT_TRUE(redis_.Command({"HSET", "agg:state", "v", "3"}).ok());
  Mutation m("agg");
  m.CreateOnce("request:a", "x").CreateOnce("request:b", "y").RequireField("agg:state", "v", "2");
  m.Do("HSET", "agg:state", {"v", "4"}).Emit(Event("e"));
  auto r = store_.Commit(m);
  EXPECT_EQ(r->outcome, CommitResult::Outcome::kConflict);
  EXPECT_EQ(r->guard, 2);
  EXPECT_EQ(r->actual, "3");
  EXPECT_EQ(redis_.Command({"EXISTS", "request:a", "request:b"})->integer, 0);
  EXPECT_EQ(redis_.Command({"HGET", "agg:state", "v"})->str, "3");
  EXPECT_EQ(*store_.Depth(), 0);
}

TEST_F(OutboxStoreTest, MissingFieldCountsAsEmptyForAFirstWrite) {
  Mutation first("agg");
  first.RequireField("agg:state", "v", "").Do("HSET", "agg:state", {"v", "1"});
  EXPECT_TRUE(store_.Commit(first)->applied());
}

TEST_F(OutboxStoreTest, ProcessedEventIsAppliedOnlyOnce) {
  auto apply = [&] {
    Mutation m("agg");
    m.MarkProcessed("svc", "event-1").Do("HINCRBY", "counts", {"applied", "1"});
    return store_.Commit(m);
  };
  EXPECT_TRUE(apply()->applied());
  EXPECT_EQ(apply()->outcome, CommitResult::Outcome::kDuplicate);
  EXPECT_EQ(redis_.Command({"HGET", "counts", "applied"})->str, "1");
  auto ttl = redis_.Command({"TTL", "svc:processed:event-1"});
  EXPECT_GT(ttl->integer, 0);
}

TEST_F(OutboxStoreTest, ShardIsStableForAnAggregate) {
  EXPECT_EQ(store_.ShardOf("GP26-0000001-4"), store_.ShardOf("GP26-0000001-4"));
  EXPECT_EQ(store_.StreamKey(1), "svc:outbox:{1}");
}

TEST_F(OutboxStoreTest, CommitListenerFiresOnlyWhenEventsWereAdded) {
  int calls = 0;
  store_.SetCommitListener([&] { ++calls; });
  ASSERT_TRUE(store_.Commit(Mutation("a").Do("SET", "x", {"1"})).ok());
  ASSERT_TRUE(store_.Commit(Mutation("a").Emit(Event("e3"))).ok());
  EXPECT_EQ(calls, 1);
}

TEST_F(OutboxStoreTest, RedisDownIsUnavailableAndNothingIsHalfWritten) {
  server_.Stop();
  auto r = store_.Commit(Mutation("agg").Do("SET", "x", {"1"}).Emit(Event("e4")));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace warroom
