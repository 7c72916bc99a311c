#include "services/intake/src/case_store.h"

#include <google/protobuf/util/time_util.h>

#include <unordered_map>
#include <unordered_set>

#include "services/intake/src/case_rules.h"
#include "warroom/common/enum_names.h"

namespace warroom::intake {

namespace keys {
std::string Case(std::string_view cn) { return "intake:{" + std::string(cn) + "}:case"; }
std::string View(std::string_view cn) { return "intake:{" + std::string(cn) + "}:view"; }
std::string Duplicates(std::string_view cn) { return "intake:{" + std::string(cn) + "}:dups"; }
std::string Request(std::string_view id) { return "intake:req:" + std::string(id); }
std::string Source(std::string_view system, std::string_view id) {
  return "intake:src:" + std::string(system) + ":" + std::string(id);
}
std::string Reporter(std::string_view ref) { return "intake:reporter:" + std::string(ref); }
std::string Sequence(std::string_view prefix, int year) {
  return "intake:seq:" + std::string(prefix) + std::to_string(year);
}
std::vector<v1::CaseStatus> AllStatuses() {
  std::vector<v1::CaseStatus> all;
  const auto* statuses = v1::CaseStatus_descriptor();
  for (int i = 0; i < statuses->value_count(); ++i) {
    auto status = static_cast<v1::CaseStatus>(statuses->value(i)->number());
    if (status != v1::CASE_STATUS_UNSPECIFIED) all.push_back(status);
  }
  return all;
}
std::string IndexWard(std::string_view w) { return "intake:idx:ward:" + std::string(w); }
std::string IndexPlaceStatus(std::string_view m, v1::CaseStatus s) {
  return "intake:idx:place:" + (m.empty() ? std::string("-") : std::string(m)) + ":" + Label(s);
}
std::string OpenByWard(std::string_view w, v1::Category c) {
  return "intake:open:ward:" + std::string(w) + ":" + Label(c);
}
std::string OpenByPosition(v1::Category c) { return "intake:open:geo:" + Label(c); }
}  // namespace keys

namespace {

// Merges the view hash (written from routing and escalation events) into the case.
void MergeView(const RedisReply& view, v1::Case& c) {
  for (size_t i = 0; i + 1 < view.elements.size(); i += 2) {
    const std::string& f = view.elements[i].str;
    const std::string& v = view.elements[i + 1].str;
    if (f == "sphere") c.set_sphere(static_cast<v1::Sphere>(std::stoi(v)));
    else if (f == "department") c.set_department(v);
    else if (f == "war_room") c.set_war_room(v);
    else if (f == "unlocated") c.set_unlocated(v == "1");
    else if (f == "tier") c.set_tier(static_cast<v1::Tier>(std::stoi(v)));
    else if (f == "due_ms") *c.mutable_due_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(std::stoll(v));
    else if (f == "overdue") c.set_overdue(v == "1");
  }
}

}  // namespace

StatusOr<std::vector<LoadedCase>> CaseStore::LoadMany(const std::vector<std::string>& cns) {
  std::vector<RedisArgs> commands;
  commands.reserve(cns.size() * 3);
  for (const auto& cn : cns) {
    commands.push_back({"HMGET", keys::Case(cn), "v", "pb"});
    commands.push_back({"HGETALL", keys::View(cn)});
    commands.push_back({"ZRANGE", keys::Duplicates(cn), "0", "-1"});
  }
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::vector<LoadedCase> out;
  out.reserve(cns.size());
  for (size_t i = 0; i < cns.size(); ++i) {
    const auto& record = (*replies)[3 * i];
    if (record.elements.size() != 2 || record.elements[1].is_nil()) continue;
    LoadedCase lc;
    lc.version = std::stoll(record.elements[0].str);
    if (!lc.c.ParseFromString(record.elements[1].str)) {
      return Status(StatusCode::kDataLoss, "case " + cns[i] + " is stored corrupt");
    }
    MergeView((*replies)[3 * i + 1], lc.c);
    for (const auto& d : (*replies)[3 * i + 2].elements) lc.c.add_possible_duplicates(d.str);
    lc.c.set_version(lc.version);
    out.push_back(std::move(lc));
  }
  return out;
}

StatusOr<std::optional<LoadedCase>> CaseStore::Load(std::string_view cn) {
  auto many = LoadMany({std::string(cn)});
  if (!many.ok()) return many.status();
  if (many->empty()) return std::optional<LoadedCase>();
  return std::optional<LoadedCase>(std::move(many->front()));
}

void CaseStore::IndexChanges(const v1::Case* before, const v1::Case& after, int64_t ordinal,
                             Mutation& m) {
  const std::string& cn = after.case_number();
  std::string score = std::to_string(ordinal);
  auto ward = [](const v1::Case* c) { return c ? c->place().ward_code() : std::string(); };
  if (ward(before) != after.place().ward_code() && !after.place().ward_code().empty()) {
    m.Do("ZADD", keys::IndexWard(after.place().ward_code()), {score, cn});
  }
  auto place_status = [](const v1::Case& c) {
    return keys::IndexPlaceStatus(c.place().municipality_code(), c.status());
  };
  std::string now_in = place_status(after);
  std::string was_in = before != nullptr ? place_status(*before) : std::string();
  if (was_in != now_in) {
    if (!was_in.empty()) m.Do("ZREM", was_in, {cn});
    m.Do("ZADD", now_in, {score, cn});
  }
  // Open cases by ward and category, and by position, for the possible-duplicate search.
  bool was_open = before != nullptr && IsOpen(before->status());
  bool is_open = IsOpen(after.status());
  bool moved = before != nullptr && (before->category() != after.category() ||
                                     before->place().ward_code() != after.place().ward_code());
  if (was_open && (!is_open || moved)) {
    if (!before->place().ward_code().empty()) {
      m.Do("ZREM", keys::OpenByWard(before->place().ward_code(), before->category()), {cn});
    }
    if (before->place().has_position()) m.Do("ZREM", keys::OpenByPosition(before->category()), {cn});
  }
  if (is_open && (!was_open || moved)) {
    std::string reported_ms = std::to_string(
        google::protobuf::util::TimeUtil::TimestampToMilliseconds(after.reported_at()));
    if (!after.place().ward_code().empty()) {
      m.Do("ZADD", keys::OpenByWard(after.place().ward_code(), after.category()), {reported_ms, cn});
    }
    if (after.place().has_position()) {
      m.Do("GEOADD", keys::OpenByPosition(after.category()),
           {std::to_string(after.place().position().longitude()),
            std::to_string(after.place().position().latitude()), cn});
    }
  }
}

StatusOr<int64_t> CaseStore::MigrateLegacyIndexes() {
  constexpr int kBatch = 1000;
  int64_t moved = 0;
  for (v1::CaseStatus status : keys::AllStatuses()) {
    const std::string legacy = "intake:idx:status:" + Label(status);
    for (;;) {
      auto batch = redis_.Command({"ZRANGE", legacy, "0", std::to_string(kBatch - 1), "WITHSCORES"});
      if (!batch.ok()) return batch.status();
      if (batch->elements.empty()) break;
      std::vector<std::string> cns;
      std::unordered_map<std::string, std::string> score_of;
      for (size_t i = 0; i + 1 < batch->elements.size(); i += 2) {
        cns.push_back(batch->elements[i].str);
        score_of[cns.back()] = batch->elements[i + 1].str;
      }
      auto loaded = LoadMany(cns);
      if (!loaded.ok()) return loaded.status();
      // Each case moves only if it is still the version read (a change committed meanwhile has
      // placed it already, or it is read again next round); one whose record is gone just leaves.
      static const RedisScript kMove = RedisClient::MakeScript(R"lua(
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZREM', KEYS[3], ARGV[3])
return 1
)lua");
      std::vector<RedisClient::ScriptCall> moves;
      std::unordered_set<std::string> found;
      for (const auto& lc : *loaded) {
        const std::string& cn = lc.c.case_number();
        found.insert(cn);
        std::string place = keys::IndexPlaceStatus(lc.c.place().municipality_code(), lc.c.status());
        moves.push_back({{keys::Case(cn), place, legacy}, {std::to_string(lc.version), score_of[cn], cn}});
      }
      RedisArgs gone = {"ZREM", legacy};
      for (const auto& cn : cns) {
        if (!found.contains(cn)) gone.push_back(cn);
      }
      if (gone.size() > 2) {
        auto removed = redis_.Command(gone);
        if (!removed.ok()) return removed.status();
      }
      if (moves.empty()) continue;
      auto done = redis_.EvalMany(kMove, moves);
      if (!done.ok()) return done.status();
      for (const auto& r : *done) {
        if (r.is_error()) return InternalError("redis: " + r.str);
        moved += r.integer;
      }
    }
  }
  // The municipality sets duplicated what the place sets now hold.
  std::string cursor = "0";
  do {
    auto scan = redis_.Command({"SCAN", cursor, "MATCH", "intake:idx:muni:*", "COUNT", "1000"});
    if (!scan.ok()) return scan.status();
    if (scan->elements.size() != 2) return InternalError("redis: unexpected SCAN reply");
    cursor = scan->elements[0].str;
    if (scan->elements[1].elements.empty()) continue;
    RedisArgs del = {"DEL"};
    for (const auto& k : scan->elements[1].elements) del.push_back(k.str);
    auto deleted = redis_.Command(del);
    if (!deleted.ok()) return deleted.status();
  } while (cursor != "0");
  return moved;
}

void CaseStore::WriteCase(const v1::Case& c, Mutation& m, std::string_view change) {
  v1::Case stored = c;
  // The view fields and the duplicate list live in their own keys.
  stored.clear_possible_duplicates();
  stored.clear_sphere();
  stored.clear_department();
  stored.clear_war_room();
  stored.clear_unlocated();
  stored.clear_tier();
  stored.clear_due_at();
  stored.clear_overdue();
  stored.clear_version();
  m.Do("HSET", keys::Case(c.case_number()),
       {"v", std::to_string(c.version()), "pb", stored.SerializeAsString()});
  AppendChange(c, m, change);
}

void CaseStore::AppendChange(const v1::Case& c, Mutation& m, std::string_view change) {
  m.Append(keys::kChanges,
           {"cn", c.case_number(), "w", c.place().ward_code(), "m", c.place().municipality_code(), "y",
            std::string(change)},
           kChangeStreamEntries);
}

}  // namespace warroom::intake
