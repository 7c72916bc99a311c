// Every gRPC service of package warroom.v1, from the generated descriptors (referencing a message
// of each proto file links it in, so its services are in the pool). A test that walks them covers
// a new RPC without being edited; add a proto file with a service here.
#pragma once

#include <google/protobuf/descriptor.h>

#include <vector>

#include "warroom/v1/diagnostics.pb.h"
#include "warroom/v1/escalation.pb.h"
#include "warroom/v1/household.pb.h"
#include "warroom/v1/intake.pb.h"
#include "warroom/v1/psp.pb.h"
#include "warroom/v1/reporting.pb.h"
#include "warroom/v1/routing.pb.h"

namespace warroom::testing {

// The Diagnostics service every binary serves besides its own.
inline const google::protobuf::ServiceDescriptor* DiagnosticsService() {
  return v1::EchoRequest::descriptor()->file()->service(0);
}

// The services the six binaries serve as their own API (Diagnostics not included).
inline std::vector<const google::protobuf::ServiceDescriptor*> ApiServices() {
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  for (const auto* f : {v1::GetSlaRequest::descriptor()->file(), v1::RegisterHouseholdRequest::descriptor()->file(),
                        v1::ReportCaseRequest::descriptor()->file(), v1::RegisterFirmRequest::descriptor()->file(),
                        v1::GetAreaSummaryRequest::descriptor()->file(),
                        v1::GetAssignmentRequest::descriptor()->file()}) {
    for (int i = 0; i < f->service_count(); ++i) services.push_back(f->service(i));
  }
  return services;
}

}  // namespace warroom::testing
