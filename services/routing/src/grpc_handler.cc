#include "services/routing/src/grpc_handler.h"

#include "warroom/common/grpc_status.h"

namespace warroom::routing {

grpc::Status RoutingGrpcService::GetAssignment(grpc::ServerContext* c, const v1::GetAssignmentRequest* r,
                                               v1::Assignment* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.Get(r->case_number()), response);
}

grpc::Status RoutingGrpcService::Reassign(grpc::ServerContext* c, const v1::ReassignRequest* r,
                                          v1::Assignment* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.Reassign(*r), response);
}

grpc::Status RoutingGrpcService::ExplainRoute(grpc::ServerContext* c, const v1::ExplainRouteRequest* r,
                                              v1::ExplainRouteResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.Explain(*r), response);
}

grpc::Status RoutingGrpcService::GetWarRoom(grpc::ServerContext* c, const v1::GetWarRoomRequest* r,
                                            v1::WarRoom* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.GetWarRoom(r->id()), response);
}

grpc::Status RoutingGrpcService::ListWarRooms(grpc::ServerContext* c, const v1::ListWarRoomsRequest* r,
                                              v1::ListWarRoomsResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.ListWarRooms(*r), response);
}

grpc::Status RoutingGrpcService::ReloadRules(grpc::ServerContext* c, const v1::ReloadRulesRequest*,
                                             v1::ReloadRulesResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  Status s = core_.ReloadRules();
  if (!s.ok()) return ToGrpcStatus(Status(StatusCode::kFailedPrecondition, "rules not reloaded, the old rules stay: " + s.message()));
  response->set_rules(static_cast<int>(core_.rule_count()));
  response->set_file(core_.rules_file());
  return grpc::Status::OK;
}

}  // namespace warroom::routing
