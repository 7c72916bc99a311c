// The one place where our Status becomes a grpc::Status (and back, for clients). Field violations
// travel as google.rpc.BadRequest in the status details, so clients see which field is wrong.
#pragma once

#include <grpcpp/support/status.h>

#include "warroom/common/status.h"

namespace warroom {

grpc::Status ToGrpcStatus(const Status& status);
Status FromGrpcStatus(const grpc::Status& status);

}  // namespace warroom
