#include "warroom/common/batcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
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

std::string ThisThreadsName() {
  char buf[32] = {};
  pthread_getname_np(pthread_self(), buf, sizeof(buf));
  return buf;
}

// Its threads carry the name given, cut to Linux's 15 characters, so `top -H` and perf show them:
// one runs the batches, the other answers the callers.
TEST(BatcherTest, ItsThreadsCarryItsName) {
  auto names_of_threads = [](const std::string& name) {
    Batcher<int, std::string> batcher(
        [](std::vector<int> ins) { return std::vector<std::string>(ins.size(), ThisThreadsName()); },
        name);
    std::string answered_on;
    std::string ran_on = AwaitAnswer<std::string>([&](std::function<void(std::string)> done) {
      batcher.Submit(0, [&, done](std::string ran) {
        answered_on = ThisThreadsName();
        done(std::move(ran));
      });
    });
    return std::pair{ran_on, answered_on};
  };
  EXPECT_EQ(names_of_threads("report"), (std::pair<std::string, std::string>("report-batch", "report-answer")));
  EXPECT_EQ(names_of_threads("longer-name").first, "longer-name-bat");
}

// The next batch runs while the last one's callers are still being answered.
TEST(BatcherTest, TheNextBatchRunsWhileCallersAreAnswered) {
  std::promise<void> first_ran, second_ran;
  auto second_ran_future = second_ran.get_future();
  Batcher<int, int> batcher([&](std::vector<int> ins) {
    if (ins.front() == 1) first_ran.set_value();
    if (ins.front() == 2) second_ran.set_value();
    return ins;
  });
  std::atomic<bool> answered_second{false};
  batcher.Submit(1, [&](int) {
    // The first caller's answer waits until the second batch has run.
    EXPECT_EQ(second_ran_future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  });
  first_ran.get_future().wait();  // so that 2 comes in a batch of its own
  batcher.Submit(2, [&](int) { answered_second = true; });
  EXPECT_EQ(batcher.Call(3), 3);
  EXPECT_TRUE(answered_second.load());
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
