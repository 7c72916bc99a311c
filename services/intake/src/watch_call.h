// WatchCases on gRPC's callback API: a watch waits on no thread of its own. Its work (catching up
// from the change stream, loading each changed case, starting the next write) runs on the
// WatchPump's thread whenever it may have something to do: a change was queued for it, its last
// write finished, or its client went away. One write is in flight per watch at a time.
#pragma once

#include <grpcpp/grpcpp.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <atomic>
#include <limits>
#include <memory>
#include <optional>
#include <thread>

#include "services/intake/src/intake_core.h"
#include "services/intake/src/watch_hub.h"
#include "warroom/common/authz.h"
#include "warroom/common/bounded_queue.h"
#include "warroom/v1/intake.grpc.pb.h"

namespace warroom::intake {

class WatchState;

class WatchPump {
 public:
  // Metrics (when registry is given): watches open, changes sent, watches ended and why.
  explicit WatchPump(prometheus::Registry* registry = nullptr);
  // Runs the steps already asked for, then stops.
  ~WatchPump();
  // Runs the watch's next step on the pump's thread (once, however often it is asked meanwhile).
  void Ready(const std::shared_ptr<WatchState>& watch);

  void Opened();
  void Sent();
  void Ended(std::string_view why);  // client_left, fell_behind, unavailable or resume_refused

 private:
  void Loop();

  prometheus::Gauge* open_ = nullptr;
  prometheus::Counter* sent_ = nullptr;
  prometheus::Family<prometheus::Counter>* ended_ = nullptr;

  BoundedQueue<std::shared_ptr<WatchState>> ready_{std::numeric_limits<size_t>::max()};  // Ready never waits
  std::thread thread_;  // last: started by the constructor once the metrics exist
};

// What a watch asks for, checked before it starts.
struct WatchRequest {
  std::string ward, municipality;
  std::optional<ChangeId> resume;
};

// A watch refused before it starts: ends at once with the status.
grpc::ServerWriteReactor<v1::CaseChange>* RefuseWatch(const grpc::Status& status);

// Starts a watch for an authorised caller and a checked request; gRPC owns the reactor.
grpc::ServerWriteReactor<v1::CaseChange>* StartWatch(grpc::CallbackServerContext* context,
                                                     WatchPump& pump, IntakeCore& core,
                                                     WatchHub& hub, Caller caller,
                                                     WatchRequest request);

}  // namespace warroom::intake
