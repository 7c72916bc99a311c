#include "services/household/src/household_core.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>


#include "warroom/common/enum_names.h"
#include "warroom/common/log.h"
#include "warroom/common/metrics.h"
#include "warroom/common/sa_identity.h"
#include "warroom/common/timestamps.h"
#include "warroom/common/topics.h"

namespace warroom::household {
namespace {

constexpr int kRecentVisits = 12;
constexpr size_t kMaxNote = 500;

// Keys that change together share the household's hash tag.
std::string ProfileKey(const std::string& h) { return "household:{" + h + "}:profile"; }
std::string PersonalKey(const std::string& h) { return "household:{" + h + "}:personal"; }
std::string VisitKey(const std::string& h, const std::string& v) { return "household:{" + h + "}:visit:" + v; }
std::string VisitsKey(const std::string& h) { return "household:{" + h + "}:visits"; }
std::string MonthsKey(const std::string& h) { return "household:{" + h + "}:months"; }
std::string RequestKey(const std::string& id) { return "household:request:" + id; }
std::string WardKey(const std::string& ward) { return "household:ward:" + ward; }
std::string BacklogKey(const std::string& ward) { return "household:backlog:" + ward; }
constexpr char kPendingKey[] = "household:needs-pending";
constexpr char kAuditKey[] = "household:audit";

int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string BacklogField(v1::BasicService s, v1::ServiceLevel l) { return Label(s) + ":" + Label(l); }

std::string PreviousMonth(const std::string& month) {
  int y = std::stoi(month.substr(0, 4)), m = std::stoi(month.substr(5, 2));
  if (--m == 0) m = 12, --y;
  char out[32];
  std::snprintf(out, sizeof(out), "%04d-%02d", y, m);
  return out;
}

// The first instant of the month after `month`, in SAST, as unix ms.
int64_t EndOfMonthMs(const std::string& month) {
  using namespace std::chrono;
  int y = std::stoi(month.substr(0, 4));
  unsigned m = static_cast<unsigned>(std::stoi(month.substr(5, 2)));
  year_month next = year{y} / std::chrono::month{m} + months{1};
  sys_days first{next / day{1}};
  return duration_cast<milliseconds>((first - kSastOffset).time_since_epoch()).count();
}

}  // namespace

void ValidateProfile(v1::DwellingType dwelling, const v1::AgeBands& ages, int64_t income,
                       const v1::HouseholdPersonal* personal, const Geography& geo,
                       FieldErrors& errors) {
  if (dwelling == v1::DWELLING_TYPE_UNSPECIFIED || !v1::DwellingType_IsValid(dwelling)) {
    errors.Add("dwelling", "give the dwelling type: formal, informal, backyard or traditional");
  }
  int members = ages.children_0_5() + ages.children_6_17() + ages.adults_18_59() + ages.adults_60_plus();
  if (ages.children_0_5() < 0 || ages.children_6_17() < 0 || ages.adults_18_59() < 0 ||
      ages.adults_60_plus() < 0 || members < 1 || members > 60) {
    errors.Add("ages", "the age bands must count between 1 and 60 members, none negative");
  }
  if (income < 0) errors.Add("monthly_income_rand", "must not be negative");
  if (personal != nullptr) {
    if (!personal->head().id_number().empty()) {
      if (auto problem = SaIdNumberProblem(personal->head().id_number())) {
        errors.Add("personal.head.id_number", *problem);
      }
    }
    if (!personal->head().phone().empty() && !NormalizeSaPhone(personal->head().phone())) {
      errors.Add("personal.head.phone", "not a South African phone number");
    }
    if (personal->has_position() &&
        !geo.bounds().Contains(personal->position().latitude(), personal->position().longitude())) {
      errors.Add("personal.position", "outside Gauteng");
    }
  }
}

// The constructor names its metrics once.
HouseholdCore::HouseholdCore(RedisClient& redis, OutboxStore& outbox, HouseholdData data,
                             CaseReporter& cases, const Clock& clock, IdGenerator& ids,
                             prometheus::Registry* registry)
    : redis_(redis), outbox_(outbox), data_(data), cases_(cases), clock_(clock), ids_(ids),
      events_("household", clock, ids) {
  if (registry != nullptr) {
    visits_ = &prometheus::BuildCounter().Name(MetricName("household", "visits_total"))
                   .Help("Visits recorded").Register(*registry);
    assessed_ = &prometheus::BuildCounter().Name(MetricName("household", "assessments_total"))
                     .Help("Service assessments, by service and level").Register(*registry);
    cases_raised_ = &prometheus::BuildCounter().Name(MetricName("household", "cases_raised_total"))
                         .Help("Needs raised as cases in intake").Register(*registry);
    personal_reads_ = &prometheus::BuildCounter().Name(MetricName("household", "personal_reads_total"))
                           .Help("Reads of personal fields, by role and outcome").Register(*registry);
  }
}

std::string HouseholdCore::SealPersonal(v1::HouseholdPersonal personal) const {
  // Validated before: a phone given is a South African number, kept in E.164.
  if (!personal.head().phone().empty()) {
    personal.mutable_head()->set_phone(*NormalizeSaPhone(personal.head().phone()));
  }
  return data_.pii->Seal(personal.SerializeAsString());
}

StatusOr<HouseholdCore::Loaded> HouseholdCore::Load(const std::string& h) {
  auto reply = redis_.Command({"HMGET", ProfileKey(h), "v", "pb"});
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() != 2 || reply->elements[0].is_nil()) {
    return NotFoundError("no household " + h);
  }
  Loaded out;
  out.version = std::stoll(reply->elements[0].str);
  if (!out.profile.ParseFromString(reply->elements[1].str)) return DataLossError("household " + h + " is unreadable");
  return out;
}

