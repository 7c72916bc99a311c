#include "services/escalation/src/grpc_handler.h"

#include "warroom/common/grpc_status.h"

namespace warroom::escalation {

grpc::Status EscalationGrpcService::GetSla(grpc::ServerContext*, const v1::GetSlaRequest* r,
                                           v1::GetSlaResponse* response) {
  return Reply(core_.GetSla(r->case_number()), response);
}

grpc::Status EscalationGrpcService::ListOverdue(grpc::ServerContext*, const v1::ListOverdueRequest* r,
                                                v1::ListOverdueResponse* response) {
  return Reply(core_.ListOverdue(*r), response);
}

grpc::Status EscalationGrpcService::BusinessTime(grpc::ServerContext*, const v1::BusinessTimeRequest* r,
                                                 v1::BusinessTimeResponse* response) {
  return Reply(core_.BusinessTime(*r), response);
}

grpc::Status EscalationGrpcService::ListAlerts(grpc::ServerContext*, const v1::ListAlertsRequest* r,
                                               v1::ListAlertsResponse* response) {
  return Reply(core_.ListAlerts(*r), response);
}

grpc::Status EscalationGrpcService::AcknowledgeAlert(grpc::ServerContext*,
                                                     const v1::AcknowledgeAlertRequest* r,
                                                     v1::HotspotAlert* response) {
  return Reply(core_.AcknowledgeAlert(*r), response);
}

}  // namespace warroom::escalation
