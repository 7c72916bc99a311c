#include "services/escalation/src/escalation_core.h"

#include <google/protobuf/util/time_util.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <thread>

#include "warroom/common/case_number.h"
#include "warroom/common/enum_names.h"
#include "warroom/common/timestamps.h"
#include "warroom/common/log.h"
#include "warroom/common/metrics.h"
#include "warroom/common/topics.h"

namespace warroom::escalation {

using google::protobuf::util::TimeUtil;

namespace {

constexpr char kTimers[] = "escalation:timers";
constexpr char kOverdue[] = "escalation:overdue";
constexpr char kAlerts[] = "escalation:alerts";
std::string AlertKey(std::string_view id) { return "escalation:alert:" + std::string(id); }
std::string ClockKey(std::string_view cn) { return "escalation:{" + std::string(cn) + "}:clock"; }

int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

EscalationCore::EscalationCore(RedisClient& redis, OutboxStore& outbox, const SlaEngine& engine,
                               const SlaPolicy& policy, const Clock& clock, IdGenerator& ids,
                               prometheus::Registry* registry, HotspotRule hotspots)
    : redis_(redis), outbox_(outbox), engine_(engine), policy_(policy), clock_(clock),
      events_("escalation", clock, ids), hotspots_(hotspots) {
  if (registry != nullptr) {
    sla_events_ = &prometheus::BuildCounter()
                       .Name(MetricName("escalation", "sla_events_total"))
                       .Help("SLA clock events published, by kind and tier")
                       .Register(*registry);
    alerts_ = &prometheus::BuildCounter()
                   .Name(MetricName("escalation", "hotspot_alerts_total"))
                   .Help("Hotspot alerts raised, by category")
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
  if (e.has_case_reported() && !e.case_reported().ward_code().empty()) {
    WARROOM_RETURN_IF_ERROR(CountForHotspot(e));
  }
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

Status EscalationCore::CountForHotspot(const v1::EventEnvelope& e) {
  const auto& r = e.case_reported();
  std::string label = Label(r.category());
  std::string counts = "escalation:hot:" + r.ward_code() + ":" + label;
  std::string lock = "escalation:hot-lock:" + r.ward_code() + ":" + label;
  // Buckets by the time of the report, so that a replay counts into the same hours.
  int64_t hour = TimeUtil::TimestampToSeconds(r.reported_at()) / 3600;
  int64_t keep_hours = static_cast<int64_t>(hotspots_.window_hours) * (hotspots_.baseline_windows + 1);
  Mutation count(r.case_number());
  count.MarkProcessed("escalation-hotspot", e.event_id())
      .Do("HINCRBY", counts, {std::to_string(hour), "1"})
      .Do("EXPIRE", counts, {std::to_string((keep_hours + 1) * 3600)});
  auto counted = outbox_.Commit(count);
  if (!counted.ok()) return counted.status();
  // Judge even on a replay: a crash between counting and alerting must not lose the alert.
  auto hourly_reply = redis_.Command({"HGETALL", counts});
  if (!hourly_reply.ok()) return hourly_reply.status();
  std::map<int64_t, int64_t> hourly;
  RedisArgs stale = {"HDEL", counts};
  for (size_t i = 0; i + 1 < hourly_reply->elements.size(); i += 2) {
    int64_t h = std::stoll(hourly_reply->elements[i].str);
    if (h < hour - keep_hours) stale.push_back(hourly_reply->elements[i].str);
    hourly[h] = std::stoll(hourly_reply->elements[i + 1].str);
  }
  if (stale.size() > 2) (void)redis_.Command(stale);
  auto verdict = JudgeHotspot(hourly, hour, hotspots_);
  if (!verdict) return Status::Ok();
  v1::HotspotAlert alert;
  alert.set_alert_id(r.ward_code() + ":" + label + ":" + std::to_string(verdict->window_start_hour));
  alert.set_ward_code(r.ward_code());
  alert.set_municipality_code(r.municipality_code());
  alert.set_category(r.category());
  *alert.mutable_window_start() = TimeUtil::SecondsToTimestamp(verdict->window_start_hour * 3600);
  *alert.mutable_window_end() = TimeUtil::SecondsToTimestamp((hour + 1) * 3600);
  alert.set_count(verdict->count);
  alert.set_baseline(verdict->baseline);
  *alert.mutable_raised_at() = ToTimestamp(clock_.Now());
  // One alert per ward and category per window: the lock lives as long as a window.
  Mutation raise(alert.alert_id());
  raise.RequireAbsent(lock)
      .Do("SET", lock, {alert.alert_id(), "EX", std::to_string(hotspots_.window_hours * 3600)})
      .Do("HSET", AlertKey(alert.alert_id()), {"pb", alert.SerializeAsString()})
      .Do("ZADD", kAlerts, {std::to_string(Millis(clock_.Now())), alert.alert_id()});
  v1::EventEnvelope event = events_.New(r.ward_code() + ":" + label, 1, r.case_number());
  *event.mutable_hotspot_alert() = alert;
  raise.Emit(ToOutboxEvent(topics::kAlerts, event));
  auto raised = outbox_.Commit(raise);
  if (!raised.ok()) return raised.status();
  if (raised->applied()) {
    if (alerts_) alerts_->Add({{"category", label}}).Increment();
    log::Warn("hotspot_alert")
        .Kv("ward", r.ward_code())
        .Kv("category", label)
        .Kv("count", verdict->count)
        .Kv("baseline", verdict->baseline);
  }
  return Status::Ok();
}

StatusOr<v1::ListAlertsResponse> EscalationCore::ListAlerts(const v1::ListAlertsRequest& r) {
  if (r.limit() < 0 || r.limit() > 1000) {
    return InvalidArgumentError("the request is invalid", {{"limit", "must be 0 (default 100) to 1000"}});
  }
  int limit = r.limit() == 0 ? 100 : r.limit();
  auto ids = redis_.Command({"ZREVRANGE", kAlerts, "0", "4999"});
  if (!ids.ok()) return ids.status();
  std::vector<RedisArgs> reads;
  for (const auto& id : ids->elements) reads.push_back({"HGET", AlertKey(id.str), "pb"});
  v1::ListAlertsResponse out;
  if (reads.empty()) return out;
  auto replies = redis_.Pipeline(reads);
  if (!replies.ok()) return replies.status();
  for (const auto& reply : *replies) {
    v1::HotspotAlert a;
    if (reply.is_nil() || !a.ParseFromString(reply.str)) continue;
    if (!r.ward_code().empty() && a.ward_code() != r.ward_code()) continue;
    if (!r.municipality_code().empty() && a.municipality_code() != r.municipality_code()) continue;
    if (a.acknowledged() && !r.include_acknowledged()) continue;
    *out.add_alerts() = std::move(a);
    if (out.alerts_size() == limit) break;
  }
  return out;
}

StatusOr<v1::HotspotAlert> EscalationCore::AcknowledgeAlert(const v1::AcknowledgeAlertRequest& r) {
  if (r.actor_role().empty()) {
    return InvalidArgumentError("the request is invalid", {{"actor_role", "say which role acknowledges it"}});
  }
  auto stored = redis_.Command({"HGET", AlertKey(r.alert_id()), "pb"});
  if (!stored.ok()) return stored.status();
  v1::HotspotAlert a;
  if (stored->is_nil() || !a.ParseFromString(stored->str)) return NotFoundError("no alert " + r.alert_id());
  if (a.acknowledged()) return a;  // acknowledging twice changes nothing
  a.set_acknowledged(true);
  a.set_acknowledged_by(r.actor_role());
  Mutation m(a.alert_id());
  m.RequireField(AlertKey(a.alert_id()), "pb", stored->str)  // no lost update between two people
      .Do("HSET", AlertKey(a.alert_id()), {"pb", a.SerializeAsString()});
  v1::EventEnvelope event = events_.New(a.ward_code() + ":" + Label(a.category()), 2, a.alert_id());
  event.mutable_alert_acknowledged()->set_alert_id(a.alert_id());
  event.mutable_alert_acknowledged()->set_acknowledged_by(r.actor_role());
  m.Emit(ToOutboxEvent(topics::kAlerts, event));
  auto committed = outbox_.Commit(m);
  if (!committed.ok()) return committed.status();
  if (!committed->applied()) return AbortedError("alert " + a.alert_id() + " changed meanwhile; read it again");
  return a;
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
  TimePoint from = FromTimestamp(r.from());
  if (r.what_case() == v1::BusinessTimeRequest::kAddSeconds) {
    TimePoint to = cal->Add(from, std::chrono::seconds(r.add_seconds()));
    *out.mutable_to() = ToTimestamp(to);
    out.set_seconds(r.add_seconds());
  } else {
    out.set_seconds(cal->Between(from, FromTimestamp(r.to())).count());
    *out.mutable_to() = r.to();
  }
  return out;
}

}  // namespace warroom::escalation