StatusOr<v1::Visit> HouseholdCore::LoadVisit(const std::string& h, const std::string& v) {
  auto reply = redis_.Command({"GET", VisitKey(h, v)});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return NotFoundError("no visit " + v + " of household " + h);
  v1::Visit visit;
  if (!visit.ParseFromString(reply->str)) return DataLossError("visit " + v + " is unreadable");
  return visit;
}

StatusOr<v1::Household> HouseholdCore::Register(const v1::RegisterHouseholdRequest& r, const Caller& caller) {
  FieldErrors errors;
  if (r.client_request_id().empty()) errors.Add("client_request_id", "required: a retry with the same id returns the same household");
  const Ward* ward = data_.geo->FindWard(r.ward_code());
  if (ward == nullptr) errors.Add("ward_code", "not a ward in the reference data");
  ValidateProfile(r.dwelling(), r.ages(), r.monthly_income_rand(), r.has_personal() ? &r.personal() : nullptr,
                  *data_.geo, errors);
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the household is invalid"));
  v1::Household hh;
  hh.set_household_id("HH-" + ids_.NewUuidV7());
  hh.set_version(1);
  hh.set_ward_code(ward->code);
  hh.set_municipality_code(ward->municipality_code);
  hh.set_dwelling(r.dwelling());
  *hh.mutable_ages() = r.ages();
  hh.set_members_with_disability(r.members_with_disability());
  hh.set_monthly_income_rand(r.monthly_income_rand());
  *hh.mutable_grants() = r.grants();
  *hh.mutable_registered_at() = ToTimestamp(clock_.Now());
  Mutation m(hh.household_id());
  m.RequireAbsent(RequestKey(r.client_request_id()))
      .Do("SET", RequestKey(r.client_request_id()), {hh.household_id(), "EX", std::to_string(90 * 86400)})
      .Do("HSET", ProfileKey(hh.household_id()), {"v", "1", "pb", hh.SerializeAsString()})
      .Do("ZADD", WardKey(ward->code), {std::to_string(Millis(clock_.Now())), hh.household_id()});
  if (r.has_personal()) m.Do("HSET", PersonalKey(hh.household_id()), {"pb", SealPersonal(r.personal())});
  auto committed = outbox_.Commit(m);
  if (!committed.ok()) return committed.status();
  if (!committed->applied()) {
    auto existing = redis_.Command({"GET", RequestKey(r.client_request_id())});
    if (!existing.ok()) return existing.status();
    return Get(existing->str, caller);
  }
  log::Info("household_registered").Kv("household", hh.household_id()).Kv("ward", hh.ward_code());
  return Get(hh.household_id(), caller);
}

