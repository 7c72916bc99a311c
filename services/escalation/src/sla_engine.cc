#include "services/escalation/src/sla_engine.h"

#include "warroom/common/enum_names.h"
#include "warroom/common/timestamps.h"

namespace warroom::escalation {

using Kind = v1::SlaChanged::Kind;

namespace {

bool Running(const v1::SlaClock& c) { return c.state() == v1::SlaClock::STATE_RUNNING; }
bool Started(const v1::SlaClock& c) { return c.state() != v1::SlaClock::STATE_UNSPECIFIED; }

const char* TierRoleKey(v1::Tier t) {
  switch (t) {
    case v1::TIER_WARD: return "ward";
    case v1::TIER_LOCAL: return "local";
    case v1::TIER_DISTRICT: return "district";
    case v1::TIER_PROVINCE: return "province";
    default: return "rapid_response";
  }
}

}  // namespace

SlaEngine::SlaEngine(const SlaPolicy& policy, const Geography& geo,
                     std::map<std::string, std::vector<std::string>> roles)
    : policy_(policy), geo_(geo), roles_(std::move(roles)) {}

const BusinessCalendar& SlaEngine::CalendarOf(const v1::SlaClock& c) const {
  return *policy_.Calendar(policy_.For(c.category(), c.critical()).calendar);
}

std::string SlaEngine::WarRoomFor(const v1::SlaClock& c, v1::Tier tier) const {
  const Ward* w = geo_.FindWard(c.ward_code());
  std::string muni = w ? w->municipality_code : c.municipality_code();
  switch (tier) {
    case v1::TIER_WARD:
      return !c.war_room().empty() ? c.war_room() : w ? "WR-" + w->code : "WR-" + muni + "-QUEUE";
    case v1::TIER_LOCAL:
      return w && !w->region.empty() ? "WR-" + muni + "-" + w->region : "WR-" + muni;
    case v1::TIER_DISTRICT: {
      const Municipality* m = geo_.FindMunicipality(muni);
      return "WR-" + (w ? w->district : m && m->kind == MunicipalityKind::kLocal ? m->parent : muni);
    }
    case v1::TIER_PROVINCE: return "WR-" + geo_.province() + "-PROVINCE";
    default: return "WR-" + geo_.province() + "-RAPID-RESPONSE";
  }
}

void SlaEngine::Emit(const v1::SlaClock& c, Kind kind, Outputs& out) const {
  v1::SlaChanged e;
  e.set_case_number(c.case_number());
  e.set_kind(kind);
  e.set_tier(c.tier());
  if (c.has_due_at() && c.state() != v1::SlaClock::STATE_STOPPED) *e.mutable_due_at() = c.due_at();
  e.set_overdue(c.state() == v1::SlaClock::STATE_OVERDUE);
  out.changes.push_back(std::move(e));
}

void SlaEngine::Notify(const v1::SlaClock& c, const std::string& what, TimePoint now, Outputs& out) const {
  v1::Notification n;
  n.set_case_number(c.case_number());
  n.set_tier(c.tier());
  n.set_war_room(WarRoomFor(c, c.tier()));
  auto it = roles_.find(TierRoleKey(c.tier()));
  if (it != roles_.end()) {
    for (const auto& r : it->second) n.add_role_ids(r);
  }
  n.set_what(what);
  *n.mutable_at() = ToTimestamp(now);
  out.notifications.push_back(std::move(n));
}

void SlaEngine::EndVisit(v1::SlaClock& c, TimePoint now, const std::string& outcome) const {
  if (c.tiers_size() == 0) return;
  auto* visit = c.mutable_tiers(c.tiers_size() - 1);
  if (visit->has_ended_at()) return;
  *visit->mutable_ended_at() = ToTimestamp(now);
  visit->set_outcome(outcome);
}

void SlaEngine::Arm(v1::SlaClock& c, TimePoint now) const {
  const BusinessCalendar& cal = CalendarOf(c);
  std::chrono::seconds budget(c.budget_seconds());
  std::chrono::seconds left = budget - std::chrono::seconds(c.consumed_seconds());
  *c.mutable_run_started_at() = ToTimestamp(now);
  *c.mutable_due_at() = ToTimestamp(cal.Add(now, left));
  auto warn_after = std::chrono::seconds(static_cast<int64_t>(budget.count() * policy_.warning_at())) -
                    std::chrono::seconds(c.consumed_seconds());
  *c.mutable_warn_at() = ToTimestamp(cal.Add(now, std::max(warn_after, std::chrono::seconds(0))));
  c.set_state(v1::SlaClock::STATE_RUNNING);
  c.set_generation(c.generation() + 1);
}

void SlaEngine::StartTier(v1::SlaClock& c, v1::Tier tier, TimePoint now, Kind kind, Outputs& out) const {
  const TierBudgets& b = policy_.For(c.category(), c.critical());
  c.set_tier(tier);
  c.set_calendar(b.calendar);
  c.set_budget_seconds(b.resolve.at(tier).count());
  c.set_consumed_seconds(0);
  c.set_warned(false);
  auto* visit = c.add_tiers();
  visit->set_tier(tier);
  *visit->mutable_started_at() = ToTimestamp(now);
  Arm(c, now);
  Emit(c, kind, out);
}

void SlaEngine::OnReported(v1::SlaClock& c, const v1::CaseReported& e, TimePoint now, Outputs& out) const {
  c.set_case_number(e.case_number());
  c.set_category(e.category());
  if (c.ward_code().empty()) c.set_ward_code(e.ward_code());
  if (c.municipality_code().empty()) c.set_municipality_code(e.municipality_code());
  c.set_case_status(v1::CASE_STATUS_REPORTED);
  if (e.critical_reason() == v1::CRITICAL_REASON_UNSPECIFIED) return;
  // A crisis goes to rapid response at once, assigned or not, with every hour counting.
  bool was_running = Started(c);
  c.set_critical(true);
  const TierBudgets& b = policy_.For(c.category(), true);
  *c.mutable_acknowledge_due_at() = ToTimestamp(policy_.Calendar(b.calendar)->Add(now, b.acknowledge));
  if (was_running) EndVisit(c, now, "rapid_response");
  StartTier(c, v1::TIER_RAPID_RESPONSE, now, v1::SlaChanged::KIND_RAPID_RESPONSE, out);
  Notify(c, "rapid_response", now, out);
}

void SlaEngine::OnAssigned(v1::SlaClock& c, const v1::CaseAssigned& e, TimePoint now, Outputs& out) const {
  c.set_case_number(e.case_number());
  c.set_assigned(true);
  c.set_war_room(e.war_room());
  if (!e.ward_code().empty()) c.set_ward_code(e.ward_code());
  if (!e.municipality_code().empty()) c.set_municipality_code(e.municipality_code());
  if (c.category() == v1::CATEGORY_UNSPECIFIED) c.set_category(e.category());
  if (Started(c)) return;  // a reassignment keeps the clock; only who is told changes
  // The clock starts when someone is responsible.
  const TierBudgets& b = policy_.For(c.category(), c.critical());
  *c.mutable_acknowledge_due_at() = ToTimestamp(policy_.Calendar(b.calendar)->Add(now, b.acknowledge));
  StartTier(c, v1::TIER_WARD, now, v1::SlaChanged::KIND_CLOCK_STARTED, out);
}

void SlaEngine::OnStatusChanged(v1::SlaClock& c, const v1::CaseStatusChanged& e, TimePoint now,
                                Outputs& out) const {
  c.set_case_number(e.case_number());
  c.set_case_status(e.to());
  if (e.to() != v1::CASE_STATUS_REPORTED) c.set_acknowledged(true);
  if (!Started(c)) return;
  switch (e.to()) {
    case v1::CASE_STATUS_AWAITING_RESIDENT:
      if (!Running(c)) return;
      // The time used so far is kept; the clock waits for the resident.
      c.set_consumed_seconds(c.consumed_seconds() +
                             CalendarOf(c).Between(FromTimestamp(c.run_started_at()), now).count());
      c.set_state(v1::SlaClock::STATE_PAUSED);
      c.set_generation(c.generation() + 1);
      Emit(c, v1::SlaChanged::KIND_PAUSED, out);
      return;
    case v1::CASE_STATUS_IN_PROGRESS:
    case v1::CASE_STATUS_ACKNOWLEDGED:
      if (c.state() != v1::SlaClock::STATE_PAUSED) return;
      Arm(c, now);
      Emit(c, v1::SlaChanged::KIND_RESUMED, out);
      return;
    case v1::CASE_STATUS_RESOLVED:
    case v1::CASE_STATUS_REJECTED:
    case v1::CASE_STATUS_CLOSED:
      if (c.state() == v1::SlaClock::STATE_STOPPED) return;
      EndVisit(c, now, e.to() == v1::CASE_STATUS_REJECTED ? "rejected" : "resolved");
      c.set_state(v1::SlaClock::STATE_STOPPED);
      c.set_generation(c.generation() + 1);
      Emit(c, v1::SlaChanged::KIND_STOPPED, out);
      return;
    default:
      return;
  }
}

void SlaEngine::OnReopened(v1::SlaClock& c, TimePoint now, Outputs& out) const {
  c.set_case_status(v1::CASE_STATUS_REOPENED);
  if (!Started(c)) return;
  // A new clock at the tier that resolved it.
  v1::Tier tier = c.tier() == v1::TIER_UNSPECIFIED ? v1::TIER_WARD : c.tier();
  StartTier(c, tier, now, v1::SlaChanged::KIND_CLOCK_STARTED, out);
}

void SlaEngine::OnRecategorised(v1::SlaClock& c, v1::Category to, TimePoint now, Outputs& out) const {
  bool running = Running(c);
  if (running) {
    c.set_consumed_seconds(c.consumed_seconds() + CalendarOf(c).Between(FromTimestamp(c.run_started_at()), now).count());
  }
  c.set_category(to);
  if (!Started(c) || c.state() == v1::SlaClock::STATE_STOPPED || c.state() == v1::SlaClock::STATE_OVERDUE) return;
  // The new category's time at the same tier, less what was already used.
  const TierBudgets& b = policy_.For(to, c.critical());
  auto it = b.resolve.find(c.tier());
  if (it == b.resolve.end()) return;
  c.set_budget_seconds(it->second.count());
  c.set_calendar(b.calendar);
  if (running) {
    Arm(c, now);
    Emit(c, v1::SlaChanged::KIND_CLOCK_STARTED, out);
  }
}

bool SlaEngine::OnTimer(v1::SlaClock& c, TimerKind kind, int64_t generation, TimePoint now,
                        Outputs& out) const {
  if (generation != c.generation()) return false;
  switch (kind) {
    case TimerKind::kAcknowledge:
      if (c.acknowledged() || !c.has_acknowledge_due_at()) return false;
      c.clear_acknowledge_due_at();
      Notify(c, "acknowledge_overdue", now, out);
      return true;
    case TimerKind::kWarn:
      if (!Running(c) || c.warned()) return false;
      c.set_warned(true);
      Emit(c, v1::SlaChanged::KIND_WARNING, out);
      Notify(c, "warning", now, out);
      return true;
    case TimerKind::kBreach:
      if (!Running(c)) return false;
      EndVisit(c, now, "escalated");
      if (c.tier() == v1::TIER_PROVINCE || c.tier() == v1::TIER_RAPID_RESPONSE) {
        // Nowhere higher to go: it stays overdue, and says so.
        c.set_state(v1::SlaClock::STATE_OVERDUE);
        c.set_generation(c.generation() + 1);
        Emit(c, v1::SlaChanged::KIND_OVERDUE, out);
        Notify(c, "overdue", now, out);
        return true;
      }
      StartTier(c, static_cast<v1::Tier>(c.tier() + 1), now, v1::SlaChanged::KIND_ESCALATED, out);
      Notify(c, "escalated", now, out);
      return true;
  }
  return false;
}

std::vector<Timer> SlaEngine::Timers(const v1::SlaClock& c) const {
  std::vector<Timer> timers;
  auto member = [&](const char* kind) {
    return c.case_number() + "|" + kind + "|" + std::to_string(c.generation());
  };
  if (Running(c)) {
    if (!c.warned()) timers.push_back({TimerKind::kWarn, FromTimestamp(c.warn_at()), member("warn")});
    timers.push_back({TimerKind::kBreach, FromTimestamp(c.due_at()), member("breach")});
  }
  if (Started(c) && !c.acknowledged() && c.has_acknowledge_due_at() &&
      c.state() != v1::SlaClock::STATE_STOPPED) {
    timers.push_back({TimerKind::kAcknowledge, FromTimestamp(c.acknowledge_due_at()), member("ack")});
  }
  return timers;
}

std::chrono::seconds SlaEngine::Remaining(const v1::SlaClock& c, TimePoint now) const {
  std::chrono::seconds budget(c.budget_seconds());
  std::chrono::seconds used(c.consumed_seconds());
  if (Running(c)) used += CalendarOf(c).Between(FromTimestamp(c.run_started_at()), now);
  if (c.state() == v1::SlaClock::STATE_RUNNING && now > FromTimestamp(c.due_at())) {
    return -std::chrono::duration_cast<std::chrono::seconds>(now - FromTimestamp(c.due_at()));
  }
  return budget - used;
}

}  // namespace warroom::escalation
