#include "services/escalation/src/escalation_core.h"

#include <google/protobuf/util/time_util.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <thread>

#include "warroom/common/case_number.h"
#include "warroom/common/enum_names.h"
#include "warroom/common/log.h"
#include "warroom/common/metrics.h"
#include "warroom/common/topics.h"

namespace warroom::escalation {

using google::protobuf::util::TimeUtil;

namespace {

constexpr char kTimers[] = "escalation:timers";
constexpr char kOverdue[] = "escalation:overdue";
std::string ClockKey(std::string_view cn) { return "escalation:{" + std::string(cn) + "}:clock"; }

int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint At(const google::protobuf::Timestamp& ts) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::nanoseconds(TimeUtil::TimestampToNanoseconds(ts))));
}

}  // namespace

EscalationCore::EscalationCore(RedisClient& redis, OutboxStore& outbox, const SlaEngine& engine,
                               const SlaPolicy& policy, const Clock& clock, IdGenerator& ids,
                               prometheus::Registry* registry)
    : redis_(redis), outbox_(outbox), engine_(engine), policy_(policy), clock_(clock),
      events_("escalation", clock, ids) {
  if (registry != nullptr) {
    sla_events_ = &prometheus::BuildCounter()
                       .Name(MetricName("escalation", "sla_events_total"))
                       .Help("SLA clock events published, by kind and tier")
                       .Register(*registry);
  }
}

StatusOr<std::pair<v1::SlaClock, int64_t>> EscalationCore::Load(const std::string& cn) {
  auto r = redis_.Command({"HMGET", ClockKey(cn), "v", "pb"});
  if (!r.ok()) return r.status();
  v1::SlaClock c;
  int64_t version = 0;
  if (!r->elements[0].is_nil()) {
    version = std::stoll(r->elements[0].str);
    if (!c.ParseFromString(r->elements[1].str)) {
      return Status(StatusCode::kDataLoss, "clock of " + cn + " is corrupt");
    }
  }
  c.set_case_number(cn);
  c.set_version(version);
  return std::make_pair(std::move(c), version);
}

StatusOr<CommitResult> EscalationCore::Commit(const v1::SlaClock& before, int64_t stored_version,
                                              v1::SlaClock after, const Outputs& out,
                                              const std::string& processed_event_id,
                                              const std::vector<std::string>& extra_timer_removals) {
  const std::string& cn = after.case_number();
  after.set_version(stored_version + 1);
  Mutation m(cn);
  if (!processed_event_id.empty()) m.MarkProcessed("escalation", processed_event_id);
  m.RequireField(ClockKey(cn), "v", stored_version == 0 ? "" : std::to_string(stored_version));
  m.Do("HSET", ClockKey(cn), {"v", std::to_string(after.version()), "pb", after.SerializeAsString()});
  std::vector<std::string> removals = extra_timer_removals;
  for (const auto& t : engine_.Timers(before)) removals.push_back(t.member);
  if (!removals.empty()) {
    m.Do("ZREM", kTimers, removals);
  }
  for (const auto& t : engine_.Timers(after)) m.Do("ZADD", kTimers, {std::to_string(Millis(t.due)), t.member});
  if (after.state() == v1::SlaClock::STATE_OVERDUE) {
    m.Do("ZADD", kOverdue, {std::to_string(Millis(clock_.Now())), cn});
  } else if (before.state() == v1::SlaClock::STATE_OVERDUE) {
    m.Do("ZREM", kOverdue, {cn});
  }
  for (const auto& change : out.changes) {
    v1::EventEnvelope e = events_.New(cn, after.version(), cn);
    *e.mutable_sla_changed() = change;
    m.Emit(ToOutboxEvent(topics::kEscalations, e));
  }
  for (const auto& n : out.notifications) {
    v1::EventEnvelope e = events_.New(cn, after.version(), cn);
    *e.mutable_notification() = n;
    m.Emit(ToOutboxEvent(topics::kNotifications, e));
  }
  auto committed = outbox_.Commit(m);
  if (committed.ok() && committed->applied()) {
    for (const auto& change : out.changes) {
      if (sla_events_) {
        sla_events_->Add({{"kind", EnumLabel(v1::SlaChanged::Kind_descriptor(), change.kind())},
                          {"tier", Label(change.tier())}}).Increment();
      }
      log::Info("sla_changed")
          .Kv("case", cn)
          .Kv("kind", EnumLabel(v1::SlaChanged::Kind_descriptor(), change.kind()))
          .Kv("tier", Label(change.tier()));
    }
  }
  return committed;
}

