// Routing's application logic: applies case events (assign, re-route), manual reassignment,
// explanations, war rooms and rule reloads. Rules are swapped atomically; a rejected reload
// leaves the old rules in force.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "services/routing/src/route_rules.h"
#include "warroom/common/clock.h"
#include "warroom/common/events.h"
#include "warroom/common/kafka.h"
#include "warroom/common/outbox.h"
#include "warroom/common/redis.h"
#include "warroom/v1/routing.pb.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
}  // namespace prometheus

namespace warroom::routing {

struct RoutingData {
  const Geography* geo;
  const Departments* departments;
  const WarRoomRoles* roles;
  std::string rules_file;
};

class RoutingCore {
 public:
  RoutingCore(RedisClient& redis, OutboxStore& outbox, RoutingData data, const Clock& clock,
              IdGenerator& ids, prometheus::Registry* registry);

  // Loads the rules file; the first load at start-up must succeed.
  Status ReloadRules();
  size_t rule_count() const;

  Status ApplyEvent(const KafkaMessage& message);
  StatusOr<v1::Assignment> Get(std::string_view case_number);
  StatusOr<v1::Assignment> Reassign(const v1::ReassignRequest& request);
  StatusOr<v1::ExplainRouteResponse> Explain(const v1::ExplainRouteRequest& request) const;
  StatusOr<v1::WarRoom> GetWarRoom(std::string_view id_or_ward) const;
  StatusOr<v1::ListWarRoomsResponse> ListWarRooms(const v1::ListWarRoomsRequest& request) const;
  const std::string& rules_file() const { return data_.rules_file; }

 private:
  std::shared_ptr<const RuleSet> rules() const;
  StatusOr<std::optional<v1::Assignment>> Load(const std::string& cn);
  // Routes and commits, recording the event id as processed in the same script.
  Status Route(const v1::EventEnvelope& event, const std::string& cn, v1::Category category,
               const Location& where, const std::string& reason);
  Status Commit(const std::optional<v1::Assignment>& before, v1::Assignment after,
                const std::string& processed_event_id, const std::string& correlation,
                bool reassignment, const std::string& reason);
  v1::WarRoom MakeWarRoom(const Ward& ward) const;
  Status ApplyReferral(const v1::EventEnvelope& event);

  RedisClient& redis_;
  OutboxStore& outbox_;
  RoutingData data_;
  const Clock& clock_;
  EventFactory events_;
  mutable std::mutex rules_mu_;
  std::shared_ptr<const RuleSet> rules_;
  prometheus::Family<prometheus::Counter>* assigned_ = nullptr;
};

}  // namespace warroom::routing
