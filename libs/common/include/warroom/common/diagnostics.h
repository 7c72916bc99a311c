// The Diagnostics service every binary serves: Echo returns its payload unchanged.
#pragma once

#include "warroom/v1/diagnostics.grpc.pb.h"

namespace warroom {

class DiagnosticsService final : public v1::Diagnostics::Service {
 public:
  grpc::Status Echo(grpc::ServerContext*, const v1::EchoRequest* request,
                    v1::EchoResponse* response) override {
    response->set_payload(request->payload());
    return grpc::Status::OK;
  }
};

}  // namespace warroom
