// Group commit: concurrent callers hand their work to one of them, which runs everyone's in one
// batch (a few Redis round trips instead of a few per caller) and hands each its own result. No
// thread of its own: the first caller to find no batch running runs one, and keeps running batches
// until its own result is in; then it hands the lead to a waiting caller. A caller alone runs a
// batch of one at once, so a quiet service pays no delay.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace warroom {

template <typename In, typename Out>
class GroupCommit {
 public:
  // run gets the inputs in arrival order and returns one output per input, in the same order.
  using Batch = std::function<std::vector<Out>(std::vector<In>)>;

  explicit GroupCommit(Batch run, size_t max_batch = 256) : run_(std::move(run)), max_batch_(max_batch) {}

  Out Submit(In in) {
    Slot slot(std::move(in));
    std::unique_lock lock(mu_);
    waiting_.push_back(&slot);
    if (leading_) slot.changed.wait(lock, [&] { return slot.out.has_value() || slot.lead; });
    if (slot.out.has_value()) return std::move(*slot.out);
    leading_ = true;
    while (!slot.out.has_value()) {
      size_t n = std::min(waiting_.size(), max_batch_);
      std::vector<Slot*> batch(waiting_.begin(), waiting_.begin() + static_cast<std::ptrdiff_t>(n));
      waiting_.erase(waiting_.begin(), waiting_.begin() + static_cast<std::ptrdiff_t>(n));
      lock.unlock();
      std::vector<In> ins;
      ins.reserve(batch.size());
      for (Slot* s : batch) ins.push_back(std::move(s->in));
      std::vector<Out> outs = run_(std::move(ins));
      lock.lock();
      // Each caller is woken alone (waking all of them for every batch cost more than the batch).
      for (size_t i = 0; i < batch.size(); ++i) {
        batch[i]->out.emplace(std::move(outs[i]));
        if (batch[i] != &slot) batch[i]->changed.notify_one();
      }
    }
    if (waiting_.empty()) {
      leading_ = false;
    } else {  // the lead passes to the longest waiting caller
      waiting_.front()->lead = true;
      waiting_.front()->changed.notify_one();
    }
    return std::move(*slot.out);
  }

 private:
  struct Slot {
    explicit Slot(In i) : in(std::move(i)) {}
    In in;
    std::optional<Out> out;
    bool lead = false;
    std::condition_variable changed;
  };
  Batch run_;
  size_t max_batch_;
  std::mutex mu_;
  std::deque<Slot*> waiting_;
  bool leading_ = false;
};

}  // namespace warroom