StatusOr<v1::Household> HouseholdCore::Update(const v1::UpdateHouseholdRequest& r, const Caller& caller) {
  FieldErrors errors;
  ValidateProfile(r.dwelling(), r.ages(), r.monthly_income_rand(), r.has_personal() ? &r.personal() : nullptr,
                  *data_.geo, errors);
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the household is invalid"));
  auto loaded = Load(r.household_id());
  if (!loaded.ok()) return loaded.status();
  if (loaded->version != r.expected_version()) {
    return AbortedError("household " + r.household_id() + " is at version " +
                        std::to_string(loaded->version) + ", not " + std::to_string(r.expected_version()));
  }
  v1::Household hh = loaded->profile;
  hh.set_version(loaded->version + 1);
  hh.set_dwelling(r.dwelling());
  *hh.mutable_ages() = r.ages();
  hh.set_members_with_disability(r.members_with_disability());
  hh.set_monthly_income_rand(r.monthly_income_rand());
  *hh.mutable_grants() = r.grants();
  Mutation m(hh.household_id());
  m.RequireField(ProfileKey(hh.household_id()), "v", std::to_string(loaded->version))
      .Do("HSET", ProfileKey(hh.household_id()), {"v", std::to_string(hh.version()), "pb", hh.SerializeAsString()});
  if (r.has_personal()) m.Do("HSET", PersonalKey(hh.household_id()), {"pb", SealPersonal(r.personal())});
  auto committed = outbox_.Commit(m);
  if (!committed.ok()) return committed.status();
  if (!committed->applied()) {
    return AbortedError("household " + r.household_id() + " changed meanwhile: it is at version " +
                        committed->actual + "; read it again");
  }
  return Get(hh.household_id(), caller);
}

StatusOr<v1::Visit> HouseholdCore::RecordVisit(const v1::RecordVisitRequest& r) {
  FieldErrors errors;
  if (r.visit_id().empty()) errors.Add("visit_id", "required: a retry with the same id records nothing new");
  if (r.household_id().empty()) errors.Add("household_id", "required");
  if (r.cdw_id().empty()) errors.Add("cdw_id", "required: the community development worker's id");
  const auto& o = r.observed();
  if (o.water_source() == v1::WATER_SOURCE_UNSPECIFIED || !v1::WaterSource_IsValid(o.water_source())) errors.Add("observed.water_source", "required");
  if (o.sanitation() == v1::SANITATION_TYPE_UNSPECIFIED || !v1::SanitationType_IsValid(o.sanitation())) errors.Add("observed.sanitation", "required");
  if (o.electricity() == v1::ELECTRICITY_SOURCE_UNSPECIFIED || !v1::ElectricitySource_IsValid(o.electricity())) errors.Add("observed.electricity", "required");
  if (o.road_access() == v1::ROAD_ACCESS_UNSPECIFIED || !v1::RoadAccess_IsValid(o.road_access())) errors.Add("observed.road_access", "required");
  if (o.water_distance_m() < 0 || o.water_litres_per_person_day() < 0 || o.water_interruption_days_year() < 0 ||
      o.refuse_collections_per_month() < 0 || o.floor_area_m2() < 0) {
    errors.Add("observed", "measurements must not be negative");
  }
  for (int i = 0; i < r.needs_size(); ++i) {
    const auto& n = r.needs(i);
    std::string field = "needs[" + std::to_string(i) + "]";
    if (n.kind() == v1::NEED_KIND_UNSPECIFIED || !v1::NeedKind_IsValid(n.kind())) errors.Add(field + ".kind", "unknown need");
    if (n.note().size() > kMaxNote) errors.Add(field + ".note", "at most 500 characters");
  }
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the visit is invalid"));
  const std::string& h = r.household_id();
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto loaded = Load(h);
    if (!loaded.ok()) return loaded.status();
    v1::Household hh = loaded->profile;
    TimePoint at = r.has_visited_at() ? FromTimestamp(r.visited_at()) : clock_.Now();
    v1::Visit visit;
    visit.set_visit_id(r.visit_id());
    visit.set_household_id(h);
    visit.set_cdw_id(r.cdw_id());
    *visit.mutable_visited_at() = ToTimestamp(at);
    *visit.mutable_observed() = o;
    for (const auto& n : r.needs()) {
      auto* need = visit.add_needs();
      need->set_kind(n.kind());
      need->set_note(n.note());
    }
    *visit.mutable_assessment() =
        data_.norms->Assess(o, hh.dwelling(), hh.monthly_income_rand(), hh.municipality_code());
    *visit.mutable_assessment()->mutable_assessed_at() = ToTimestamp(clock_.Now());

    v1::Assessment before = hh.latest();
    hh.set_version(loaded->version + 1);
    *hh.mutable_latest() = visit.assessment();
    *hh.mutable_last_visit_at() = visit.visited_at();

    Mutation m(h);
    m.RequireAbsent(VisitKey(h, r.visit_id()))
        .RequireField(ProfileKey(h), "v", std::to_string(loaded->version))
        .Do("SET", VisitKey(h, r.visit_id()), {visit.SerializeAsString()})
        .Do("ZADD", VisitsKey(h), {std::to_string(Millis(at)), r.visit_id()})
        .Do("SADD", MonthsKey(h), {MonthOf(UnixSeconds(at))})
        .Do("HSET", ProfileKey(h), {"v", std::to_string(hh.version()), "pb", hh.SerializeAsString()});
    std::string backlog = BacklogKey(hh.ward_code());
    if (before.services_size() == 0) m.Do("HINCRBY", backlog, {"assessed", "1"});
    for (const auto& s : before.services()) m.Do("HINCRBY", backlog, {BacklogField(s.service(), s.level()), "-1"});
    for (const auto& s : visit.assessment().services()) m.Do("HINCRBY", backlog, {BacklogField(s.service(), s.level()), "1"});
    int indigent_delta = (visit.assessment().indigent() ? 1 : 0) - (before.indigent() ? 1 : 0);
    if (indigent_delta != 0) m.Do("HINCRBY", backlog, {"indigent", std::to_string(indigent_delta)});
    if (visit.needs_size() > 0) m.Do("SADD", kPendingKey, {h + "|" + r.visit_id()});
    v1::EventEnvelope e = events_.New(h, hh.version(), r.visit_id());
    auto* assessed = e.mutable_household_assessed();
    assessed->set_household_id(h);
    assessed->set_ward_code(hh.ward_code());
    assessed->set_municipality_code(hh.municipality_code());
    for (const auto& s : visit.assessment().services()) {
      auto* out = assessed->add_services();
      out->set_service(s.service());
      out->set_level(s.level());
    }
    m.Emit(ToOutboxEvent(topics::kHouseholds, e));
    auto committed = outbox_.Commit(m);
    if (!committed.ok()) return committed.status();
    if (committed->outcome == CommitResult::Outcome::kConflict) continue;  // changed meanwhile
    if (committed->applied()) {
      if (visits_) visits_->Add({}).Increment();
      if (assessed_) {
        for (const auto& s : visit.assessment().services()) {
          assessed_->Add({{"service", Label(s.service())}, {"level", Label(s.level())}}).Increment();
        }
      }
      log::Info("visit_recorded").Kv("household", h).Kv("visit", r.visit_id()).Kv("needs", visit.needs_size());
    }
    if (r.needs_size() == 0) return committed->applied() ? visit : LoadVisit(h, r.visit_id());
    auto raised = RaiseCases(h, r.visit_id());
    if (raised.ok()) return raised;
    // The visit is recorded; its cases follow from the background loop.
    log::Warn("visit_cases_pending").Kv("household", h).Kv("visit", r.visit_id()).Kv("reason", raised.status().ToString());
    return LoadVisit(h, r.visit_id());
  }
  return AbortedError("household " + h + " kept changing; try the visit again");
}

