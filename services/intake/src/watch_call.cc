#include "services/intake/src/watch_call.h"

#include "warroom/common/api_metadata.h"
#include "warroom/common/grpc_status.h"
#include "warroom/common/metrics.h"
#include "warroom/common/thread_name.h"

namespace warroom::intake {

namespace {

// Ends a watch with a status that tells the client how to go on without missing a change.
grpc::Status GoOn(StatusCode code, const std::string& why) {
  return ToGrpcStatus(Status(code, why + "; watch again with the resume_token of the last change received"));
}

constexpr size_t kCatchUpBatch = 256;

}  // namespace

// A watch's state, shared by its reactor (until gRPC is done with it), the pump's queue and its
// subscription's notifier, so that a late notification finds it still there. Everything but the
// three flags is touched only on the pump's thread.
class WatchState : public std::enable_shared_from_this<WatchState> {
 public:
  WatchState(grpc::ServerWriteReactor<v1::CaseChange>* reactor, grpc::CallbackServerContext* context,
             WatchPump& pump, IntakeCore& core, WatchHub& hub, Caller caller, WatchRequest request)
      : reactor_(reactor), context_(context), pump_(pump), core_(core), hub_(hub),
        caller_(std::move(caller)), request_(std::move(request)) {}

  void Step();

  std::atomic<bool> queued{false};       // waiting in the pump's queue
  std::atomic<bool> writing{false};      // a write is in flight
  std::atomic<bool> client_gone{false};  // a write failed, or the client cancelled

 private:
  // Subscribes and finds where the watch begins; false when it has ended instead.
  bool Begin();
  // The next change to look at: from the stream while catching up, else from the subscription.
  // nullopt when there is none now (or the watch has ended).
  std::optional<CaseChangeRef> NextChange(bool& read_a_batch);
  // Starts writing the change if it is one this client should get; false when it is not.
  bool Deliver(const CaseChangeRef& ref);
  void End(const grpc::Status& status, std::string_view why) {
    ended_ = true;
    pump_.Ended(why);
    subscription_.reset();
    reactor_->Finish(status);  // the reactor is not touched after this
  }

