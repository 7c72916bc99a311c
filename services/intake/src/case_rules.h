// Intake's rules as pure functions over protos: request validation with field-level errors, and
// the case lifecycle state machine. No Redis, Kafka or gRPC in here.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "warroom/common/clock.h"
#include "warroom/common/geography.h"
#include "warroom/common/status.h"
#include "warroom/common/timestamps.h"
#include "warroom/v1/events.pb.h"
#include "warroom/v1/intake.pb.h"

namespace warroom::intake {

struct IntakeLimits {
  size_t max_description_chars = 4000;
  size_t max_note_chars = 4000;
  std::chrono::hours reopen_window{24 * 90};
};

// Counts UTF-8 code points (what a person calls characters).
size_t CountCharacters(std::string_view utf8);

// Checks a place and fills in the municipality from the ward. prefix is the field path of the
// place ("place").
void CheckPlace(v1::Place& place, const Geography& geo, const std::string& prefix,
                FieldErrors& errors);

// Every problem of a report at once, each with its field. Fills in derived place fields.
Status ValidateReport(v1::ReportCaseRequest& request, const Geography& geo,
                      const IntakeLimits& limits);

Status ValidateImportRecord(v1::ImportCaseRecord& record, const Geography& geo,
                            const IntakeLimits& limits, TimePoint now);

bool IsOpen(v1::CaseStatus status);

// A transition's result: the case as it becomes (version not yet bumped) and the payloads of the
// events it causes (only the payload of each envelope is set).
struct TransitionResult {
  v1::Case updated;
  std::vector<v1::EventEnvelope> events;
};

// Applies one lifecycle action. FAILED_PRECONDITION names the current state when the action is
// not allowed from it; INVALID_ARGUMENT names the field of a bad argument.
StatusOr<TransitionResult> ApplyTransition(const v1::Case& current,
                                           const v1::TransitionCaseRequest& request,
                                           TimePoint now, const Geography& geo,
                                           const IntakeLimits& limits);


}  // namespace warroom::intake
