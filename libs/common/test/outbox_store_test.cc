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
  // The event ids in the outbox, shard by shard and in stream order (of one aggregate if given).
  std::vector<std::string> EventIds(const std::string& aggregate = "") {
    std::vector<std::string> ids;
    for (int shard = 0; shard < store_.shards(); ++shard) {
      auto entries = redis_.Command({"XRANGE", store_.StreamKey(shard), "-", "+"});
      for (const auto& entry : entries->elements) {
        const auto& f = entry.elements[1].elements;
        for (size_t i = 0; i + 9 < f.size(); i += 10) {
          if (aggregate.empty() || f[i + 3].str == aggregate) ids.push_back(f[i + 7].str);
        }
      }
    }
    return ids;
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
  EXPECT_EQ(EventIds(), (std::vector<std::string>{"ea", "ec"}));
}

// The events of one call's mutations share a stream entry per shard, in commit order; a call
// holds at most 64 mutations, and an entry is cut at 400 events (Lua's unpack limit is near).
TEST_F(OutboxStoreTest, CommitManySharesAnEntryPerShardInCommitOrder) {
  std::vector<Mutation> ms;
  std::vector<std::string> expected;
  for (int i = 0; i < 100; ++i) {
    std::string aggregate = "agg-" + std::to_string(i % 5);
    Mutation& m = ms.emplace_back(aggregate);
    m.Do("INCR", "count");
    for (int e = 0; e < 7; ++e) {
      std::string id = std::to_string(i) + "." + std::to_string(e);
      m.Emit(OutboxEvent{"warroom.probe.v1", aggregate, "outbox_probe", id, "payload-" + id});
      expected.push_back(id);
    }
  }
  std::vector<const Mutation*> batch;
  for (const auto& m : ms) batch.push_back(&m);
  auto results = store_.CommitMany(batch);
  ASSERT_EQ(results.size(), 100u);
  for (const auto& r : results) ASSERT_TRUE(r.ok() && r->applied());
  EXPECT_EQ(redis_.Command({"GET", "count"})->str, "100");
  // Two calls (64 and 36 mutations) over two shards: at least two entries a call, more where a
  // shard's share of 64 x 7 events passes 400.
  EXPECT_GE(*store_.Depth(), 4);
  EXPECT_LE(*store_.Depth(), 6);
  // Each aggregate's events in the order committed.
  for (int a = 0; a < 5; ++a) {
    std::string aggregate = "agg-" + std::to_string(a);
    std::vector<std::string> want;
    for (const auto& id : expected) {
      if (std::stoi(id) % 5 == a) want.push_back(id);
    }
    EXPECT_EQ(EventIds(aggregate), want) << aggregate;
  }
}

// Commits made one at a time: each call's worth (64) is applied while the next are being made,
// a mutation may be dropped once added, and Finish answers each in the order added.
TEST_F(OutboxStoreTest, CommitsAreSentAsEachCallFillsAndAnsweredInOrder) {
  // The script's first use loads it: until then a call sent early waits for Finish to be run.
  ASSERT_TRUE(store_.Commit(Mutation("first").Do("SET", "taken", {"1"})).ok());
  auto commits = store_.StartCommits();
  for (int i = 0; i < 64; ++i) {
    Mutation m("agg-" + std::to_string(i));
    m.Do("SADD", "made", {std::to_string(i)});
    m.Emit(Event(std::to_string(i)));
    commits.Add(m);
  }
  // The first call is in Redis before the rest are made.
  ASSERT_TRUE(testing::WaitFor([&] { return redis_.Command({"SCARD", "made"})->integer == 64; }));
  for (int i = 64; i < 70; ++i) {
    Mutation m("agg-" + std::to_string(i));
    if (i == 66) m.RequireAbsent("taken");
    m.Do("SADD", "made", {std::to_string(i)});
    commits.Add(m);
  }
  auto results = commits.Finish();
  ASSERT_EQ(results.size(), 70u);
  for (int i = 0; i < 70; ++i) {
    ASSERT_TRUE(results[i].ok()) << i;
    EXPECT_EQ(results[i]->applied(), i != 66) << i;
  }
  EXPECT_EQ(redis_.Command({"SCARD", "made"})->integer, 69);
  EXPECT_EQ(EventIds().size(), 64u);
}