StatusOr<v1::Visit> HouseholdCore::RaiseCases(const std::string& h, const std::string& visit_id) {
  auto visit = LoadVisit(h, visit_id);
  if (!visit.ok()) return visit.status();
  auto loaded = Load(h);
  if (!loaded.ok()) return loaded.status();
  Status last = Status::Ok();
  int raised = 0;
  for (int i = 0; i < visit->needs_size(); ++i) {
    v1::Need* need = visit->mutable_needs(i);
    if (!need->case_number().empty()) continue;
    v1::ReportCaseRequest req;
    // One case per visit and need, however often this runs.
    req.set_client_request_id("household:" + h + ":" + visit_id + ":" + std::to_string(i));
    req.set_channel(v1::CHANNEL_HOUSEHOLD_VISIT);
    req.set_category(data_.norms->CategoryOf(need->kind()));
    req.mutable_place()->set_ward_code(loaded->profile.ward_code());
    req.set_description("Need found on a household visit (" + Label(need->kind()) + ", household " + h +
                        (need->note().empty() ? ")" : "): " + need->note()));
    req.set_anonymous(true);
    auto cn = cases_.Report(req);
    if (!cn.ok()) {
      last = cn.status();
      continue;
    }
    need->set_case_number(*cn);
    ++raised;
  }
  Mutation m(h);
  m.Do("SET", VisitKey(h, visit_id), {visit->SerializeAsString()});
  if (last.ok()) m.Do("SREM", kPendingKey, {h + "|" + visit_id});
  if (raised > 0 || last.ok()) {
    auto committed = outbox_.Commit(m);
    if (!committed.ok()) return committed.status();
  }
  if (cases_raised_ && raised > 0) cases_raised_->Add({}).Increment(raised);
  if (!last.ok()) return last;
  return *visit;
}

