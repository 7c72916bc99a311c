#include "warroom/common/batcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace warroom {
namespace {

// Many callers at once: each gets the answer to its own input, batches never overlap, and callers
// that arrive while a batch runs are answered together in a later one.
TEST(BatcherTest, EachCallerGetsItsOwnAnswerAndBatchesNeverOverlap) {
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};
  std::atomic<int> batches{0};
  Batcher<int, int> batcher([&](std::vector<int> ins) {
    if (running.fetch_add(1) != 0) overlapped = true;
    ++batches;
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // a round trip's worth
    std::vector<int> outs;
    for (int in : ins) outs.push_back(in * 2 + 1);
    running.fetch_sub(1);
    return outs;
  });
  constexpr int kThreads = 16;
  constexpr int kCalls = 200;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        int in = t * kCalls + i;
        if (batcher.Call(in) != in * 2 + 1) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_FALSE(overlapped.load());
  EXPECT_LT(batches.load(), kThreads * kCalls) << "concurrent callers were never batched";
}

TEST(BatcherTest, ALoneCallerIsRunAtOnce) {
  std::vector<size_t> sizes;
  Batcher<std::string, std::string> batcher([&](std::vector<std::string> ins) {
    sizes.push_back(ins.size());
    return ins;
  });
  EXPECT_EQ(batcher.Call("a"), "a");
  EXPECT_EQ(batcher.Call("b"), "b");
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 1}));
}

// Its thread carries the name given, cut to Linux's 15 characters, so `top -H` and perf show it.
TEST(BatcherTest, ItsThreadCarriesItsName) {
  auto name_of_thread = [](std::string name) {
    Batcher<int, std::string> batcher(
        [](std::vector<int> ins) {
          char buf[32] = {};
          pthread_getname_np(pthread_self(), buf, sizeof(buf));
          return std::vector<std::string>(ins.size(), buf);
        },
        std::move(name));
    return batcher.Call(0);
  };
  EXPECT_EQ(name_of_thread("report-batcher"), "report-batcher");
  EXPECT_EQ(name_of_thread("a-name-longer-than-fifteen"), "a-name-longer-t");
}

// Work handed in with a callback is answered even when the batcher is destroyed right after.
TEST(BatcherTest, EverythingSubmittedIsAnsweredBeforeItStops) {
  std::atomic<int> answered{0};
  {
    Batcher<int, int> batcher([](std::vector<int> ins) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return ins;
    });
    for (int i = 0; i < 100; ++i) batcher.Submit(i, [&](int) { ++answered; });
  }
  EXPECT_EQ(answered.load(), 100);
}

// An answer given later, on another thread, is what the waiting caller gets.
TEST(AwaitAnswerTest, WaitsForAnAnswerFromAnotherThread) {
  std::thread answering;
  std::string got = AwaitAnswer<std::string>([&](std::function<void(std::string)> done) {
    answering = std::thread([done = std::move(done)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      done("late answer");
    });
  });
  answering.join();
  EXPECT_EQ(got, "late answer");
}

}  // namespace
}  // namespace warroom
