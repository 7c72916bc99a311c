// Intake's Redis layout: case records, indexes for lists and duplicate search, idempotency keys,
// reporter contacts, and the change stream that WatchCases follows. Every write goes through a
// Mutation, so a case change, its index updates and its events commit together.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "warroom/common/outbox.h"
#include "warroom/common/redis.h"
#include "warroom/v1/intake.pb.h"

namespace warroom::intake {

namespace keys {
std::string Case(std::string_view cn);        // hash: v (version), pb (the Case)
std::string View(std::string_view cn);        // hash: routing and escalation fields
// Sorted set: later cases linked to this one, by case number order (a sorted set rather than a
// set because Redis keeps small ones compact, about 25 bytes a link instead of 70).
std::string Duplicates(std::string_view cn);
std::string Request(std::string_view client_request_id);
std::string Source(std::string_view system, std::string_view source_id);  // hash: cn, h
std::string Reporter(std::string_view ref);   // hash: the reporter's personal details
std::string Sequence(std::string_view prefix, int year);
// Every status index: together they hold each case once (there is no index of all cases).
std::vector<std::string> IndexAllStatuses();
std::string IndexWard(std::string_view ward);
std::string IndexMunicipality(std::string_view municipality);
std::string IndexStatus(v1::CaseStatus status);
std::string OpenByWard(std::string_view ward, v1::Category category);  // zset by reported ms
std::string OpenByPosition(v1::Category category);                     // geo set
inline constexpr char kChanges[] = "intake:changes";
}  // namespace keys

// A case with its routing/escalation view merged in.
struct LoadedCase {
  v1::Case c;
  int64_t version = 0;
};

class CaseStore {
 public:
  explicit CaseStore(RedisClient& redis) : redis_(redis) {}

  StatusOr<std::optional<LoadedCase>> Load(std::string_view cn);
  // Loads many cases in one round trip; missing ones are skipped.
  StatusOr<std::vector<LoadedCase>> LoadMany(const std::vector<std::string>& cns);

  // Index writes for a case that is new or whose indexed fields changed from `before`.
  static void IndexChanges(const v1::Case* before, const v1::Case& after, int64_t ordinal,
                           Mutation& m);
  // Writes the record itself (version and proto) and a change-stream entry.
  static void WriteCase(const v1::Case& c, Mutation& m, std::string_view change);
  // A change-stream entry for WatchCases (capped at about 100,000 entries).
  static void AppendChange(const v1::Case& c, Mutation& m, std::string_view change);

  RedisClient& redis() { return redis_; }

 private:
  RedisClient& redis_;
};

}  // namespace warroom::intake
