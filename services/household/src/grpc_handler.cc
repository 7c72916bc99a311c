#include "services/household/src/grpc_handler.h"

#include "warroom/common/grpc_server.h"
#include "warroom/common/grpc_status.h"

namespace warroom::household {

Caller CallerOf(const grpc::ServerContext& context, const warroom::Caller& authenticated) {
  Caller caller;
  const auto& md = context.client_metadata();
  auto get = [&](const char* key) {
    auto it = md.find(key);
    return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
  };
  caller.purpose = get("x-warroom-purpose");
  if (!authenticated.id.empty()) {
    // Authorisation on: the role and actor are the authenticated caller's, never the caller's word.
    caller.role = authenticated.household_role;
    caller.actor = authenticated.id;
    return caller;
  }
  caller.role = get("x-warroom-role");
  caller.actor = get("x-warroom-actor");
  return caller;
}

GrpcCaseReporter::GrpcCaseReporter(const std::string& intake_target,
                                   std::shared_ptr<grpc::ChannelCredentials> credentials,
                                   const std::string& bearer_token)
    : stub_(v1::IntakeService::NewStub(ClientChannel(intake_target, std::move(credentials), bearer_token))) {}

StatusOr<std::string> GrpcCaseReporter::Report(const v1::ReportCaseRequest& request) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::ReportCaseResponse response;
  grpc::Status s = stub_->ReportCase(&ctx, request, &response);
  if (!s.ok()) return FromGrpcStatus(s);
  return response.case_number();
}

grpc::Status HouseholdGrpcService::RegisterHousehold(grpc::ServerContext* c, const v1::RegisterHouseholdRequest* r,
                                                     v1::Household* response) {
  auto caller = guard_.Authorize(*c, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.Register(*r, CallerOf(*c, *caller)), response);
}

grpc::Status HouseholdGrpcService::UpdateHousehold(grpc::ServerContext* c, const v1::UpdateHouseholdRequest* r,
                                                   v1::Household* response) {
  auto caller = guard_.Authorize(*c, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.Update(*r, CallerOf(*c, *caller)), response);
}

grpc::Status HouseholdGrpcService::RecordVisit(grpc::ServerContext* c, const v1::RecordVisitRequest* r,
                                               v1::Visit* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.RecordVisit(*r), response);
}

grpc::Status HouseholdGrpcService::GetHousehold(grpc::ServerContext* c, const v1::GetHouseholdRequest* r,
                                                v1::Household* response) {
  auto caller = guard_.Authorize(*c, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.Get(r->household_id(), CallerOf(*c, *caller)), response);
}

grpc::Status HouseholdGrpcService::ListDueVisits(grpc::ServerContext* c, const v1::ListDueVisitsRequest* r,
                                                 v1::ListDueVisitsResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.DueVisits(*r), response);
}

grpc::Status HouseholdGrpcService::GetBacklog(grpc::ServerContext* c, const v1::GetBacklogRequest* r,
                                              v1::GetBacklogResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.Backlog(*r), response);
}

grpc::Status HouseholdGrpcService::EraseHousehold(grpc::ServerContext* c, const v1::EraseHouseholdRequest* r,
                                                  v1::Household* response) {
  auto caller = guard_.Authorize(*c, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.Erase(*r, CallerOf(*c, *caller)), response);
}

}  // namespace warroom::household
