#include "services/psp/src/grpc_handler.h"

#include "warroom/common/grpc_status.h"

namespace warroom::psp {

#define WARROOM_PSP_REPLY(name, Request, Response, call)                                        \
  grpc::Status PspGrpcService::name(grpc::ServerContext* c, [[maybe_unused]] const v1::Request* r, \
                                    v1::Response* out) {                                          \
    if (auto caller = guard_.Authorize(*c, #name); !caller.ok()) return ToGrpcStatus(caller.status()); \
    return Reply(call, out);                                                                      \
  }

WARROOM_PSP_REPLY(RegisterFirm, RegisterFirmRequest, Firm, core_.RegisterFirm(*r))
WARROOM_PSP_REPLY(CreateSupportRequest, CreateSupportRequestRequest, SupportRequest, core_.CreateRequest(*r))
WARROOM_PSP_REPLY(ListSupportRequests, ListSupportRequestsRequest, ListSupportRequestsResponse, core_.ListRequests(*r))
WARROOM_PSP_REPLY(Shortlist, ShortlistRequest, ShortlistResponse, core_.Shortlist(*r))
WARROOM_PSP_REPLY(ProposeDeployment, ProposeDeploymentRequest, Deployment, core_.Propose(*r))
WARROOM_PSP_REPLY(TransitionDeployment, TransitionDeploymentRequest, Deployment, core_.Transition(*r))
WARROOM_PSP_REPLY(AddDeliverable, AddDeliverableRequest, Deployment, core_.AddDeliverable(*r))
WARROOM_PSP_REPLY(CompleteDeliverable, CompleteDeliverableRequest, Deployment, core_.CompleteDeliverable(*r))
WARROOM_PSP_REPLY(RecordCapacity, RecordCapacityRequest, CapacityRecorded, core_.RecordCapacity(*r))
WARROOM_PSP_REPLY(UpsertProject, UpsertProjectRequest, Project, core_.UpsertProject(*r))
WARROOM_PSP_REPLY(ImportBaseline, ImportBaselineRequest, ServiceBacklogLine, core_.ImportBaseline(*r))
WARROOM_PSP_REPLY(GetDistrictBacklog, GetDistrictBacklogRequest, DistrictBacklog, core_.Backlog(r->district_code()))
WARROOM_PSP_REPLY(ListPriorityDistricts, ListPriorityDistrictsRequest, ListPriorityDistrictsResponse,
                  StatusOr<v1::ListPriorityDistrictsResponse>(core_.Priority()))

#undef WARROOM_PSP_REPLY

}  // namespace warroom::psp
