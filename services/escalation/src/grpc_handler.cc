#include "services/escalation/src/grpc_handler.h"

#include "warroom/common/grpc_status.h"

namespace warroom::escalation {

grpc::Status EscalationGrpcService::GetSla(grpc::ServerContext* c, const v1::GetSlaRequest* r,
                                           v1::GetSlaResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.GetSla(r->case_number()), response);
}

grpc::Status EscalationGrpcService::ListOverdue(grpc::ServerContext* c, const v1::ListOverdueRequest* r,
                                                v1::ListOverdueResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.ListOverdue(*r), response);
}

grpc::Status EscalationGrpcService::BusinessTime(grpc::ServerContext* c, const v1::BusinessTimeRequest* r,
                                                 v1::BusinessTimeResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.BusinessTime(*r), response);
}

grpc::Status EscalationGrpcService::ListAlerts(grpc::ServerContext* c, const v1::ListAlertsRequest* r,
                                               v1::ListAlertsResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.ListAlerts(*r), response);
}

grpc::Status EscalationGrpcService::AcknowledgeAlert(grpc::ServerContext* c,
                                                     const v1::AcknowledgeAlertRequest* r,
                                                     v1::HotspotAlert* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.AcknowledgeAlert(*r), response);
}

}  // namespace warroom::escalation
