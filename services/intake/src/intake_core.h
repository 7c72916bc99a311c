// Intake's application logic: report, read, list, transition, note, import, and applying routing
// and escalation events to the case view. Knows Redis only through CaseStore and OutboxStore, and
// nothing of gRPC or Kafka's API.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "services/intake/src/case_rules.h"
#include "services/intake/src/case_store.h"
#include "warroom/common/case_number.h"
#include "warroom/common/authz.h"
#include "warroom/common/events.h"
#include "warroom/common/geography.h"
#include "warroom/common/batcher.h"
#include "warroom/common/kafka.h"
#include "warroom/common/pii_cipher.h"
#include "warroom/v1/intake.pb.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
}  // namespace prometheus

namespace warroom::intake {

struct IntakeOptions {
  std::string case_prefix = "GP";         // the province part of a case number
  std::chrono::hours utc_offset{2};       // South African Standard Time, for the year of a number
  IntakeLimits limits;
  std::chrono::hours request_ttl{24 * 30};  // how long a client request id is remembered
  double duplicate_radius_m = 50;
  std::chrono::hours duplicate_window{24 * 14};
  // Seals the reporter's contact at rest; without one the contact is stored marked plain.
  const PiiCipher* pii = nullptr;
};

class IntakeCore {
 public:
  IntakeCore(CaseStore& store, OutboxStore& outbox, const Geography& geo, const Clock& clock,
             IdGenerator& ids, IntakeOptions options, prometheus::Registry* registry);

  StatusOr<v1::ReportCaseResponse> Report(v1::ReportCaseRequest request);
  // The same without waiting: done gets the answer, on the report batcher's answering thread.
  using ReportDone = std::function<void(StatusOr<v1::ReportCaseResponse>)>;
  void ReportAsync(v1::ReportCaseRequest request, ReportDone done);
  StatusOr<v1::Case> Get(std::string_view case_number);
  StatusOr<v1::ListCasesResponse> List(const v1::ListCasesRequest& request);
  StatusOr<v1::Case> Transition(const v1::TransitionCaseRequest& request);
  StatusOr<v1::Case> AddNote(const v1::AddNoteRequest& request);
  // One metro feed record; never fails the stream: problems become a REJECTED result, and so
  // does a record of a source system the caller may not import (a metro imports only its own).
  v1::ImportCaseResult Import(v1::ImportCaseRecord record, const Caller& caller = {});
  // Many records at once, with the same outcome as importing them one by one in order, in a few
  // Redis round trips instead of several per record. One result per record, in order.
  std::vector<v1::ImportCaseResult> ImportMany(std::vector<v1::ImportCaseRecord> records,
                                               const Caller& caller = {});
  // Applies an assignment or SLA event to the case view, once per event id.
  Status ApplyEvent(const KafkaMessage& message);

  const Geography& geography() const { return geo_; }

 private:
  struct NewCase {
    std::string idempotency_key;  // a request key or a source key, whichever guards creation
    v1::Case c;
    v1::ReporterContact contact;
    bool has_contact = false;
    std::string source_hash;
  };
  struct Created {
    v1::Case c;  // the new case; for an earlier one its number (a report's batch loads the rest)
    bool earlier = false;     // an earlier call with the same key made it
    std::string source_hash;  // for an earlier source record, the hash stored with it
  };
  // Allocates numbers, links possible duplicates and commits, in order; one result per spec.
  // Cases are looked up and committed together where none could meet another (see CreateSegment).
  std::vector<StatusOr<Created>> CreateMany(std::vector<NewCase> specs);
  void CreateSegment(std::span<NewCase> specs, TimePoint now, std::vector<StatusOr<Created>>& out);
  Mutation NewCaseMutation(const NewCase& spec, const CaseNumber& number);
  // Replaces each earlier case (only its number) by the whole case, read together.
  void LoadEarlier(std::vector<StatusOr<Created>>& created);
  // The commands that find possible duplicates, to run in the same round trip as others.
  std::vector<RedisArgs> DuplicateQueries(const v1::Case& c) const;
  // The earliest open case of the same kind near c among the candidates, or "".
  std::string PickDuplicate(const v1::Case& c, const std::vector<const v1::Case*>& candidates) const;
  // Within the duplicate radius when both have a position, else in the same ward.
  bool Near(const v1::Case& a, const v1::Case& b) const;
  // Commits a change guarded by the loaded version; `also` adds commands to the same script.
  // ABORTED when the case changed meanwhile.
  StatusOr<v1::Case> CommitChange(const LoadedCase& before, v1::Case after,
                                  std::vector<v1::EventEnvelope> events, std::string_view change,
                                  const std::string& correlation,
                                  const std::function<void(Mutation&)>& also = {});
  StatusOr<v1::Case> Reload(const std::string& cn);
  void Emit(Mutation& m, const v1::Case& c, v1::EventEnvelope payload,
            const std::string& correlation);
  v1::ImportCaseResult UpdateFromSource(const v1::ImportCaseRecord& record, const std::string& cn,
                                        const std::string& hash);
  int YearOf(TimePoint t) const;

  CaseStore& store_;
  OutboxStore& outbox_;
  const Geography& geo_;
  const Clock& clock_;
  EventFactory events_;
  IdGenerator& ids_;
  IntakeOptions options_;
  prometheus::Family<prometheus::Counter>* reported_ = nullptr;
  prometheus::Family<prometheus::Counter>* transitions_ = nullptr;
  prometheus::Family<prometheus::Counter>* imported_ = nullptr;
  // Concurrent reports are created together (see CreateMany), on the batcher's thread, and
  // answered on its other. Last member: its threads stop (answering what waits) before the rest is
  // destroyed.
  std::unique_ptr<Batcher<NewCase, StatusOr<Created>>> reports_;
};

}  // namespace warroom::intake
