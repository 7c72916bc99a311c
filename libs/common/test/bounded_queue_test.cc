#include "warroom/common/bounded_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace warroom {
namespace {

TEST(BoundedQueueTest, TakesWhatHasArrivedUpToABatchInOrder) {
  BoundedQueue<int> q(10);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q.Push(i));
  EXPECT_EQ(q.PopUpTo(3), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(q.PopUpTo(3), (std::vector<int>{3, 4}));
}

// A full queue holds its producer back until the consumer takes something.
TEST(BoundedQueueTest, AFullQueueHoldsTheProducer) {
  BoundedQueue<int> q(2);
  ASSERT_TRUE(q.Push(1));
  ASSERT_TRUE(q.Push(2));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.Push(3);
    pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(pushed) << "the third item went in while the queue was full";
  EXPECT_EQ(q.PopUpTo(1), std::vector<int>{1});
  producer.join();
  EXPECT_TRUE(pushed);
  EXPECT_EQ(q.PopUpTo(5), (std::vector<int>{2, 3}));
}

// Closing wakes a waiting producer (its item refused) and a waiting consumer; what was queued
// before the close can still be taken, then the queue answers empty.
TEST(BoundedQueueTest, CloseWakesBothSidesAndKeepsWhatWasQueued) {
  BoundedQueue<int> full(1);
  ASSERT_TRUE(full.Push(1));
  std::atomic<int> refused{-1};
  std::thread producer([&] { refused = full.Push(2) ? 0 : 1; });
  BoundedQueue<int> empty(1);
  std::vector<int> taken = {99};
  std::thread consumer([&] { taken = empty.PopUpTo(4); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  full.Close();
  empty.Close();
  producer.join();
  consumer.join();
  EXPECT_EQ(refused, 1);
  EXPECT_TRUE(taken.empty());
  EXPECT_EQ(full.PopUpTo(4), std::vector<int>{1});
  EXPECT_TRUE(full.PopUpTo(4).empty());
  EXPECT_FALSE(full.Push(3));
}

}  // namespace
}  // namespace warroom
