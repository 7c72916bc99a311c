#include "services/reporting/src/grpc_handler.h"

#include "warroom/common/grpc_status.h"

namespace warroom::reporting {

grpc::Status ReportingGrpcService::GetAreaSummary(grpc::ServerContext*,
                                                  const v1::GetAreaSummaryRequest* r,
                                                  v1::AreaSummary* response) {
  return Reply(core_.Summary(*r), response);
}

grpc::Status ReportingGrpcService::GetSlaCompliance(grpc::ServerContext*,
                                                    const v1::GetSlaComplianceRequest* r,
                                                    v1::GetSlaComplianceResponse* response) {
  return Reply(core_.Compliance(*r), response);
}

grpc::Status ReportingGrpcService::ListOverdue(grpc::ServerContext*,
                                               const v1::ListOverdueCasesRequest* r,
                                               v1::ListOverdueCasesResponse* response) {
  return Reply(core_.Overdue(*r), response);
}

grpc::Status ReportingGrpcService::GetWardReport(grpc::ServerContext*,
                                                 const v1::GetWardReportRequest* r,
                                                 v1::WardReport* response) {
  return Reply(core_.WardReport(*r), response);
}

grpc::Status ReportingGrpcService::Rebuild(grpc::ServerContext*, const v1::RebuildRequest*,
                                           v1::RebuildResponse* response) {
  return Reply(core_.Rebuild(), response);
}

grpc::Status ReportingGrpcService::DescribeModel(grpc::ServerContext*,
                                                 const v1::DescribeModelRequest*,
                                                 v1::DescribeModelResponse* response) {
  *response = core_.Describe();
  return grpc::Status::OK;
}

}  // namespace warroom::reporting
