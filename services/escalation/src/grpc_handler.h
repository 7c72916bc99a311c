// The gRPC adapter of escalation.
#pragma once

#include "services/escalation/src/escalation_core.h"
#include "warroom/common/authz.h"
#include "warroom/v1/escalation.grpc.pb.h"

namespace warroom::escalation {

class EscalationGrpcService final : public v1::EscalationService::Service {
 public:
  EscalationGrpcService(EscalationCore& core, const Authorizer& authorizer)
      : core_(core), guard_(authorizer, "EscalationService") {}
  grpc::Status GetSla(grpc::ServerContext*, const v1::GetSlaRequest* r, v1::GetSlaResponse* response) override;
  grpc::Status ListOverdue(grpc::ServerContext*, const v1::ListOverdueRequest* r,
                           v1::ListOverdueResponse* response) override;
  grpc::Status BusinessTime(grpc::ServerContext*, const v1::BusinessTimeRequest* r,
                            v1::BusinessTimeResponse* response) override;
  grpc::Status ListAlerts(grpc::ServerContext*, const v1::ListAlertsRequest* r,
                          v1::ListAlertsResponse* response) override;
  grpc::Status AcknowledgeAlert(grpc::ServerContext*, const v1::AcknowledgeAlertRequest* r,
                                v1::HotspotAlert* response) override;

 private:
  EscalationCore& core_;
  ServiceGuard guard_;
};

}  // namespace warroom::escalation
