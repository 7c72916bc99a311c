#include "warroom/common/outbox.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <functional>
#include <optional>

#include "warroom/common/log.h"
#include "warroom/common/metrics.h"
#include "warroom/common/topics.h"

namespace warroom {

namespace {

// ARGV: the number of mutations, then per mutation its length (the arguments after it that are
// its own) and: guard count, then (kind, key index, x, y) per guard: kind 'a' (key absent), 'f'
// (field x equals y) or 'n' (SET key x NX, EX y unless y is empty; the keys a mutation created
// are deleted again if a later guard of it stops it); op count, then (argc, command, key index,
// args...) per op; append count, then (stream key index, max length or '', field count,
// fields...) per append (a commit's events are one append to its outbox shard, fields t k y i v
// for each event). Returns one reply per mutation: 1 when applied, {'duplicate', i} or
// {'conflict', i, actual} when guard i stopped it, {'error', message} when a command failed
// (Redis does not undo the commands before it).
// The appends of all the call's mutations are written at the end, one stream entry per stream
// (in commit order; an entry is cut at 4,000 fields, as unpack's limit is near): one XADD a
// stream a call instead of one a commit, and the relay reads and deletes one outbox entry for
// them all. A mutation that stops or fails appends nothing. ARGV is read by position rather than
// through a closure, and commands of up to four arguments after the key (most of them: ZADD,
// ZREM, SET, HSET of one field) are called directly instead of through a table and unpack
// (PERFORMANCE.md).
constexpr char kCommitScript[] = R"lua(
local A, K = ARGV, KEYS
local call = redis.call
local streams, order = {}, {}  -- per stream key index: its pending fields and cap; first-seen order
local function flush(ix)
  local s = streams[ix]
  if #s.fields > 0 then
    if s.cap == '' then call('XADD', K[tonumber(ix)], '*', unpack(s.fields))
    else call('XADD', K[tonumber(ix)], 'MAXLEN', '~', s.cap, '*', unpack(s.fields)) end
  end
  s.fields = {}
end
local function apply(pos)
  local guards = tonumber(A[pos]); pos = pos + 1
  local created
  for i = 1, guards do
    local kind, key, x, y = A[pos], K[tonumber(A[pos + 1])], A[pos + 2], A[pos + 3]
    pos = pos + 4
    local stop
    if kind == 'a' then
      if call('EXISTS', key) == 1 then stop = {'duplicate', i - 1} end
    elseif kind == 'n' then
      local set
      if y == '' then set = call('SET', key, x, 'NX') else set = call('SET', key, x, 'NX', 'EX', y) end
      if set then
        created = created or {}
        created[#created + 1] = key
      else
        stop = {'duplicate', i - 1}
      end
    else
      local actual = call('HGET', key, x)
      if actual == false then actual = '' end
      if actual ~= y then stop = {'conflict', i - 1, actual} end
    end
    if stop then
      if created then for _, k in ipairs(created) do call('DEL', k) end end
      return stop
    end
  end
  local ops = tonumber(A[pos]); pos = pos + 1
  for i = 1, ops do
    local n = tonumber(A[pos]) - 2  -- arguments after the key
    local cmd, key = A[pos + 1], K[tonumber(A[pos + 2])]
    local p = pos + 3
    if n == 1 then call(cmd, key, A[p])
    elseif n == 2 then call(cmd, key, A[p], A[p + 1])
    elseif n == 3 then call(cmd, key, A[p], A[p + 1], A[p + 2])
    elseif n == 4 then call(cmd, key, A[p], A[p + 1], A[p + 2], A[p + 3])
    else call(cmd, key, unpack(A, p, p + n - 1))
    end
    pos = p + n
  end
  local appends = tonumber(A[pos]); pos = pos + 1
  for i = 1, appends do
    local ix, n = A[pos], tonumber(A[pos + 2])
    local s = streams[ix]
    if s == nil then
      s = {fields = {}, cap = A[pos + 1]}
      streams[ix] = s
      order[#order + 1] = ix
    end
    pos = pos + 3
    local fields = s.fields
    local f = #fields
    for j = 1, n do fields[f + j] = A[pos + j - 1] end
    pos = pos + n
    if f + n >= 4000 then flush(ix) end
  end
  return 1
end
local results = {}
local pos = 2
for m = 1, tonumber(A[1]) do
  local ok, result = pcall(apply, pos + 1)
  if not ok then
    if type(result) == 'table' then result = result.err end
    result = {'error', tostring(result)}
  end
  results[m] = result
  pos = pos + 1 + tonumber(A[pos])
end
for _, ix in ipairs(order) do flush(ix) end
return results
)lua";

// Returns 1 when this instance holds (or now takes) the lease.
constexpr char kLeaseScript[] = R"lua(
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
)lua";

}  // namespace

// -------------------------------------------------------------------------------- mutation

Mutation& Mutation::RequireAbsent(std::string key) {
  parts_.guards.push_back({'a', std::move(key), {}, {}});
  return *this;
}

Mutation& Mutation::CreateOnce(std::string key, std::string value, std::chrono::seconds ttl) {
  parts_.guards.push_back(
      {'n', std::move(key), std::move(value), ttl.count() > 0 ? std::to_string(ttl.count()) : ""});
  return *this;
}

Mutation& Mutation::RequireField(std::string key, std::string field, std::string expected) {
  parts_.guards.push_back({'f', std::move(key), std::move(field), std::move(expected)});
  return *this;
}

Mutation& Mutation::Do(std::string command, std::string key, std::vector<std::string> args) {
  parts_.ops.push_back({std::move(command), std::move(key), std::move(args)});
  return *this;
}

Mutation& Mutation::Append(std::string stream, std::vector<std::string> fields, int64_t max_length) {
  parts_.appends.push_back({std::move(stream), std::move(fields), max_length});
  return *this;
}

Mutation& Mutation::Emit(OutboxEvent event) {
  parts_.events.push_back(std::move(event));
  return *this;
}

Mutation& Mutation::MarkProcessed(std::string_view service, std::string_view event_id,
                                  std::chrono::seconds ttl) {
  return CreateOnce(std::string(service) + ":processed:" + std::string(event_id), "1", ttl);
}

std::vector<std::span<const RedisReply>> AppendedRecords(const std::vector<RedisReply>& fields,
                                                         std::string_view first) {
  std::vector<std::span<const RedisReply>> records;
  std::optional<size_t> begun;  // where the record being read began
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].str != first) continue;
    if (begun) records.emplace_back(fields.data() + *begun, i - *begun);
    begun = i;
  }
  if (begun) records.emplace_back(fields.data() + *begun, fields.size() - *begun);
  return records;
}

