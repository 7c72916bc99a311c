// WatchHub against a real redis-server: a watcher gets every change made after it subscribed, in
// its ward only, even when it subscribes while the hub is blocked reading; a watcher that falls
// too far behind is told so; a resume token is honoured only while the changes after it are held;
// and the hub leaves the change stream alone while nobody watches.
#include "services/intake/src/watch_hub.h"

#include <gtest/gtest.h>

#include <thread>

#include "services/intake/src/case_store.h"
#include "testing/process.h"

namespace warroom::intake {
namespace {

// The subscription's next change, looking again until one comes or `within` has passed.
WatchSubscription::Polled NextWithin(WatchSubscription& sub, CaseChangeRef& ref, std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (true) {
    auto got = sub.Next(ref);
    if (got != WatchSubscription::Polled::kNone || std::chrono::steady_clock::now() >= deadline) return got;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

class WatchHubTest : public ::testing::Test {
 protected:
  WatchHubTest() : server_(dir_.path()), redis_(Config()), hub_redis_(Config()), hub_(hub_redis_, redis_) {
    runner_ = std::jthread([this](std::stop_token st) { hub_.Run(st); });
  }
  RedisConfig Config() {
    RedisConfig c;
    c.port = server_.port();
    c.pool_size = 1;
    return c;
  }
  // Appends a change as intake's commit does; returns its id.
  ChangeId Change(const std::string& cn, const std::string& ward) {
    auto id = redis_.Command({"XADD", keys::kChanges, "*", "cn", cn, "w", ward, "m", "JHB", "y", "case_reported"});
    EXPECT_TRUE(id.ok());
    return id.ok() ? ChangeId::Parse(id->str).value_or(ChangeId{}) : ChangeId{};
  }
  // Appends changes committed together: one entry holding them all, as the commit script writes.
  ChangeId Changes(const std::vector<std::pair<std::string, std::string>>& case_and_ward) {
    RedisArgs xadd = {"XADD", keys::kChanges, "*"};
    for (const auto& [cn, ward] : case_and_ward) {
      for (const std::string& f : {std::string("cn"), cn, std::string("w"), ward, std::string("m"),
                                   std::string("JHB"), std::string("y"), std::string("case_reported")}) {
        xadd.push_back(f);
      }
    }
    auto id = redis_.Command(xadd);
    EXPECT_TRUE(id.ok());
    return id.ok() ? ChangeId::Parse(id->str).value_or(ChangeId{}) : ChangeId{};
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
  ASSERT_EQ(NextWithin(*sub, ref, std::chrono::seconds(5)), WatchSubscription::Polled::kChange);
  EXPECT_EQ(ref.case_number, "GP26-0000003-2");
  EXPECT_EQ(ref.change, "case_reported");
  EXPECT_EQ(ref.ward, "79800001");
  EXPECT_EQ(NextWithin(*sub, ref, std::chrono::milliseconds(700)), WatchSubscription::Polled::kNone);
}

// The hub blocks up to half a second in XREAD; a watcher arriving meanwhile must still get the
// changes that read returns (it once got only those of the next read).
TEST_F(WatchHubTest, AWatcherArrivingWhileTheHubReadsMissesNothing) {
  auto first = hub_.Subscribe("79800001", "");
  Change("GP26-0000001-4", "79800001");
  CaseChangeRef ref;
  ASSERT_EQ(NextWithin(*first, ref, std::chrono::seconds(5)), WatchSubscription::Polled::kChange);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the hub is blocked in XREAD again
  auto second = hub_.Subscribe("79800001", "");
  ChangeId id = Change("GP26-0000002-3", "79800001");
  ASSERT_EQ(NextWithin(*second, ref, std::chrono::seconds(5)), WatchSubscription::Polled::kChange);
  EXPECT_EQ(ref.case_number, "GP26-0000002-3");
  EXPECT_EQ(ref.id, id);
}

TEST(WatchSubscriptionTest, AWatcherTooFarBehindIsToldSoAndTakesNoMore) {
  WatchSubscription sub("79800001", "", 3);
  for (int i = 0; i < 3; ++i) sub.Push({ChangeId{1, static_cast<uint64_t>(i)}, "GP26-0000001-4", "case_reported", "79800001", "JHB"});
  CaseChangeRef ref;
  ASSERT_EQ(sub.Next(ref), WatchSubscription::Polled::kChange);
  EXPECT_EQ(ref.id, (ChangeId{1, 0}));
  sub.Push({ChangeId{1, 3}, "GP26-0000001-4", "case_reported", "79800001", "JHB"});  // 3 queued again
  sub.Push({ChangeId{1, 4}, "GP26-0000001-4", "case_reported", "79800001", "JHB"});  // one too many
  EXPECT_EQ(sub.Next(ref), WatchSubscription::Polled::kOverflowed);
  EXPECT_EQ(sub.Next(ref), WatchSubscription::Polled::kOverflowed);
}

// A watch that waits on no thread is told of each change queued for it, and of its overflow, and
// takes changes without waiting.
TEST(WatchSubscriptionTest, TellsItsWatchOfEachChangeAndTheOverflow) {
  WatchSubscription sub("79800001", "", 2);
  int told = 0;
  sub.OnPush([&] { ++told; });
  CaseChangeRef ref;
  EXPECT_EQ(sub.Next(ref), WatchSubscription::Polled::kNone);
  sub.Push({ChangeId{1, 0}, "GP26-0000001-4", "case_reported", "79800001", "JHB"});
  EXPECT_EQ(told, 1);
  ASSERT_EQ(sub.Next(ref), WatchSubscription::Polled::kChange);
  EXPECT_EQ(ref.id, (ChangeId{1, 0}));
  for (int i = 1; i <= 3; ++i) sub.Push({ChangeId{1, static_cast<uint64_t>(i)}, "GP26-0000001-4", "case_reported", "79800001", "JHB"});
  EXPECT_EQ(told, 4);  // two queued, then the overflow
  EXPECT_EQ(sub.Next(ref), WatchSubscription::Polled::kOverflowed);
  sub.Push({ChangeId{1, 4}, "GP26-0000001-4", "case_reported", "79800001", "JHB"});
  EXPECT_EQ(told, 4);  // an overflowed subscription takes no more
}

TEST(ChangeIdTest, ParsesAndOrdersAsRedisDoes) {
  EXPECT_EQ(ChangeId::Parse("1732857600000-12"), (ChangeId{1732857600000, 12}));
  EXPECT_EQ(ChangeId::Parse("1732857600000-12")->ToString(), "1732857600000-12");
  EXPECT_LT(*ChangeId::Parse("9-5"), *ChangeId::Parse("10-0"));  // by number, not by text
  EXPECT_LT(*ChangeId::Parse("10-2"), *ChangeId::Parse("10-10"));
  // A change after an entry's first is written with its place in the entry.
  EXPECT_EQ(ChangeId::Parse("1732857600000-12.3"), (ChangeId{1732857600000, 12, 3}));
  EXPECT_EQ((ChangeId{5, 1, 3}).ToString(), "5-1.3");
  EXPECT_EQ((ChangeId{5, 1, 3}).EntryId(), "5-1");
  EXPECT_LT(*ChangeId::Parse("10-2"), *ChangeId::Parse("10-2.1"));
  EXPECT_LT(*ChangeId::Parse("10-2.9"), *ChangeId::Parse("10-3"));
  for (const char* bad : {"", "-", "12", "12-", "-3", "a-1", "1-b", "1-2-3", "1 -2", "99999999999999999999-0",
                          "1-2.", "1-2.x", ".1", "1.2", "1-2.3.4"}) {
    EXPECT_FALSE(ChangeId::Parse(bad).has_value()) << bad;
  }
}

// Changes committed together share an entry: each is delivered on its own, with its place in the
// entry, and a watch resumes after any of them.
TEST_F(WatchHubTest, ChangesSharingAnEntryAreDeliveredAndResumedOneByOne) {
  auto sub = hub_.Subscribe("79800001", "");
  ChangeId entry = Changes({{"GP26-0000001-4", "79800001"}, {"GP26-0000002-3", "79800002"},
                            {"GP26-0000003-2", "79800001"}});
  CaseChangeRef ref;
  ASSERT_EQ(NextWithin(*sub, ref, std::chrono::seconds(5)), WatchSubscription::Polled::kChange);
  EXPECT_EQ(ref.case_number, "GP26-0000001-4");
  EXPECT_EQ(ref.id, entry);
  ASSERT_EQ(NextWithin(*sub, ref, std::chrono::seconds(5)), WatchSubscription::Polled::kChange);
  EXPECT_EQ(ref.case_number, "GP26-0000003-2");  // the other ward's change passed over
  EXPECT_EQ(ref.ward, "79800001");
  EXPECT_EQ(ref.id, (ChangeId{entry.ms, entry.seq, 2}));
  EXPECT_EQ(ref.id.ToString(), entry.ToString() + ".2");

  EXPECT_EQ(*hub_.Newest(), (ChangeId{entry.ms, entry.seq, 2}));  // the entry's last change
  auto after_first = hub_.ReadAfter(entry, 10);
  ASSERT_TRUE(after_first.ok());
  ASSERT_EQ(after_first->size(), 2u);
  EXPECT_EQ((*after_first)[0].case_number, "GP26-0000002-3");
  EXPECT_EQ((*after_first)[0].id.index, 1u);
  EXPECT_TRUE(hub_.ReadAfter(ChangeId{entry.ms, entry.seq, 2}, 10)->empty());
  ChangeId next = Change("GP26-0000004-1", "79800001");
  auto after_last = hub_.ReadAfter(ChangeId{entry.ms, entry.seq, 2}, 1);
  ASSERT_EQ(after_last->size(), 1u);
  EXPECT_EQ((*after_last)[0].id, next);
  EXPECT_TRUE(hub_.CheckResumable(ChangeId{entry.ms, entry.seq, 1}).ok());
  EXPECT_TRUE(hub_.CheckResumable(ChangeId{next.ms, next.seq, 0}).ok());
}

TEST_F(WatchHubTest, ResumingIsAllowedOnlyWhileEveryLaterChangeIsHeld) {
  EXPECT_EQ(hub_.CheckResumable(ChangeId{1, 0}).code(), StatusCode::kOutOfRange);  // no stream yet
  EXPECT_TRUE(hub_.CheckResumable(ChangeId{}).ok());  // a watch begun before the first change
  EXPECT_EQ(hub_.Newest()->ToString(), "0-0");
  ChangeId a = Change("GP26-0000001-4", "79800001");
  ChangeId b = Change("GP26-0000002-3", "79800002");
  ChangeId c = Change("GP26-0000003-2", "79800001");
  EXPECT_EQ(*hub_.Newest(), c);
  auto after_a = hub_.ReadAfter(a, 10);
  ASSERT_TRUE(after_a.ok());
  ASSERT_EQ(after_a->size(), 2u);
  EXPECT_EQ((*after_a)[0].id, b);
  EXPECT_EQ((*after_a)[1].case_number, "GP26-0000003-2");
  EXPECT_EQ((*after_a)[1].ward, "79800001");
  ASSERT_EQ(hub_.ReadAfter(a, 1)->size(), 1u);
  EXPECT_TRUE(hub_.ReadAfter(c, 10)->empty());

  EXPECT_TRUE(hub_.CheckResumable(a).ok());
  EXPECT_TRUE(hub_.CheckResumable(c).ok());
  EXPECT_EQ(hub_.CheckResumable(ChangeId{c.ms + 1000, 0}).code(), StatusCode::kOutOfRange);  // newer than all
  ASSERT_TRUE(redis_.Command({"XTRIM", keys::kChanges, "MAXLEN", "1"}).ok());  // a and b trimmed away
  Status trimmed = hub_.CheckResumable(a);
  EXPECT_EQ(trimmed.code(), StatusCode::kOutOfRange);
  EXPECT_NE(trimmed.message().find("watch again without a resume_token"), std::string::npos);
  EXPECT_TRUE(hub_.CheckResumable(c).ok());
  ASSERT_TRUE(redis_.Command({"XTRIM", keys::kChanges, "MAXLEN", "0"}).ok());
  EXPECT_TRUE(hub_.CheckResumable(c).ok());  // nothing after c was lost
  EXPECT_EQ(hub_.CheckResumable(b).code(), StatusCode::kOutOfRange);
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
    ASSERT_EQ(NextWithin(*sub, ref, std::chrono::seconds(5)), WatchSubscription::Polled::kChange);
    EXPECT_EQ(ref.case_number, "GP26-0000005-0");
  }
  EXPECT_GT(Reads(), before);
}

}  // namespace
}  // namespace warroom::intake
