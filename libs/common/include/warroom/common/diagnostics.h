// The Diagnostics service every binary serves: Echo returns its payload unchanged.
#pragma once

#include "warroom/common/authz.h"
#include "warroom/common/grpc_status.h"
#include "warroom/v1/diagnostics.grpc.pb.h"

namespace warroom {

class DiagnosticsService final : public v1::Diagnostics::Service {
 public:
  explicit DiagnosticsService(const Authorizer& authorizer) : guard_(authorizer, "Diagnostics") {}

  grpc::Status Echo(grpc::ServerContext* c, const v1::EchoRequest* request,
                    v1::EchoResponse* response) override {
    if (auto caller = guard_.Authorize(*c, __func__); !caller.ok()) return ToGrpcStatus(caller.status());
    response->set_payload(request->payload());
    return grpc::Status::OK;
  }

 private:
  ServiceGuard guard_;
};

}  // namespace warroom
