// The gRPC adapters of household: the service handler (the caller's role, actor and purpose come
// from call metadata) and the intake client that raises needs as cases.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>

#include "services/household/src/household_core.h"
#include "warroom/common/authz.h"
#include "warroom/v1/household.grpc.pb.h"
#include "warroom/v1/intake.grpc.pb.h"

namespace warroom::household {

// The household access role, actor and purpose of a call: from the authenticated caller when
// authorisation is on, else from the x-warroom-role and x-warroom-actor metadata (development).
Caller CallerOf(const grpc::ServerContext& context, const warroom::Caller& authenticated);

class GrpcCaseReporter final : public CaseReporter {
 public:
  // bearer_token: sent as "authorization: Bearer ..." when intake identifies callers by token
  // (empty: the client certificate identifies household, or authorisation is off).
  GrpcCaseReporter(const std::string& intake_target, std::shared_ptr<grpc::ChannelCredentials> credentials,
                   const std::string& bearer_token = "");
  StatusOr<std::string> Report(const v1::ReportCaseRequest& request) override;

 private:
  std::unique_ptr<v1::IntakeService::Stub> stub_;
};

class HouseholdGrpcService final : public v1::HouseholdService::Service {
 public:
  HouseholdGrpcService(HouseholdCore& core, const Authorizer& authorizer)
      : core_(core), guard_(authorizer, "HouseholdService") {}
  grpc::Status RegisterHousehold(grpc::ServerContext* c, const v1::RegisterHouseholdRequest* r,
                                 v1::Household* response) override;
  grpc::Status UpdateHousehold(grpc::ServerContext* c, const v1::UpdateHouseholdRequest* r,
                               v1::Household* response) override;
  grpc::Status RecordVisit(grpc::ServerContext* c, const v1::RecordVisitRequest* r,
                           v1::Visit* response) override;
  grpc::Status GetHousehold(grpc::ServerContext* c, const v1::GetHouseholdRequest* r,
                            v1::Household* response) override;
  grpc::Status ListDueVisits(grpc::ServerContext* c, const v1::ListDueVisitsRequest* r,
                             v1::ListDueVisitsResponse* response) override;
  grpc::Status GetBacklog(grpc::ServerContext* c, const v1::GetBacklogRequest* r,
                          v1::GetBacklogResponse* response) override;
  grpc::Status EraseHousehold(grpc::ServerContext* c, const v1::EraseHouseholdRequest* r,
                              v1::Household* response) override;

 private:
  HouseholdCore& core_;
  ServiceGuard guard_;
};

}  // namespace warroom::household