// ---------------------------------------------------------------------------------- store

OutboxStore::OutboxStore(RedisClient& redis, std::string service, int shards)
    : redis_(redis),
      service_(std::move(service)),
      shards_(std::max(1, shards)),
      script_(RedisClient::MakeScript(kCommitScript)) {}

std::string OutboxStore::StreamKey(int shard) const {
  return service_ + ":outbox:{" + std::to_string(shard) + "}";
}

int OutboxStore::ShardOf(std::string_view aggregate_id) const {
  // FNV-1a: stable across processes and builds, unlike std::hash.
  uint32_t h = 2166136261u;
  for (char c : aggregate_id) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return static_cast<int>(h % static_cast<uint32_t>(shards_));
}

namespace {

// Mutations in one script call: enough that their events share an outbox entry per shard, few
// enough that a call holds Redis for a few milliseconds at most.
constexpr size_t kMutationsPerCall = 64;

// One mutation's part of the script's reply.
StatusOr<CommitResult> ParseCommitReply(const RedisReply& reply) {
  if (reply.type == RedisReply::Type::kInteger && reply.integer == 1) return CommitResult{};
  if (reply.type != RedisReply::Type::kArray || reply.elements.size() < 2) {
    return InternalError("outbox commit: unexpected script reply");
  }
  const std::string& outcome = reply.elements[0].str;
  if (outcome == "error") return InternalError("outbox commit: " + reply.elements[1].str);
  CommitResult result;
  result.guard = static_cast<int>(reply.elements[1].integer);
  if (outcome == "duplicate") {
    result.outcome = CommitResult::Outcome::kDuplicate;
  } else {
    result.outcome = CommitResult::Outcome::kConflict;
    if (reply.elements.size() > 2) result.actual = reply.elements[2].str;
  }
  return result;
}

}  // namespace

