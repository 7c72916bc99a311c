// Reporting's application: reads every topic from its own saved positions, applies events to the
// read model in batches, checkpoints model and positions together, answers queries, rebuilds from
// offset zero on request and keeps the rollup gauges that Prometheus and Grafana show.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stop_token>

#include "services/reporting/src/model_store.h"
#include "services/reporting/src/read_model.h"
#include "warroom/common/kafka.h"

namespace prometheus {
class Registry;
}

namespace warroom::reporting {

struct ReportingOptions {
  std::chrono::milliseconds checkpoint_interval{500};
  int batch = 2000;
  std::chrono::seconds rebuild_stall_timeout{30};
};

class ReportingCore {
 public:
  ReportingCore(const Geography& geo, RedisClient& redis, KafkaConfig kafka, const Clock& clock,
                prometheus::Registry* registry, ReportingOptions options = {});
  ~ReportingCore();

  // Loads the saved model (or forgets it first, for --rebuild) and opens the reader.
  Status Start(bool forget_saved_model);
  // Applies and checkpoints until stop; a checkpoint is saved on the way out.
  void Run(std::stop_token stop);

  StatusOr<v1::AreaSummary> Summary(const v1::GetAreaSummaryRequest& r) const;
  StatusOr<v1::GetSlaComplianceResponse> Compliance(const v1::GetSlaComplianceRequest& r) const;
  StatusOr<v1::ListOverdueCasesResponse> Overdue(const v1::ListOverdueCasesRequest& r) const;
  StatusOr<v1::WardReport> WardReport(const v1::GetWardReportRequest& r) const;
  StatusOr<v1::RebuildResponse> Rebuild();
  v1::DescribeModelResponse Describe() const;
  std::map<std::string, int64_t> Lag() const;
  bool loaded() const { return loaded_.load(); }

  // The topics reporting reads, with their partition counts (from the one topic list).
  static std::vector<std::pair<std::string, int>> Topics();

 private:
  struct Metrics;
  // Decodes and applies one batch from `reader` into `model`, advancing `positions`; messages at
  // or past `stop_at` (when given) are left alone. Returns the messages taken (positions advanced).
  int ApplyBatch(KafkaPartitionReader& reader, ReadModel& model, Positions& positions,
                 std::shared_mutex* lock, const Positions* stop_at, uint64_t* applied);
  Status SaveCheckpoint();
  void UpdateGauges();

  const Geography& geo_;
  ModelStore store_;
  KafkaConfig kafka_;
  const Clock& clock_;
  ReportingOptions options_;
  std::unique_ptr<Metrics> metrics_;

  std::mutex apply_mu_;  // held by the live loop per batch, and by Rebuild throughout
  mutable std::shared_mutex model_mu_;
  std::unique_ptr<ReadModel> model_;
  Positions positions_;
  uint64_t events_applied_ = 0;
  std::unique_ptr<KafkaPartitionReader> reader_;
  Checkpoint unsaved_;
  std::atomic<bool> loaded_{false};
};

}  // namespace warroom::reporting
