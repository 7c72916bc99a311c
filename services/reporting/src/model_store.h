// Reporting's checkpoint in its own Redis: the facts and alerts that changed, saved in one
// MULTI/EXEC together with the topic positions they reflect, so that a restart resumes exactly
// where the saved model stands (nothing applied twice, nothing skipped).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "services/reporting/src/read_model.h"
#include "warroom/common/kafka.h"
#include "warroom/common/redis.h"

namespace warroom::reporting {

using Positions = std::map<std::pair<std::string, int32_t>, int64_t>;  // next offset to read

struct Checkpoint {
  std::map<std::string, std::string> facts;   // case number -> serialized fact
  std::map<std::string, std::string> alerts;  // alert id -> serialized alert
  std::map<std::string, std::string> deployments;  // aggregate id -> its latest envelope
  Positions positions;
  uint64_t events_applied = 0;
  bool empty() const {
    return facts.empty() && alerts.empty() && deployments.empty() && positions.empty();
  }
  // Later changes win; used to carry a failed save over to the next one.
  void Merge(Checkpoint&& later);
};

class ModelStore {
 public:
  explicit ModelStore(RedisClient& redis) : redis_(redis) {}

  // Loads every saved fact and alert into `model`; returns the saved positions.
  StatusOr<Positions> Load(ReadModel& model, uint64_t* events_applied);
  Status Save(const Checkpoint& checkpoint);
  // Forgets the saved model (for a rebuild from offset zero).
  Status Clear();

 private:
  RedisClient& redis_;
};

// What changed in `model` since the last call, with the positions it reflects.
Checkpoint TakeCheckpoint(ReadModel& model, const Positions& positions, uint64_t events_applied);

std::vector<PartitionPosition> ToStart(const Positions& positions);

}  // namespace warroom::reporting
