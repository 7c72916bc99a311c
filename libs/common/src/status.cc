#include "warroom/common/status.h"

#include <array>

namespace warroom {

std::string_view StatusCodeName(StatusCode code) {
  static constexpr std::array<std::string_view, 17> kNames = {
      "OK",        "CANCELLED",         "UNKNOWN",          "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",   "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",      "UNAVAILABLE",      "DATA_LOSS",
      "UNAUTHENTICATED"};
  auto index = static_cast<size_t>(code);
  return index < kNames.size() ? kNames[index] : "UNKNOWN";
}

std::string Status::ToString() const {
  std::string out(StatusCodeName(code_));
  if (!message_.empty()) out += ": " + message_;
  if (!violations_.empty()) {
    out += " [";
    for (size_t i = 0; i < violations_.size(); ++i) {
      if (i) out += "; ";
      out += violations_[i].field + ": " + violations_[i].description;
    }
    out += "]";
  }
  return out;
}

Status FieldErrors::ToStatus(std::string_view what) const {
  if (violations_.empty()) return Status::Ok();
  return InvalidArgumentError(std::string(what), violations_);
}

}  // namespace warroom
