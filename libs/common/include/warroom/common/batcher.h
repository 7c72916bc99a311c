// Batches work from many callers onto one thread of its own, which runs everything waiting in one
// batch (a few Redis round trips instead of a few per caller) and answers each caller. Callers
// either hand in a callback (the gRPC callback API: no thread waits per call) or wait (Call). A
// lone caller is run at once, so a quiet service pays no delay; under load, work that arrives while
// a batch runs forms the next one.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "warroom/common/thread_name.h"

namespace warroom {

// Starts an operation that answers through a callback, and waits for that answer: start gets the
// callback (a std::function<void(Out)>) to hand on.
template <typename Out, typename Start>
Out AwaitAnswer(Start&& start) {
  std::promise<Out> promise;
  auto answer = promise.get_future();
  start(std::function<void(Out)>([&promise](Out out) { promise.set_value(std::move(out)); }));
  return answer.get();
}

template <typename In, typename Out>
class Batcher {
 public:
  // run gets the inputs in arrival order and returns one output per input, in the same order.
  using Run = std::function<std::vector<Out>(std::vector<In>)>;
  using Done = std::function<void(Out)>;

  // name names the batcher's thread (see thread_name.h).
  explicit Batcher(Run run, std::string name = "batcher", size_t max_batch = 256)
      : run_(std::move(run)), max_batch_(max_batch), thread_([this, name = std::move(name)] {
          NameThisThread(name);
          Loop();
        }) {}

  // Everything submitted is run and answered before the thread ends.
  ~Batcher() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    changed_.notify_one();
    thread_.join();
  }

  // done runs on the batcher's thread, after the batch: it should be quick.
  void Submit(In in, Done done) {
    {
      std::lock_guard lock(mu_);
      waiting_.push_back({std::move(in), std::move(done)});
    }
    changed_.notify_one();
  }

  // Waits for the answer.
  Out Call(In in) {
    return AwaitAnswer<Out>([&](Done done) { Submit(std::move(in), std::move(done)); });
  }

 private:
  struct Item {
    In in;
    Done done;
  };

  void Loop() {
    std::unique_lock lock(mu_);
    while (true) {
      changed_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      if (waiting_.empty()) return;  // stopping, and all answered
      size_t n = std::min(waiting_.size(), max_batch_);
      std::vector<Item> batch;
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(waiting_.front()));
        waiting_.pop_front();
      }
      lock.unlock();
      std::vector<In> ins;
      ins.reserve(n);
      for (auto& item : batch) ins.push_back(std::move(item.in));
      std::vector<Out> outs = run_(std::move(ins));
      for (size_t i = 0; i < n; ++i) batch[i].done(std::move(outs[i]));
      lock.lock();
    }
  }

  Run run_;
  size_t max_batch_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Item> waiting_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything it uses
};

}  // namespace warroom
