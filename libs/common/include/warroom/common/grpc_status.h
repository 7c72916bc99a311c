// The one place where our Status becomes a grpc::Status (and back, for clients). Field violations
// travel as google.rpc.BadRequest in the status details, so clients see which field is wrong.
#pragma once

#include <grpcpp/support/status.h>

#include "warroom/common/status.h"

namespace warroom {

grpc::Status ToGrpcStatus(const Status& status);
Status FromGrpcStatus(const grpc::Status& status);

// A handler's last line: moves the value into the response, or converts the error.
template <typename T>
grpc::Status Reply(StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace warroom
