#include "services/reporting/src/reporting_core.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <thread>

#include "warroom/common/enum_names.h"
#include "warroom/common/events.h"
#include "warroom/common/log.h"
#include "warroom/common/metrics.h"
#include "warroom/common/topics.h"

namespace warroom::reporting {

struct ReportingCore::Metrics {
  explicit Metrics(prometheus::Registry& r)
      : applied(prometheus::BuildCounter()
                    .Name(MetricName("reporting", "events_applied_total"))
                    .Help("Events applied to the read models, by topic")
                    .Register(r)),
        duplicates(prometheus::BuildCounter()
                       .Name(MetricName("reporting", "duplicate_events_total"))
                       .Help("Events delivered again and ignored")
                       .Register(r)
                       .Add({})),
        open(prometheus::BuildGauge()
                 .Name(MetricName("reporting", "open_cases"))
                 .Help("Open cases, by municipality")
                 .Register(r)),
        overdue(prometheus::BuildGauge()
                    .Name(MetricName("reporting", "overdue_cases"))
                    .Help("Open cases that missed an SLA deadline, by municipality")
                    .Register(r)),
        resolved(prometheus::BuildGauge()
                     .Name(MetricName("reporting", "resolved_cases"))
                     .Help("Resolved or closed cases, by municipality")
                     .Register(r)),
        ward_open(prometheus::BuildGauge()
                      .Name(MetricName("reporting", "ward_open_cases"))
                      .Help("Open cases, by ward")
                      .Register(r)),
        ward_overdue(prometheus::BuildGauge()
                         .Name(MetricName("reporting", "ward_overdue_cases"))
                         .Help("Open cases that missed an SLA deadline, by ward")
                         .Register(r)),
        escalations(prometheus::BuildGauge()
                        .Name(MetricName("reporting", "escalations"))
                        .Help("Tier escalations recorded in the province, by the tier escalated to")
                        .Register(r)),
        hotspots(prometheus::BuildGauge()
                     .Name(MetricName("reporting", "open_hotspots"))
                     .Help("Hotspot alerts not yet acknowledged, by municipality")
                     .Register(r)),
        compliance(prometheus::BuildGauge()
                       .Name(MetricName("reporting", "sla_compliance_ratio"))
                       .Help("Share of SLA deadlines met in the province, by tier")
                       .Register(r)),
        deployments(prometheus::BuildGauge()
                        .Name(MetricName("reporting", "active_deployments"))
                        .Help("MISA PSP deployments proposed, approved or active, by district")
                        .Register(r)),
        project_budget(prometheus::BuildGauge()
                           .Name(MetricName("reporting", "project_budget_rand"))
                           .Help("Infrastructure project budgets, by district")
                           .Register(r)),
        project_spend(prometheus::BuildGauge()
                          .Name(MetricName("reporting", "project_spend_rand"))
                          .Help("Infrastructure project spend to date, by district")
                          .Register(r)),
        cases(prometheus::BuildGauge()
                  .Name(MetricName("reporting", "model_cases"))
                  .Help("Cases in the read model")
                  .Register(r)
                  .Add({})),
        checkpoint(prometheus::BuildHistogram()
                       .Name(MetricName("reporting", "checkpoint_duration_seconds"))
                       .Help("Time to save a checkpoint of the read model")
                       .Register(r)
                       .Add({}, prometheus::Histogram::BucketBoundaries{
                                    0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5})) {}

