// Small gRPC client helpers the end-to-end tests share.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "warroom/v1/intake.grpc.pb.h"

namespace warroom::testing {

inline std::unique_ptr<v1::IntakeService::Stub> IntakeStub(const std::string& target) {
  return v1::IntakeService::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
}

// Reports an anonymous case and returns its number (empty, with a test failure, if refused).
inline std::string ReportCase(v1::IntakeService::Stub& stub, const std::string& request_id,
                              v1::Category category, const std::string& ward,
                              v1::Channel channel = v1::CHANNEL_HOTLINE) {
  v1::ReportCaseRequest r;
  r.set_client_request_id(request_id);
  r.set_channel(channel);
  r.set_category(category);
  r.mutable_place()->set_ward_code(ward);
  r.set_description("Reported by an end-to-end test");
  grpc::ClientContext ctx;
  v1::ReportCaseResponse resp;
  grpc::Status s = stub.ReportCase(&ctx, r, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp.case_number();
}

// The case as intake shows it now (an empty case when it cannot be read).
inline v1::Case GetCase(v1::IntakeService::Stub& stub, const std::string& case_number) {
  grpc::ClientContext ctx;
  v1::GetCaseRequest r;
  r.set_case_number(case_number);
  v1::Case c;
  (void)stub.GetCase(&ctx, r, &c);
  return c;
}

// Writes an SLA policy with short tiers for tests (every hour counts) and returns the
// environment that points escalation at it, with a fast sweep.
inline std::map<std::string, std::string> ShortSlaPolicy(const std::string& path,
                                                         const std::string& ward,
                                                         const std::string& higher_tiers) {
  std::ofstream(path) << "warning_at: 0.75\ncalendars:\n  always: {always: true}\npolicies:\n"
                      << "  default: {calendar: always, acknowledge: 1h, ward: " << ward
                      << ", local: " << higher_tiers << ", district: " << higher_tiers
                      << ", province: " << higher_tiers << "}\n"
                      << "critical: {calendar: always, acknowledge: 1h, rapid_response: "
                      << higher_tiers << "}\n";
  return {{"WARROOM_SLA_POLICY_FILE", path}, {"WARROOM_SLA_SWEEP_INTERVAL", "100ms"}};
}

}  // namespace warroom::testing