// Gives each distinct key one KEYS slot of the call, so that the script declares every key it
// touches.
std::string OutboxStore::Commits::KeyIndex(const std::string& key) {
  auto [it, added] = key_index_.try_emplace(key, call_.keys.size() + 1);
  if (added) call_.keys.push_back(key);
  return std::to_string(it->second);
}

void OutboxStore::Commits::Add(const Mutation& mutation) {
  RedisArgs& args = call_.args;
  if (in_call_ == 0) args.emplace_back();  // how many mutations the call holds, once it is known
  const Mutation::Parts& m = mutation.parts_;
  const size_t length_at = args.size();
  args.emplace_back();  // the mutation's length, once it is known
  args.push_back(std::to_string(m.guards.size()));
  for (const auto& g : m.guards) {
    args.push_back(std::string(1, g.kind));
    args.push_back(KeyIndex(g.key));
    args.push_back(g.a);
    args.push_back(g.b);
  }
  args.push_back(std::to_string(m.ops.size()));
  for (const auto& op : m.ops) {
    args.push_back(std::to_string(op.args.size() + 2));
    args.push_back(op.command);
    args.push_back(KeyIndex(op.key));
    args.insert(args.end(), op.args.begin(), op.args.end());
  }
  args.push_back(std::to_string(m.appends.size() + (m.events.empty() ? 0 : 1)));
  for (const auto& a : m.appends) {
    args.push_back(KeyIndex(a.stream));
    args.push_back(a.max_length > 0 ? std::to_string(a.max_length) : std::string());
    args.push_back(std::to_string(a.fields.size()));
    args.insert(args.end(), a.fields.begin(), a.fields.end());
  }
  if (!m.events.empty()) {
    args.push_back(KeyIndex(store_.StreamKey(store_.ShardOf(mutation.aggregate_id_))));
    args.emplace_back();  // no cap: the relay deletes what it delivered
    args.push_back(std::to_string(10 * m.events.size()));
    for (const auto& e : m.events) {
      const std::pair<const char*, const std::string*> fields[] = {
          {"t", &e.topic}, {"k", &e.key}, {"y", &e.type}, {"i", &e.event_id}, {"v", &e.value}};
      for (const auto& [name, value] : fields) {
        args.push_back(name);
        args.push_back(*value);
      }
    }
  }
  args[length_at] = std::to_string(args.size() - length_at - 1);
  emits_.push_back(!m.events.empty());
  if (++in_call_ == kMutationsPerCall) SendCall();
}

void OutboxStore::Commits::SendCall() {
  call_.args.front() = std::to_string(in_call_);
  pipe_.AddScript(store_.script_, call_);
  pipe_.Flush();
  call_sizes_.push_back(in_call_);
  in_call_ = 0;
  call_.keys.clear();
  call_.args.clear();
  key_index_.clear();
}

std::vector<StatusOr<CommitResult>> OutboxStore::Commits::Finish() {
  if (in_call_ > 0) SendCall();
  std::vector<StatusOr<CommitResult>> results;
  results.reserve(emits_.size());
  if (call_sizes_.empty()) return results;
  auto replies = pipe_.Finish();
  bool woke = false;
  for (size_t c = 0; c < call_sizes_.size(); ++c) {
    const RedisReply* reply = replies.ok() ? &(*replies)[c] : nullptr;
    for (size_t k = 0; k < call_sizes_[c]; ++k) {
      if (reply == nullptr) {
        results.push_back(replies.status());
      } else if (reply->is_error()) {
        results.push_back(InternalError("outbox commit: " + reply->str));
      } else if (reply->type != RedisReply::Type::kArray || reply->elements.size() != call_sizes_[c]) {
        results.push_back(InternalError("outbox commit: unexpected script reply"));
      } else {
        results.push_back(ParseCommitReply(reply->elements[k]));
        woke = woke || (results.back().ok() && results.back()->applied() && emits_[results.size() - 1]);
      }
    }
  }
  if (woke && store_.listener_) store_.listener_();
  return results;
}