StatusOr<int> HouseholdCore::RaisePendingCases() {
  auto pending = redis_.Command({"SMEMBERS", kPendingKey});
  if (!pending.ok()) return pending.status();
  int done = 0;
  for (const auto& member : pending->elements) {
    auto bar = member.str.find('|');
    if (bar == std::string::npos) continue;
    if (RaiseCases(member.str.substr(0, bar), member.str.substr(bar + 1)).ok()) ++done;
  }
  return done;
}

void HouseholdCore::Run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    (void)RaisePendingCases();
    SleepUnlessStopped(stop, std::chrono::seconds(2));
  }
}

Status HouseholdCore::Audit(Mutation* m, const std::string& h, const Caller& caller, const std::string& what) {
  RedisArgs entry = {"MAXLEN", "~", "1000000", "*", "at", std::to_string(Millis(clock_.Now())), "actor",
                     caller.actor, "role", caller.role, "household", h, "what", what, "purpose", caller.purpose};
  if (m != nullptr) {
    m->Do("XADD", kAuditKey, entry);
    return Status::Ok();
  }
  RedisArgs cmd = {"XADD", kAuditKey};
  cmd.insert(cmd.end(), entry.begin(), entry.end());
  auto r = redis_.Command(cmd);
  return r.ok() ? Status::Ok() : r.status();
}

StatusOr<v1::Household> HouseholdCore::Get(const std::string& h, const Caller& caller) {
  auto loaded = Load(h);
  if (!loaded.ok()) return loaded.status();
  v1::Household out = std::move(loaded->profile);
  out.set_version(loaded->version);
  if (!out.erased()) {
    if (data_.access->MaySeePersonal(caller)) {
      // No read of personal fields without its audit entry.
      WARROOM_RETURN_IF_ERROR(Audit(nullptr, h, caller, "read"));
      auto personal = redis_.Command({"HGET", PersonalKey(h), "pb"});
      if (!personal.ok()) return personal.status();
      if (!personal->is_nil()) {
        auto opened = data_.pii->Open(personal->str);
        if (!opened.ok()) return opened.status();
        out.mutable_personal()->ParseFromString(*opened);
      }
      if (personal_reads_) personal_reads_->Add({{"role", caller.role}, {"outcome", "shown"}}).Increment();
    } else {
      out.set_personal_redacted(true);
      if (personal_reads_) personal_reads_->Add({{"role", "other"}, {"outcome", "withheld"}}).Increment();
    }
  }
  auto ids = redis_.Command({"ZREVRANGE", VisitsKey(h), "0", std::to_string(kRecentVisits - 1)});
  if (!ids.ok()) return ids.status();
  std::vector<RedisArgs> gets;
  for (const auto& id : ids->elements) gets.push_back({"GET", VisitKey(h, id.str)});
  if (!gets.empty()) {
    auto visits = redis_.Pipeline(gets);
    if (!visits.ok()) return visits.status();
    for (const auto& v : *visits) {
      if (!v.is_nil()) out.add_recent_visits()->ParseFromString(v.str);
    }
  }
  return out;
}

