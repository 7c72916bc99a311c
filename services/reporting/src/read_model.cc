#include "services/reporting/src/read_model.h"

#include <algorithm>
#include <cstdio>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "warroom/common/enum_names.h"
#include "warroom/common/timestamps.h"
#include "warroom/common/topics.h"

namespace warroom::reporting {
namespace {

using Fact = v1::ReportingCaseFact;
using Milestone = v1::ReportingCaseFact::Milestone;

constexpr int kMaxList = 1000;
constexpr int kDefaultList = 100;

uint64_t Fnv1a(std::string_view bytes, uint64_t h = 14695981039346656037ULL) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// A duplicate delivery repeats an event id at a version already seen; events of one aggregate
// arrive in version order on their topic, and one commit may emit several at the same version.
bool Accept(Fact::Source* source, int64_t version, std::string_view event_id) {
  uint64_t id = Fnv1a(event_id);
  if (version < source->version()) return false;
  if (version == source->version()) {
    for (uint64_t seen : source->event_ids()) {
      if (seen == id) return false;
    }
  } else {
    source->set_version(version);
    source->clear_event_ids();
  }
  source->add_event_ids(id);
  return true;
}

bool IsOpen(v1::CaseStatus s) {
  return s != v1::CASE_STATUS_RESOLVED && s != v1::CASE_STATUS_CLOSED &&
         s != v1::CASE_STATUS_REJECTED;
}

void AddCounts(Counts& c, v1::CaseStatus status, bool overdue, int sign) {
  c.cases += sign;
  if (IsOpen(status)) {
    c.open += sign;
    if (overdue) c.overdue += sign;
  } else if (status == v1::CASE_STATUS_RESOLVED) {
    c.resolved += sign;
  } else if (status == v1::CASE_STATUS_CLOSED) {
    c.closed += sign;
  } else {
    c.rejected += sign;
  }
}

void ToProto(const Counts& c, v1::CaseCounts* out) {
  out->set_cases(c.cases);
  out->set_open(c.open);
  out->set_overdue(c.overdue);
  out->set_resolved(c.resolved);
  out->set_closed(c.closed);
  out->set_rejected(c.rejected);
}

bool Before(const Milestone& a, const Milestone& b) {
  return a.at() != b.at() ? a.at() < b.at() : a.kind() < b.kind();
}

// Milestones stay in time order whatever order their topics delivered them in, so that equal
// histories are equal facts.
void AddMilestone(Fact& fact, Milestone::Kind kind, v1::Tier tier, int64_t at) {
  Milestone m;
  m.set_kind(kind);
  m.set_tier(tier);
  m.set_at(at);
  auto* list = fact.mutable_milestones();
  list->Add(std::move(m));
  for (int i = list->size() - 1; i > 0 && Before(list->Get(i), list->Get(i - 1)); --i) {
    list->SwapElements(i, i - 1);
  }
}

double Share(const MetBreached& m) {
  int64_t all = m.met + m.breached;
  return all == 0 ? 0.0 : static_cast<double>(m.met) / static_cast<double>(all);
}

v1::SlaComplianceRow Row(const MetBreached& m) {
  v1::SlaComplianceRow row;
  row.set_met(m.met);
  row.set_breached(m.breached);
  row.set_share(Share(m));
  return row;
}

int ListLimit(int32_t requested) {
  if (requested <= 0) return kDefaultList;
  return std::min(requested, kMaxList);
}

}  // namespace

// What a fact adds to the rollups, worked out once per contribution.
struct ReadModel::Derived {
  bool counted = false;
  bool open = false, overdue = false;
  int64_t overdue_since = 0;
  struct Breach {
    v1::Tier from;
    std::string month;
    bool escalation;  // false: overdue past the last tier
    v1::Tier to;
  };
  struct Resolution {
    v1::Tier tier;
    std::string month;
    bool within_sla;  // no deadline missed since the case was (re)opened
    bool met_here;    // the deadline of the tier it was resolved at was not missed
  };
  std::vector<Breach> breaches;
  std::vector<Resolution> resolutions;
};

ReadModel::Derived ReadModel::Derive(const Fact& fact) const {
  Derived d;
  d.counted = fact.reported();
  if (!d.counted) return d;
  d.open = IsOpen(fact.status());
  v1::Tier tier = v1::TIER_WARD;
  bool breached = false, breached_here = false;
  int64_t since = 0;
  for (const Milestone& milestone : fact.milestones()) {
    const Milestone* m = &milestone;
    switch (m->kind()) {
      case Milestone::KIND_ESCALATED:
        d.breaches.push_back({tier, MonthOf(m->at()), true, m->tier()});
        if (!breached) since = m->at();
        breached = true;
        breached_here = false;
        tier = m->tier();
        break;
      case Milestone::KIND_OVERDUE:
        if (!breached_here) d.breaches.push_back({tier, MonthOf(m->at()), false, tier});
        if (!breached) since = m->at();
        breached = breached_here = true;
        break;
      case Milestone::KIND_RAPID_RESPONSE:
        tier = v1::TIER_RAPID_RESPONSE;
        break;
      case Milestone::KIND_RESOLVED:
        d.resolutions.push_back({tier, MonthOf(m->at()), !breached, !breached_here});
        break;
      case Milestone::KIND_REOPENED:
        breached = breached_here = false;
        break;
      default:
        break;
    }
  }
  d.overdue = d.open && breached;
  d.overdue_since = since;
  return d;
}

std::vector<std::string> ReadModel::AreasOf(std::string_view ward_code,
                                            std::string_view municipality) const {
  std::vector<std::string> areas;
  const Ward* ward = ward_code.empty() ? nullptr : geo_->FindWard(ward_code);
  std::string muni = ward != nullptr ? ward->municipality_code : std::string(municipality);
  if (ward != nullptr) {
    areas.push_back("W:" + ward->code);
    if (!ward->region.empty()) areas.push_back("R:" + ward->municipality_code + "/" + ward->region);
  }
  if (const Municipality* m = geo_->FindMunicipality(muni); m != nullptr) {
    areas.push_back("M:" + m->code);
    areas.push_back("D:" + (m->kind == MunicipalityKind::kLocal ? m->parent : m->code));
  }
  areas.push_back("P:" + geo_->province());
  return areas;
}

void ReadModel::Contribute(const Fact& fact, int sign) {
  Derived d = Derive(fact);
  if (!d.counted) return;
  std::vector<std::string> areas = AreasOf(fact.ward_code(), fact.municipality_code());
  if (!fact.war_room().empty()) areas.push_back("WR:" + fact.war_room());
  int64_t day = SastDay(fact.reported_at());
  std::string opened_month = MonthOf(fact.reported_at());
  for (const std::string& area : areas) {
    bool is_war_room = area.starts_with("WR:");
    if (d.overdue) {
      OverdueKey key{d.overdue_since, fact.case_number()};
      auto& set = overdue_[area];
      if (sign > 0) {
        set.insert(key);
      } else {
        set.erase(key);
        if (set.empty()) overdue_.erase(area);
      }
    }
    if (is_war_room) continue;
    AreaTotals& t = areas_[area];
    AddCounts(t.total, fact.status(), d.overdue, sign);
    AddCounts(t.by_category[fact.category()], fact.status(), d.overdue, sign);
    AddCounts(t.by_channel[fact.channel()], fact.status(), d.overdue, sign);
    t.by_status[fact.status()] += sign;
    if (d.open) {
      t.by_tier[fact.tier()][0] += sign;
      if (d.overdue) t.by_tier[fact.tier()][1] += sign;
      if ((t.open_by_day[day] += sign) == 0) t.open_by_day.erase(day);
    }
    MonthTotals& opened = months_[{area, opened_month}];
    opened.opened += sign;
    opened.opened_by_category[fact.category()] += sign;
    for (const auto& b : d.breaches) {
      if (b.escalation) {
        t.escalations += sign;
        months_[{area, b.month}].escalations_to_tier[b.to] += sign;
      }
      compliance_[{area, b.month, b.from, fact.department()}].breached += sign;
    }
    for (const auto& r : d.resolutions) {
      MonthTotals& m = months_[{area, r.month}];
      m.resolved += sign;
      if (r.within_sla) m.resolved_within_sla += sign;
      if (r.met_here) {
        compliance_[{area, r.month, r.tier, fact.department()}].met += sign;
      }
    }
  }
}

Fact& ReadModel::FactFor(const std::string& case_number) {
  auto [it, inserted] = facts_.try_emplace(case_number);
  if (inserted) it->second.set_case_number(case_number);
  return it->second;
}

StatusOr<bool> ReadModel::Apply(std::string_view topic, const v1::EventEnvelope& e) {
  if (topic == topics::kAlerts) return ApplyAlertEvent(e);
  if (topic == topics::kDeployments) return ApplyDeploymentEvent(e);
  Fact::Source* (Fact::*source)() = nullptr;
  if (topic == topics::kCases) {
    source = &Fact::mutable_case_source;
  } else if (topic == topics::kAssignments) {
    source = &Fact::mutable_assignment_source;
  } else if (topic == topics::kEscalations) {
    source = &Fact::mutable_sla_source;
  } else if (topic == topics::kNotifications) {
    source = &Fact::mutable_notification_source;
  } else {
    return false;  // no read model uses it (yet)
  }
  if (e.aggregate_id().empty()) {
    return InvalidArgumentError("event " + e.event_id() + " on " + std::string(topic) +
                                " names no case");
  }
  Fact& fact = FactFor(e.aggregate_id());
  Fact before = fact;
  if (!Accept((fact.*source)(), e.aggregate_version(), e.event_id())) {
    ++duplicates_;
    return false;
  }
  ApplyCaseEvent(e, fact);
  Contribute(before, -1);
  Contribute(fact, +1);
  dirty_cases_.insert(fact.case_number());
  return true;
}

void ReadModel::ApplyCaseEvent(const v1::EventEnvelope& e, Fact& fact) {
  int64_t at = UnixSeconds(e.occurred_at());
  switch (e.payload_case()) {
    case v1::EventEnvelope::kCaseReported: {
      const auto& r = e.case_reported();
      fact.set_reported(true);
      fact.set_ward_code(r.ward_code());
      fact.set_municipality_code(r.municipality_code());
      fact.set_category(r.category());
      fact.set_channel(r.channel());
      if (fact.status() == v1::CASE_STATUS_UNSPECIFIED) fact.set_status(v1::CASE_STATUS_REPORTED);
      fact.set_critical(r.critical_reason() != v1::CRITICAL_REASON_UNSPECIFIED);
      fact.set_reported_at(r.has_reported_at() ? UnixSeconds(r.reported_at()) : at);
      return;
    }
    case v1::EventEnvelope::kCaseStatusChanged: {
      const auto& s = e.case_status_changed();
      fact.set_status(s.to());
      int64_t when = s.has_changed_at() ? UnixSeconds(s.changed_at()) : at;
      if (s.to() == v1::CASE_STATUS_RESOLVED) {
        AddMilestone(fact, Milestone::KIND_RESOLVED, v1::TIER_UNSPECIFIED, when);
      }
      return;
    }
    case v1::EventEnvelope::kCaseRecategorised:
      fact.set_category(e.case_recategorised().to());
      return;
    case v1::EventEnvelope::kCaseLocated:
      fact.set_ward_code(e.case_located().ward_code());
      fact.set_municipality_code(e.case_located().municipality_code());
      return;
    case v1::EventEnvelope::kCaseReopened: {
      const auto& r = e.case_reopened();
      fact.set_status(v1::CASE_STATUS_REOPENED);
      AddMilestone(fact, Milestone::KIND_REOPENED, v1::TIER_UNSPECIFIED,
                   r.has_reopened_at() ? UnixSeconds(r.reopened_at()) : at);
      return;
    }
    case v1::EventEnvelope::kCaseAssigned: {
      const auto& a = e.case_assigned();
      fact.set_department(a.department());
      fact.set_sphere(a.sphere());
      fact.set_war_room(a.war_room());
      return;
    }
    case v1::EventEnvelope::kSlaChanged: {
      const auto& s = e.sla_changed();
      if (s.tier() != v1::TIER_UNSPECIFIED) fact.set_tier(s.tier());
      fact.set_due_at(s.has_due_at() ? UnixSeconds(s.due_at()) : 0);
      if (s.kind() == v1::SlaChanged::KIND_ESCALATED) {
        AddMilestone(fact, Milestone::KIND_ESCALATED, s.tier(), at);
      } else if (s.kind() == v1::SlaChanged::KIND_OVERDUE) {
        AddMilestone(fact, Milestone::KIND_OVERDUE, s.tier(), at);
      } else if (s.kind() == v1::SlaChanged::KIND_RAPID_RESPONSE) {
        AddMilestone(fact, Milestone::KIND_RAPID_RESPONSE, s.tier(), at);
      }
      return;
    }
    case v1::EventEnvelope::kNotification:
      fact.set_notifications(fact.notifications() + 1);
      return;
    default:
      return;  // notes and duplicate links change no rollup
  }
}

bool ReadModel::ApplyAlertEvent(const v1::EventEnvelope& e) {
  if (e.has_hotspot_alert()) {
    const auto& a = e.hotspot_alert();
    auto [it, inserted] = alerts_.try_emplace(a.alert_id(), a);
    if (!inserted) {
      ++duplicates_;
      return false;
    }
    dirty_alerts_.insert(a.alert_id());
    return true;
  }
  if (e.has_alert_acknowledged()) {
    auto it = alerts_.find(e.alert_acknowledged().alert_id());
    if (it == alerts_.end() || it->second.acknowledged()) {
      ++duplicates_;
      return false;
    }
    it->second.set_acknowledged(true);
    it->second.set_acknowledged_by(e.alert_acknowledged().acknowledged_by());
    dirty_alerts_.insert(it->first);
    return true;
  }
  return false;
}

bool ReadModel::ApplyDeploymentEvent(const v1::EventEnvelope& e) {
  if (!e.has_deployment_event() || e.aggregate_id().empty()) return false;
  auto it = deployments_.find(e.aggregate_id());
  if (it != deployments_.end() && e.aggregate_version() <= it->second.aggregate_version()) {
    ++duplicates_;
    return false;
  }
  deployments_[e.aggregate_id()] = e;
  dirty_deployments_.insert(e.aggregate_id());
  return true;
}

void ReadModel::LoadDeployment(v1::EventEnvelope latest) {
  std::string id = latest.aggregate_id();
  deployments_.insert_or_assign(id, std::move(latest));
}

std::vector<std::string> ReadModel::TakeDirtyDeployments() {
  std::vector<std::string> out(dirty_deployments_.begin(), dirty_deployments_.end());
  dirty_deployments_.clear();
  return out;
}

const v1::EventEnvelope* ReadModel::FindDeployment(std::string_view id) const {
  auto it = deployments_.find(std::string(id));
  return it == deployments_.end() ? nullptr : &it->second;
}

std::map<std::string, ReadModel::DistrictMisa> ReadModel::MisaByDistrict() const {
  std::map<std::string, DistrictMisa> out;
  for (const auto& [id, e] : deployments_) {
    const auto& d = e.deployment_event();
    DistrictMisa& m = out[d.district_code()];
    if (!d.project_id().empty()) {
      m.budget += d.budget_rand();
      m.spend += d.amount_rand();
    } else if (!d.deployment_id().empty()) {
      bool holds = d.status() == v1::DEPLOYMENT_STATUS_PROPOSED || d.status() == v1::DEPLOYMENT_STATUS_APPROVED ||
                   d.status() == v1::DEPLOYMENT_STATUS_ACTIVE;
      if (holds) ++m.active_deployments;
      if (d.status() != v1::DEPLOYMENT_STATUS_TERMINATED) m.committed += d.amount_rand();
    }
  }
  return out;
}

void ReadModel::LoadFact(Fact fact) {
  auto [it, inserted] = facts_.try_emplace(fact.case_number(), std::move(fact));
  if (!inserted) return;
  Contribute(it->second, +1);
}

void ReadModel::LoadAlert(v1::HotspotAlert alert) {
  std::string id = alert.alert_id();
  alerts_.insert_or_assign(id, std::move(alert));
}

std::vector<std::string> ReadModel::TakeDirtyCases() {
  std::vector<std::string> out(dirty_cases_.begin(), dirty_cases_.end());
  dirty_cases_.clear();
  return out;
}

std::vector<std::string> ReadModel::TakeDirtyAlerts() {
  std::vector<std::string> out(dirty_alerts_.begin(), dirty_alerts_.end());
  dirty_alerts_.clear();
  return out;
}

void ReadModel::MarkAllDirty() {
  for (const auto& [cn, fact] : facts_) dirty_cases_.insert(cn);
  for (const auto& [id, alert] : alerts_) dirty_alerts_.insert(id);
  for (const auto& [id, e] : deployments_) dirty_deployments_.insert(id);
}

const Fact* ReadModel::FindFact(std::string_view cn) const {
  auto it = facts_.find(std::string(cn));
  return it == facts_.end() ? nullptr : &it->second;
}

const v1::HotspotAlert* ReadModel::FindAlert(std::string_view id) const {
  auto it = alerts_.find(std::string(id));
  return it == alerts_.end() ? nullptr : &it->second;
}

StatusOr<std::string> ReadModel::AreaKey(v1::AreaLevel level, std::string_view code,
                                         v1::Area* area, const std::string& field) const {
  area->set_level(level);
  area->set_code(std::string(code));
  switch (level) {
    case v1::AREA_LEVEL_UNSPECIFIED:
    case v1::AREA_LEVEL_PROVINCE:
      if (!code.empty() && code != geo_->province()) {
        return FieldError(field, "the province is " + geo_->province());
      }
      area->set_level(v1::AREA_LEVEL_PROVINCE);
      area->set_code(geo_->province());
      if (const auto* p = geo_->FindMunicipality(geo_->province())) area->set_name(p->name);
      return "P:" + geo_->province();
    case v1::AREA_LEVEL_WARD: {
      const Ward* w = geo_->FindWard(code);
      if (w == nullptr) return FieldError(field, "no ward " + std::string(code));
      const Municipality* m = geo_->FindMunicipality(w->municipality_code);
      area->set_name("Ward " + std::to_string(w->number) + ", " + (m ? m->name : ""));
      return "W:" + w->code;
    }
    case v1::AREA_LEVEL_REGION: {
      auto slash = code.find('/');
      std::string metro(code.substr(0, slash));
      std::string region = slash == std::string_view::npos ? "" : std::string(code.substr(slash + 1));
      if (geo_->WardsOf(metro, region).empty() || region.empty()) {
        return FieldError(field, "no metro region " + std::string(code) + " (write it as JHB/Region A)");
      }
      area->set_name(std::string(code));
      return "R:" + std::string(code);
    }
    case v1::AREA_LEVEL_MUNICIPALITY:
    case v1::AREA_LEVEL_DISTRICT: {
      const Municipality* m = geo_->FindMunicipality(code);
      bool fits = m != nullptr && (level == v1::AREA_LEVEL_MUNICIPALITY
                                       ? m->kind != MunicipalityKind::kDistrict &&
                                             m->kind != MunicipalityKind::kProvince
                                       : m->kind == MunicipalityKind::kDistrict ||
                                             m->kind == MunicipalityKind::kMetro);
      if (!fits) {
        return FieldError(field, std::string(code) + " is not a " +
                                        (level == v1::AREA_LEVEL_MUNICIPALITY
                                             ? "local municipality or metro"
                                             : "district or metro"));
      }
      area->set_name(m->name);
      return std::string(level == v1::AREA_LEVEL_MUNICIPALITY ? "M:" : "D:") + m->code;
    }
    default:
      return FieldError("level", "unknown area level");
  }
}

StatusOr<v1::AreaSummary> ReadModel::Summary(const v1::GetAreaSummaryRequest& request,
                                             TimePoint now) const {
  v1::AreaSummary out;
  auto key = AreaKey(request.level(), request.code(), out.mutable_area());
  if (!key.ok()) return key.status();
  *out.mutable_as_of() = ToTimestamp(now);
  auto it = areas_.find(*key);
  if (it != areas_.end()) {
    const AreaTotals& t = it->second;
    ToProto(t.total, out.mutable_totals());
    for (int c = 1; c < v1::Category_ARRAYSIZE; ++c) {
      if (t.by_category[c].cases == 0) continue;
      auto* row = out.add_by_category();
      row->set_category(static_cast<v1::Category>(c));
      ToProto(t.by_category[c], row->mutable_counts());
    }
    for (int c = 1; c < v1::Channel_ARRAYSIZE; ++c) {
      if (t.by_channel[c].cases == 0) continue;
      auto* row = out.add_by_channel();
      row->set_channel(static_cast<v1::Channel>(c));
      ToProto(t.by_channel[c], row->mutable_counts());
    }
    for (int s = 1; s < v1::CaseStatus_ARRAYSIZE; ++s) {
      if (t.by_status[s] == 0) continue;
      auto* row = out.add_by_status();
      row->set_status(static_cast<v1::CaseStatus>(s));
      row->set_cases(t.by_status[s]);
    }
    for (int tier = 0; tier < v1::Tier_ARRAYSIZE; ++tier) {
      if (t.by_tier[tier][0] == 0) continue;
      auto* row = out.add_by_tier();
      row->set_tier(static_cast<v1::Tier>(tier));
      row->set_open(t.by_tier[tier][0]);
      row->set_overdue(t.by_tier[tier][1]);
    }
    int64_t today = SastDay(UnixSeconds(now));
    auto* backlog = out.mutable_backlog();
    for (const auto& [day, n] : t.open_by_day) {
      int64_t age = today - day;
      if (age < 7) {
        backlog->set_under_7_days(backlog->under_7_days() + n);
      } else if (age < 30) {
        backlog->set_from_7_to_30_days(backlog->from_7_to_30_days() + n);
      } else if (age < 90) {
        backlog->set_from_30_to_90_days(backlog->from_30_to_90_days() + n);
      } else {
        backlog->set_over_90_days(backlog->over_90_days() + n);
      }
    }
    if (!t.open_by_day.empty()) {
      *backlog->mutable_oldest_reported_at() =
          SecondsToTimestamp((t.open_by_day.begin()->first * 86400) - 7200);
    }
    out.set_escalations(t.escalations);
  } else {
    out.mutable_totals();
  }
  int64_t hotspots = 0;
  for (const auto& [id, a] : alerts_) {
    if (a.acknowledged()) continue;
    auto areas = AreasOf(a.ward_code(), a.municipality_code());
    if (std::find(areas.begin(), areas.end(), *key) != areas.end()) ++hotspots;
  }
  out.set_open_hotspots(hotspots);
  if (request.level() == v1::AREA_LEVEL_DISTRICT) {
    auto misa = MisaByDistrict();
    if (auto m = misa.find(out.area().code()); m != misa.end()) {
      out.set_active_deployments(m->second.active_deployments);
      out.set_deployments_committed_rand(m->second.committed);
      out.set_project_budget_rand(m->second.budget);
      out.set_project_spend_rand(m->second.spend);
    }
  }
  return out;
}

StatusOr<v1::GetSlaComplianceResponse> ReadModel::Compliance(
    const v1::GetSlaComplianceRequest& request) const {
  v1::GetSlaComplianceResponse out;
  auto key = AreaKey(request.level(), request.code(), out.mutable_area());
  if (!key.ok()) return key.status();
  if (!request.month().empty() && !IsMonthLabel(request.month())) {
    return FieldError("month", "write it as YYYY-MM, e.g. 2026-11");
  }
  MetBreached overall;
  std::map<int, MetBreached> by_tier;
  std::map<std::string, MetBreached> by_department, by_month;
  for (auto it = compliance_.lower_bound({*key, "", 0, ""});
       it != compliance_.end() && it->first.area == *key; ++it) {
    const ComplianceKey& k = it->first;
    if (!request.month().empty() && k.month != request.month()) continue;
    if (!request.department().empty() && k.department != request.department()) continue;
    for (MetBreached* m : {&overall, &by_tier[k.tier], &by_department[k.department],
                           &by_month[k.month]}) {
      m->met += it->second.met;
      m->breached += it->second.breached;
    }
  }
  *out.mutable_overall() = Row(overall);
  out.mutable_overall()->set_month(request.month());
  out.mutable_overall()->set_department(request.department());
  for (const auto& [tier, m] : by_tier) {
    if (m.met + m.breached == 0) continue;
    auto* row = out.add_by_tier();
    *row = Row(m);
    row->set_tier(static_cast<v1::Tier>(tier));
  }
  for (const auto& [dept, m] : by_department) {
    if (m.met + m.breached == 0) continue;
    auto* row = out.add_by_department();
    *row = Row(m);
    row->set_department(dept);
  }
  for (const auto& [month, m] : by_month) {
    if (m.met + m.breached == 0) continue;
    auto* row = out.add_by_month();
    *row = Row(m);
    row->set_month(month);
  }
  return out;
}

v1::OverdueCase ReadModel::ToOverdueCase(const Fact& f) const {
  v1::OverdueCase c;
  c.set_case_number(f.case_number());
  c.set_ward_code(f.ward_code());
  c.set_municipality_code(f.municipality_code());
  c.set_war_room(f.war_room());
  c.set_category(f.category());
  c.set_tier(f.tier());
  c.set_department(f.department());
  c.set_sphere(f.sphere());
  c.set_status(f.status());
  *c.mutable_reported_at() = SecondsToTimestamp(f.reported_at());
  if (f.due_at() != 0) *c.mutable_due_at() = SecondsToTimestamp(f.due_at());
  return c;
}

StatusOr<v1::ListOverdueCasesResponse> ReadModel::Overdue(
    const v1::ListOverdueCasesRequest& request) const {
  int given = !request.war_room().empty() + !request.ward_code().empty() +
              !request.municipality_code().empty();
  if (given != 1) {
    return FieldError("war_room", "give exactly one of war_room, ward_code or municipality_code");
  }
  std::string key;
  if (!request.war_room().empty()) {
    key = "WR:" + request.war_room();
  } else {
    v1::Area area;
    auto k = request.ward_code().empty()
                 ? AreaKey(v1::AREA_LEVEL_MUNICIPALITY, request.municipality_code(), &area,
                           "municipality_code")
                 : AreaKey(v1::AREA_LEVEL_WARD, request.ward_code(), &area, "ward_code");
    if (!k.ok()) return k.status();
    key = *k;
  }
  v1::ListOverdueCasesResponse out;
  auto it = overdue_.find(key);
  if (it == overdue_.end()) return out;
  out.set_total(static_cast<int64_t>(it->second.size()));
  int limit = ListLimit(request.limit());
  for (const OverdueKey& k : it->second) {
    if (out.cases_size() >= limit) break;
    *out.add_cases() = ToOverdueCase(facts_.at(k.case_number));
  }
  return out;
}

StatusOr<v1::WardReport> ReadModel::WardReport(const v1::GetWardReportRequest& request,
                                               TimePoint now) const {
  v1::WardReport out;
  auto key = AreaKey(v1::AREA_LEVEL_WARD, request.ward_code(), out.mutable_ward(), "ward_code");
  if (!key.ok()) return key.status();
  if (!IsMonthLabel(request.month())) {
    return FieldError("month", "write it as YYYY-MM, e.g. 2026-11");
  }
  out.set_month(request.month());
  out.set_war_room("WR-" + request.ward_code());
  *out.mutable_generated_at() = ToTimestamp(now);
  if (auto m = months_.find({*key, request.month()}); m != months_.end()) {
    const MonthTotals& t = m->second;
    out.set_opened(t.opened);
    out.set_resolved(t.resolved);
    out.set_resolved_within_sla(t.resolved_within_sla);
    for (int c = 1; c < v1::Category_ARRAYSIZE; ++c) {
      if (t.opened_by_category[c] == 0) continue;
      auto* row = out.add_opened_by_category();
      row->set_category(static_cast<v1::Category>(c));
      row->mutable_counts()->set_cases(t.opened_by_category[c]);
    }
    for (int tier = 1; tier < v1::Tier_ARRAYSIZE; ++tier) {
      if (t.escalations_to_tier[tier] == 0) continue;
      auto* row = out.add_escalations();
      row->set_tier(static_cast<v1::Tier>(tier));
      row->set_escalations(t.escalations_to_tier[tier]);
    }
  }
  for (const auto& [id, a] : alerts_) {
    if (a.ward_code() == request.ward_code() && MonthOf(a.window_start().seconds()) == request.month()) {
      *out.add_hotspots() = a;
    }
  }
  if (auto a = areas_.find(*key); a != areas_.end()) ToProto(a->second.total, out.mutable_now());
  // The agenda: every overdue case of the ward, grouped by the department that owns it.
  std::map<std::string, std::vector<const Fact*>> by_owner;
  if (auto o = overdue_.find(*key); o != overdue_.end()) {
    for (const OverdueKey& k : o->second) {
      const Fact& f = facts_.at(k.case_number);
      by_owner[f.department().empty() ? "(unassigned)" : f.department()].push_back(&f);
    }
  }
  for (const auto& [owner, cases] : by_owner) {
    auto* dept = out.add_overdue_by_department();
    dept->set_department(owner);
    dept->set_sphere(cases.front()->sphere());
    dept->set_overdue(static_cast<int64_t>(cases.size()));
    auto* item = out.add_agenda();
    item->set_owner(owner);
    for (const Fact* f : cases) *item->add_cases() = ToOverdueCase(*f);
  }
  return out;
}

std::string ReadModel::Digest() const {
  std::vector<const std::string*> keys;
  keys.reserve(facts_.size());
  for (const auto& [cn, fact] : facts_) keys.push_back(&cn);
  std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
  uint64_t h = Fnv1a("facts");
  std::string bytes;
  for (const std::string* cn : keys) {
    const Fact& f = facts_.at(*cn);
    bytes.clear();
    google::protobuf::io::StringOutputStream raw(&bytes);
    {
      google::protobuf::io::CodedOutputStream coded(&raw);
      coded.SetSerializationDeterministic(true);
      f.SerializeToCodedStream(&coded);
    }
    h = Fnv1a(bytes, h);
  }
  for (const auto& [id, a] : alerts_) {
    h = Fnv1a(id, h);
    h = Fnv1a(a.acknowledged() ? "ack" : "open", h);
  }
  for (const auto& [id, e] : deployments_) {
    h = Fnv1a(id, h);
    h = Fnv1a(e.event_id(), h);
  }
  char out[32];
  std::snprintf(out, sizeof(out), "%016llx-%zu", static_cast<unsigned long long>(h), facts_.size());
  return out;
}

Counts ReadModel::Totals(const std::string& area_key) const {
  auto it = areas_.find(area_key);
  return it == areas_.end() ? Counts{} : it->second.total;
}

std::array<int64_t, v1::Tier_ARRAYSIZE> ReadModel::EscalationsToTier() const {
  std::array<int64_t, v1::Tier_ARRAYSIZE> out{};
  std::string province = "P:" + geo_->province();
  for (const auto& [key, t] : months_) {
    if (key.first != province) continue;
    for (int i = 0; i < v1::Tier_ARRAYSIZE; ++i) out[i] += t.escalations_to_tier[i];
  }
  return out;
}

std::map<std::string, int64_t> ReadModel::OpenHotspotsByMunicipality() const {
  std::map<std::string, int64_t> out;
  for (const auto& [id, a] : alerts_) {
    if (!a.acknowledged()) ++out[a.municipality_code()];
  }
  return out;
}

}  // namespace warroom::reporting
