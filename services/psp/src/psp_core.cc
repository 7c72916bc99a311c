#include "services/psp/src/psp_core.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "warroom/common/data_file.h"
#include "warroom/common/enum_names.h"
#include "warroom/common/log.h"
#include "warroom/common/metrics.h"
#include "warroom/common/timestamps.h"
#include "warroom/common/topics.h"

namespace warroom::psp {
namespace {

std::string FirmKey(const std::string& id) { return "psp:firm:" + id; }
std::string RequestKey(const std::string& id) { return "psp:{" + id + "}:request"; }
std::string DeploymentKey(const std::string& id) { return "psp:{" + id + "}:deployment"; }
std::string ProjectKey(const std::string& id) { return "psp:{" + id + "}:project"; }
std::string ProjectsKey(const std::string& district) { return "psp:projects:" + district; }
std::string HouseholdKey(const std::string& h) { return "psp:household:" + h; }
std::string AssessedKey(const std::string& district) { return "psp:assessed:" + district; }
std::string CapacityKey(const std::string& municipality) { return "psp:capacity:" + municipality; }
constexpr char kFirms[] = "psp:firms";
constexpr char kRequests[] = "psp:requests";
constexpr char kDeployments[] = "psp:deployments";
constexpr char kCommitted[] = "psp:committed";
constexpr char kBaseline[] = "psp:baseline";

// The services the PMO tracks backlogs for.
constexpr v1::BasicService kPmoServices[] = {v1::BASIC_SERVICE_WATER, v1::BASIC_SERVICE_SANITATION,
                                             v1::BASIC_SERVICE_REFUSE_REMOVAL, v1::BASIC_SERVICE_ROADS,
                                             v1::BASIC_SERVICE_ELECTRICITY};

bool Below(v1::ServiceLevel l) { return l == v1::SERVICE_LEVEL_BELOW_NORM || l == v1::SERVICE_LEVEL_NO_ACCESS; }

bool Holds(v1::DeploymentStatus s) {
  return s == v1::DEPLOYMENT_STATUS_PROPOSED || s == v1::DEPLOYMENT_STATUS_APPROVED ||
         s == v1::DEPLOYMENT_STATUS_ACTIVE;
}

}  // namespace

StatusOr<PriorityDistricts> PriorityDistricts::Load(const std::string& text, const std::string& file) {
  auto root = ParseYaml(text, file);
  if (!root.ok()) return root.status();
  const YAML::Node& list = (*root)["districts"];
  if (!list || !list.IsSequence()) return DataError(file, *root, "districts must be a list");
  PriorityDistricts out;
  for (const auto& d : list) {
    if (!d["code"] || !d["name"] || !d["province"]) return DataError(file, d, "each district needs code, name and province");
    v1::PriorityDistrict p;
    p.set_code(d["code"].as<std::string>());
    p.set_name(d["name"].as<std::string>());
    p.set_province(d["province"].as<std::string>());
    out.districts.push_back(std::move(p));
  }
  return out;
}

const v1::PriorityDistrict* PriorityDistricts::Find(const std::string& code) const {
  for (const auto& d : districts) {
    if (d.code() == code) return &d;
  }
  return nullptr;
}

PspCore::PspCore(RedisClient& redis, OutboxStore& outbox, const Geography& geo,
                 const PriorityDistricts& priority, const Clock& clock, IdGenerator& ids,
                 prometheus::Registry* registry)
    : redis_(redis), outbox_(outbox), geo_(geo), priority_(priority), clock_(clock), ids_(ids),
      events_("psp", clock, ids) {
  if (registry != nullptr) {
    backlog_gauge_ = &prometheus::BuildGauge().Name(MetricName("psp", "backlog_households"))
                          .Help("Households below the basic-service norm (combined estimate), by district and service")
                          .Register(*registry);
    deployments_gauge_ = &prometheus::BuildGauge().Name(MetricName("psp", "active_deployments"))
                              .Help("PSP deployments proposed, approved or active, by district")
                              .Register(*registry);
    budget_gauge_ = &prometheus::BuildGauge().Name(MetricName("psp", "project_budget_rand"))
                         .Help("Infrastructure project budgets, by district").Register(*registry);
    spend_gauge_ = &prometheus::BuildGauge().Name(MetricName("psp", "project_spend_rand"))
                        .Help("Infrastructure project spend to date, by district").Register(*registry);
  }
}

std::string PspCore::DistrictOf(const std::string& municipality) const {
  const Municipality* m = geo_.FindMunicipality(municipality);
  if (m == nullptr) return "";
  return m->kind == MunicipalityKind::kLocal ? m->parent : m->code;
}

template <typename T>
StatusOr<std::pair<int64_t, T>> PspCore::LoadVersioned(const std::string& key) {
  auto reply = redis_.Command({"HMGET", key, "v", "pb"});
  if (!reply.ok()) return reply.status();
  if (reply->elements.size() != 2 || reply->elements[0].is_nil()) return NotFoundError("no " + key);
  T value;
  if (!value.ParseFromString(reply->elements[1].str)) return DataLossError(key + " is unreadable");
  return std::pair<int64_t, T>(std::stoll(reply->elements[0].str), std::move(value));
}

void PspCore::EmitEvent(Mutation& m, const std::string& aggregate, int64_t version, v1::DeploymentEvent e) {
  v1::EventEnvelope env = events_.New(aggregate, version, aggregate);
  *env.mutable_deployment_event() = std::move(e);
  m.Emit(ToOutboxEvent(topics::kDeployments, env));
}

StatusOr<v1::Firm> PspCore::RegisterFirm(const v1::RegisterFirmRequest& r) {
  const v1::Firm& f = r.firm();
  FieldErrors errors;
  if (f.firm_id().empty()) errors.Add("firm.firm_id", "required");
  if (f.name().empty()) errors.Add("firm.name", "required");
  if (f.provinces_size() == 0) errors.Add("firm.provinces", "name at least one province served");
  for (int i = 0; i < f.professionals_size(); ++i) {
    const auto& p = f.professionals(i);
    std::string at = "firm.professionals[" + std::to_string(i) + "]";
    if (p.professional_id().empty()) errors.Add(at + ".professional_id", "required");
    if (p.discipline() == v1::DISCIPLINE_UNSPECIFIED || !v1::Discipline_IsValid(p.discipline())) errors.Add(at + ".discipline", "required");
    if (p.registration_number().empty()) errors.Add(at + ".registration_number", "the professional registration number is required");
  }
  for (int i = 0; i < f.contracts_size(); ++i) {
    const auto& c = f.contracts(i);
    std::string at = "firm.contracts[" + std::to_string(i) + "]";
    if (c.contract_id().empty()) errors.Add(at + ".contract_id", "required");
    if (c.ceiling_rand() <= 0) errors.Add(at + ".ceiling_rand", "must be positive");
    if (c.daily_rate_rand() <= 0) errors.Add(at + ".daily_rate_rand", "must be positive");
    if (!c.has_starts() || !c.has_ends() || c.ends().seconds() <= c.starts().seconds()) errors.Add(at + ".ends", "the period must end after it starts");
  }
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the firm is invalid"));
  v1::Firm stored = f;
  for (auto& c : *stored.mutable_contracts()) c.clear_committed_rand();  // kept in psp:committed
  Mutation m(f.firm_id());
  m.Do("SET", FirmKey(f.firm_id()), {stored.SerializeAsString()}).Do("SADD", kFirms, {f.firm_id()});
  auto committed = outbox_.Commit(m);
  if (!committed.ok()) return committed.status();
  return stored;
}

StatusOr<std::vector<v1::Firm>> PspCore::Firms() {
  auto ids = redis_.Command({"SMEMBERS", kFirms});
  if (!ids.ok()) return ids.status();
  std::vector<RedisArgs> gets;
  for (const auto& id : ids->elements) gets.push_back({"GET", FirmKey(id.str)});
  gets.push_back({"HGETALL", kCommitted});
  auto replies = redis_.Pipeline(gets);
  if (!replies.ok()) return replies.status();
  std::map<std::string, int64_t> committed;
  const auto& all = replies->back().elements;
  for (size_t i = 0; i + 1 < all.size(); i += 2) committed[all[i].str] = std::stoll(all[i + 1].str);
  std::vector<v1::Firm> firms;
  for (size_t i = 0; i + 1 < replies->size(); ++i) {
    v1::Firm f;
    if ((*replies)[i].is_nil() || !f.ParseFromString((*replies)[i].str)) continue;
    for (auto& c : *f.mutable_contracts()) c.set_committed_rand(committed[f.firm_id() + "/" + c.contract_id()]);
    firms.push_back(std::move(f));
  }
  return firms;
}

StatusOr<v1::SupportRequest> PspCore::CreateRequest(const v1::CreateSupportRequestRequest& r) {
  FieldErrors errors;
  if (r.client_request_id().empty()) errors.Add("client_request_id", "required: a retry with the same id returns the same request");
  std::string district = DistrictOf(r.municipality_code());
  if (district.empty()) errors.Add("municipality_code", "not a municipality in the reference data");
  if (r.programme() == v1::PROGRAMME_UNSPECIFIED || !v1::Programme_IsValid(r.programme())) errors.Add("programme", "one of MISA's programmes");
  if (r.discipline() == v1::DISCIPLINE_UNSPECIFIED || !v1::Discipline_IsValid(r.discipline())) errors.Add("discipline", "required");
  if (r.days() < 1 || r.days() > 730) errors.Add("days", "between 1 and 730");
  if (r.priority() < 1 || r.priority() > 5) errors.Add("priority", "1 (highest) to 5");
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the support request is invalid"));
  v1::SupportRequest req;
  req.set_request_id("SR-" + ids_.NewUuidV7());
  req.set_municipality_code(r.municipality_code());
  req.set_district_code(district);
  req.set_programme(r.programme());
  req.set_discipline(r.discipline());
  req.set_days(r.days());
  req.set_priority(r.priority());
  *req.mutable_starts() = r.has_starts() ? r.starts() : ToTimestamp(clock_.Now());
  req.set_reason(r.reason());
  req.set_status(v1::REQUEST_STATUS_OPEN);
  req.set_version(1);
  std::string client_key = "psp:request-client:" + r.client_request_id();
  Mutation m(req.request_id());
  m.RequireAbsent(client_key)
      .Do("SET", client_key, {req.request_id()})
      .Do("HSET", RequestKey(req.request_id()), {"v", "1", "pb", req.SerializeAsString()})
      .Do("ZADD", kRequests, {std::to_string(UnixSeconds(clock_.Now())), req.request_id()});
  v1::DeploymentEvent e;
  e.set_kind(v1::DeploymentEvent::KIND_REQUEST_RAISED);
  e.set_request_id(req.request_id());
  e.set_municipality_code(req.municipality_code());
  e.set_district_code(district);
  e.set_discipline(req.discipline());
  EmitEvent(m, req.request_id(), 1, e);
  auto committed = outbox_.Commit(m);
  if (!committed.ok()) return committed.status();
  if (!committed->applied()) {
    auto id = redis_.Command({"GET", client_key});
    if (!id.ok()) return id.status();
    auto existing = LoadVersioned<v1::SupportRequest>(RequestKey(id->str));
    if (!existing.ok()) return existing.status();
    return existing->second;
  }
  return req;
}

StatusOr<v1::ListSupportRequestsResponse> PspCore::ListRequests(const v1::ListSupportRequestsRequest& r) {
  auto ids = redis_.Command({"ZREVRANGE", kRequests, "0", "999"});
  if (!ids.ok()) return ids.status();
  std::vector<RedisArgs> gets;
  for (const auto& id : ids->elements) gets.push_back({"HGET", RequestKey(id.str), "pb"});
  v1::ListSupportRequestsResponse out;
  if (gets.empty()) return out;
  auto replies = redis_.Pipeline(gets);
  if (!replies.ok()) return replies.status();
  for (const auto& reply : *replies) {
    v1::SupportRequest req;
    if (reply.is_nil() || !req.ParseFromString(reply.str)) continue;
    if (!r.municipality_code().empty() && req.municipality_code() != r.municipality_code()) continue;
    if (r.status() != v1::REQUEST_STATUS_UNSPECIFIED && req.status() != r.status()) continue;
    *out.add_requests() = std::move(req);
  }
  return out;
}

StatusOr<std::map<std::string, Track>> PspCore::Tracks() {
  auto deployments = Deployments();
  if (!deployments.ok()) return deployments.status();
  std::map<std::string, Track> tracks;
  for (const auto& d : *deployments) {
    Track& t = tracks[d.professional_id()];
    if (Holds(d.status())) ++t.active;
    if (d.rating() > 0) ++t.ratings, t.rating_sum += d.rating();
    for (const auto& dl : d.deliverables()) {
      if (!dl.has_completed_at()) continue;
      ++t.deliverables;
      if (dl.on_time()) ++t.on_time;
    }
  }
  return tracks;
}

StatusOr<std::vector<v1::Deployment>> PspCore::Deployments() {
  auto ids = redis_.Command({"SMEMBERS", kDeployments});
  if (!ids.ok()) return ids.status();
  std::vector<v1::Deployment> out;
  if (ids->elements.empty()) return out;
  std::vector<RedisArgs> gets;
  for (const auto& id : ids->elements) gets.push_back({"HGET", DeploymentKey(id.str), "pb"});
  auto replies = redis_.Pipeline(gets);
  if (!replies.ok()) return replies.status();
  for (const auto& reply : *replies) {
    v1::Deployment d;
    if (!reply.is_nil() && d.ParseFromString(reply.str)) out.push_back(std::move(d));
  }
  return out;
}

StatusOr<v1::ShortlistResponse> PspCore::Shortlist(const v1::ShortlistRequest& r) {
  auto req = LoadVersioned<v1::SupportRequest>(RequestKey(r.request_id()));
  if (!req.ok()) return req.status();
  auto firms = Firms();
  if (!firms.ok()) return firms.status();
  auto tracks = Tracks();
  if (!tracks.ok()) return tracks.status();
  TimePoint starts = FromTimestamp(req->second.starts());
  TimePoint ends = starts + std::chrono::hours(24 * req->second.days());
  auto ranked = Rank(req->second, geo_.province(), *firms, *tracks, starts, ends);
  v1::ShortlistResponse out;
  int limit = r.limit() > 0 ? r.limit() : 5;
  for (auto& c : ranked) {
    if (out.candidates_size() >= limit) break;
    *out.add_candidates() = std::move(c);
  }
  out.set_rule(kRankingRule);
  return out;
}

StatusOr<v1::Deployment> PspCore::Propose(const v1::ProposeDeploymentRequest& r) {
  auto req = LoadVersioned<v1::SupportRequest>(RequestKey(r.request_id()));
  if (!req.ok()) return req.status();
  const v1::SupportRequest& request = req->second;
  if (request.status() != v1::REQUEST_STATUS_OPEN && request.status() != v1::REQUEST_STATUS_SUGGESTED) {
    return FailedPreconditionError("request " + r.request_id() + " is " + Label(request.status()) + ", not open");
  }
  auto firms = Firms();
  if (!firms.ok()) return firms.status();
  const v1::Firm* firm = nullptr;
  for (const auto& f : *firms) {
    if (f.firm_id() == r.firm_id()) firm = &f;
  }
  if (firm == nullptr) return FieldError("firm_id", "no such firm");
  const v1::Professional* pro = nullptr;
  for (const auto& p : firm->professionals()) {
    if (p.professional_id() == r.professional_id()) pro = &p;
  }
  if (pro == nullptr) return FieldError("professional_id", "not a professional of firm " + r.firm_id());
  if (pro->discipline() != request.discipline()) {
    return FailedPreconditionError("professional " + r.professional_id() + " is " + Label(pro->discipline()) +
                                   "; the request needs " + Label(request.discipline()));
  }
  const v1::FrameworkContract* contract = nullptr;
  for (const auto& c : firm->contracts()) {
    if (c.contract_id() == r.contract_id()) contract = &c;
  }
  if (contract == nullptr) return FieldError("contract_id", "not a contract of firm " + r.firm_id());
  auto tracks = Tracks();
  if (!tracks.ok()) return tracks.status();
  if ((*tracks)[pro->professional_id()].active >= std::max(1, pro->max_concurrent_deployments())) {
    return FailedPreconditionError("professional " + r.professional_id() + " has no free slot");
  }
  TimePoint starts = FromTimestamp(request.starts());
  TimePoint ends = starts + std::chrono::hours(24 * request.days());
  int64_t cost = contract->daily_rate_rand() * request.days();
  std::string call_off = firm->firm_id() + "/" + contract->contract_id();
  auto raw = redis_.Command({"HGET", kCommitted, call_off});
  if (!raw.ok()) return raw.status();
  v1::FrameworkContract now = *contract;
  now.set_committed_rand(raw->is_nil() ? 0 : std::stoll(raw->str));
  WARROOM_RETURN_IF_ERROR(CheckCallOff(now, cost, starts, ends));

  v1::Deployment d;
  d.set_deployment_id("DP-" + ids_.NewUuidV7());
  d.set_request_id(request.request_id());
  d.set_firm_id(firm->firm_id());
  d.set_professional_id(pro->professional_id());
  d.set_contract_id(contract->contract_id());
  d.set_municipality_code(request.municipality_code());
  d.set_district_code(request.district_code());
  d.set_discipline(request.discipline());
  d.set_status(v1::DEPLOYMENT_STATUS_PROPOSED);
  *d.mutable_starts() = ToTimestamp(starts);
  *d.mutable_ends() = ToTimestamp(ends);
  d.set_cost_rand(cost);
  d.set_version(1);
  v1::SupportRequest filled = request;
  filled.set_status(v1::REQUEST_STATUS_FILLED);
  filled.set_version(req->first + 1);
  Mutation m(d.deployment_id());
  // The committed amount must be what the check saw: a racing call-off makes this one retry.
  m.RequireField(kCommitted, call_off, raw->is_nil() ? "" : raw->str)
      .RequireField(RequestKey(request.request_id()), "v", std::to_string(req->first))
      .Do("HINCRBY", kCommitted, {call_off, std::to_string(cost)})
      .Do("HSET", RequestKey(request.request_id()), {"v", std::to_string(filled.version()), "pb", filled.SerializeAsString()})
      .Do("SADD", kDeployments, {d.deployment_id()});
  return CommitDeployment(0, d, v1::DeploymentEvent::KIND_PSP_DEPLOYED, std::move(m));
}

StatusOr<v1::Deployment> PspCore::CommitDeployment(int64_t version, v1::Deployment after,
                                                   v1::DeploymentEvent::Kind kind, Mutation m) {
  if (version > 0) m.RequireField(DeploymentKey(after.deployment_id()), "v", std::to_string(version));
  after.set_version(version + 1);
  m.Do("HSET", DeploymentKey(after.deployment_id()), {"v", std::to_string(after.version()), "pb", after.SerializeAsString()});
  v1::DeploymentEvent e;
  e.set_kind(kind);
  e.set_request_id(after.request_id());
  e.set_deployment_id(after.deployment_id());
  e.set_municipality_code(after.municipality_code());
  e.set_district_code(after.district_code());
  e.set_discipline(after.discipline());
  e.set_status(after.status());
  e.set_amount_rand(after.cost_rand());
  EmitEvent(m, after.deployment_id(), after.version(), e);
  auto committed = outbox_.Commit(m);
  if (!committed.ok()) return committed.status();
  if (!committed->applied()) {
    return AbortedError("deployment " + after.deployment_id() + " or its contract changed meanwhile; read it again");
  }
  log::Info("deployment_changed").Kv("deployment", after.deployment_id()).Kv("status", Label(after.status()));
  return after;
}

StatusOr<v1::Deployment> PspCore::Transition(const v1::TransitionDeploymentRequest& r) {
  auto loaded = LoadVersioned<v1::Deployment>(DeploymentKey(r.deployment_id()));
  if (!loaded.ok()) return loaded.status();
  auto [version, d] = std::move(*loaded);
  if (r.expected_version() != version) {
    return AbortedError("deployment " + r.deployment_id() + " is at version " + std::to_string(version) +
                        ", not " + std::to_string(r.expected_version()));
  }
  using S = v1::DeploymentStatus;
  static const std::map<S, std::vector<S>> kAllowed = {
      {v1::DEPLOYMENT_STATUS_PROPOSED, {v1::DEPLOYMENT_STATUS_APPROVED, v1::DEPLOYMENT_STATUS_TERMINATED}},
      {v1::DEPLOYMENT_STATUS_APPROVED, {v1::DEPLOYMENT_STATUS_ACTIVE, v1::DEPLOYMENT_STATUS_TERMINATED}},
      {v1::DEPLOYMENT_STATUS_ACTIVE, {v1::DEPLOYMENT_STATUS_COMPLETED, v1::DEPLOYMENT_STATUS_TERMINATED}}};
  auto allowed = kAllowed.find(d.status());
  if (allowed == kAllowed.end() ||
      std::find(allowed->second.begin(), allowed->second.end(), r.to()) == allowed->second.end()) {
    return FailedPreconditionError("deployment " + r.deployment_id() + " is " + Label(d.status()) +
                                   "; it cannot become " + Label(r.to()));
  }
  Mutation m(d.deployment_id());
  if (r.to() == v1::DEPLOYMENT_STATUS_COMPLETED) {
    if (r.rating() < 1 || r.rating() > 5) return FieldError("rating", "rate the deployment 1 to 5 when completing it");
    if (r.municipal_staff_trained() < 0) return FieldError("municipal_staff_trained", "must not be negative");
    d.set_rating(r.rating());
    d.set_municipal_staff_trained(r.municipal_staff_trained());
  }
  if (r.to() == v1::DEPLOYMENT_STATUS_TERMINATED) {
    // A terminated call-off no longer counts against its contract's ceiling.
    m.Do("HINCRBY", kCommitted, {d.firm_id() + "/" + d.contract_id(), std::to_string(-d.cost_rand())});
  }
  d.set_status(r.to());
  return CommitDeployment(version, std::move(d), v1::DeploymentEvent::KIND_PSP_DEPLOYED, std::move(m));
}

StatusOr<v1::Deployment> PspCore::AddDeliverable(const v1::AddDeliverableRequest& r) {
  if (r.title().empty()) return FieldError("title", "required");
  if (!r.has_due()) return FieldError("due", "required");
  auto loaded = LoadVersioned<v1::Deployment>(DeploymentKey(r.deployment_id()));
  if (!loaded.ok()) return loaded.status();
  auto [version, d] = std::move(*loaded);
  auto* dl = d.add_deliverables();
  dl->set_deliverable_id("DL-" + std::to_string(d.deliverables_size()));
  dl->set_title(r.title());
  *dl->mutable_due() = r.due();
  return CommitDeployment(version, std::move(d), v1::DeploymentEvent::KIND_PSP_DEPLOYED, Mutation(r.deployment_id()));
}

StatusOr<v1::Deployment> PspCore::CompleteDeliverable(const v1::CompleteDeliverableRequest& r) {
  auto loaded = LoadVersioned<v1::Deployment>(DeploymentKey(r.deployment_id()));
  if (!loaded.ok()) return loaded.status();
  auto [version, d] = std::move(*loaded);
  v1::Deliverable* dl = nullptr;
  for (auto& x : *d.mutable_deliverables()) {
    if (x.deliverable_id() == r.deliverable_id()) dl = &x;
  }
  if (dl == nullptr) return FieldError("deliverable_id", "no such deliverable on " + r.deployment_id());
  if (dl->has_completed_at()) return d;  // already completed: nothing changes
  *dl->mutable_completed_at() = r.has_completed_at() ? r.completed_at() : ToTimestamp(clock_.Now());
  dl->set_on_time(dl->completed_at().seconds() <= dl->due().seconds());
  return CommitDeployment(version, std::move(d), v1::DeploymentEvent::KIND_DELIVERABLE_COMPLETED,
                          Mutation(r.deployment_id()));
}

StatusOr<v1::CapacityRecorded> PspCore::RecordCapacity(const v1::RecordCapacityRequest& r) {
  FieldErrors errors;
  if (r.client_request_id().empty()) errors.Add("client_request_id", "required");
  if (r.kind() == v1::CAPACITY_KIND_UNSPECIFIED || !v1::CapacityKind_IsValid(r.kind())) errors.Add("kind", "required");
  if (DistrictOf(r.municipality_code()).empty()) errors.Add("municipality_code", "not a municipality in the reference data");
  if (r.count() < 1) errors.Add("count", "at least 1");
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the capacity record is invalid"));
  Mutation m(r.municipality_code());
  m.RequireAbsent("psp:capacity-request:" + r.client_request_id())
      .Do("SET", "psp:capacity-request:" + r.client_request_id(), {"1"})
      .Do("HINCRBY", CapacityKey(r.municipality_code()), {Label(r.kind()), std::to_string(r.count())});
  auto committed = outbox_.Commit(m);
  if (!committed.ok()) return committed.status();
  v1::CapacityRecorded out;
  out.set_count(committed->applied() ? r.count() : 0);
  return out;
}

StatusOr<v1::Project> PspCore::UpsertProject(const v1::UpsertProjectRequest& r) {
  v1::Project p = r.project();
  FieldErrors errors;
  if (p.project_id().empty()) errors.Add("project.project_id", "required");
  if (p.district_code().empty() || (priority_.Find(p.district_code()) == nullptr && geo_.FindMunicipality(p.district_code()) == nullptr)) {
    errors.Add("project.district_code", "not a district in the reference data or the priority list");
  }
  if (p.service() == v1::BASIC_SERVICE_UNSPECIFIED || !v1::BasicService_IsValid(p.service())) errors.Add("project.service", "required");
  if (p.budget_rand() < 0 || p.spend_rand() < 0) errors.Add("project.spend_rand", "amounts must not be negative");
  if (p.progress_percent() < 0 || p.progress_percent() > 100) errors.Add("project.progress_percent", "0 to 100");
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the project is invalid"));
  auto existing = LoadVersioned<v1::Project>(ProjectKey(p.project_id()));
  if (!existing.ok() && existing.status().code() != StatusCode::kNotFound) return existing.status();
  int64_t version = existing.ok() ? existing->first : 0;
  p.set_version(version + 1);
  Mutation m(p.project_id());
  if (version > 0) {
    m.RequireField(ProjectKey(p.project_id()), "v", std::to_string(version));
  } else {
    m.RequireAbsent(ProjectKey(p.project_id()));
  }
  m.Do("HSET", ProjectKey(p.project_id()), {"v", std::to_string(p.version()), "pb", p.SerializeAsString()})
      .Do("SADD", ProjectsKey(p.district_code()), {p.project_id()});
  v1::DeploymentEvent e;
  e.set_kind(v1::DeploymentEvent::KIND_PROJECT_PROGRESSED);
  e.set_project_id(p.project_id());
  e.set_municipality_code(p.municipality_code());
  e.set_district_code(p.district_code());
  e.set_amount_rand(p.spend_rand());
  e.set_budget_rand(p.budget_rand());
  e.set_progress_percent(p.progress_percent());
  EmitEvent(m, p.project_id(), p.version(), e);
  auto committed = outbox_.Commit(m);
  if (!committed.ok()) return committed.status();
  if (!committed->applied()) return AbortedError("project " + p.project_id() + " changed meanwhile; send it again");
  return p;
}

StatusOr<v1::ServiceBacklogLine> PspCore::ImportBaseline(const v1::ImportBaselineRequest& r) {
  FieldErrors errors;
  if (priority_.Find(r.district_code()) == nullptr && geo_.FindMunicipality(r.district_code()) == nullptr) {
    errors.Add("district_code", "not a district in the reference data or the priority list");
  }
  if (r.service() == v1::BASIC_SERVICE_UNSPECIFIED || !v1::BasicService_IsValid(r.service())) errors.Add("service", "required");
  if (r.households_total() < 0 || r.households_below_norm() < 0 || r.households_below_norm() > r.households_total()) {
    errors.Add("households_below_norm", "between 0 and households_total");
  }
  WARROOM_RETURN_IF_ERROR(errors.ToStatus("the baseline is invalid"));
  auto s = redis_.Command({"HSET", kBaseline, r.district_code() + ":" + Label(r.service()),
                           std::to_string(r.households_total()) + "," + std::to_string(r.households_below_norm())});
  if (!s.ok()) return s.status();
  auto backlog = Backlog(r.district_code());
  if (!backlog.ok()) return backlog.status();
  for (const auto& line : backlog->services()) {
    if (line.service() == r.service()) return line;
  }
  return v1::ServiceBacklogLine{};
}

StatusOr<v1::DistrictBacklog> PspCore::Backlog(const std::string& district) {
  auto deployments = Deployments();
  if (!deployments.ok()) return deployments.status();
  return BacklogOf(district, *deployments);
}

StatusOr<v1::DistrictBacklog> PspCore::BacklogOf(const std::string& district,
                                                 const std::vector<v1::Deployment>& deployments) {
  const v1::PriorityDistrict* p = priority_.Find(district);
  const Municipality* m = geo_.FindMunicipality(district);
  if (p == nullptr && m == nullptr) return FieldError("district_code", "not a district in the reference data or the priority list");
  // One round trip: this district's baselines, its live assessments, its projects and the
  // training recorded in each of its municipalities.
  RedisArgs baseline_fields = {"HMGET", kBaseline};
  for (v1::BasicService s : kPmoServices) baseline_fields.push_back(district + ":" + Label(s));
  std::vector<RedisArgs> commands = {baseline_fields, {"HGETALL", AssessedKey(district)}, {"SMEMBERS", ProjectsKey(district)}};
  for (const auto& [code, muni] : geo_.municipalities()) {
    if (DistrictOf(code) == district) {
      commands.push_back({"HGET", CapacityKey(code), Label(v1::CAPACITY_KIND_TRAINING_ATTENDANCE)});
    }
  }
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::map<std::string, std::string> assessed;
  const auto& a = (*replies)[1].elements;
  for (size_t i = 0; i + 1 < a.size(); i += 2) assessed[a[i].str] = a[i + 1].str;
  v1::DistrictBacklog out;
  out.set_district_code(district);
  out.set_name(p != nullptr ? p->name() : m->name);
  out.set_priority(p != nullptr);
  out.set_rule(kBacklogRule);
  std::vector<RedisArgs> gets;
  for (const auto& id : (*replies)[2].elements) gets.push_back({"HGET", ProjectKey(id.str), "pb"});
  std::map<int, int64_t> beneficiaries;
  if (!gets.empty()) {
    auto projects = redis_.Pipeline(gets);
    if (!projects.ok()) return projects.status();
    for (const auto& reply : *projects) {
      v1::Project project;
      if (reply.is_nil() || !project.ParseFromString(reply.str)) continue;
      beneficiaries[project.service()] += project.beneficiary_households();
      *out.add_projects() = std::move(project);
    }
  }
  auto number = [](const std::map<std::string, std::string>& m, const std::string& k) -> int64_t {
    auto it = m.find(k);
    return it == m.end() ? 0 : std::stoll(it->second);
  };
  for (size_t i = 0; i < std::size(kPmoServices); ++i) {
    v1::BasicService s = kPmoServices[i];
    auto* line = out.add_services();
    line->set_service(s);
    std::string label = Label(s);
    if (const RedisReply& b = (*replies)[0].elements[i]; !b.is_nil()) {
      auto comma = b.str.find(',');
      line->set_baseline_households(std::stoll(b.str.substr(0, comma)));
      line->set_baseline_below_norm(std::stoll(b.str.substr(comma + 1)));
    }
    line->set_assessed_households(number(assessed, label + ":assessed"));
    line->set_assessed_below_norm(number(assessed, label + ":below"));
    line->set_backlog_households(CombinedBacklog(line->baseline_households(), line->baseline_below_norm(),
                                                 line->assessed_households(), line->assessed_below_norm()));
    line->set_project_beneficiaries(beneficiaries[s]);
  }
  int64_t trained = 0;
  for (const auto& d : deployments) {
    if (d.district_code() != district) continue;
    if (Holds(d.status())) out.set_active_deployments(out.active_deployments() + 1);
    trained += d.municipal_staff_trained();
  }
  for (size_t i = 3; i < replies->size(); ++i) {
    if (!(*replies)[i].is_nil()) trained += std::stoll((*replies)[i].str);
  }
  out.set_capacity_trained(trained);
  return out;
}

v1::ListPriorityDistrictsResponse PspCore::Priority() const {
  v1::ListPriorityDistrictsResponse out;
  for (const auto& d : priority_.districts) *out.add_districts() = d;
  return out;
}

Status PspCore::ApplyEvent(const KafkaMessage& message) {
  auto e = DecodeEnvelope(message.value);
  if (!e.ok()) return e.status();
  if (e->has_household_assessed()) return ApplyAssessment(*e);
  if (e->has_hotspot_alert()) return ApplyHotspot(*e);
  return Status::Ok();
}

Status PspCore::ApplyAssessment(const v1::EventEnvelope& e) {
  const auto& a = e.household_assessed();
  std::string district = DistrictOf(a.municipality_code());
  if (district.empty()) return InvalidArgumentError("assessment of " + a.household_id() + " names no known municipality");
  std::string key = HouseholdKey(a.household_id());
  auto stored = redis_.Command({"HMGET", key, "v", "district", "levels"});
  if (!stored.ok()) return stored.status();
  int64_t version = stored->elements[0].is_nil() ? 0 : std::stoll(stored->elements[0].str);
  if (e.aggregate_version() <= version) return Status::Ok();  // already applied (or older)
  Mutation m(a.household_id());
  m.RequireField(key, "v", version == 0 ? "" : std::to_string(version));
  // Remove what the household counted before, then count its new levels.
  if (version > 0) {
    std::string old_district = stored->elements[1].str, levels = stored->elements[2].str;
    for (size_t start = 0; start < levels.size();) {
      size_t end = levels.find(',', start);
      std::string item = levels.substr(start, end - start);
      auto colon = item.find(':');
      m.Do("HINCRBY", AssessedKey(old_district), {item.substr(0, colon) + ":assessed", "-1"});
      if (item.substr(colon + 1) == "1") m.Do("HINCRBY", AssessedKey(old_district), {item.substr(0, colon) + ":below", "-1"});
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  std::string levels;
  for (const auto& s : a.services()) {
    std::string label = Label(s.service());
    bool below = Below(s.level());
    m.Do("HINCRBY", AssessedKey(district), {label + ":assessed", "1"});
    if (below) m.Do("HINCRBY", AssessedKey(district), {label + ":below", "1"});
    levels += (levels.empty() ? "" : ",") + label + ":" + (below ? "1" : "0");
  }
  m.Do("HSET", key, {"v", std::to_string(e.aggregate_version()), "district", district, "levels", levels});
  auto committed = outbox_.Commit(m);
  if (!committed.ok()) return committed.status();
  if (!committed->applied()) return UnavailableError("household " + a.household_id() + " moved meanwhile; retrying");
  return Status::Ok();
}

Status PspCore::ApplyHotspot(const v1::EventEnvelope& e) {
  const auto& alert = e.hotspot_alert();
  if (alert.category() != v1::CATEGORY_WATER && alert.category() != v1::CATEGORY_SANITATION) return Status::Ok();
  auto deployments = Deployments();
  if (!deployments.ok()) return deployments.status();
  for (const auto& d : *deployments) {
    if (d.municipality_code() == alert.municipality_code() && Holds(d.status()) &&
        (d.discipline() == v1::DISCIPLINE_WATER || d.discipline() == v1::DISCIPLINE_CIVIL)) {
      return Status::Ok();  // an engineer of that discipline is there already
    }
  }
  std::string district = DistrictOf(alert.municipality_code());
  if (district.empty()) return Status::Ok();
  v1::SupportRequest req;
  req.set_request_id("SR-" + ids_.NewUuidV7());
  req.set_municipality_code(alert.municipality_code());
  req.set_district_code(district);
  req.set_programme(v1::PROGRAMME_MUNICIPAL_TECHNICAL_SUPPORT);
  req.set_discipline(v1::DISCIPLINE_WATER);
  req.set_days(30);
  req.set_priority(1);
  *req.mutable_starts() = ToTimestamp(clock_.Now());
  req.set_reason("early warning: " + std::to_string(alert.count()) + " " + Label(alert.category()) +
                 " cases in ward " + alert.ward_code() + " in a day, and no water or civil engineer deployed");
  req.set_status(v1::REQUEST_STATUS_SUGGESTED);
  req.set_source_alert_id(alert.alert_id());
  req.set_version(1);
  Mutation m(req.request_id());
  m.RequireAbsent("psp:suggestion:" + alert.alert_id())
      .Do("SET", "psp:suggestion:" + alert.alert_id(), {req.request_id()})
      .Do("HSET", RequestKey(req.request_id()), {"v", "1", "pb", req.SerializeAsString()})
      .Do("ZADD", kRequests, {std::to_string(UnixSeconds(clock_.Now())), req.request_id()});
  v1::DeploymentEvent out;
  out.set_kind(v1::DeploymentEvent::KIND_REQUEST_RAISED);
  out.set_request_id(req.request_id());
  out.set_municipality_code(req.municipality_code());
  out.set_district_code(district);
  out.set_discipline(req.discipline());
  out.set_suggested(true);
  EmitEvent(m, req.request_id(), 1, out);
  auto committed = outbox_.Commit(m);
  if (!committed.ok()) return committed.status();
  if (committed->applied()) {
    log::Info("support_request_suggested").Kv("request", req.request_id()).Kv("alert", alert.alert_id());
  }
  return Status::Ok();
}

void PspCore::UpdateGauges() {
  if (backlog_gauge_ == nullptr) return;
  auto deployments = Deployments();  // once for every district
  if (!deployments.ok()) return;
  for (const auto& d : priority_.districts) {
    auto b = BacklogOf(d.code(), *deployments);
    if (!b.ok()) continue;
    for (const auto& line : b->services()) {
      backlog_gauge_->Add({{"district", d.code()}, {"service", Label(line.service())}})
          .Set(static_cast<double>(line.backlog_households()));
    }
    deployments_gauge_->Add({{"district", d.code()}}).Set(b->active_deployments());
    double budget = 0, spend = 0;
    for (const auto& p : b->projects()) budget += static_cast<double>(p.budget_rand()), spend += static_cast<double>(p.spend_rand());
    budget_gauge_->Add({{"district", d.code()}}).Set(budget);
    spend_gauge_->Add({{"district", d.code()}}).Set(spend);
  }
}

}  // namespace warroom::psp
