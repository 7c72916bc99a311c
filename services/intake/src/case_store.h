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
// Cases of a ward, by case-number order.
std::string IndexWard(std::string_view ward);
// Cases of a municipality in a status, by case-number order; a case not yet in a ward is under
// municipality "-". Together these sets hold each case once: a list by status, by municipality or
// of everything merges some of them, and a new case costs one insert instead of two.
std::string IndexPlaceStatus(std::string_view municipality, v1::CaseStatus status);
std::vector<v1::CaseStatus> AllStatuses();
std::string OpenByWard(std::string_view ward, v1::Category category);  // zset by reported ms
std::string OpenByPosition(v1::Category category);                     // geo set
// The change stream WatchCases reads: an entry holds the changes of the commits made together
// (fields cn w m y again for each), and the stream keeps about this many entries.
inline constexpr char kChanges[] = "intake:changes";
}  // namespace keys
inline constexpr int64_t kChangeStreamEntries = 100000;

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

  // Before 2026-11-29 cases were indexed by status and by municipality in separate sets. Moves the
  // cases of any such set into the place-and-status sets and drops the old ones; safe to repeat
  // and to interrupt. Returns how many index entries it moved.
  StatusOr<int64_t> MigrateLegacyIndexes();

  RedisClient& redis() { return redis_; }

 private:
  RedisClient& redis_;
};

}  // namespace warroom::intake