StatusOr<v1::ListDueVisitsResponse> HouseholdCore::DueVisits(const v1::ListDueVisitsRequest& r) {
  FieldErrors errors;
  if (data_.geo->FindWard(r.ward_code()) == nullptr) errors.Add("ward_code", "not a ward in the reference data");
  if (!IsMonthLabel(r.month())) errors.Add("month", "write it as YYYY-MM, e.g. 2026-11");
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the request is invalid"));
  auto members = redis_.Command({"ZRANGE", WardKey(r.ward_code()), "0", "-1", "WITHSCORES"});
  if (!members.ok()) return members.status();
  std::string previous = PreviousMonth(r.month());
  int64_t end = EndOfMonthMs(r.month()), previous_end = EndOfMonthMs(previous);
  std::vector<std::pair<std::string, int64_t>> households;
  std::vector<RedisArgs> checks;
  for (size_t i = 0; i + 1 < members->elements.size(); i += 2) {
    const std::string& h = members->elements[i].str;
    households.emplace_back(h, std::stoll(members->elements[i + 1].str));
    checks.push_back({"SISMEMBER", MonthsKey(h), r.month()});
    checks.push_back({"SISMEMBER", MonthsKey(h), previous});
  }
  v1::ListDueVisitsResponse out;
  if (checks.empty()) return out;
  auto seen = redis_.Pipeline(checks);
  if (!seen.ok()) return seen.status();
  for (size_t i = 0; i < households.size(); ++i) {
    const auto& [h, registered] = households[i];
    if (registered >= end) continue;  // registered after the month
    out.set_households(out.households() + 1);
    if ((*seen)[2 * i].integer == 1) {
      out.set_visited(out.visited() + 1);
    } else {
      out.add_household_ids(h);
    }
    if (registered < previous_end && (*seen)[2 * i + 1].integer == 0) {
      out.set_missed_previous_month(out.missed_previous_month() + 1);
    }
  }
  return out;
}

StatusOr<v1::GetBacklogResponse> HouseholdCore::Backlog(const v1::GetBacklogRequest& r) {
  std::vector<std::string> wards;
  if (!r.ward_code().empty() == !r.municipality_code().empty()) {
    return FieldError("ward_code", "give one of ward_code or municipality_code");
  }
  if (!r.ward_code().empty()) {
    if (data_.geo->FindWard(r.ward_code()) == nullptr) {
      return FieldError("ward_code", "not a ward in the reference data");
    }
    wards.push_back(r.ward_code());
  } else {
    for (const Ward* w : data_.geo->WardsOf(r.municipality_code())) wards.push_back(w->code);
    if (wards.empty()) {
      return FieldError("municipality_code", "not a local municipality or metro");
    }
  }
  std::vector<RedisArgs> gets;
  for (const auto& w : wards) gets.push_back({"HGETALL", BacklogKey(w)});
  auto replies = redis_.Pipeline(gets);
  if (!replies.ok()) return replies.status();
  std::map<std::string, int64_t> sums;
  for (const auto& reply : *replies) {
    for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) sums[reply.elements[i].str] += std::stoll(reply.elements[i + 1].str);
  }
  v1::GetBacklogResponse out;
  out.set_households_assessed(sums["assessed"]);
  out.set_indigent(sums["indigent"]);
  for (int s = 1; s < v1::BasicService_ARRAYSIZE; ++s) {
    auto service = static_cast<v1::BasicService>(s);
    auto* row = out.add_services();
    row->set_service(service);
    row->set_met(sums[BacklogField(service, v1::SERVICE_LEVEL_MET)]);
    row->set_below_norm(sums[BacklogField(service, v1::SERVICE_LEVEL_BELOW_NORM)]);
    row->set_no_access(sums[BacklogField(service, v1::SERVICE_LEVEL_NO_ACCESS)]);
  }
  return out;
}

StatusOr<v1::Household> HouseholdCore::Erase(const v1::EraseHouseholdRequest& r, const Caller& caller) {
  if (!data_.access->MaySeePersonal(caller)) {
    return PermissionDeniedError("this role may not erase personal information");
  }
  if (r.reason().empty()) return FieldError("reason", "say why (e.g. the resident's request)");
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto loaded = Load(r.household_id());
    if (!loaded.ok()) return loaded.status();
    v1::Household hh = loaded->profile;
    hh.set_version(loaded->version + 1);
    hh.set_erased(true);
    hh.clear_personal();
    Mutation m(r.household_id());
    m.RequireField(ProfileKey(r.household_id()), "v", std::to_string(loaded->version))
        .Do("DEL", PersonalKey(r.household_id()))
        .Do("HSET", ProfileKey(r.household_id()), {"v", std::to_string(hh.version()), "pb", hh.SerializeAsString()})
        .Do("ZREM", WardKey(hh.ward_code()), {r.household_id()});
    Caller why = caller;
    why.purpose = r.reason();
    WARROOM_RETURN_IF_ERROR(Audit(&m, r.household_id(), why, "erase"));
    auto committed = outbox_.Commit(m);
    if (!committed.ok()) return committed.status();
    if (!committed->applied()) continue;
    log::Info("household_erased").Kv("household", r.household_id());
    return Get(r.household_id(), caller);
  }
  return AbortedError("household " + r.household_id() + " kept changing; try again");
}

}  // namespace warroom::household
