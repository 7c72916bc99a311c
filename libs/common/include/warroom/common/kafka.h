// RAII wrappers over librdkafka: an idempotent producer (acks=all) with delivery reports, and a
// group consumer whose offsets advance only after the handler applied a message.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "warroom/common/config.h"
#include "warroom/common/status.h"

struct rd_kafka_s;

namespace warroom {

struct KafkaHeader {
  std::string name;
  std::string value;
};

struct DeliveryReport {
  uint64_t token = 0;  // what the caller passed to Produce
  Status status;
  int32_t partition = -1;
  int64_t offset = -1;
};

struct RdKafkaDeleter {
  void operator()(rd_kafka_s* rk) const;
};
using RdKafkaPtr = std::unique_ptr<rd_kafka_s, RdKafkaDeleter>;

class KafkaProducer {
 public:
  using DeliveryCallback = std::function<void(const DeliveryReport&)>;

  // Delivery reports are handed to on_delivery from inside Poll and Flush, on the caller's thread.
  static StatusOr<std::unique_ptr<KafkaProducer>> Create(const KafkaConfig& config,
                                                         DeliveryCallback on_delivery);
  ~KafkaProducer();

  // Queues one message. RESOURCE_EXHAUSTED when the local queue is full: Poll, then retry.
  Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                 const std::vector<KafkaHeader>& headers, uint64_t token);
  // Serves delivery reports; returns how many were served.
  int Poll(std::chrono::milliseconds timeout);
  Status Flush(std::chrono::milliseconds timeout);
  // Messages queued or in flight, not yet reported.
  int InFlight() const;
  // A metadata round trip to the cluster: UNAVAILABLE when no broker answers in time.
  Status CheckReachable(std::chrono::milliseconds timeout) const;

 private:
  explicit KafkaProducer(DeliveryCallback on_delivery);
  static void OnDelivery(rd_kafka_s* rk, const void* message, void* opaque);

  DeliveryCallback on_delivery_;
  RdKafkaPtr rk_;
};

// A message as the consumer's handler sees it; views are valid during the handler call only.
struct KafkaMessage {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string_view key;
  std::string_view value;
  std::vector<KafkaHeader> headers;

  std::string_view Header(std::string_view name) const;
};

struct ConsumerOptions {
  std::string group_id;
  std::vector<std::string> topics;
  // Retries of a transient handler failure back off up to this long between attempts.
  std::chrono::milliseconds max_retry_backoff{5000};
};

class KafkaConsumer {
 public:
  using Handler = std::function<Status(const KafkaMessage&)>;

  static StatusOr<std::unique_ptr<KafkaConsumer>> Create(const KafkaConfig& config,
                                                         ConsumerOptions options);
  ~KafkaConsumer();

  // Polls and hands each message to the handler until stop is requested. OK stores the offset
  // (committed in the background); INVALID_ARGUMENT or DATA_LOSS means the message can never be
  // applied: it is logged with its coordinates, counted, and skipped; any other error is retried
  // on the same message with backoff, so nothing is skipped while a dependency is down.
  void Run(std::stop_token stop, const Handler& handler);

  // Commits stored offsets and leaves the group.
  void Close();

  bool assigned() const { return assigned_partitions_.load() > 0; }
  // Events on each subscribed topic not yet handed to the handler, from the high watermarks of
  // the last fetches (no broker round trip).
  std::map<std::string, int64_t> LagByTopic() const;
  uint64_t applied() const { return applied_.load(); }
  uint64_t rejected() const { return rejected_.load(); }
  Status CheckReachable(std::chrono::milliseconds timeout) const;

 private:
  explicit KafkaConsumer(ConsumerOptions options);
  static void OnRebalance(rd_kafka_s* rk, int err, void* partitions, void* opaque);

  ConsumerOptions options_;
  RdKafkaPtr rk_;
  std::atomic<int> assigned_partitions_{0};
  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> rejected_{0};
  bool closed_ = false;
};

// Where a reader starts or stands in one partition: the offset of the next message to read.
struct PartitionPosition {
  std::string topic;
  int32_t partition = 0;
  int64_t next_offset = 0;
};

// Reads explicit partitions from given offsets, outside any consumer group, and commits nothing:
// for a read model that keeps its offsets together with its state (reporting), so that a restart
// resumes exactly where the saved state stands.
class KafkaPartitionReader {
 public:
  // Every partition of `topics` (partition counts as given), from `start` where it names the
  // partition, else from the beginning.
  static StatusOr<std::unique_ptr<KafkaPartitionReader>> Create(
      const KafkaConfig& config, const std::vector<std::pair<std::string, int>>& topics,
      const std::vector<PartitionPosition>& start);
  ~KafkaPartitionReader();

  // Hands up to `max` messages to fn, waiting up to `timeout` for the first; returns how many.
  int Read(int max, std::chrono::milliseconds timeout,
           const std::function<void(const KafkaMessage&)>& fn);
  std::map<std::string, int64_t> LagByTopic() const;
  Status CheckReachable(std::chrono::milliseconds timeout) const;

 private:
  KafkaPartitionReader() = default;
  RdKafkaPtr rk_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int32_t>, int64_t> next_;  // by (topic, partition)
};

}  // namespace warroom
