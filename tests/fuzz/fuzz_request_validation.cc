// Requests as any client may send them: a report, a metro import record or a lifecycle action on
// an open case, decoded from the bytes as protobuf. Validation answers OK or INVALID_ARGUMENT
// naming at least one field (FAILED_PRECONDITION for an action the state does not allow), never
// anything else, and never crashes.
#include <cstddef>
#include <cstdint>

#include "services/intake/src/case_rules.h"
#include "tests/fuzz/fuzz_geography.h"

namespace {

void CheckRefusal(const warroom::Status& s, bool precondition_allowed) {
  if (s.ok()) return;
  if (s.code() == warroom::StatusCode::kInvalidArgument) {
    if (s.violations().empty()) __builtin_trap();
    return;
  }
  if (precondition_allowed && s.code() == warroom::StatusCode::kFailedPrecondition) return;
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const warroom::intake::IntakeLimits limits;
  const auto now = warroom::TimePoint(std::chrono::seconds(1'790'000'000));
  const uint8_t kind = data[0] % 3;
  ++data;
  --size;
  if (kind == 0) {
    warroom::v1::ReportCaseRequest r;
    if (!r.ParseFromArray(data, static_cast<int>(size))) return 0;
    CheckRefusal(warroom::intake::ValidateReport(r, warroom::fuzz::Geo(), limits), false);
  } else if (kind == 1) {
    warroom::v1::ImportCaseRecord r;
    if (!r.ParseFromArray(data, static_cast<int>(size))) return 0;
    CheckRefusal(warroom::intake::ValidateImportRecord(r, warroom::fuzz::Geo(), limits, now), false);
  } else {
    warroom::v1::TransitionCaseRequest r;
    if (!r.ParseFromArray(data, static_cast<int>(size))) return 0;
    warroom::v1::Case current;
    current.set_case_number("GP26-0000001-4");
    current.set_status(warroom::v1::CASE_STATUS_IN_PROGRESS);
    current.set_category(warroom::v1::CATEGORY_WATER);
    current.set_version(3);
    current.mutable_place()->set_ward_code("79800001");
    auto result = warroom::intake::ApplyTransition(current, r, now, warroom::fuzz::Geo(), limits);
    CheckRefusal(result.status(), true);
  }
  return 0;
}
