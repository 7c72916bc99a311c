// Escalation's application logic over Redis: applies case and assignment events to SLA clocks,
// sweeps due timers (cost grows with the due timers, not with the open clocks), and answers the
// API. Every change commits the clock, its timers and its events in one script, guarded by the
// clock's version, so a breach produces exactly one escalation however many sweepers run.
#pragma once

#include <stop_token>

#include "services/escalation/src/hotspots.h"
#include "services/escalation/src/sla_engine.h"
#include "warroom/common/events.h"
#include "warroom/common/kafka.h"
#include "warroom/common/outbox.h"
#include "warroom/common/redis.h"
#include "warroom/v1/escalation.pb.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
}  // namespace prometheus

namespace warroom::escalation {

class EscalationCore {
 public:
  EscalationCore(RedisClient& redis, OutboxStore& outbox, const SlaEngine& engine,
                 const SlaPolicy& policy, const Clock& clock, IdGenerator& ids,
                 prometheus::Registry* registry, HotspotRule hotspots = {});

  Status ApplyEvent(const KafkaMessage& message);
  // Handles up to `limit` due timers; returns how many it handled.
  StatusOr<int> SweepOnce(int limit = 500);
  void RunSweeper(std::stop_token stop, std::chrono::milliseconds interval);

  StatusOr<v1::GetSlaResponse> GetSla(std::string_view case_number);
  StatusOr<v1::ListOverdueResponse> ListOverdue(const v1::ListOverdueRequest& request);
  StatusOr<v1::BusinessTimeResponse> BusinessTime(const v1::BusinessTimeRequest& request) const;
  StatusOr<v1::ListAlertsResponse> ListAlerts(const v1::ListAlertsRequest& request);
  StatusOr<v1::HotspotAlert> AcknowledgeAlert(const v1::AcknowledgeAlertRequest& request);

 private:
  StatusOr<std::pair<v1::SlaClock, int64_t>> Load(const std::string& cn);
  // Commits a clock change with its timers and events. processed_event_id may be empty.
  StatusOr<CommitResult> Commit(const v1::SlaClock& before, int64_t stored_version,
                                v1::SlaClock after, const Outputs& out,
                                const std::string& processed_event_id,
                                const std::vector<std::string>& extra_timer_removals = {});

  // Counts a reported case for its ward and category, and raises one alert when that forms a
  // hotspot (at most one per ward and category per window).
  Status CountForHotspot(const v1::EventEnvelope& event);

  RedisClient& redis_;
  OutboxStore& outbox_;
  const SlaEngine& engine_;
  const SlaPolicy& policy_;
  const Clock& clock_;
  EventFactory events_;
  HotspotRule hotspots_;
  prometheus::Family<prometheus::Counter>* sla_events_ = nullptr;
  prometheus::Family<prometheus::Counter>* alerts_ = nullptr;
};

}  // namespace warroom::escalation
