// The transactional outbox. A Mutation is a state change plus the events it causes; OutboxStore
// applies it in one Lua script (guards checked, commands run, events appended to the outbox
// stream) so that a change and its events exist together or not at all. OutboxRelay then moves
// the stream to Kafka with the idempotent producer, deleting each entry only after its delivery
// report. Consumers make their apply idempotent with Mutation::MarkProcessed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "warroom/common/kafka.h"
#include "warroom/common/redis.h"
#include "warroom/common/status.h"

namespace prometheus {
class Registry;
class Gauge;
class Counter;
}  // namespace prometheus

namespace warroom {

struct OutboxEvent {
  std::string topic;
  std::string key;  // the aggregate id: one aggregate's events stay in one partition, in order
  std::string type;
  std::string event_id;
  std::string value;  // a serialized EventEnvelope
};

class Mutation {
 public:
  // The aggregate id picks the outbox shard, so that one aggregate's events keep their order.
  explicit Mutation(std::string aggregate_id) : aggregate_id_(std::move(aggregate_id)) {}

  // The key must not exist; if it does, nothing is applied and the outcome is kDuplicate.
  Mutation& RequireAbsent(std::string key);
  // RequireAbsent, and SET key value (EX ttl when ttl > 0) in the same step: one Redis command
  // where the two would take two.
  Mutation& CreateOnce(std::string key, std::string value, std::chrono::seconds ttl = {});
  // HGET key field must equal expected ("" for a missing field); else kConflict with the actual.
  Mutation& RequireField(std::string key, std::string field, std::string expected);
  // A Redis command whose first argument is its only key, e.g. Do("HSET", k, {"f", "v"}).
  Mutation& Do(std::string command, std::string key, std::vector<std::string> args = {});
  // Adds fields to the entry the commit appends to a stream (XADD), which the mutations committed
  // with it in one call share: several commits' fields, in commit order, in one entry. max_length
  // > 0 trims the stream to about that many entries (MAXLEN ~).
  Mutation& Append(std::string stream, std::vector<std::string> fields, int64_t max_length = 0);
  Mutation& Emit(OutboxEvent event);
  // Records an applied event id (with a TTL) and refuses to apply the same id twice.
  Mutation& MarkProcessed(std::string_view service, std::string_view event_id,
                          std::chrono::seconds ttl = std::chrono::hours(24 * 14));

  const std::string& aggregate_id() const { return aggregate_id_; }
  bool empty() const { return parts_.ops.empty() && parts_.appends.empty() && parts_.events.empty(); }

 private:
  friend class OutboxStore;
  struct Guard {
    char kind;            // 'a' absent, 'f' field equals, 'n' created if absent
    std::string key;
    std::string a, b;     // 'f': field and expected value; 'n': value and TTL seconds ("" none)
  };
  struct Op {
    std::string command, key;
    std::vector<std::string> args;
  };
  struct StreamAppend {
    std::string stream;
    std::vector<std::string> fields;
    int64_t max_length;
  };
  struct Parts {
    std::vector<Guard> guards;
    std::vector<Op> ops;
    std::vector<StreamAppend> appends;
    std::vector<OutboxEvent> events;
  };
  std::string aggregate_id_;
  Parts parts_;
};

// A stream entry's fields as Mutation::Append writes them for the commits of one call: records of
// [name, value, ...], each beginning at the field named `first` (fields before the first such
// belong to no record). The relay reads outbox entries so ("t"), intake's watch hub its changes.
std::vector<std::span<const RedisReply>> AppendedRecords(const std::vector<RedisReply>& fields,
                                                         std::string_view first);

struct CommitResult {
  enum class Outcome { kApplied, kDuplicate, kConflict };
  Outcome outcome = Outcome::kApplied;
  int guard = -1;      // which guard stopped it (0-based), for kDuplicate and kConflict
  std::string actual;  // the field's value found, for kConflict

  bool applied() const { return outcome == Outcome::kApplied; }
};

class OutboxStore {
 public:
  OutboxStore(RedisClient& redis, std::string service, int shards = 4);

  // Applies the mutation atomically. UNAVAILABLE when Redis is down (nothing applied).
  StatusOr<CommitResult> Commit(const Mutation& mutation);
  // Applies each mutation atomically, all in one round trip; one result per mutation, in order.
  // Each stands alone: a guard that stops one does not stop the others. Their events share one
  // outbox entry per shard for each script call (of up to 64 mutations).
  std::vector<StatusOr<CommitResult>> CommitMany(const std::vector<const Mutation*>& mutations);

