#include "services/intake/src/grpc_handler.h"

#include "warroom/common/grpc_status.h"

namespace warroom::intake {

grpc::Status IntakeGrpcService::ReportCase(grpc::ServerContext*, const v1::ReportCaseRequest* r,
                                           v1::ReportCaseResponse* response) {
  return Reply(core_.Report(*r), response);
}

grpc::Status IntakeGrpcService::GetCase(grpc::ServerContext*, const v1::GetCaseRequest* r,
                                        v1::Case* response) {
  return Reply(core_.Get(r->case_number()), response);
}

grpc::Status IntakeGrpcService::ListCases(grpc::ServerContext*, const v1::ListCasesRequest* r,
                                          v1::ListCasesResponse* response) {
  return Reply(core_.List(*r), response);
}

grpc::Status IntakeGrpcService::TransitionCase(grpc::ServerContext*,
                                               const v1::TransitionCaseRequest* r,
                                               v1::Case* response) {
  return Reply(core_.Transition(*r), response);
}

grpc::Status IntakeGrpcService::AddNote(grpc::ServerContext*, const v1::AddNoteRequest* r,
                                        v1::Case* response) {
  return Reply(core_.AddNote(*r), response);
}

grpc::Status IntakeGrpcService::ImportCases(
    grpc::ServerContext*,
    grpc::ServerReaderWriter<v1::ImportCaseResult, v1::ImportCaseRecord>* stream) {
  v1::ImportCaseRecord record;
  while (stream->Read(&record)) {
    if (!stream->Write(core_.Import(std::move(record)))) break;  // the client went away
  }
  return grpc::Status::OK;
}

grpc::Status IntakeGrpcService::WatchCases(grpc::ServerContext* ctx,
                                           const v1::WatchCasesRequest* r,
                                           grpc::ServerWriter<v1::CaseChange>* writer) {
  FieldErrors errors;
  if (r->ward_code().empty() == r->municipality_code().empty()) {
    errors.Add("ward_code", "give exactly one of ward_code and municipality_code");
  } else if (!r->ward_code().empty() && core_.geography().FindWard(r->ward_code()) == nullptr) {
    errors.Add("ward_code", "'" + r->ward_code() + "' is not a ward");
  } else if (!r->municipality_code().empty() &&
             core_.geography().FindMunicipality(r->municipality_code()) == nullptr) {
    errors.Add("municipality_code", "'" + r->municipality_code() + "' is not a municipality");
  }
  if (!errors.empty()) return ToGrpcStatus(errors.ToStatus("the watch request is invalid"));
  auto sub = hub_.Subscribe(r->ward_code(), r->municipality_code());
  CaseChangeRef ref;
  while (!ctx->IsCancelled()) {
    if (!sub->Next(ref, std::chrono::milliseconds(250))) continue;
    auto c = core_.Get(ref.case_number);
    if (!c.ok()) continue;
    v1::CaseChange change;
    change.set_change(ref.change);
    *change.mutable_case_() = std::move(*c);
    if (!writer->Write(change)) break;
  }
  return grpc::Status::OK;
}

}  // namespace warroom::intake
