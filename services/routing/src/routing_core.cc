#include "services/routing/src/routing_core.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "warroom/common/case_number.h"
#include "warroom/common/enum_names.h"
#include "warroom/common/timestamps.h"
#include "warroom/common/log.h"
#include "warroom/common/metrics.h"
#include "warroom/common/topics.h"

namespace warroom::routing {

namespace {

std::string AssignmentKey(std::string_view cn) { return "routing:{" + std::string(cn) + "}:asg"; }

}  // namespace

RoutingCore::RoutingCore(RedisClient& redis, OutboxStore& outbox, RoutingData data,
                         const Clock& clock, IdGenerator& ids, prometheus::Registry* registry)
    : redis_(redis), outbox_(outbox), data_(std::move(data)), clock_(clock), events_("routing", clock, ids) {
  if (registry != nullptr) {
    assigned_ = &prometheus::BuildCounter()
                     .Name(MetricName("routing", "assignments_total"))
                     .Help("Assignments published, by sphere and why")
                     .Register(*registry);
  }
}

Status RoutingCore::ReloadRules() {
  auto text = ReadTextFile(data_.rules_file);
  if (!text.ok()) return text.status();
  auto loaded = RuleSet::Load(*text, data_.rules_file, *data_.geo, *data_.departments);
  if (!loaded.ok()) {
    log::Warn("rules_reload_refused").Kv("file", data_.rules_file).Kv("reason", loaded.status().message());
    return loaded.status();
  }
  auto fresh = std::make_shared<const RuleSet>(std::move(*loaded));
  std::lock_guard lock(rules_mu_);
  rules_ = std::move(fresh);
  log::Info("rules_loaded").Kv("file", data_.rules_file).Kv("rules", static_cast<int>(rules_->size()));
  return Status::Ok();
}

std::shared_ptr<const RuleSet> RoutingCore::rules() const {
  std::lock_guard lock(rules_mu_);
  return rules_;
}

size_t RoutingCore::rule_count() const { return rules()->size(); }

StatusOr<std::optional<v1::Assignment>> RoutingCore::Load(const std::string& cn) {
  auto r = redis_.Command({"HGET", AssignmentKey(cn), "pb"});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return std::optional<v1::Assignment>();
  v1::Assignment a;
  if (!a.ParseFromString(r->str)) return Status(StatusCode::kDataLoss, "assignment of " + cn + " is corrupt");
  return std::optional<v1::Assignment>(std::move(a));
}

Status RoutingCore::Commit(const std::optional<v1::Assignment>& before, v1::Assignment after,
                           const std::string& processed_event_id, const std::string& correlation,
                           bool reassignment, const std::string& reason) {
  after.set_version(before ? before->version() + 1 : 1);
  auto* change = after.add_history();
  change->set_sphere(after.sphere());
  change->set_department(after.department());
  change->set_war_room(after.war_room());
  change->set_rule_id(after.rule_id());
  change->set_reason(reason);
  change->set_manual(after.rule_id().empty());
  *change->mutable_at() = ToTimestamp(clock_.Now());

  Mutation m(after.case_number());
  if (!processed_event_id.empty()) m.MarkProcessed("routing", processed_event_id);
  m.RequireField(AssignmentKey(after.case_number()), "v", before ? std::to_string(before->version()) : "");
  m.Do("HSET", AssignmentKey(after.case_number()),
       {"v", std::to_string(after.version()), "pb", after.SerializeAsString()});
  v1::EventEnvelope e = events_.New(after.case_number(), after.version(), correlation);
  auto* a = e.mutable_case_assigned();
  a->set_case_number(after.case_number());
  a->set_sphere(after.sphere());
  a->set_department(after.department());
  a->set_municipality_code(after.municipality_code());
  a->set_ward_code(after.ward_code());
  a->set_war_room(after.war_room());
  a->set_unlocated(after.unlocated());
  a->set_rule_id(after.rule_id());
  a->set_reason(reason);
  a->set_reassignment(reassignment);
  a->set_category(after.category());
  m.Emit(ToOutboxEvent(topics::kAssignments, e));
  auto committed = outbox_.Commit(m);
  if (!committed.ok()) return committed.status();
  if (committed->outcome == CommitResult::Outcome::kDuplicate) return Status::Ok();  // seen before
  if (committed->outcome == CommitResult::Outcome::kConflict) {
    return AbortedError("assignment of " + after.case_number() + " changed meanwhile: version " +
                        committed->actual);
  }
  if (assigned_) assigned_->Add({{"sphere", Label(after.sphere())}, {"reason", reassignment ? "reassigned" : "assigned"}}).Increment();
  log::Info("case_assigned")
      .Kv("case", after.case_number())
      .Kv("department", after.department())
      .Kv("war_room", after.war_room())
      .Kv("rule", after.rule_id())
      .Kv("reason", reason);
  return Status::Ok();
}

Status RoutingCore::Route(const v1::EventEnvelope& event, const std::string& cn,
                          v1::Category category, const Location& where, const std::string& reason) {
  auto before = Load(cn);
  if (!before.ok()) return before.status();
  auto decision = rules()->Route(category, where);
  if (!decision.ok()) {
    // No rule covers it: the case still needs an owner, so it goes to the war room's queue
    // under the provincial co-ordinating department, and the gap shows in the log and metrics.
    log::Warn("no_routing_rule").Kv("case", cn).Kv("category", Label(category));
    RouteDecision fallback;
    fallback.rule_id = "no-rule";
    fallback.sphere = v1::SPHERE_PROVINCIAL;
    fallback.department = "gp-cogta";
    fallback.department_name = data_.departments->Find("gp-cogta") ? data_.departments->Find("gp-cogta")->name : "gp-cogta";
    fallback.war_room = WarRoomId(where);
    fallback.unlocated = where.ward.empty();
    decision = fallback;
  }
  v1::Assignment after = before->value_or(v1::Assignment());
  after.set_case_number(cn);
  after.set_category(category);
  after.set_sphere(decision->sphere);
  after.set_department(decision->department);
  after.set_department_name(decision->department_name);
  after.set_municipality_code(where.municipality);
  after.set_region(where.region);
  after.set_ward_code(where.ward);
  after.set_war_room(decision->war_room);
  after.set_unlocated(decision->unlocated);
  after.set_rule_id(decision->rule_id);
  return Commit(*before, std::move(after), event.event_id(), event.correlation_id(),
                before->has_value(), reason);
}

Status RoutingCore::ApplyEvent(const KafkaMessage& message) {
  auto envelope = DecodeEnvelope(message.value);
  if (!envelope.ok()) return envelope.status();
  const v1::EventEnvelope& e = *envelope;
  auto check = [](const std::string& cn) { return ParseCaseNumber(cn).status(); };
  if (e.has_case_reported()) {
    const auto& r = e.case_reported();
    WARROOM_RETURN_IF_ERROR(check(r.case_number()));
    return Route(e, r.case_number(), r.category(),
                 LocationOf(*data_.geo, r.ward_code(), r.municipality_code()), "reported");
  }
  if (e.has_case_recategorised() || e.has_case_located() || e.has_case_reopened()) {
    std::string cn = e.has_case_recategorised() ? e.case_recategorised().case_number()
                     : e.has_case_located()     ? e.case_located().case_number()
                                                : e.case_reopened().case_number();
    WARROOM_RETURN_IF_ERROR(check(cn));
    auto current = Load(cn);
    if (!current.ok()) return current.status();
    if (!current->has_value()) {
      // The reported event comes first on the same partition, so this is a case from before
      // routing kept state (or a broken feed): say so rather than invent a place.
      return InvalidArgumentError("event for case " + cn + " which routing has never assigned");
    }
    const v1::Assignment& a = **current;
    v1::Category category = e.has_case_recategorised() ? e.case_recategorised().to() : a.category();
    Location where = e.has_case_located()
                         ? LocationOf(*data_.geo, e.case_located().ward_code(), e.case_located().municipality_code())
                         : LocationOf(*data_.geo, a.ward_code(), a.municipality_code());
    std::string reason = e.has_case_recategorised() ? "recategorised" : e.has_case_located() ? "located" : "reopened";
    return Route(e, cn, category, where, reason);
  }
  if (e.has_case_status_changed() && e.case_status_changed().to() == v1::CASE_STATUS_REJECTED) {
    return ApplyReferral(e);
  }
  return Status::Ok();  // other case events do not change who is responsible
}

Status RoutingCore::ApplyReferral(const v1::EventEnvelope& e) {
  const auto& change = e.case_status_changed();
  const std::string& cn = change.case_number();
  WARROOM_RETURN_IF_ERROR(ParseCaseNumber(cn).status());
  auto before = Load(cn);
  if (!before.ok()) return before.status();
  if (!before->has_value()) return InvalidArgumentError("referral for case " + cn + " which routing never assigned");
  // The war room named the body the case belongs to. When that is a department we know (by id
  // or by name), the case goes there; otherwise the referral is recorded and the owner stays.
  const Department* dep = data_.departments->Find(change.referred_to());
  if (dep == nullptr) dep = data_.departments->FindByName(change.referred_to());
  v1::Assignment after = **before;
  std::string reason = "referred to " + change.referred_to() + " (" + Label(change.referred_sphere()) + ")";
  if (dep != nullptr) {
    after.set_sphere(dep->sphere);
    after.set_department(dep->id);
    after.set_department_name(dep->name);
    after.set_rule_id("");
  } else {
    reason += ", which is not in the department catalogue: owner unchanged";
  }
  return Commit(*before, std::move(after), e.event_id(), e.correlation_id(), true, reason);
}

StatusOr<v1::Assignment> RoutingCore::Get(std::string_view case_number) {
  auto parsed = ParseCaseNumber(case_number);
  if (!parsed.ok()) return parsed.status();
  auto a = Load(std::string(case_number));
  if (!a.ok()) return a.status();
  if (!a->has_value()) return NotFoundError("case " + std::string(case_number) + " has no assignment (yet)");
  return **a;
}

StatusOr<v1::Assignment> RoutingCore::Reassign(const v1::ReassignRequest& r) {
  auto parsed = ParseCaseNumber(r.case_number());
  if (!parsed.ok()) return parsed.status();
  FieldErrors errors;
  const Department* dep = data_.departments->Find(r.department());
  if (dep == nullptr) errors.Add("department", "unknown department '" + r.department() + "'");
  else if (r.sphere() != 0 && dep->sphere != r.sphere()) {
    errors.Add("sphere", r.department() + " is " + Label(dep->sphere) + ", not " + Label(r.sphere()));
  }
  if (r.reason().find_first_not_of(" \t\n") == std::string::npos) errors.Add("reason", "is required");
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the reassignment is invalid"));
  auto before = Load(r.case_number());
  if (!before.ok()) return before.status();
  if (!before->has_value()) return NotFoundError("case " + r.case_number() + " has no assignment (yet)");
  if ((*before)->version() != r.expected_version()) {
    return AbortedError("assignment of " + r.case_number() + " is at version " +
                        std::to_string((*before)->version()) + ", not " +
                        std::to_string(r.expected_version()) + "; read it again");
  }
  v1::Assignment after = **before;
  after.set_sphere(dep->sphere);
  after.set_department(dep->id);
  after.set_department_name(dep->name);
  after.set_rule_id("");
  WARROOM_RETURN_IF_ERROR(Commit(*before, after, "", r.case_number(), true,
                                 "manual (" + r.actor_role() + "): " + r.reason()));
  return Get(r.case_number());
}

StatusOr<v1::ExplainRouteResponse> RoutingCore::Explain(const v1::ExplainRouteRequest& r) const {
  FieldErrors errors;
  if (r.category() == 0 || !v1::Category_IsValid(r.category())) errors.Add("category", "choose a category");
  if (!r.ward_code().empty() && data_.geo->FindWard(r.ward_code()) == nullptr) {
    errors.Add("ward_code", "'" + r.ward_code() + "' is not a ward");
  }
  if (!r.municipality_code().empty() && data_.geo->FindMunicipality(r.municipality_code()) == nullptr) {
    errors.Add("municipality_code", "'" + r.municipality_code() + "' is not a municipality");
  }
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the explain request is invalid"));
  Location where = LocationOf(*data_.geo, r.ward_code(), r.municipality_code());
  auto d = rules()->Route(r.category(), where);
  if (!d.ok()) return d.status();
  v1::ExplainRouteResponse out;
  out.set_rule_id(d->rule_id);
  out.set_sphere(d->sphere);
  out.set_department(d->department);
  out.set_department_name(d->department_name);
  out.set_war_room(d->war_room);
  out.set_unlocated(d->unlocated);
  for (auto& c : d->considered) out.add_considered(std::move(c));
  return out;
}

v1::WarRoom RoutingCore::MakeWarRoom(const Ward& w) const {
  v1::WarRoom room;
  room.set_id("WR-" + w.code);
  room.set_ward_code(w.code);
  room.set_municipality_code(w.municipality_code);
  room.set_region(w.region);
  room.set_district(w.district);
  auto it = data_.roles->by_tier.find("ward");
  if (it != data_.roles->by_tier.end()) {
    for (const auto& role : it->second) room.add_roles(role);
  }
  return room;
}

StatusOr<v1::WarRoom> RoutingCore::GetWarRoom(std::string_view id) const {
  std::string_view ward = id.rfind("WR-", 0) == 0 ? id.substr(3) : id;
  const Ward* w = data_.geo->FindWard(ward);
  if (w == nullptr) {
    return InvalidArgumentError("unknown war room", {{"id", "'" + std::string(id) + "' is not a ward war room"}});
  }
  return MakeWarRoom(*w);
}

StatusOr<v1::ListWarRoomsResponse> RoutingCore::ListWarRooms(const v1::ListWarRoomsRequest& r) const {
  if (data_.geo->FindMunicipality(r.municipality_code()) == nullptr) {
    return InvalidArgumentError("unknown municipality",
                                {{"municipality_code", "'" + r.municipality_code() + "' is not a municipality"}});
  }
  v1::ListWarRoomsResponse out;
  for (const Ward* w : data_.geo->WardsOf(r.municipality_code(), r.region())) {
    *out.add_war_rooms() = MakeWarRoom(*w);
  }
  if (out.war_rooms_size() == 0 && !r.region().empty()) {
    return InvalidArgumentError("unknown region", {{"region", "'" + r.region() + "' has no wards in " + r.municipality_code()}});
  }
  return out;
}

}  // namespace warroom::routing
