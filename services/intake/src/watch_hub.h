// Fans intake's change stream (a Redis stream written in the same script as each change, so
// every replica sees every change) out to WatchCases subscribers filtered by ward or municipality.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "warroom/common/redis.h"

namespace warroom::intake {

struct CaseChangeRef {
  std::string case_number;
  std::string change;
};

class WatchSubscription {
 public:
  WatchSubscription(std::string ward, std::string municipality)
      : ward_(std::move(ward)), municipality_(std::move(municipality)) {}
  // Waits up to timeout for the next change; false when none came.
  bool Next(CaseChangeRef& out, std::chrono::milliseconds timeout);
  bool Matches(std::string_view ward, std::string_view municipality) const;
  void Push(CaseChangeRef change);

 private:
  static constexpr size_t kMaxQueued = 10000;  // a stalled watcher loses the oldest, not memory
  std::string ward_, municipality_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CaseChangeRef> queue_;
};

class WatchHub {
 public:
  // redis: a client of its own, since the hub blocks on XREAD.
  explicit WatchHub(RedisClient& redis) : redis_(redis) {}
  std::shared_ptr<WatchSubscription> Subscribe(std::string ward, std::string municipality);
  void Run(std::stop_token stop);

 private:
  bool AnyoneWatching();  // with mu_ held; forgets watchers that have gone

  RedisClient& redis_;
  std::mutex mu_;
  std::condition_variable watched_;  // a watcher arrived
  std::vector<std::weak_ptr<WatchSubscription>> subscribers_;
  std::string resume_from_;  // where the first watcher after a quiet spell starts
};

}  // namespace warroom::intake
