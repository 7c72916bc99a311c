// Batches work from many callers onto one thread of its own, which runs everything waiting in one
// batch (a few Redis round trips instead of a few per caller); a second thread answers each caller,
// so the next batch starts while the last one's callers are answered. Callers either hand in a
// callback (the gRPC callback API: no thread waits per call) or wait (Call). A lone caller is run at
// once, so a quiet service pays no delay; under load, work that arrives while a batch runs forms
// the next one.
#pragma once

#include <cstddef>
#include <functional>
#include <future>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "warroom/common/bounded_queue.h"
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

  // name (up to 8 characters) names its two threads (see thread_name.h): <name>-batch runs the
  // batches, <name>-answer answers their callers.
  explicit Batcher(Run run, const std::string& name = "work", size_t max_batch = 256)
      : run_(std::move(run)),
        max_batch_(max_batch),
        batches_([this, name] {
          NameThisThread(name + "-batch");
          RunBatches();
        }),
        answers_([this, name] {
          NameThisThread(name + "-answer");
          AnswerCallers();
        }) {}

  // Everything submitted is run and answered before the threads end.
  ~Batcher() {
    waiting_.Close();
    batches_.join();
    answers_.join();
  }

  // done runs on the answering thread, after the batch: it should be quick. Not after the
  // batcher has begun to be destroyed.
  void Submit(In in, Done done) { waiting_.Push({std::move(in), std::move(done)}); }

  // Waits for the answer.
  Out Call(In in) {
    return AwaitAnswer<Out>([&](Done done) { Submit(std::move(in), std::move(done)); });
  }

 private:
  struct Item {
    In in;
    Done done;
  };
  struct Ran {
    std::vector<Item> batch;
    std::vector<Out> outs;
  };

  void RunBatches() {
    for (auto batch = waiting_.PopUpTo(max_batch_); !batch.empty(); batch = waiting_.PopUpTo(max_batch_)) {
      std::vector<In> ins;
      ins.reserve(batch.size());
      for (auto& item : batch) ins.push_back(std::move(item.in));
      std::vector<Out> outs = run_(std::move(ins));
      ran_.Push({std::move(batch), std::move(outs)});
    }
    ran_.Close();  // what is in it is still answered
  }

  void AnswerCallers() {
    for (auto ran = ran_.PopUpTo(kAnswerBatches); !ran.empty(); ran = ran_.PopUpTo(kAnswerBatches)) {
      for (auto& [batch, outs] : ran) {
        for (size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(outs[i]));
      }
    }
  }

  // Batches run but not yet answered, at most: a slow answerer holds the next batch back.
  static constexpr size_t kRanBatches = 64;
  static constexpr size_t kAnswerBatches = 16;

  Run run_;
  size_t max_batch_;
  BoundedQueue<Item> waiting_{std::numeric_limits<size_t>::max()};  // Submit never waits
  BoundedQueue<Ran> ran_{kRanBatches};
  std::thread batches_;  // the threads last: they start after everything they use
  std::thread answers_;
};

}  // namespace warroom
