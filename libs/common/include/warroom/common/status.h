// A small Status/StatusOr for our own code. gRPC never appears here: grpc_status.h converts a
// Status to grpc::Status in exactly one place.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace warroom {

// Codes mirror grpc::StatusCode so that the conversion is a plain cast.
enum class StatusCode {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

std::string_view StatusCodeName(StatusCode code);

// One wrong field of a request: the field path (e.g. "place.ward_code") and why it is wrong.
struct FieldViolation {
  std::string field;
  std::string description;
  friend bool operator==(const FieldViolation&, const FieldViolation&) = default;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::vector<FieldViolation> violations = {})
      : code_(code), message_(std::move(message)), violations_(std::move(violations)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldViolation>& violations() const { return violations_; }

  // "INVALID_ARGUMENT: report is invalid [place.ward_code: not a Gauteng ward]"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::vector<FieldViolation> violations_;
};

inline Status InvalidArgumentError(std::string message, std::vector<FieldViolation> v = {}) {
  return Status(StatusCode::kInvalidArgument, std::move(message), std::move(v));
}
inline Status NotFoundError(std::string message) {
  return Status(StatusCode::kNotFound, std::move(message));
}
inline Status AlreadyExistsError(std::string message) {
  return Status(StatusCode::kAlreadyExists, std::move(message));
}
inline Status FailedPreconditionError(std::string message) {
  return Status(StatusCode::kFailedPrecondition, std::move(message));
}
inline Status AbortedError(std::string message) {
  return Status(StatusCode::kAborted, std::move(message));
}
inline Status UnavailableError(std::string message) {
  return Status(StatusCode::kUnavailable, std::move(message));
}
inline Status InternalError(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}
inline Status PermissionDeniedError(std::string message) {
  return Status(StatusCode::kPermissionDenied, std::move(message));
}
inline Status UnauthenticatedError(std::string message) {
  return Status(StatusCode::kUnauthenticated, std::move(message));
}
inline Status DataLossError(std::string message) {
  return Status(StatusCode::kDataLoss, std::move(message));
}

// INVALID_ARGUMENT "field: description" carrying that one field violation.
inline Status FieldError(std::string field, std::string description) {
  std::string message = field + ": " + description;
  return InvalidArgumentError(std::move(message), {{std::move(field), std::move(description)}});
}

// Collects field violations while a request is validated, then becomes one Status.
class FieldErrors {
 public:
  void Add(std::string field, std::string description) {
    violations_.push_back({std::move(field), std::move(description)});
  }
  bool empty() const { return violations_.empty(); }
  const std::vector<FieldViolation>& violations() const { return violations_; }
  // Ok when nothing was added, else INVALID_ARGUMENT carrying every violation.
  Status ToStatus(std::string_view what) const;

 private:
  std::vector<FieldViolation> violations_;
};

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : value_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(value_).ok()) value_ = Status(StatusCode::kInternal, "StatusOr of Ok");
  }

  bool ok() const { return std::holds_alternative<T>(value_); }
  // A reference for lvalues, so that `for (auto& v : result.status().violations())` is safe.
  const Status& status() const& {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(value_);
  }
  Status status() && { return ok() ? Status::Ok() : std::get<Status>(std::move(value_)); }
  const T& value() const& { return std::get<T>(value_); }
  T& value() & { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<Status, T> value_;
};

}  // namespace warroom

// Returns early with the status of an expression that failed.
#define WARROOM_RETURN_IF_ERROR(expr)            \
  do {                                           \
    ::warroom::Status warroom_status_ = (expr);  \
    if (!warroom_status_.ok()) return warroom_status_; \
  } while (0)
