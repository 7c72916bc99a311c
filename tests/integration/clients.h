// Small gRPC client helpers the end-to-end tests share.
#pragma once

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "testing/process.h"
#include "warroom/common/topics.h"
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
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));  // a failure, never a hang
  v1::ReportCaseResponse resp;
  grpc::Status s = stub.ReportCase(&ctx, r, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return resp.case_number();
}

// warroomctl run to its end: its exit code and what it printed (stdout and stderr, in log_path).
struct CtlRun {
  int code;
  std::string out;
};
inline CtlRun Warroomctl(const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<std::string> argv = {BinaryPath("tools/warroomctl/warroomctl")};
  argv.insert(argv.end(), args.begin(), args.end());
  Process ctl(argv, log_path);
  int code = ctl.Wait(std::chrono::seconds(30));
  return {code, ctl.Log()};
}

// The messages of warroomctl --json output (one JSON object a line; other lines skipped).
template <typename Message>
std::vector<Message> JsonLines(const std::string& out) {
  std::vector<Message> messages;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    Message m;
    if (!line.empty() && line[0] == '{' && google::protobuf::util::JsonStringToMessage(line, &m).ok()) {
      messages.push_back(std::move(m));
    }
  }
  return messages;
}

// Every case a ListCases request matches, page after page (a test failure, and what was read so
// far, when a page is refused).
inline std::vector<v1::Case> ListAllCases(v1::IntakeService::Stub& stub, v1::ListCasesRequest r) {
  std::vector<v1::Case> cases;
  do {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::ListCasesResponse page;
    grpc::Status s = stub.ListCases(&ctx, r, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!s.ok()) break;
    cases.insert(cases.end(), page.cases().begin(), page.cases().end());
    r.set_page_token(page.next_page_token());
  } while (!r.page_token().empty());
  return cases;
}

// The case as intake shows it now (an empty case when it cannot be read).
inline v1::Case GetCase(v1::IntakeService::Stub& stub, const std::string& case_number) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::GetCaseRequest r;
  r.set_case_number(case_number);
  v1::Case c;
  (void)stub.GetCase(&ctx, r, &c);
  return c;
}

// Everything a run left where personal information must never be: every message of every topic
// (key, headers and value, read with kcat) and every log file in dir.
inline std::string TopicsAndLogs(const std::string& bootstrap, const std::string& dir) {
  std::string everything;
  for (const auto& topic : kTopics) {
    everything += Shell("kcat -b " + bootstrap + " -C -t " + std::string(topic.name) +
                        " -e -q -f '%k %h %s\\n' 2>/dev/null");
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") everything += Process::ReadFile(entry.path().string());
  }
  return everything;
}

struct PersonalDetails {
  std::string name, phone, phone_e164, id_number;
};

// Fails for every form of a person's details found in the haystack: full name, surname, the
// phone as written, in E.164 and as bare digits, the ID number.
inline void ExpectNoPersonalDetails(const std::string& haystack, const std::vector<PersonalDetails>& people) {
  auto digits_only = [](std::string s) {
    std::erase_if(s, [](char c) { return c == ' ' || c == '+'; });
    return s;
  };
  for (const auto& p : people) {
    for (const std::string& needle : {p.name, p.name.substr(p.name.rfind(' ') + 1), p.phone,
                                      p.phone_e164, digits_only(p.phone), p.id_number}) {
      if (needle.empty()) continue;
      EXPECT_EQ(haystack.find(needle), std::string::npos) << "'" << needle << "' leaked";
    }
  }
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