Status EscalationCore::ApplyEvent(const KafkaMessage& message) {
  auto envelope = DecodeEnvelope(message.value);
  if (!envelope.ok()) return envelope.status();
  const v1::EventEnvelope& e = *envelope;
  std::string cn;
  switch (e.payload_case()) {
    case v1::EventEnvelope::kCaseReported: cn = e.case_reported().case_number(); break;
    case v1::EventEnvelope::kCaseAssigned: cn = e.case_assigned().case_number(); break;
    case v1::EventEnvelope::kCaseStatusChanged: cn = e.case_status_changed().case_number(); break;
    case v1::EventEnvelope::kCaseReopened: cn = e.case_reopened().case_number(); break;
    case v1::EventEnvelope::kCaseRecategorised: cn = e.case_recategorised().case_number(); break;
    default: return Status::Ok();
  }
  WARROOM_RETURN_IF_ERROR(ParseCaseNumber(cn).status());
  // A version conflict means a sweeper changed the clock meanwhile: read it again and re-apply.
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto loaded = Load(cn);
    if (!loaded.ok()) return loaded.status();
    const auto& [before, version] = *loaded;
    v1::SlaClock after = before;
    Outputs out;
    TimePoint now = clock_.Now();
    switch (e.payload_case()) {
      case v1::EventEnvelope::kCaseReported: engine_.OnReported(after, e.case_reported(), now, out); break;
      case v1::EventEnvelope::kCaseAssigned: engine_.OnAssigned(after, e.case_assigned(), now, out); break;
      case v1::EventEnvelope::kCaseStatusChanged: engine_.OnStatusChanged(after, e.case_status_changed(), now, out); break;
      case v1::EventEnvelope::kCaseReopened: engine_.OnReopened(after, now, out); break;
      default: engine_.OnRecategorised(after, e.case_recategorised().to(), now, out); break;
    }
    auto committed = Commit(before, version, std::move(after), out, e.event_id());
    if (!committed.ok()) return committed.status();
    if (committed->outcome != CommitResult::Outcome::kConflict) return Status::Ok();
  }
  return AbortedError("clock of " + cn + " keeps changing; retry");
}

StatusOr<int> EscalationCore::SweepOnce(int limit) {
  TimePoint now = clock_.Now();
  auto due = redis_.Command({"ZRANGEBYSCORE", kTimers, "-inf", std::to_string(Millis(now)), "LIMIT",
                             "0", std::to_string(limit)});
  if (!due.ok()) return due.status();
  int handled = 0;
  for (const auto& member : due->elements) {
    const std::string& m = member.str;
    auto p1 = m.find('|'), p2 = m.rfind('|');
    if (p1 == std::string::npos || p2 == p1) {
      (void)redis_.Command({"ZREM", kTimers, m});
      continue;
    }
    std::string cn = m.substr(0, p1);
    std::string kind_text = m.substr(p1 + 1, p2 - p1 - 1);
    int64_t generation = std::stoll(m.substr(p2 + 1));
    TimerKind kind = kind_text == "warn" ? TimerKind::kWarn
                     : kind_text == "ack" ? TimerKind::kAcknowledge
                                          : TimerKind::kBreach;
    auto loaded = Load(cn);
    if (!loaded.ok()) return loaded.status();
    const auto& [before, version] = *loaded;
    v1::SlaClock after = before;
    Outputs out;
    if (!engine_.OnTimer(after, kind, generation, now, out)) {
      (void)redis_.Command({"ZREM", kTimers, m});  // stale: the clock moved on
      continue;
    }
    // The version guard makes this the only sweeper that handles this breach.
    auto committed = Commit(before, version, std::move(after), out, "", {m});
    if (!committed.ok()) return committed.status();
    if (committed->applied()) ++handled;
  }
  return handled;
}

