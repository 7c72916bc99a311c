// The gRPC adapter of intake: translates requests to IntakeCore calls and Status to grpc::Status.
#pragma once

#include <functional>
#include <vector>

#include "services/intake/src/intake_core.h"
#include "services/intake/src/watch_call.h"
#include "services/intake/src/watch_hub.h"
#include "warroom/common/authz.h"
#include "warroom/v1/intake.grpc.pb.h"

namespace warroom::intake {

// ReportCase, the hot path, and WatchCases, which may be held open by many watchers, use gRPC's
// callback API: a report is handed to intake's batcher and a watch to the watch pump, without a
// thread waiting for either; the other methods are synchronous.
class IntakeGrpcService final
    : public v1::IntakeService::WithCallbackMethod_WatchCases<
          v1::IntakeService::WithCallbackMethod_ReportCase<v1::IntakeService::Service>> {
 public:
  IntakeGrpcService(IntakeCore& core, WatchHub& hub, const Authorizer& authorizer,
                    prometheus::Registry* registry = nullptr)
      : core_(core), hub_(hub), guard_(authorizer, "IntakeService"), watch_pump_(registry) {}

  grpc::ServerUnaryReactor* ReportCase(grpc::CallbackServerContext*, const v1::ReportCaseRequest* request,
                                       v1::ReportCaseResponse* response) override;
  grpc::Status GetCase(grpc::ServerContext*, const v1::GetCaseRequest* request,
                       v1::Case* response) override;
  grpc::Status ListCases(grpc::ServerContext*, const v1::ListCasesRequest* request,
                         v1::ListCasesResponse* response) override;
  grpc::Status TransitionCase(grpc::ServerContext*, const v1::TransitionCaseRequest* request,
                              v1::Case* response) override;
  grpc::Status AddNote(grpc::ServerContext*, const v1::AddNoteRequest* request,
                       v1::Case* response) override;
  grpc::Status ImportCases(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<v1::ImportCaseResult, v1::ImportCaseRecord>* stream) override;
  grpc::Status ImportCaseGroups(
      grpc::ServerContext*,
      grpc::ServerReaderWriter<v1::ImportCaseResults, v1::ImportCaseRecords>* stream) override;
  grpc::ServerWriteReactor<v1::CaseChange>* WatchCases(grpc::CallbackServerContext*,
                                                       const v1::WatchCasesRequest* request) override;

 private:
  IntakeCore& core_;
  WatchHub& hub_;
  ServiceGuard guard_;
  WatchPump watch_pump_;

  StatusOr<v1::Case> GetOwn(const Caller& caller, const std::string& case_number);
  Status MayAct(const Caller& caller, const std::string& case_number);
  // The import behind both streams: read(record sink) feeds records until the client finishes;
  // write(results) sends one batch's results in order and returns false once the client is gone.
  using RecordSink = std::function<bool(v1::ImportCaseRecord)>;
  grpc::Status RunImport(grpc::ServerContext* c, std::string_view method,
                         const std::function<void(const RecordSink&)>& read,
                         const std::function<bool(std::vector<v1::ImportCaseResult>)>& write);
};

}  // namespace warroom::intake