StatusOr<CommitResult> OutboxStore::Commit(const Mutation& m) {
  return std::move(CommitMany({&m}).front());
}

std::vector<StatusOr<CommitResult>> OutboxStore::CommitMany(const std::vector<const Mutation*>& ms) {
  Commits commits = StartCommits();
  for (const Mutation* m : ms) commits.Add(*m);
  return commits.Finish();
}

StatusOr<int64_t> OutboxStore::Depth() {
  std::vector<RedisArgs> commands;
  for (int s = 0; s < shards_; ++s) commands.push_back({"XLEN", StreamKey(s)});
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  int64_t total = 0;
  for (const auto& r : *replies) total += r.integer;
  return total;
}

// ---------------------------------------------------------------------------------- relay

OutboxRelay::OutboxRelay(RedisClient& redis, OutboxStore& store, RelayOptions options)
    : redis_(redis),
      store_(store),
      options_(std::move(options)),
      lease_script_(RedisClient::MakeScript(kLeaseScript)),
      leased_(store.shards(), false),
      cursor_(store.shards(), "-"),
      in_flight_(store.shards(), 0),
      read_sizers_(store.shards()),
      rewind_(store.shards(), false),
      delivered_(store.shards()),
      entries_(store.shards()) {}

OutboxRelay::~OutboxRelay() = default;

StatusOr<std::unique_ptr<OutboxRelay>> OutboxRelay::Create(RedisClient& redis, OutboxStore& store,
                                                           const KafkaConfig& kafka,
                                                           RelayOptions options,
                                                           prometheus::Registry* registry) {
  if (options.instance_id.empty()) return InvalidArgumentError("outbox relay needs an instance id");
  std::unique_ptr<OutboxRelay> relay(new OutboxRelay(redis, store, std::move(options)));
  OutboxRelay* self = relay.get();
  auto producer =
      KafkaProducer::Create(kafka, [self](const DeliveryReport& r) { self->OnDelivery(r); });
  if (!producer.ok()) return producer.status();
  relay->producer_ = std::move(*producer);
  if (registry != nullptr) {
    const std::string& svc = store.service();
    relay->depth_gauge_ = &prometheus::BuildGauge()
                               .Name(MetricName(svc, "outbox_depth_events"))
                               .Help("Outbox entries not yet delivered to Kafka (an entry holds the events of one or more commits)")
                               .Register(*registry)
                               .Add({});
    relay->lag_gauge_ = &prometheus::BuildGauge()
                             .Name(MetricName(svc, "outbox_lag_seconds"))
                             .Help("Age of the oldest undelivered outbox event")
                             .Register(*registry)
                             .Add({});
    auto& delivered = prometheus::BuildCounter()
                          .Name(MetricName(svc, "outbox_events_total"))
                          .Help("Outbox events by delivery result")
                          .Register(*registry);
    relay->published_counter_ = &delivered.Add({{"result", "delivered"}});
    relay->failed_counter_ = &delivered.Add({{"result", "failed"}});
  }
  return relay;
}

Status OutboxRelay::CheckKafka() const {
  Status reachable = producer_->CheckReachable(std::chrono::milliseconds(1000));
  if (reachable.ok()) return reachable;
  auto depth = store_.Depth();
  return UnavailableError(reachable.message() + "; " +
                          (depth.ok() ? std::to_string(*depth) : std::string("an unknown number of")) +
                          " outbox entries wait for Kafka");
}

void OutboxRelay::Notify() {
  {
    std::lock_guard lock(wake_mu_);
    woken_ = true;
  }
  wake_.notify_one();
}

void OutboxRelay::OnDelivery(const DeliveryReport& report) {
  auto it = pending_.find(report.token);
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  --in_flight_[p.shard];
  auto& entries = entries_[p.shard];
  auto entry = entries.find(p.entry_id);
  if (report.status.ok()) {
    ++published_;
    if (published_counter_) published_counter_->Increment();
  } else {
    // Kept in the stream; the shard is read again from its start once nothing is in flight.
    entry->second.failed = true;
    rewind_[p.shard] = true;
    if (failed_counter_) failed_counter_->Increment();
    log::Warn("outbox_delivery_failed").Kv("entry", p.entry_id).Kv("reason", report.status.ToString());
  }
  // An entry leaves the stream once every event in it is delivered; if one failed it stays whole,
  // and the ones delivered are sent again with it (consumers apply each event once).
  if (--entry->second.unreported > 0) return;
  if (!entry->second.failed) delivered_[p.shard].push_back(std::move(p.entry_id));
  entries.erase(entry);
}