void EscalationCore::RunSweeper(std::stop_token stop, std::chrono::milliseconds interval) {
  while (!stop.stop_requested()) {
    auto handled = SweepOnce();
    if (!handled.ok()) {
      log::Warn("sweep_failed").Kv("reason", handled.status().ToString());
    } else if (*handled > 0) {
      continue;  // more may be due
    }
    std::this_thread::sleep_for(interval);
  }
}

StatusOr<v1::GetSlaResponse> EscalationCore::GetSla(std::string_view case_number) {
  WARROOM_RETURN_IF_ERROR(ParseCaseNumber(case_number).status());
  auto loaded = Load(std::string(case_number));
  if (!loaded.ok()) return loaded.status();
  if (loaded->second == 0) return NotFoundError("case " + std::string(case_number) + " has no SLA clock (yet)");
  v1::GetSlaResponse out;
  *out.mutable_clock() = loaded->first;
  out.set_remaining_seconds(engine_.Remaining(loaded->first, clock_.Now()).count());
  out.set_paused(loaded->first.state() == v1::SlaClock::STATE_PAUSED);
  return out;
}

StatusOr<v1::ListOverdueResponse> EscalationCore::ListOverdue(const v1::ListOverdueRequest& r) {
  if (r.limit() < 0 || r.limit() > 1000) {
    return InvalidArgumentError("the request is invalid", {{"limit", "must be 0 (default 100) to 1000"}});
  }
  int limit = r.limit() == 0 ? 100 : r.limit();
  auto overdue = redis_.Command({"ZRANGE", kOverdue, "0", "-1"});
  if (!overdue.ok()) return overdue.status();
  v1::ListOverdueResponse out;
  for (const auto& e : overdue->elements) {
    auto loaded = Load(e.str);
    if (!loaded.ok()) return loaded.status();
    const v1::SlaClock& c = loaded->first;
    if (r.tier() != 0 && c.tier() != r.tier()) continue;
    if (!r.municipality_code().empty() && c.municipality_code() != r.municipality_code()) continue;
    if (!r.ward_code().empty() && c.ward_code() != r.ward_code()) continue;
    *out.add_clocks() = c;
    if (out.clocks_size() == limit) break;
  }
  return out;
}

StatusOr<v1::BusinessTimeResponse> EscalationCore::BusinessTime(const v1::BusinessTimeRequest& r) const {
  FieldErrors errors;
  const BusinessCalendar* cal = policy_.Calendar(r.calendar());
  if (cal == nullptr) errors.Add("calendar", "unknown calendar '" + r.calendar() + "'");
  if (!r.has_from()) errors.Add("from", "is required");
  if (r.what_case() == v1::BusinessTimeRequest::WHAT_NOT_SET) errors.Add("what", "give add_seconds or to");
  if (r.what_case() == v1::BusinessTimeRequest::kAddSeconds && r.add_seconds() < 0) {
    errors.Add("add_seconds", "must not be negative");
  }
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the business time request is invalid"));
  v1::BusinessTimeResponse out;
  TimePoint from = At(r.from());
  if (r.what_case() == v1::BusinessTimeRequest::kAddSeconds) {
    TimePoint to = cal->Add(from, std::chrono::seconds(r.add_seconds()));
    *out.mutable_to() = TimeUtil::NanosecondsToTimestamp(
        std::chrono::duration_cast<std::chrono::nanoseconds>(to.time_since_epoch()).count());
    out.set_seconds(r.add_seconds());
  } else {
    out.set_seconds(cal->Between(from, At(r.to())).count());
    *out.mutable_to() = r.to();
  }
  return out;
}

}  // namespace warroom::escalation
