// A queue between threads that holds at most a fixed number of items: a producer waits while it is
// full (so a fast producer is held back rather than buffered without limit), a consumer takes
// whatever has arrived, up to a batch. Either side may close it: a closed queue refuses new items
// and wakes everyone waiting; what is already in it can still be taken.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

namespace warroom {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Waits for room; false (and the item dropped) once the queue is closed.
  bool Push(T item) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    changed_.notify_all();
    return true;
  }

  // Waits for at least one item and takes up to max of them, oldest first; empty only when the
  // queue is closed and nothing is left in it.
  std::vector<T> PopUpTo(size_t max) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return closed_ || !items_.empty(); });
    std::vector<T> out;
    while (!items_.empty() && out.size() < max) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    changed_.notify_all();
    return out;
  }

  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace warroom
