#include "services/intake/src/grpc_handler.h"

#include <algorithm>
#include <thread>

#include "warroom/common/api_metadata.h"
#include "warroom/common/bounded_queue.h"
#include "warroom/common/grpc_status.h"

namespace warroom::intake {

grpc::ServerUnaryReactor* IntakeGrpcService::ReportCase(grpc::CallbackServerContext* c,
                                                        const v1::ReportCaseRequest* r,
                                                        v1::ReportCaseResponse* response) {
  grpc::ServerUnaryReactor* reactor = c->DefaultReactor();
  if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  // gRPC keeps the request and response alive until Finish.
  core_.ReportAsync(*r, [reactor, response](StatusOr<v1::ReportCaseResponse> result) {
    reactor->Finish(Reply(std::move(result), response));
  });
  return reactor;
}

// A metro system sees only its own source's cases: another's, or none at all, is the same
// PERMISSION_DENIED, so the answer says nothing about a case that is not the caller's.
StatusOr<v1::Case> IntakeGrpcService::GetOwn(const Caller& caller, const std::string& case_number) {
  auto found = core_.Get(case_number);
  if (!caller.scoped()) return found;
  if (!found.ok() && found.status().code() == StatusCode::kInvalidArgument) return found;  // mistyped
  if (!found.ok() || !caller.MayUseSource(found->source_system())) return PermissionDenied();
  return found;
}

// Whether the caller may act on the case: any case when unscoped (no look-up), else its own.
Status IntakeGrpcService::MayAct(const Caller& caller, const std::string& case_number) {
  return caller.scoped() ? GetOwn(caller, case_number).status() : Status::Ok();
}

grpc::Status IntakeGrpcService::GetCase(grpc::ServerContext* c, const v1::GetCaseRequest* r,
                                        v1::Case* response) {
  auto caller = guard_.Authorize(*c, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(GetOwn(*caller, r->case_number()), response);
}

grpc::Status IntakeGrpcService::ListCases(grpc::ServerContext* c, const v1::ListCasesRequest* r,
                                          v1::ListCasesResponse* response) {
  auto caller = guard_.Authorize(*c, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto page = core_.List(*r);
  if (page.ok() && caller->scoped()) {
    // Filtered page by page: a page may hold fewer cases than asked, its token still leads on.
    auto* cases = page->mutable_cases();
    cases->erase(std::remove_if(cases->begin(), cases->end(),
                                [&](const v1::Case& k) { return !caller->MayUseSource(k.source_system()); }),
                 cases->end());
  }
  return Reply(std::move(page), response);
}

grpc::Status IntakeGrpcService::TransitionCase(grpc::ServerContext* c,
                                               const v1::TransitionCaseRequest* r,
                                               v1::Case* response) {
  auto caller = guard_.Authorize(*c, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (Status own = MayAct(*caller, r->case_number()); !own.ok()) return ToGrpcStatus(own);
  return Reply(core_.Transition(*r), response);
}

grpc::Status IntakeGrpcService::AddNote(grpc::ServerContext* c, const v1::AddNoteRequest* r,
                                        v1::Case* response) {
  auto caller = guard_.Authorize(*c, __func__);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (Status own = MayAct(*caller, r->case_number()); !own.ok()) return ToGrpcStatus(own);
  return Reply(core_.AddNote(*r), response);
}

grpc::Status IntakeGrpcService::RunImport(
    grpc::ServerContext* c, std::string_view method, const std::function<void(const RecordSink&)>& read,
    const std::function<bool(std::vector<v1::ImportCaseResult>)>& write) {
  auto caller = guard_.Authorize(*c, method);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  // A reader thread keeps records coming while a batch is imported; each batch is what has
  // arrived meanwhile (up to kBatch), so a slow feed gets its results at once and a fast one in
  // a few Redis round trips per batch. The queue is bounded: a full one stops reading, which
  // gRPC's flow control passes back to the sender. (Writing the results on a third thread, while
  // the next batch is imported, was measured: no gain, see docs/PERFORMANCE.md.)
  constexpr size_t kBatch = 512;
  BoundedQueue<v1::ImportCaseRecord> records(4 * kBatch);
  std::thread reader([&] {
    read([&](v1::ImportCaseRecord record) { return records.Push(std::move(record)); });
    records.Close();  // the client finished sending (or went away)
  });
  bool gone = false;
  while (!gone) {
    auto batch = records.PopUpTo(kBatch);
    if (batch.empty()) break;  // the client finished sending and everything is answered
    gone = !write(core_.ImportMany(std::move(batch), *caller));
  }
  if (gone) c->TryCancel();  // the client went away: stop reading too
  records.Close();
  reader.join();
  return grpc::Status::OK;
}

grpc::Status IntakeGrpcService::ImportCases(
    grpc::ServerContext* c,
    grpc::ServerReaderWriter<v1::ImportCaseResult, v1::ImportCaseRecord>* stream) {
  auto read = [stream](const RecordSink& sink) {
    v1::ImportCaseRecord record;
    while (stream->Read(&record) && sink(std::move(record))) {
    }
  };
  // Plain writes, a message per result: a sync Write returns when its message is sent, and a
  // message written with the buffer hint is not sent until a later one is, so once the client has
  // finished sending (no Read pending either) a hinted write would wait for ever. A sender that
  // wants fewer messages uses ImportCaseGroups.
  auto write = [stream](std::vector<v1::ImportCaseResult> results) {
    for (const auto& result : results) {
      if (!stream->Write(result)) return false;
    }
    return true;
  };
  return RunImport(c, __func__, read, write);
}

grpc::Status IntakeGrpcService::ImportCaseGroups(
    grpc::ServerContext* c,
    grpc::ServerReaderWriter<v1::ImportCaseResults, v1::ImportCaseRecords>* stream) {
  auto read = [stream](const RecordSink& sink) {
    v1::ImportCaseRecords group;
    while (stream->Read(&group)) {
      for (auto& record : *group.mutable_records()) {
        if (!sink(std::move(record))) return;
      }
    }
  };
  // One message per batch: at most kBatch results of a few dozen bytes each.
  auto write = [stream](std::vector<v1::ImportCaseResult> results) {
    v1::ImportCaseResults group;
    group.mutable_results()->Reserve(static_cast<int>(results.size()));
    for (auto& result : results) *group.add_results() = std::move(result);
    return stream->Write(group);
  };
  return RunImport(c, __func__, read, write);
}

grpc::ServerWriteReactor<v1::CaseChange>* IntakeGrpcService::WatchCases(
    grpc::CallbackServerContext* ctx, const v1::WatchCasesRequest* r) {
  auto caller = guard_.Authorize(*ctx, __func__);
  if (!caller.ok()) return RefuseWatch(ToGrpcStatus(caller.status()));
  FieldErrors errors;
  if (r->ward_code().empty() == r->municipality_code().empty()) {
    errors.Add("ward_code", "give exactly one of ward_code and municipality_code");
  } else if (!r->ward_code().empty() && core_.geography().FindWard(r->ward_code()) == nullptr) {
    errors.Add("ward_code", "'" + r->ward_code() + "' is not a ward");
  } else if (!r->municipality_code().empty() &&
             core_.geography().FindMunicipality(r->municipality_code()) == nullptr) {
    errors.Add("municipality_code", "'" + r->municipality_code() + "' is not a municipality");
  }
  WatchRequest request{r->ward_code(), r->municipality_code(), std::nullopt};
  if (!r->resume_token().empty()) {
    request.resume = ChangeId::Parse(r->resume_token());
    if (!request.resume) errors.Add("resume_token", "is not a token this service gave out");
  }
  if (!errors.empty()) return RefuseWatch(ToGrpcStatus(errors.ToStatus("the watch request is invalid")));
  return StartWatch(ctx, watch_pump_, core_, hub_, std::move(*caller), std::move(request));
}

}  // namespace warroom::intake
