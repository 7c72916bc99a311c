#include "services/reporting/src/model_store.h"

#include <string_view>

namespace warroom::reporting {
namespace {

// One hash tag: the checkpoint is one transaction, so its keys share a slot.
constexpr std::string_view kFacts = "reporting:{model}:facts";
constexpr std::string_view kAlerts = "reporting:{model}:alerts";
constexpr std::string_view kDeployments = "reporting:{model}:deployments";
constexpr std::string_view kPositions = "reporting:{model}:positions";
constexpr std::string_view kMeta = "reporting:{model}:meta";
constexpr size_t kFieldsPerCommand = 500;

void AddHset(std::vector<RedisArgs>& commands, std::string_view key,
             const std::map<std::string, std::string>& fields) {
  RedisArgs cmd;
  for (const auto& [field, value] : fields) {
    if (cmd.empty()) cmd = {"HSET", std::string(key)};
    cmd.push_back(field);
    cmd.push_back(value);
    if (cmd.size() >= 2 + 2 * kFieldsPerCommand) commands.push_back(std::move(cmd)), cmd.clear();
  }
  if (!cmd.empty()) commands.push_back(std::move(cmd));
}

std::string PositionField(const std::pair<std::string, int32_t>& tp) {
  return tp.first + "/" + std::to_string(tp.second);
}

// Reads a whole hash in pages, so that a large model never blocks Redis for long.
template <typename Fn>
Status ScanHash(RedisClient& redis, std::string_view key, Fn fn) {
  std::string cursor = "0";
  do {
    auto reply = redis.Command({"HSCAN", std::string(key), cursor, "COUNT", "2000"});
    if (!reply.ok()) return reply.status();
    if (reply->elements.size() != 2) return InternalError("HSCAN " + std::string(key) + ": bad reply");
    cursor = reply->elements[0].str;
    const auto& kv = reply->elements[1].elements;
    for (size_t i = 0; i + 1 < kv.size(); i += 2) {
      WARROOM_RETURN_IF_ERROR(fn(kv[i].str, kv[i + 1].str));
    }
  } while (cursor != "0");
  return Status::Ok();
}

}  // namespace

void Checkpoint::Merge(Checkpoint&& later) {
  for (auto& [k, v] : later.facts) facts[k] = std::move(v);
  for (auto& [k, v] : later.alerts) alerts[k] = std::move(v);
  for (auto& [k, v] : later.deployments) deployments[k] = std::move(v);
  for (auto& [k, v] : later.positions) positions[k] = v;
  events_applied = later.events_applied;
}

StatusOr<Positions> ModelStore::Load(ReadModel& model, uint64_t* events_applied) {
  WARROOM_RETURN_IF_ERROR(ScanHash(redis_, kFacts, [&](const std::string& cn, const std::string& bytes) {
    v1::ReportingCaseFact fact;
    if (!fact.ParseFromString(bytes)) return DataLossError("saved fact of " + cn + " is unreadable");
    model.LoadFact(std::move(fact));
    return Status::Ok();
  }));
  WARROOM_RETURN_IF_ERROR(ScanHash(redis_, kAlerts, [&](const std::string& id, const std::string& bytes) {
    v1::HotspotAlert alert;
    if (!alert.ParseFromString(bytes)) return DataLossError("saved alert " + id + " is unreadable");
    model.LoadAlert(std::move(alert));
    return Status::Ok();
  }));
  WARROOM_RETURN_IF_ERROR(ScanHash(redis_, kDeployments, [&](const std::string& id, const std::string& bytes) {
    v1::EventEnvelope e;
    if (!e.ParseFromString(bytes)) return DataLossError("saved deployment " + id + " is unreadable");
    model.LoadDeployment(std::move(e));
    return Status::Ok();
  }));
  Positions positions;
  WARROOM_RETURN_IF_ERROR(ScanHash(redis_, kPositions, [&](const std::string& f, const std::string& v) {
    auto slash = f.rfind('/');
    if (slash == std::string::npos) return DataLossError("saved position " + f + " is unreadable");
    positions[{f.substr(0, slash), std::stoi(f.substr(slash + 1))}] = std::stoll(v);
    return Status::Ok();
  }));
  auto applied = redis_.Command({"HGET", std::string(kMeta), "events_applied"});
  if (!applied.ok()) return applied.status();
  *events_applied = applied->is_nil() ? 0 : std::stoull(applied->str);
  model.TakeDirtyCases();  // what was just loaded is saved already
  model.TakeDirtyAlerts();
  model.TakeDirtyDeployments();
  return positions;
}

Status ModelStore::Save(const Checkpoint& c) {
  std::vector<RedisArgs> commands = {{"MULTI"}};
  AddHset(commands, kFacts, c.facts);
  AddHset(commands, kAlerts, c.alerts);
  AddHset(commands, kDeployments, c.deployments);
  std::map<std::string, std::string> positions;
  for (const auto& [tp, next] : c.positions) positions[PositionField(tp)] = std::to_string(next);
  AddHset(commands, kPositions, positions);
  commands.push_back({"HSET", std::string(kMeta), "events_applied", std::to_string(c.events_applied)});
  commands.push_back({"EXEC"});
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  const RedisReply& exec = replies->back();
  if (exec.is_error() || exec.is_nil()) {
    return UnavailableError("checkpoint transaction failed: " + exec.str);
  }
  for (const auto& r : exec.elements) {
    if (r.is_error()) return InternalError("checkpoint command failed: " + r.str);
  }
  return Status::Ok();
}

Status ModelStore::Clear() {
  auto r = redis_.Command({"DEL", std::string(kFacts), std::string(kAlerts), std::string(kDeployments), std::string(kPositions),
                           std::string(kMeta)});
  return r.ok() ? Status::Ok() : r.status();
}

Checkpoint TakeCheckpoint(ReadModel& model, const Positions& positions, uint64_t events_applied) {
  Checkpoint c;
  for (const std::string& cn : model.TakeDirtyCases()) {
    if (const auto* fact = model.FindFact(cn)) fact->SerializeToString(&c.facts[cn]);
  }
  for (const std::string& id : model.TakeDirtyAlerts()) {
    if (const auto* alert = model.FindAlert(id)) alert->SerializeToString(&c.alerts[id]);
  }
  for (const std::string& id : model.TakeDirtyDeployments()) {
    if (const auto* e = model.FindDeployment(id)) e->SerializeToString(&c.deployments[id]);
  }
  c.positions = positions;
  c.events_applied = events_applied;
  return c;
}

std::vector<PartitionPosition> ToStart(const Positions& positions) {
  std::vector<PartitionPosition> start;
  for (const auto& [tp, next] : positions) start.push_back({tp.first, tp.second, next});
  return start;
}

}  // namespace warroom::reporting
