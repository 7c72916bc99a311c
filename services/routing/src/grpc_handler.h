// The gRPC adapter of routing.
#pragma once

#include "services/routing/src/routing_core.h"
#include "warroom/common/authz.h"
#include "warroom/v1/routing.grpc.pb.h"

namespace warroom::routing {

class RoutingGrpcService final : public v1::RoutingService::Service {
 public:
  RoutingGrpcService(RoutingCore& core, const Authorizer& authorizer)
      : core_(core), guard_(authorizer, "RoutingService") {}

  grpc::Status GetAssignment(grpc::ServerContext*, const v1::GetAssignmentRequest* r,
                             v1::Assignment* response) override;
  grpc::Status Reassign(grpc::ServerContext*, const v1::ReassignRequest* r,
                        v1::Assignment* response) override;
  grpc::Status ExplainRoute(grpc::ServerContext*, const v1::ExplainRouteRequest* r,
                            v1::ExplainRouteResponse* response) override;
  grpc::Status GetWarRoom(grpc::ServerContext*, const v1::GetWarRoomRequest* r,
                          v1::WarRoom* response) override;
  grpc::Status ListWarRooms(grpc::ServerContext*, const v1::ListWarRoomsRequest* r,
                            v1::ListWarRoomsResponse* response) override;
  grpc::Status ReloadRules(grpc::ServerContext*, const v1::ReloadRulesRequest* r,
                           v1::ReloadRulesResponse* response) override;

 private:
  RoutingCore& core_;
  ServiceGuard guard_;
};

}  // namespace warroom::routing
