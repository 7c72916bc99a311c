// The gRPC adapter of reporting.
#pragma once

#include "services/reporting/src/reporting_core.h"
#include "warroom/common/authz.h"
#include "warroom/v1/reporting.grpc.pb.h"

namespace warroom::reporting {

class ReportingGrpcService final : public v1::ReportingService::Service {
 public:
  ReportingGrpcService(ReportingCore& core, const Authorizer& authorizer)
      : core_(core), guard_(authorizer, "ReportingService") {}
  grpc::Status GetAreaSummary(grpc::ServerContext*, const v1::GetAreaSummaryRequest* r,
                              v1::AreaSummary* response) override;
  grpc::Status GetSlaCompliance(grpc::ServerContext*, const v1::GetSlaComplianceRequest* r,
                                v1::GetSlaComplianceResponse* response) override;
  grpc::Status ListOverdue(grpc::ServerContext*, const v1::ListOverdueCasesRequest* r,
                           v1::ListOverdueCasesResponse* response) override;
  grpc::Status GetWardReport(grpc::ServerContext*, const v1::GetWardReportRequest* r,
                             v1::WardReport* response) override;
  grpc::Status Rebuild(grpc::ServerContext*, const v1::RebuildRequest* r,
                       v1::RebuildResponse* response) override;
  grpc::Status DescribeModel(grpc::ServerContext*, const v1::DescribeModelRequest* r,
                             v1::DescribeModelResponse* response) override;

 private:
  ReportingCore& core_;
  ServiceGuard guard_;
};

}  // namespace warroom::reporting