// Appends to a stream share one entry among the mutations of a call, in commit order; a mutation
// that stops appends nothing; a cap trims the stream to about that many entries.
TEST_F(OutboxStoreTest, AppendsShareAnEntryAndAStoppedMutationAppendsNothing) {
  ASSERT_TRUE(redis_.Command({"SET", "taken", "1"}).ok());
  Mutation a("a"), b("b"), c("c");
  a.Append("changes", {"cn", "A", "y", "made"}, 50);
  b.RequireAbsent("taken").Append("changes", {"cn", "B", "y", "made"}, 50);
  c.Append("changes", {"cn", "C", "y", "made"}, 50).Append("other", {"x", "1"});
  auto results = store_.CommitMany({&a, &b, &c});
  ASSERT_TRUE(results[0]->applied() && results[2]->applied());
  EXPECT_EQ(results[1]->outcome, CommitResult::Outcome::kDuplicate);
  auto entries = redis_.Command({"XRANGE", "changes", "-", "+"});
  ASSERT_EQ(entries->elements.size(), 1u);
  std::vector<std::string> fields;
  for (const auto& f : entries->elements[0].elements[1].elements) fields.push_back(f.str);
  EXPECT_EQ(fields, (std::vector<std::string>{"cn", "A", "y", "made", "cn", "C", "y", "made"}));
  EXPECT_EQ(redis_.Command({"XLEN", "other"})->integer, 1);
  EXPECT_EQ(*store_.Depth(), 0);  // no events
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(store_.Commit(Mutation("a").Append("changes", {"n", "1"}, 50)).ok());
  EXPECT_LT(redis_.Command({"XLEN", "changes"})->integer, 200);  // about 50: trimmed a node at a time
}

// An entry's fields split into the records the commits appended, each from its first field on;
// fields before the first record belong to none.
TEST(AppendedRecordsTest, SplitsAnEntryAtEachRecordsFirstField) {
  std::vector<RedisReply> fields;
  for (const char* f : {"x", "0", "t", "a", "k", "1", "t", "b", "t", "c", "v", "3"}) {
    fields.push_back(RedisReply{RedisReply::Type::kString, f, 0, {}});
  }
  auto records = AppendedRecords(fields, "t");
  ASSERT_EQ(records.size(), 3u);
  std::vector<std::vector<std::string>> got;
  for (auto record : records) {
    auto& r = got.emplace_back();
    for (const auto& f : record) r.push_back(f.str);
  }
  EXPECT_EQ(got, (std::vector<std::vector<std::string>>{{"t", "a", "k", "1"}, {"t", "b"}, {"t", "c", "v", "3"}}));
  EXPECT_TRUE(AppendedRecords(fields, "none").empty());
  EXPECT_TRUE(AppendedRecords({}, "t").empty());
}

// A command that fails (here on a key of the wrong type) fails its own mutation; the others in
// the same call apply with their events, which are appended even so.
TEST_F(OutboxStoreTest, AFailedCommandFailsOnlyItsMutation) {
  ASSERT_TRUE(redis_.Command({"SET", "a-string", "x"}).ok());
  Mutation a("a"), b("b"), c("c");
  a.Do("INCR", "a:count").Emit(Event("ea"));
  b.Do("HSET", "a-string", {"f", "1"}).Emit(Event("eb"));
  c.Do("INCR", "c:count").Emit(Event("ec"));
  auto results = store_.CommitMany({&a, &b, &c});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok() && results[0]->applied());
  EXPECT_EQ(results[1].status().code(), StatusCode::kInternal);
  EXPECT_NE(results[1].status().message().find("WRONGTYPE"), std::string::npos) << results[1].status().ToString();
  EXPECT_TRUE(results[2].ok() && results[2]->applied());
  EXPECT_EQ(EventIds(), (std::vector<std::string>{"ea", "ec"}));
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
