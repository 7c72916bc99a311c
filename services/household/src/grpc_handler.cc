#include "services/household/src/grpc_handler.h"

#include "warroom/common/grpc_status.h"

namespace warroom::household {

Caller CallerOf(const grpc::ServerContext& context) {
  Caller caller;
  const auto& md = context.client_metadata();
  auto get = [&](const char* key) {
    auto it = md.find(key);
    return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
  };
  caller.role = get("x-warroom-role");
  caller.actor = get("x-warroom-actor");
  caller.purpose = get("x-warroom-purpose");
  return caller;
}

GrpcCaseReporter::GrpcCaseReporter(const std::string& intake_target,
                                   std::shared_ptr<grpc::ChannelCredentials> credentials)
    : stub_(v1::IntakeService::NewStub(grpc::CreateChannel(intake_target, std::move(credentials)))) {}

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
  return Reply(core_.Register(*r, CallerOf(*c)), response);
}

grpc::Status HouseholdGrpcService::UpdateHousehold(grpc::ServerContext* c, const v1::UpdateHouseholdRequest* r,
                                                   v1::Household* response) {
  return Reply(core_.Update(*r, CallerOf(*c)), response);
}

grpc::Status HouseholdGrpcService::RecordVisit(grpc::ServerContext*, const v1::RecordVisitRequest* r,
                                               v1::Visit* response) {
  return Reply(core_.RecordVisit(*r), response);
}

grpc::Status HouseholdGrpcService::GetHousehold(grpc::ServerContext* c, const v1::GetHouseholdRequest* r,
                                                v1::Household* response) {
  return Reply(core_.Get(r->household_id(), CallerOf(*c)), response);
}

grpc::Status HouseholdGrpcService::ListDueVisits(grpc::ServerContext*, const v1::ListDueVisitsRequest* r,
                                                 v1::ListDueVisitsResponse* response) {
  return Reply(core_.DueVisits(*r), response);
}

grpc::Status HouseholdGrpcService::GetBacklog(grpc::ServerContext*, const v1::GetBacklogRequest* r,
                                              v1::GetBacklogResponse* response) {
  return Reply(core_.Backlog(*r), response);
}

grpc::Status HouseholdGrpcService::EraseHousehold(grpc::ServerContext* c, const v1::EraseHouseholdRequest* r,
                                                  v1::Household* response) {
  return Reply(core_.Erase(*r, CallerOf(*c)), response);
}

}  // namespace warroom::household
