// The gRPC adapter of psp.
#pragma once

#include "services/psp/src/psp_core.h"
#include "warroom/common/authz.h"
#include "warroom/v1/psp.grpc.pb.h"

namespace warroom::psp {

class PspGrpcService final : public v1::PspService::Service {
 public:
  PspGrpcService(PspCore& core, const Authorizer& authorizer)
      : core_(core), guard_(authorizer, "PspService") {}
#define WARROOM_PSP_RPC(name, Request, Response)                                           \
  grpc::Status name(grpc::ServerContext*, const v1::Request* r, v1::Response* out) override;
  WARROOM_PSP_RPC(RegisterFirm, RegisterFirmRequest, Firm)
  WARROOM_PSP_RPC(CreateSupportRequest, CreateSupportRequestRequest, SupportRequest)
  WARROOM_PSP_RPC(ListSupportRequests, ListSupportRequestsRequest, ListSupportRequestsResponse)
  WARROOM_PSP_RPC(Shortlist, ShortlistRequest, ShortlistResponse)
  WARROOM_PSP_RPC(ProposeDeployment, ProposeDeploymentRequest, Deployment)
  WARROOM_PSP_RPC(TransitionDeployment, TransitionDeploymentRequest, Deployment)
  WARROOM_PSP_RPC(AddDeliverable, AddDeliverableRequest, Deployment)
  WARROOM_PSP_RPC(CompleteDeliverable, CompleteDeliverableRequest, Deployment)
  WARROOM_PSP_RPC(RecordCapacity, RecordCapacityRequest, CapacityRecorded)
  WARROOM_PSP_RPC(UpsertProject, UpsertProjectRequest, Project)
  WARROOM_PSP_RPC(ImportBaseline, ImportBaselineRequest, ServiceBacklogLine)
  WARROOM_PSP_RPC(GetDistrictBacklog, GetDistrictBacklogRequest, DistrictBacklog)
  WARROOM_PSP_RPC(ListPriorityDistricts, ListPriorityDistrictsRequest, ListPriorityDistrictsResponse)
#undef WARROOM_PSP_RPC

 private:
  PspCore& core_;
  ServiceGuard guard_;
};

}  // namespace warroom::psp
