// The gRPC adapters of household: the service handler (the caller's role, actor and purpose come
// from call metadata) and the intake client that raises needs as cases.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>

#include "services/household/src/household_core.h"
#include "warroom/v1/household.grpc.pb.h"
#include "warroom/v1/intake.grpc.pb.h"

namespace warroom::household {

Caller CallerOf(const grpc::ServerContext& context);

class GrpcCaseReporter final : public CaseReporter {
 public:
  GrpcCaseReporter(const std::string& intake_target, std::shared_ptr<grpc::ChannelCredentials> credentials);
  StatusOr<std::string> Report(const v1::ReportCaseRequest& request) override;

 private:
  std::unique_ptr<v1::IntakeService::Stub> stub_;
};

class HouseholdGrpcService final : public v1::HouseholdService::Service {
 public:
  explicit HouseholdGrpcService(HouseholdCore& core) : core_(core) {}
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
};

}  // namespace warroom::household