  // CommitMany for mutations made one by one: each script call's worth (64) is sent to Redis as
  // soon as it is added, so Redis applies it while the caller makes the next. A mutation may be
  // dropped once added. Holds one pooled Redis connection until Finish.
  class Commits {
   public:
    void Add(const Mutation& mutation);
    // One result per mutation added, in order.
    std::vector<StatusOr<CommitResult>> Finish();

   private:
    friend class OutboxStore;
    explicit Commits(OutboxStore& store) : store_(store), pipe_(store.redis_.OpenPipe()) {}
    std::string KeyIndex(const std::string& key);
    void SendCall();

    OutboxStore& store_;
    RedisClient::Pipe pipe_;
    // The script call being filled (the layout is beside the script).
    std::unordered_map<std::string, size_t> key_index_;
    RedisClient::ScriptCall call_;
    size_t in_call_ = 0;
    std::vector<size_t> call_sizes_;    // mutations in each call sent
    std::vector<bool> emits_;           // whether each mutation added has events
  };
  Commits StartCommits() { return Commits(*this); }

  const std::string& service() const { return service_; }
  int shards() const { return shards_; }
  std::string StreamKey(int shard) const;
  int ShardOf(std::string_view aggregate_id) const;
  // Stream entries waiting in every shard (an entry holds the events of one or more commits).
  StatusOr<int64_t> Depth();

  // Called after each applied commit (the in-process relay wakes on it).
  void SetCommitListener(std::function<void()> listener) { listener_ = std::move(listener); }

 private:
  RedisClient& redis_;
  std::string service_;
  int shards_;
  RedisScript script_;
  std::function<void()> listener_;
};

struct RelayOptions {
  // Identifies this relay for the per-shard lease: a restart with the same id takes over at once,
  // another replica waits for the lease to lapse.
  std::string instance_id;
  int batch = 500;  // about this many events read from a shard at a time (in whole entries)
  int max_in_flight = 20000;
  std::chrono::milliseconds lease_ttl{6000};
  std::chrono::milliseconds idle_wait{50};
};

class OutboxRelay {
 public:
  static StatusOr<std::unique_ptr<OutboxRelay>> Create(RedisClient& redis, OutboxStore& store,
                                                       const KafkaConfig& kafka,
                                                       RelayOptions options,
                                                       prometheus::Registry* registry);
  ~OutboxRelay();

  void Run(std::stop_token stop);
  // Wakes the loop at once (new entries committed in this process).
  void Notify();

  uint64_t published() const { return published_.load(); }
  // Kafka reachable from the relay's producer (for /readyz); when not, says how many events wait.
  Status CheckKafka() const;

 private:
  OutboxRelay(RedisClient& redis, OutboxStore& store, RelayOptions options);
  void OnDelivery(const DeliveryReport& report);
  bool RenewLeases();
  // Reads the shard's next entries and produces their events; true when it got every entry it
  // asked for and produced them all, so more may be waiting.
  bool ReadAndProduce(int shard);
  void DeleteDelivered();
  void UpdateGauges();
  // How many more events may be produced before delivery reports come back.
  int Room() const { return options_.max_in_flight - static_cast<int>(pending_.size()); }

  struct Pending {  // one produced event
    int shard;
    std::string entry_id;
  };
  struct EntryState {  // one stream entry: a commit's events
    int unreported = 0;
    bool failed = false;
  };

  RedisClient& redis_;
  OutboxStore& store_;
  RelayOptions options_;
  std::unique_ptr<KafkaProducer> producer_;
  RedisScript lease_script_;

  std::vector<bool> leased_;
  std::vector<std::string> cursor_;  // last entry id produced, per shard
  std::vector<int> in_flight_;
  std::vector<StreamReadSizer> read_sizers_;  // per shard
  std::vector<bool> rewind_;  // a delivery failed: read the shard again from its start
  std::vector<std::vector<std::string>> delivered_;
  std::unordered_map<uint64_t, Pending> pending_;
  // Per shard, its entries with events in flight (entry ids are unique only within a stream).
  std::vector<std::unordered_map<std::string, EntryState>> entries_;
  uint64_t next_token_ = 1;
  std::chrono::steady_clock::time_point next_renew_{};
  std::chrono::steady_clock::time_point next_gauges_{};

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool woken_ = false;
  std::atomic<uint64_t> published_{0};

  prometheus::Gauge* depth_gauge_ = nullptr;
  prometheus::Gauge* lag_gauge_ = nullptr;
  prometheus::Counter* published_counter_ = nullptr;
  prometheus::Counter* failed_counter_ = nullptr;
};

}  // namespace warroom