bool OutboxRelay::RenewLeases() {
  auto now = std::chrono::steady_clock::now();
  if (now < next_renew_) return true;
  std::vector<RedisClient::ScriptCall> calls;
  for (int s = 0; s < store_.shards(); ++s) {
    calls.push_back({{store_.StreamKey(s) + ":lease"},
                     {options_.instance_id, std::to_string(options_.lease_ttl.count())}});
  }
  auto replies = redis_.EvalMany(lease_script_, calls);
  if (!replies.ok()) return false;
  for (int s = 0; s < store_.shards(); ++s) {
    const RedisReply& r = (*replies)[s];
    if (r.is_error()) return false;
    bool held = r.integer == 1;
    if (held && !leased_[s]) {
      cursor_[s] = "-";
      log::Info("outbox_lease_taken").Kv("shard", s).Kv("instance", options_.instance_id);
    }
    leased_[s] = held;
  }
  next_renew_ = now + options_.lease_ttl / 3;
  return true;
}

bool OutboxRelay::ReadAndProduce(int shard) {
  if (rewind_[shard] && in_flight_[shard] == 0) {
    rewind_[shard] = false;
    cursor_[shard] = "-";
  }
  int room = Room();
  if (room <= 0 || rewind_[shard]) return false;
  std::string start = cursor_[shard] == "-" ? "-" : "(" + cursor_[shard];
  // An entry holds the events of one commit or of several committed together: read about as many
  // entries as hold `batch` events (or the room left), judged by the entries read last.
  int count = read_sizers_[shard].Entries(std::min(room, options_.batch));
  auto reply = redis_.Command({"XRANGE", store_.StreamKey(shard), start, "+", "COUNT", std::to_string(count)});
  if (!reply.ok()) return false;
  int produced = 0;
  size_t events_read = 0;
  for (const auto& entry : reply->elements) {
    if (entry.elements.size() != 2) continue;
    const std::string& id = entry.elements[0].str;
    // Fields t k y i v for each event of the commits in the entry.
    struct Fields {
      std::string_view topic, key, type, event_id, value;
    };
    std::vector<Fields> events;
    for (auto record : AppendedRecords(entry.elements[1].elements, "t")) {
      Fields& e = events.emplace_back();
      for (size_t i = 0; i + 1 < record.size(); i += 2) {
        std::string_view f = record[i].str;
        std::string_view v = record[i + 1].str;
        if (f == "t") e.topic = v;
        else if (f == "k") e.key = v;
        else if (f == "y") e.type = v;
        else if (f == "i") e.event_id = v;
        else if (f == "v") e.value = v;
      }
    }
    if (events.empty()) {
      log::Error("outbox_entry_malformed").Kv("entry", id).Kv("shard", shard);  // kept, skipped
    }
    Status s;
    for (const Fields& e : events) {
      uint64_t token = next_token_++;
      std::vector<KafkaHeader> headers = {{std::string(headers::kEventType), std::string(e.type)},
                                          {std::string(headers::kEventId), std::string(e.event_id)}};
      while (!(s = producer_->Produce(e.topic, e.key, e.value, headers, token)).ok() &&
             s.code() == StatusCode::kResourceExhausted) {
        producer_->Poll(std::chrono::milliseconds(5));
      }
      if (!s.ok()) break;
      pending_.emplace(token, Pending{shard, id});
      ++in_flight_[shard];
      ++entries_[shard].try_emplace(id, EntryState{}).first->second.unreported;
    }
    if (!s.ok()) {
      log::Error("outbox_produce_failed").Kv("entry", id).Kv("reason", s.ToString());
      break;  // retried from this entry on the next turn (its events produced so far again too)
    }
    cursor_[shard] = id;
    ++produced;
    events_read += events.size();
  }
  read_sizers_[shard].Read(produced, events_read);
  return produced == count;
}