  grpc::ServerWriteReactor<v1::CaseChange>* reactor_;
  grpc::CallbackServerContext* context_;
  WatchPump& pump_;
  IntakeCore& core_;
  WatchHub& hub_;
  Caller caller_;
  WatchRequest request_;
  std::shared_ptr<WatchSubscription> subscription_;
  bool begun_ = false, ended_ = false, catching_up_ = true;
  ChangeId last_;  // the newest change sent or passed over
  std::deque<CaseChangeRef> caught_up_;  // read from the stream, not yet looked at
  v1::CaseChange message_;               // the write in flight
};

WatchPump::WatchPump(prometheus::Registry* registry) {
  if (registry != nullptr) {
    open_ = &prometheus::BuildGauge()
                 .Name(MetricName("intake", "watches_open"))
                 .Help("WatchCases streams open on this replica")
                 .Register(*registry)
                 .Add({});
    sent_ = &prometheus::BuildCounter()
                 .Name(MetricName("intake", "watch_changes_sent_total"))
                 .Help("Case changes written to watchers")
                 .Register(*registry)
                 .Add({});
    ended_ = &prometheus::BuildCounter()
                  .Name(MetricName("intake", "watches_ended_total"))
                  .Help("WatchCases streams ended, by why: client_left, fell_behind (too many changes queued), unavailable (Redis), resume_refused")
                  .Register(*registry);
  }
  thread_ = std::thread([this] {
    NameThisThread("watch-pump");
    Loop();
  });
}

WatchPump::~WatchPump() {
  ready_.Close();
  thread_.join();
}

void WatchPump::Opened() {
  if (open_) open_->Increment();
}

void WatchPump::Sent() {
  if (sent_) sent_->Increment();
}

void WatchPump::Ended(std::string_view why) {
  if (open_) open_->Decrement();
  if (ended_) ended_->Add({{"reason", std::string(why)}}).Increment();
}

void WatchPump::Ready(const std::shared_ptr<WatchState>& watch) {
  if (!watch->queued.exchange(true)) ready_.Push(watch);
}

void WatchPump::Loop() {
  constexpr size_t kStepsATurn = 64;
  for (auto ready = ready_.PopUpTo(kStepsATurn); !ready.empty(); ready = ready_.PopUpTo(kStepsATurn)) {
    for (const auto& watch : ready) {
      watch->queued = false;  // a notification from now on runs it again
      watch->Step();
    }
  }
}

bool WatchState::Begin() {
  // A watch starts at a position in the change stream: the token given, else the newest change
  // now. It subscribes, then catches up from that position; a change in both is sent once (by id).
  // The position goes back in the initial metadata, so that a client that receives no change
  // before it loses the stream can still go on from where it began.
  if (request_.resume) {
    last_ = *request_.resume;
  } else if (auto newest = hub_.Newest(); newest.ok()) {
    last_ = *newest;
  } else {
    End(ToGrpcStatus(newest.status()), "unavailable");
    return false;
  }
  subscription_ = hub_.Subscribe(request_.ward, request_.municipality);
  std::weak_ptr<WatchState> self = weak_from_this();
  subscription_->OnPush([self, pump = &pump_] {
    if (auto watch = self.lock()) pump->Ready(watch);
  });
  if (request_.resume) {
    if (Status held = hub_.CheckResumable(*request_.resume); !held.ok()) {
      End(ToGrpcStatus(held), "resume_refused");
      return false;
    }
  }
  context_->AddInitialMetadata(std::string(metadata::kWatchResumeToken), last_.ToString());
  reactor_->StartSendInitialMetadata();  // the watch is live
  return true;
}

std::optional<CaseChangeRef> WatchState::NextChange(bool& read_a_batch) {
  while (catching_up_) {
    if (!caught_up_.empty()) {
      CaseChangeRef ref = std::move(caught_up_.front());
      caught_up_.pop_front();
      return ref;
    }
    if (read_a_batch) {
      // One batch a step, so that a watch far behind does not hold up the others.
      pump_.Ready(shared_from_this());
      return std::nullopt;
    }
    auto batch = hub_.ReadAfter(last_, kCatchUpBatch);
    if (!batch.ok()) {
      End(GoOn(StatusCode::kUnavailable, batch.status().message()), "unavailable");
      return std::nullopt;
    }
    read_a_batch = true;
    if (batch->empty()) catching_up_ = false;
    caught_up_.assign(std::make_move_iterator(batch->begin()), std::make_move_iterator(batch->end()));
  }
  CaseChangeRef ref;
  switch (subscription_->Next(ref)) {
    case WatchSubscription::Polled::kNone:
      return std::nullopt;  // the subscription's notifier runs the watch again
    case WatchSubscription::Polled::kOverflowed:
      End(GoOn(StatusCode::kResourceExhausted,
               "this watcher fell more than " + std::to_string(hub_.max_queued()) + " changes behind"),
          "fell_behind");
      return std::nullopt;
    case WatchSubscription::Polled::kChange:
      break;
  }
  return ref;
}

bool WatchState::Deliver(const CaseChangeRef& ref) {
  if (ref.id <= last_) return false;  // sent while catching up
  last_ = ref.id;
  if (!subscription_->Matches(ref.ward, ref.municipality)) return false;
  auto c = core_.Get(ref.case_number);
  if (!c.ok() && c.status().code() == StatusCode::kUnavailable) {
    End(GoOn(StatusCode::kUnavailable, c.status().message()), "unavailable");
    return true;
  }
  if (!c.ok() || !caller_.MayUseSource(c->source_system())) return false;  // a metro sees only its own
  message_.Clear();
  message_.set_change(ref.change);
  *message_.mutable_case_() = std::move(*c);
  message_.set_resume_token(ref.id.ToString());
  writing = true;
  pump_.Sent();
  reactor_->StartWrite(&message_);
  return true;
}

void WatchState::Step() {
  if (ended_ || writing) return;
  if (client_gone) return End(grpc::Status::OK, "client_left");
  if (!begun_) {
    begun_ = true;
    if (!Begin()) return;
  }
  bool read_a_batch = false;
  while (!ended_) {
    auto ref = NextChange(read_a_batch);
    if (!ref) return;
    if (Deliver(*ref)) return;
  }
}

namespace {

class WatchCall final : public grpc::ServerWriteReactor<v1::CaseChange> {
 public:
  WatchCall(grpc::CallbackServerContext* context, WatchPump& pump, IntakeCore& core, WatchHub& hub,
            Caller caller, WatchRequest request)
      : pump_(pump),
        state_(std::make_shared<WatchState>(this, context, pump, core, hub, std::move(caller),
                                            std::move(request))) {
    pump_.Opened();
    pump_.Ready(state_);
  }
  void OnWriteDone(bool ok) override {
    if (!ok) state_->client_gone = true;
    state_->writing = false;
    pump_.Ready(state_);
  }
  void OnCancel() override {
    state_->client_gone = true;
    pump_.Ready(state_);
  }
  void OnDone() override { delete this; }

 private:
  WatchPump& pump_;
  std::shared_ptr<WatchState> state_;
};

class RefusedWatch final : public grpc::ServerWriteReactor<v1::CaseChange> {
 public:
  explicit RefusedWatch(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::CaseChange>* RefuseWatch(const grpc::Status& status) {
  return new RefusedWatch(status);
}

grpc::ServerWriteReactor<v1::CaseChange>* StartWatch(grpc::CallbackServerContext* context,
                                                     WatchPump& pump, IntakeCore& core,
                                                     WatchHub& hub, Caller caller,
                                                     WatchRequest request) {
  return new WatchCall(context, pump, core, hub, std::move(caller), std::move(request));
}

}  // namespace warroom::intake
