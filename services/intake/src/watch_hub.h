// Fans intake's change stream (a Redis stream written in the same script as each change, so
// every replica sees every change) out to WatchCases subscribers filtered by ward or municipality.
// Each change carries its place in the stream, which a client gives back to resume after it: the
// stream keeps the newest ~100,000 entries (each of one or more changes committed together), so a
// watcher that reconnects within that misses none.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "warroom/common/redis.h"
#include "warroom/common/status.h"

namespace warroom::intake {

// A change's place in the change stream: its entry's id ("<ms>-<seq>", ordered as Redis orders
// them) and its place within the entry, which holds the changes committed together. Written
// "<ms>-<seq>" for an entry's first change and "<ms>-<seq>.<index>" for the others.
struct ChangeId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  uint64_t index = 0;
  static std::optional<ChangeId> Parse(std::string_view text);
  std::string ToString() const;
  std::string EntryId() const;  // "<ms>-<seq>", as Redis writes it
  auto operator<=>(const ChangeId&) const = default;
};

struct CaseChangeRef {
  ChangeId id;
  std::string case_number;
  std::string change;
  std::string ward;
  std::string municipality;
};

class WatchSubscription {
 public:
  static constexpr size_t kDefaultMaxQueued = 10000;
  WatchSubscription(std::string ward, std::string municipality, size_t max_queued = kDefaultMaxQueued)
      : ward_(std::move(ward)), municipality_(std::move(municipality)), max_queued_(max_queued) {}

  enum class Polled { kChange, kNone, kOverflowed };  // what Next found
  // The next change, without waiting: kNone when none is queued. kOverflowed: the watcher fell
  // more than max_queued changes behind; the subscription takes no more (memory stays bounded)
  // and the watch must end so that its client resumes from the stream, rather than miss changes
  // without knowing.
  Polled Next(CaseChangeRef& out);
  // Called (outside the lock) after each change is queued or the watcher overflows: how a watch
  // that waits on no thread learns that it has work.
  void OnPush(std::function<void()> notify);
  bool Matches(std::string_view ward, std::string_view municipality) const;
  void Push(CaseChangeRef change);

 private:
  std::string ward_, municipality_;
  size_t max_queued_;
  std::mutex mu_;
  std::deque<CaseChangeRef> queue_;
  bool overflowed_ = false;
  std::shared_ptr<const std::function<void()>> notify_;
};

class WatchHub {
 public:
  // blocking: a client of its own, since the hub blocks on XREAD; reads: for resuming watchers.
  WatchHub(RedisClient& blocking, RedisClient& reads,
           size_t max_queued = WatchSubscription::kDefaultMaxQueued)
      : blocking_(blocking), reads_(reads), max_queued_(max_queued) {}
  // Every change appended after this returns reaches the subscription (and a few before it may).
  std::shared_ptr<WatchSubscription> Subscribe(std::string ward, std::string municipality);
  void Run(std::stop_token stop);
  size_t max_queued() const { return max_queued_; }

  // OK when every change after `after` is still in the stream; OUT_OF_RANGE when some have been
  // trimmed away (or `after` is newer than any change, as after a restore from an older backup).
  Status CheckResumable(const ChangeId& after);
  // The newest change's id (0-0 when there is none): where a watch starting now begins.
  StatusOr<ChangeId> Newest();
  // The changes after `after` in up to count entries, oldest first (more than count changes where
  // an entry holds several).
  StatusOr<std::vector<CaseChangeRef>> ReadAfter(const ChangeId& after, size_t count);

 private:
  bool AnyoneWatching();  // with mu_ held; forgets watchers that have gone

  RedisClient& blocking_;
  RedisClient& reads_;
  size_t max_queued_;
  std::mutex mu_;
  std::condition_variable watched_;  // a watcher arrived
  std::vector<std::weak_ptr<WatchSubscription>> subscribers_;
  std::string resume_from_;  // where the first watcher after a quiet spell starts
};

}  // namespace warroom::intake
