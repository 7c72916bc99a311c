// The SLA clock as a pure state machine: case and assignment events and due timers in, the
// clock's new state and the events to publish out. Time comes in as an argument; nothing here
// touches Redis, Kafka or a real clock.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "services/escalation/src/sla_policy.h"
#include "warroom/common/geography.h"
#include "warroom/v1/escalation.pb.h"
#include "warroom/v1/events.pb.h"

namespace warroom::escalation {

struct Outputs {
  std::vector<v1::SlaChanged> changes;
  std::vector<v1::Notification> notifications;
  bool empty() const { return changes.empty() && notifications.empty(); }
};

enum class TimerKind { kWarn, kBreach, kAcknowledge };

struct Timer {
  TimerKind kind;
  TimePoint due;
  std::string member;  // "<case>|<kind>|<generation>": unique per arming
};

class SlaEngine {
 public:
  // roles: role ids per tier name ("ward", "local", "district", "province", "rapid_response").
  SlaEngine(const SlaPolicy& policy, const Geography& geo,
            std::map<std::string, std::vector<std::string>> roles);

  void OnReported(v1::SlaClock& c, const v1::CaseReported& e, TimePoint now, Outputs& out) const;
  void OnAssigned(v1::SlaClock& c, const v1::CaseAssigned& e, TimePoint now, Outputs& out) const;
  void OnStatusChanged(v1::SlaClock& c, const v1::CaseStatusChanged& e, TimePoint now, Outputs& out) const;
  void OnReopened(v1::SlaClock& c, TimePoint now, Outputs& out) const;
  void OnRecategorised(v1::SlaClock& c, v1::Category to, TimePoint now, Outputs& out) const;
  // A timer fell due. A timer of an older generation is ignored (returns false).
  bool OnTimer(v1::SlaClock& c, TimerKind kind, int64_t generation, TimePoint now, Outputs& out) const;

  // The timers the clock needs now.
  std::vector<Timer> Timers(const v1::SlaClock& c) const;
  // Business time left at the current tier (negative past due).
  std::chrono::seconds Remaining(const v1::SlaClock& c, TimePoint now) const;
  std::string WarRoomFor(const v1::SlaClock& c, v1::Tier tier) const;

 private:
  const BusinessCalendar& CalendarOf(const v1::SlaClock& c) const;
  void StartTier(v1::SlaClock& c, v1::Tier tier, TimePoint now, v1::SlaChanged::Kind kind, Outputs& out) const;
  void Arm(v1::SlaClock& c, TimePoint now) const;
  void Emit(const v1::SlaClock& c, v1::SlaChanged::Kind kind, Outputs& out) const;
  void Notify(const v1::SlaClock& c, const std::string& what, TimePoint now, Outputs& out) const;
  void EndVisit(v1::SlaClock& c, TimePoint now, const std::string& outcome) const;

  const SlaPolicy& policy_;
  const Geography& geo_;
  std::map<std::string, std::vector<std::string>> roles_;
};

}  // namespace warroom::escalation