void OutboxRelay::DeleteDelivered() {
  std::vector<RedisArgs> commands;
  for (int s = 0; s < store_.shards(); ++s) {
    if (delivered_[s].empty()) continue;
    RedisArgs xdel = {"XDEL", store_.StreamKey(s)};
    xdel.insert(xdel.end(), delivered_[s].begin(), delivered_[s].end());
    commands.push_back(std::move(xdel));
  }
  if (commands.empty()) return;
  // If Redis is down the ids stay here and are deleted on a later turn; an entry that is
  // delivered but not yet deleted is at worst delivered again, never lost.
  if (redis_.Pipeline(commands).ok()) {
    for (auto& d : delivered_) d.clear();
  }
}

void OutboxRelay::UpdateGauges() {
  if (depth_gauge_ == nullptr) return;
  auto now = std::chrono::steady_clock::now();
  if (now < next_gauges_) return;
  next_gauges_ = now + std::chrono::seconds(1);
  std::vector<RedisArgs> commands;
  for (int s = 0; s < store_.shards(); ++s) {
    commands.push_back({"XLEN", store_.StreamKey(s)});
    commands.push_back({"XRANGE", store_.StreamKey(s), "-", "+", "COUNT", "1"});
  }
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return;
  int64_t depth = 0;
  int64_t oldest_ms = 0;
  for (size_t i = 0; i + 1 < replies->size(); i += 2) {
    depth += (*replies)[i].integer;
    const auto& first = (*replies)[i + 1];
    if (!first.elements.empty() && !first.elements[0].elements.empty()) {
      int64_t ms = std::stoll(first.elements[0].elements[0].str);  // stream ids start with ms
      if (oldest_ms == 0 || ms < oldest_ms) oldest_ms = ms;
    }
  }
  depth_gauge_->Set(static_cast<double>(depth));
  double lag = 0;
  if (oldest_ms > 0) {
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    lag = std::max<int64_t>(0, now_ms - oldest_ms) / 1000.0;
  }
  lag_gauge_->Set(lag);
}

void OutboxRelay::Run(std::stop_token stop) {
  log::Info("outbox_relay_started").Kv("service", store_.service()).Kv("shards", store_.shards());
  // Streams are read when a commit in this process woke us, when the last read got all it asked
  // for (more is waiting: at once if a batch's room is free, else once delivery reports have
  // freed some), or every idle_wait (commits by other replicas); never in a spin.
  bool read_now = true;
  auto next_scan = std::chrono::steady_clock::now();
  while (!stop.stop_requested()) {
    if (!RenewLeases()) {
      producer_->Poll(std::chrono::milliseconds(200));  // Redis down: keep serving reports
      DeleteDelivered();
      continue;
    }
    {
      std::lock_guard lock(wake_mu_);
      read_now |= woken_;
      woken_ = false;
    }
    auto now = std::chrono::steady_clock::now();
    bool more_waiting = false;
    if (read_now || now >= next_scan) {
      for (int s = 0; s < store_.shards(); ++s) {
        if (leased_[s]) more_waiting |= ReadAndProduce(s);
      }
      next_scan = now + options_.idle_wait;
    }
    read_now = more_waiting;
    producer_->Poll(std::chrono::milliseconds(0));
    DeleteDelivered();
    UpdateGauges();
    if (more_waiting && Room() >= options_.batch) continue;
    if (!pending_.empty()) {
      producer_->Poll(std::chrono::milliseconds(1));  // delivery reports arrive here
      continue;
    }
    std::unique_lock lock(wake_mu_);
    wake_.wait_for(lock, options_.idle_wait, [&] { return woken_ || stop.stop_requested(); });
  }
  // Give in-flight messages a moment; whatever is not reported stays in the stream.
  if (!producer_->Flush(std::chrono::milliseconds(2000)).ok()) {
    log::Warn("outbox_relay_unflushed").Kv("in_flight", producer_->InFlight());
  }
  DeleteDelivered();
  log::Info("outbox_relay_stopped").Kv("service", store_.service());
}

}  // namespace warroom