  prometheus::Family<prometheus::Counter>& applied;
  prometheus::Counter& duplicates;
  prometheus::Family<prometheus::Gauge>& open;
  prometheus::Family<prometheus::Gauge>& overdue;
  prometheus::Family<prometheus::Gauge>& resolved;
  prometheus::Family<prometheus::Gauge>& ward_open;
  prometheus::Family<prometheus::Gauge>& ward_overdue;
  prometheus::Family<prometheus::Gauge>& escalations;
  prometheus::Family<prometheus::Gauge>& hotspots;
  prometheus::Family<prometheus::Gauge>& compliance;
  prometheus::Family<prometheus::Gauge>& deployments;
  prometheus::Family<prometheus::Gauge>& project_budget;
  prometheus::Family<prometheus::Gauge>& project_spend;
  prometheus::Gauge& cases;
  prometheus::Histogram& checkpoint;
  uint64_t duplicates_reported = 0;
  std::chrono::steady_clock::time_point next_update{};
};

ReportingCore::ReportingCore(const Geography& geo, RedisClient& redis, KafkaConfig kafka,
                             const Clock& clock, prometheus::Registry* registry,
                             ReportingOptions options)
    : geo_(geo),
      store_(redis),
      kafka_(std::move(kafka)),
      clock_(clock),
      options_(options),
      model_(std::make_unique<ReadModel>(geo)) {
  if (registry != nullptr) metrics_ = std::make_unique<Metrics>(*registry);
}

ReportingCore::~ReportingCore() = default;

std::vector<std::pair<std::string, int>> ReportingCore::Topics() {
  std::vector<std::pair<std::string, int>> out;
  for (const TopicSpec& t : kTopics) {
    if (t.name == topics::kProbe) continue;
    out.emplace_back(std::string(t.name), t.partitions);
  }
  return out;
}

Status ReportingCore::Start(bool forget_saved_model) {
  if (forget_saved_model) {
    WARROOM_RETURN_IF_ERROR(store_.Clear());
    log::Info("reporting_model_forgotten").Kv("reason", "rebuild from offset zero");
  }
  auto t0 = std::chrono::steady_clock::now();
  auto positions = store_.Load(*model_, &events_applied_);
  if (!positions.ok()) return positions.status();
  positions_ = std::move(*positions);
  auto reader = KafkaPartitionReader::Create(kafka_, Topics(), ToStart(positions_));
  if (!reader.ok()) return reader.status();
  reader_ = std::move(*reader);
  loaded_ = true;
  log::Info("reporting_model_loaded")
      .Kv("cases", model_->cases())
      .Kv("events_applied", events_applied_)
      .Kv("ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - t0)
                    .count());
  UpdateGauges();
  return Status::Ok();
}

int ReportingCore::ApplyBatch(KafkaPartitionReader& reader, ReadModel& model, Positions& positions,
                              std::shared_mutex* lock, const Positions* stop_at, uint64_t* applied) {
  struct Decoded {
    std::string topic;
    v1::EventEnvelope envelope;
  };
  std::vector<Decoded> batch;
  std::map<std::string, double> per_topic;
  int taken = 0;
  reader.Read(options_.batch, std::chrono::milliseconds(100), [&](const KafkaMessage& m) {
    std::pair<std::string, int32_t> tp{std::string(m.topic), m.partition};
    if (stop_at != nullptr) {
      auto target = stop_at->find(tp);
      if (target == stop_at->end() || m.offset >= target->second) return;
    }
    positions[tp] = m.offset + 1;
    ++taken;
    auto envelope = DecodeEnvelope(m.value);
    if (!envelope.ok()) {
      log::Error("event_rejected")
          .Kv("topic", m.topic)
          .Kv("partition", m.partition)
          .Kv("offset", m.offset)
          .Kv("reason", envelope.status().ToString());
      return;
    }
    batch.push_back({tp.first, std::move(*envelope)});
  });
  if (batch.empty()) return taken;
  std::unique_lock<std::shared_mutex> guard;
  if (lock != nullptr) guard = std::unique_lock(*lock);
  for (const Decoded& d : batch) {
    auto changed = model.Apply(d.topic, d.envelope);
    if (!changed.ok()) {
      log::Error("event_rejected")
          .Kv("topic", d.topic)
          .Kv("event_id", d.envelope.event_id())
          .Kv("reason", changed.status().ToString());
      continue;
    }
    ++*applied;
    per_topic[d.topic] += 1;
  }
  if (metrics_ && lock != nullptr) {
    for (const auto& [topic, n] : per_topic) metrics_->applied.Add({{"topic", topic}}).Increment(n);
  }
  return taken;
}

Status ReportingCore::SaveCheckpoint() {
  {
    std::shared_lock lock(model_mu_);
    // Dirty sets are only touched under the apply lock, which the caller holds.
    unsaved_.Merge(TakeCheckpoint(*model_, positions_, events_applied_));
  }
  if (unsaved_.empty()) return Status::Ok();
  auto t0 = std::chrono::steady_clock::now();
  Status s = store_.Save(unsaved_);
  if (!s.ok()) return s;  // kept, and merged into the next attempt
  if (metrics_) {
    metrics_->checkpoint.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  unsaved_ = Checkpoint{};
  return Status::Ok();
}

void ReportingCore::Run(std::stop_token stop) {
  auto next_save = std::chrono::steady_clock::now() + options_.checkpoint_interval;
  bool save_failed_logged = false;
  while (!stop.stop_requested()) {
    {
      std::lock_guard apply(apply_mu_);
      ApplyBatch(*reader_, *model_, positions_, &model_mu_, nullptr, &events_applied_);
      if (std::chrono::steady_clock::now() >= next_save) {
        Status s = SaveCheckpoint();
        if (!s.ok() && !save_failed_logged) {
          log::Warn("reporting_checkpoint_failed").Kv("reason", s.ToString());
        }
        save_failed_logged = !s.ok();
        next_save = std::chrono::steady_clock::now() + options_.checkpoint_interval;
      }
    }
    UpdateGauges();
  }
  std::lock_guard apply(apply_mu_);
  if (Status s = SaveCheckpoint(); !s.ok()) {
    log::Warn("reporting_checkpoint_failed").Kv("reason", s.ToString()).Kv("at", "shutdown");
  }
}

void ReportingCore::UpdateGauges() {
  if (!metrics_) return;
  auto now = std::chrono::steady_clock::now();
  if (now < metrics_->next_update) return;
  metrics_->next_update = now + std::chrono::seconds(1);
  std::shared_lock lock(model_mu_);
  for (const auto& [code, m] : geo_.municipalities()) {
    if (m.kind == MunicipalityKind::kProvince || m.kind == MunicipalityKind::kDistrict) continue;
    Counts c = model_->Totals("M:" + code);
    metrics_->open.Add({{"municipality", code}}).Set(static_cast<double>(c.open));
    metrics_->overdue.Add({{"municipality", code}}).Set(static_cast<double>(c.overdue));
    metrics_->resolved.Add({{"municipality", code}}).Set(static_cast<double>(c.resolved + c.closed));
  }
  // Wards are a fixed set from the reference data (about 530 in Gauteng), so they make a bounded
  // label for the war-room drill-down.
  for (const auto& [code, w] : geo_.wards()) {
    Counts c = model_->Totals("W:" + code);
    metrics_->ward_open.Add({{"municipality", w.municipality_code}, {"ward", code}})
        .Set(static_cast<double>(c.open));
    metrics_->ward_overdue.Add({{"municipality", w.municipality_code}, {"ward", code}})
        .Set(static_cast<double>(c.overdue));
  }
  auto escalations = model_->EscalationsToTier();
  for (int t = v1::TIER_LOCAL; t < v1::Tier_ARRAYSIZE; ++t) {
    metrics_->escalations.Add({{"tier", Label(static_cast<v1::Tier>(t))}})
        .Set(static_cast<double>(escalations[t]));
  }
  auto hotspots = model_->OpenHotspotsByMunicipality();
  for (const auto& [code, m] : geo_.municipalities()) {
    if (m.kind == MunicipalityKind::kProvince || m.kind == MunicipalityKind::kDistrict) continue;
    auto it = hotspots.find(code);
    metrics_->hotspots.Add({{"municipality", code}})
        .Set(it == hotspots.end() ? 0.0 : static_cast<double>(it->second));
  }
  auto compliance = model_->Compliance({});
  if (compliance.ok()) {
    for (const auto& row : compliance->by_tier()) {
      metrics_->compliance.Add({{"tier", Label(row.tier())}}).Set(row.share());
    }
  }
  for (const auto& [district, m] : model_->MisaByDistrict()) {
    if (district.empty()) continue;
    metrics_->deployments.Add({{"district", district}}).Set(static_cast<double>(m.active_deployments));
    metrics_->project_budget.Add({{"district", district}}).Set(static_cast<double>(m.budget));
    metrics_->project_spend.Add({{"district", district}}).Set(static_cast<double>(m.spend));
  }
  metrics_->cases.Set(static_cast<double>(model_->cases()));
  uint64_t dup = model_->duplicates_ignored();
  if (dup > metrics_->duplicates_reported) {
    metrics_->duplicates.Increment(static_cast<double>(dup - metrics_->duplicates_reported));
    metrics_->duplicates_reported = dup;
  }
}

StatusOr<v1::AreaSummary> ReportingCore::Summary(const v1::GetAreaSummaryRequest& r) const {
  std::shared_lock lock(model_mu_);
  return model_->Summary(r, clock_.Now());
}

StatusOr<v1::GetSlaComplianceResponse> ReportingCore::Compliance(
    const v1::GetSlaComplianceRequest& r) const {
  std::shared_lock lock(model_mu_);
  return model_->Compliance(r);
}

StatusOr<v1::ListOverdueCasesResponse> ReportingCore::Overdue(
    const v1::ListOverdueCasesRequest& r) const {
  std::shared_lock lock(model_mu_);
  return model_->Overdue(r);
}

StatusOr<v1::WardReport> ReportingCore::WardReport(const v1::GetWardReportRequest& r) const {
  std::shared_lock lock(model_mu_);
  return model_->WardReport(r, clock_.Now());
}

v1::DescribeModelResponse ReportingCore::Describe() const {
  v1::DescribeModelResponse out;
  {
    std::shared_lock lock(model_mu_);
    out.set_digest(model_->Digest());
    out.set_cases(static_cast<int64_t>(model_->cases()));
    out.set_duplicates_ignored(static_cast<int64_t>(model_->duplicates_ignored()));
  }
  out.set_events_applied(static_cast<int64_t>(events_applied_));
  int64_t lag = 0;
  for (const auto& [topic, n] : Lag()) lag += n;
  out.set_lag(lag);
  return out;
}

std::map<std::string, int64_t> ReportingCore::Lag() const {
  return reader_ ? reader_->LagByTopic() : std::map<std::string, int64_t>{};
}

StatusOr<v1::RebuildResponse> ReportingCore::Rebuild() {
  std::lock_guard apply(apply_mu_);  // the live model stands still meanwhile; reads go on
  Positions targets = positions_;
  auto reader = KafkaPartitionReader::Create(kafka_, Topics(), {});
  if (!reader.ok()) return reader.status();
  auto rebuilt = std::make_unique<ReadModel>(geo_);
  Positions positions;
  uint64_t applied = 0;
  auto reached = [&] {
    for (const auto& [tp, target] : targets) {
      auto it = positions.find(tp);
      if (it == positions.end() ? target > 0 : it->second < target) return false;
    }
    return true;
  };
  auto t0 = std::chrono::steady_clock::now();
  auto last_progress = t0;
  while (!reached()) {
    if (ApplyBatch(**reader, *rebuilt, positions, nullptr, &targets, &applied) > 0) {
      last_progress = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - last_progress > options_.rebuild_stall_timeout) {
      return UnavailableError("rebuild stalled: the topics did not deliver up to the live positions");
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  v1::RebuildResponse out;
  out.set_events_applied(static_cast<int64_t>(applied));
  out.set_seconds(seconds);
  out.set_events_per_second(seconds > 0 ? static_cast<double>(applied) / seconds : 0.0);
  out.set_rebuilt_digest(rebuilt->Digest());
  out.set_cases(static_cast<int64_t>(rebuilt->cases()));
  {
    std::unique_lock lock(model_mu_);
    out.set_live_digest(model_->Digest());
    out.set_equal(out.live_digest() == out.rebuilt_digest());
    rebuilt->MarkAllDirty();
    model_ = std::move(rebuilt);
  }
  // The rebuilt model is the one served and saved from now on.
  unsaved_ = Checkpoint{};
  WARROOM_RETURN_IF_ERROR(store_.Clear());
  WARROOM_RETURN_IF_ERROR(SaveCheckpoint());
  log::Info("reporting_rebuilt")
      .Kv("events", applied)
      .Kv("seconds", seconds)
      .Kv("equal", out.equal())
      .Kv("cases", out.cases());
  return out;
}

}  // namespace warroom::reporting
