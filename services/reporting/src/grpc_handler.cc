#include "services/reporting/src/grpc_handler.h"

#include "warroom/common/grpc_status.h"

namespace warroom::reporting {

grpc::Status ReportingGrpcService::GetAreaSummary(grpc::ServerContext* c,
                                                  const v1::GetAreaSummaryRequest* r,
                                                  v1::AreaSummary* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.Summary(*r), response);
}

grpc::Status ReportingGrpcService::GetSlaCompliance(grpc::ServerContext* c,
                                                    const v1::GetSlaComplianceRequest* r,
                                                    v1::GetSlaComplianceResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.Compliance(*r), response);
}

grpc::Status ReportingGrpcService::ListOverdue(grpc::ServerContext* c,
                                               const v1::ListOverdueCasesRequest* r,
                                               v1::ListOverdueCasesResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.Overdue(*r), response);
}

grpc::Status ReportingGrpcService::GetWardReport(grpc::ServerContext* c,
                                                 const v1::GetWardReportRequest* r,
                                                 v1::WardReport* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.WardReport(*r), response);
}

grpc::Status ReportingGrpcService::Rebuild(grpc::ServerContext* c, const v1::RebuildRequest*,
                                           v1::RebuildResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(core_.Rebuild(), response);
}

grpc::Status ReportingGrpcService::DescribeModel(grpc::ServerContext* c,
                                                 const v1::DescribeModelRequest*,
                                                 v1::DescribeModelResponse* response) {
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
  *response = core_.Describe();
  return grpc::Status::OK;
}

}  // namespace warroom::reporting
