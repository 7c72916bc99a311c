// Reporting's read models: one fact per case with what every topic said about it, and the rollups
// (by area, category, channel, status and tier; month counts; SLA compliance; overdue lists)
// kept as sums of each fact's contribution. Applying an event removes the case's old contribution
// and adds the new one, so every rollup is a function of the facts alone: a model rebuilt from
// offset zero equals the live one. Pure logic: no Kafka, Redis or gRPC here.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "warroom/common/clock.h"
#include "warroom/common/geography.h"
#include "warroom/common/status.h"
#include "warroom/v1/events.pb.h"
#include "warroom/v1/reporting.pb.h"

namespace warroom::reporting {

struct Counts {
  int64_t cases = 0, open = 0, overdue = 0, resolved = 0, closed = 0, rejected = 0;
  bool operator==(const Counts&) const = default;
};

struct AreaTotals {
  Counts total;
  std::array<Counts, v1::Category_ARRAYSIZE> by_category{};
  std::array<Counts, v1::Channel_ARRAYSIZE> by_channel{};
  std::array<int64_t, v1::CaseStatus_ARRAYSIZE> by_status{};
  std::array<std::array<int64_t, 2>, v1::Tier_ARRAYSIZE> by_tier{};  // open, overdue
  std::map<int64_t, int64_t> open_by_day;                            // SAST day reported
  int64_t escalations = 0;
};

struct MonthTotals {
  int64_t opened = 0, resolved = 0, resolved_within_sla = 0;
  std::array<int64_t, v1::Category_ARRAYSIZE> opened_by_category{};
  std::array<int64_t, v1::Tier_ARRAYSIZE> escalations_to_tier{};
};

struct MetBreached {
  int64_t met = 0, breached = 0;
};

class ReadModel {
 public:
  explicit ReadModel(const Geography& geo) : geo_(&geo) {}

  // Applies one event read from `topic`. Returns false when it changed nothing (a duplicate
  // delivery, or an event no read model uses); INVALID_ARGUMENT when it can never apply.
  StatusOr<bool> Apply(std::string_view topic, const v1::EventEnvelope& event);

  // Checkpoint support: facts and alerts loaded back, and what changed since the last save.
  void LoadFact(v1::ReportingCaseFact fact);
  void LoadAlert(v1::HotspotAlert alert);
  // The latest deployments-topic event of each request, deployment and project.
  void LoadDeployment(v1::EventEnvelope latest);
  std::vector<std::string> TakeDirtyDeployments();
  const v1::EventEnvelope* FindDeployment(std::string_view aggregate_id) const;
  std::vector<std::string> TakeDirtyCases();
  std::vector<std::string> TakeDirtyAlerts();
  const v1::ReportingCaseFact* FindFact(std::string_view case_number) const;
  const v1::HotspotAlert* FindAlert(std::string_view alert_id) const;
  void MarkAllDirty();

  StatusOr<v1::AreaSummary> Summary(const v1::GetAreaSummaryRequest& request, TimePoint now) const;
  StatusOr<v1::GetSlaComplianceResponse> Compliance(const v1::GetSlaComplianceRequest& request) const;
  StatusOr<v1::ListOverdueCasesResponse> Overdue(const v1::ListOverdueCasesRequest& request) const;
  StatusOr<v1::WardReport> WardReport(const v1::GetWardReportRequest& request, TimePoint now) const;

  // A hash over every fact and alert in case-number order: equal models have equal digests.
  std::string Digest() const;
  size_t cases() const { return facts_.size(); }
  uint64_t duplicates_ignored() const { return duplicates_; }

  // For the metrics: the totals of one area ("M:JHB", "W:79800001"); zero when it has no cases.
  Counts Totals(const std::string& area_key) const;
  std::array<int64_t, v1::Tier_ARRAYSIZE> EscalationsToTier() const;
  std::map<std::string, int64_t> OpenHotspotsByMunicipality() const;
  struct DistrictMisa {
    int64_t active_deployments = 0, committed = 0, budget = 0, spend = 0;
  };
  std::map<std::string, DistrictMisa> MisaByDistrict() const;

 private:
  struct Derived;
  struct OverdueKey {
    int64_t since;
    std::string case_number;
    auto operator<=>(const OverdueKey&) const = default;
  };
  struct ComplianceKey {
    std::string area, month;
    int tier;
    std::string department;
    auto operator<=>(const ComplianceKey&) const = default;
  };

  v1::ReportingCaseFact& FactFor(const std::string& case_number);
  void ApplyCaseEvent(const v1::EventEnvelope& e, v1::ReportingCaseFact& fact);
  bool ApplyAlertEvent(const v1::EventEnvelope& e);
  bool ApplyDeploymentEvent(const v1::EventEnvelope& e);
  Derived Derive(const v1::ReportingCaseFact& fact) const;
  void Contribute(const v1::ReportingCaseFact& fact, int sign);
  std::vector<std::string> AreasOf(std::string_view ward, std::string_view municipality) const;
  StatusOr<std::string> AreaKey(v1::AreaLevel level, std::string_view code, v1::Area* area,
                                const std::string& field = "code") const;
  v1::OverdueCase ToOverdueCase(const v1::ReportingCaseFact& fact) const;

  const Geography* geo_;
  std::unordered_map<std::string, v1::ReportingCaseFact> facts_;
  std::map<std::string, v1::HotspotAlert> alerts_;
  std::map<std::string, v1::EventEnvelope> deployments_;
  std::unordered_set<std::string> dirty_cases_, dirty_alerts_, dirty_deployments_;
  std::unordered_map<std::string, AreaTotals> areas_;
  std::map<std::pair<std::string, std::string>, MonthTotals> months_;  // (area, month)
  std::map<ComplianceKey, MetBreached> compliance_;
  std::unordered_map<std::string, std::set<OverdueKey>> overdue_;  // area or "WR:<war room>"
  uint64_t duplicates_ = 0;
};

}  // namespace warroom::reporting
