// warroom-intake as a user meets it: the real binary over gRPC on TCP, with real Redis and the
// embedded broker, events checked on the topic with kcat.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "testing/process.h"
#include "tests/integration/clients.h"
#include "warroom/common/case_number.h"
#include "warroom/common/grpc_status.h"
#include "warroom/common/redis.h"
#include "warroom/v1/intake.grpc.pb.h"

namespace warroom {
namespace {

using testing::BinaryPath;
using testing::WaitFor;

class IntakeIntegrationTest : public ::testing::Test {
 protected:
  IntakeIntegrationTest()
      : redis_server_(dir_.path()),
        broker_(dir_.path()),
        intake_("intake", dir_.path(), redis_server_.port(), broker_.bootstrap()) {
    Connect();
  }
  void Connect() {
    stub_ = v1::IntakeService::NewStub(
        grpc::CreateChannel(intake_.target(), grpc::InsecureChannelCredentials()));
  }

  v1::ReportCaseRequest Report(const std::string& id, v1::Channel channel = v1::CHANNEL_HOTLINE) {
    v1::ReportCaseRequest r;
    r.set_client_request_id(id);
    r.set_channel(channel);
    r.set_category(v1::CATEGORY_WATER);
    r.mutable_place()->set_ward_code("79900012");
    r.set_description("No water at the clinic");
    return r;
  }

  grpc::Status Call(const v1::ReportCaseRequest& r, v1::ReportCaseResponse* resp) {
    grpc::ClientContext ctx;
    return stub_->ReportCase(&ctx, r, resp);
  }

  // Every message on warroom.cases.v1 as "key type" lines, read with kcat.
  std::vector<std::pair<std::string, std::string>> CaseEvents() {
    std::string out = testing::Shell("kcat -b " + broker_.bootstrap() +
                                     " -C -t warroom.cases.v1 -e -q -f '%k %h\\n' 2>/dev/null");
    std::vector<std::pair<std::string, std::string>> events;
    size_t start = 0;
    while (start < out.size()) {
      size_t end = out.find('\n', start);
      std::string line = out.substr(start, end - start);
      start = end == std::string::npos ? out.size() : end + 1;
      auto space = line.find(' ');
      auto type = line.find("warroom-event-type=");
      if (space == std::string::npos || type == std::string::npos) continue;
      std::string t = line.substr(type + 19);
      t = t.substr(0, t.find(','));
      events.emplace_back(line.substr(0, space), t);
    }
    return events;
  }

  // warroomctl against this intake.
  testing::CtlRun Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--target", intake_.target()});
    return testing::Warroomctl(args, dir_.File("warroomctl-" + std::to_string(++ctl_runs_) + ".log"));
  }
  static std::vector<v1::Case> CasesIn(const std::string& out) { return testing::JsonLines<v1::Case>(out); }

  testing::TestDir dir_;
  int ctl_runs_ = 0;
  testing::RedisServer redis_server_;
  testing::Broker broker_;
  testing::ServiceProcess intake_;
  std::unique_ptr<v1::IntakeService::Stub> stub_;
};

TEST_F(IntakeIntegrationTest, EveryChannelGetsACaseNumberAndAnEventOnTheTopic) {
  std::set<std::string> numbers;
  for (int ch = v1::CHANNEL_HOTLINE; ch <= v1::CHANNEL_MEDIA; ++ch) {
    v1::ReportCaseResponse resp;
    auto s = Call(Report("ch-" + std::to_string(ch), static_cast<v1::Channel>(ch)), &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(ParseCaseNumber(resp.case_number()).ok()) << resp.case_number();
    numbers.insert(resp.case_number());
  }
  EXPECT_EQ(numbers.size(), 10u);
  ASSERT_TRUE(WaitFor([&] { return CaseEvents().size() >= 10; }));
  std::set<std::string> on_topic;
  for (const auto& [key, type] : CaseEvents()) {
    if (type == "case_reported") on_topic.insert(key);
  }
  EXPECT_EQ(on_topic, numbers);
}

TEST_F(IntakeIntegrationTest, BadInputGetsFieldLevelDetails) {
  v1::ReportCaseRequest r = Report("bad");
  r.mutable_place()->set_ward_code("79800999");
  r.mutable_reporter()->set_phone("+1 555 0100");
  v1::ReportCaseResponse resp;
  grpc::Status s = Call(r, &resp);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  Status st = FromGrpcStatus(s);
  ASSERT_EQ(st.violations().size(), 2u);
  EXPECT_EQ(st.violations()[0].field, "place.ward_code");
  EXPECT_EQ(st.violations()[1].field, "reporter.phone");
}

TEST_F(IntakeIntegrationTest, ARetryReturnsTheSameCase) {
  v1::ReportCaseResponse a, b;
  ASSERT_TRUE(Call(Report("retry-1"), &a).ok());
  ASSERT_TRUE(Call(Report("retry-1"), &b).ok());
  EXPECT_EQ(a.case_number(), b.case_number());
  EXPECT_TRUE(b.replayed());
}

TEST_F(IntakeIntegrationTest, TheLifecycleOverGrpcWithConflictsAndWrongStates) {
  v1::ReportCaseResponse created;
  ASSERT_TRUE(Call(Report("life"), &created).ok());
  v1::Case c = created.case_();
  auto transition = [&](int64_t version, auto set) {
    v1::TransitionCaseRequest r;
    r.set_case_number(c.case_number());
    r.set_expected_version(version);
    set(r);
    grpc::ClientContext ctx;
    v1::Case out;
    grpc::Status s = stub_->TransitionCase(&ctx, r, &out);
    if (s.ok()) c = out;
    return s;
  };
  EXPECT_TRUE(transition(1, [](auto& r) { r.mutable_acknowledge(); }).ok());
  grpc::Status stale = transition(1, [](auto& r) { r.mutable_start_work(); });
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED);
  grpc::Status wrong = transition(2, [](auto& r) { r.mutable_close(); });
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(wrong.error_message().find("acknowledged"), std::string::npos);
  EXPECT_TRUE(transition(2, [](auto& r) { r.mutable_start_work(); }).ok());
  EXPECT_TRUE(transition(3, [](auto& r) { r.mutable_resolve()->set_resolution_note("Fixed"); }).ok());
  EXPECT_TRUE(transition(4, [](auto& r) { r.mutable_close(); }).ok());
  EXPECT_EQ(c.status(), v1::CASE_STATUS_CLOSED);

  grpc::ClientContext ctx;
  v1::GetCaseRequest get;
  get.set_case_number(c.case_number().substr(0, 13) + std::to_string((c.case_number()[13] - '0' + 1) % 10));
  v1::Case unused;
  grpc::Status mistyped = stub_->GetCase(&ctx, get, &unused);
  EXPECT_EQ(mistyped.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(mistyped.error_message().find("mistyped"), std::string::npos);
  ASSERT_TRUE(WaitFor([&] { return CaseEvents().size() >= 5; }));
}

TEST_F(IntakeIntegrationTest, WatchSeesChangesInItsWard) {
  grpc::ClientContext ctx;
  v1::WatchCasesRequest w;
  w.set_ward_code("79900012");
  auto reader = stub_->WatchCases(&ctx, w);
  reader->WaitForInitialMetadata();  // the watch is live: the next change reaches it
  v1::ReportCaseResponse created;
  ASSERT_TRUE(Call(Report("watch-1"), &created).ok());
  v1::CaseChange change;
  ASSERT_TRUE(reader->Read(&change));
  EXPECT_EQ(change.change(), "case_reported");
  EXPECT_EQ(change.case_().case_number(), created.case_number());
  EXPECT_EQ(change.case_().place().ward_code(), "79900012");
  EXPECT_FALSE(change.resume_token().empty());
  ctx.TryCancel();
}

// Threads of a running process, from /proc.
int Threads(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

// The names of a process's threads, as `top -H` shows them.
std::set<std::string> ThreadNames(pid_t pid) {
  std::set<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (std::getline(comm, name)) names.insert(name);
  }
  return names;
}

// Operations see which of intake's threads does what (docs/OPERATIONS.md).
TEST_F(IntakeIntegrationTest, ItsThreadsAreNamedForWhatTheyDo) {
  auto names = ThreadNames(intake_.process().pid());
  for (const char* expected : {"report-batch", "report-answer", "outbox-relay", "consumer", "watch-pump", "watch-hub",
                               "lag-gauges", "admin-http"}) {
    EXPECT_TRUE(names.contains(expected)) << "no thread named " << expected;
  }
}

// Watches wait on no thread of intake's: two hundred watchers cost it no more threads than a few
// do, every one of them gets the change in its ward, and those that go away are let go.
TEST_F(IntakeIntegrationTest, ManyWatchersHoldNoThreadEachAndAllGetTheirChange) {
  auto open_watches = [&](int n, std::vector<std::unique_ptr<grpc::ClientContext>>& contexts,
                          std::vector<std::unique_ptr<grpc::ClientReader<v1::CaseChange>>>& readers) {
    for (int i = 0; i < n; ++i) {
      contexts.push_back(std::make_unique<grpc::ClientContext>());
      v1::WatchCasesRequest w;
      w.set_ward_code("79900012");
      readers.push_back(stub_->WatchCases(contexts.back().get(), w));
      readers.back()->WaitForInitialMetadata();  // live
    }
  };
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::CaseChange>>> readers;
  open_watches(5, contexts, readers);
  int with_few = Threads(intake_.process().pid());
  open_watches(195, contexts, readers);
  int with_many = Threads(intake_.process().pid());
  EXPECT_LT(with_many - with_few, 20) << with_few << " threads with 5 watchers, " << with_many << " with 200";
  auto metrics = [&] { return testing::HttpGet(intake_.admin_port(), "/metrics").second; };
  EXPECT_NE(metrics().find("intake_watches_open 200"), std::string::npos) << metrics();

  v1::ReportCaseResponse created;
  ASSERT_TRUE(Call(Report("many-watchers"), &created).ok());
  for (auto& reader : readers) {
    v1::CaseChange change;
    ASSERT_TRUE(reader->Read(&change));
    EXPECT_EQ(change.case_().case_number(), created.case_number());
  }
  for (auto& ctx : contexts) ctx->TryCancel();
  for (auto& reader : readers) {
    v1::CaseChange change;
    while (reader->Read(&change)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  EXPECT_TRUE(WaitFor([&] {
    return metrics().find("intake_watches_ended_total{reason=\"client_left\"} 200") != std::string::npos;
  })) << metrics();
  // A new watcher after they left still gets its change.
  grpc::ClientContext ctx;
  v1::WatchCasesRequest w;
  w.set_ward_code("79900012");
  auto reader = stub_->WatchCases(&ctx, w);
  reader->WaitForInitialMetadata();
  ASSERT_TRUE(Call(Report("after-many"), &created).ok());
  v1::CaseChange change;
  ASSERT_TRUE(reader->Read(&change));
  EXPECT_EQ(change.case_().case_number(), created.case_number());
  EXPECT_NE(metrics().find("intake_watches_open 1\n"), std::string::npos) << metrics();
  EXPECT_NE(metrics().find("intake_watch_changes_sent_total 201"), std::string::npos) << metrics();
  ctx.TryCancel();
}

// A watcher that goes away and comes back with its last change's token gets every change it
// missed, in order, then the live ones, none twice; a token whose changes are gone is refused
// with what to do instead, and a made-up one as a field error.
TEST_F(IntakeIntegrationTest, WatchResumesAfterItsLastChangeWithNoneMissed) {
  auto report = [&](const std::string& id, const std::string& ward) {
    v1::ReportCaseRequest r = Report(id);
    r.mutable_place()->set_ward_code(ward);
    v1::ReportCaseResponse created;
    EXPECT_TRUE(Call(r, &created).ok());
    return created.case_number();
  };
  auto watch = [&](grpc::ClientContext& ctx, const std::string& token) {
    v1::WatchCasesRequest w;
    w.set_ward_code("79900020");
    w.set_resume_token(token);
    return stub_->WatchCases(&ctx, w);
  };
  std::string token;
  {
    grpc::ClientContext ctx;
    auto reader = watch(ctx, "");
    reader->WaitForInitialMetadata();
    std::string first = report("resume-1", "79900020");
    v1::CaseChange change;
    ASSERT_TRUE(reader->Read(&change));
    EXPECT_EQ(change.case_().case_number(), first);
    token = change.resume_token();
    ctx.TryCancel();
  }
  std::vector<std::string> missed;
  for (int i = 0; i < 3; ++i) {
    missed.push_back(report("resume-missed-" + std::to_string(i), "79900020"));
    report("resume-elsewhere-" + std::to_string(i), "79900021");
  }
  grpc::ClientContext ctx;
  auto reader = watch(ctx, token);
  reader->WaitForInitialMetadata();
  std::string live = report("resume-live", "79900020");
  std::vector<std::string> seen;
  v1::CaseChange change;
  while (seen.size() < 4 && reader->Read(&change)) {
    EXPECT_EQ(change.change(), "case_reported");
    seen.push_back(change.case_().case_number());
  }
  missed.push_back(live);
  EXPECT_EQ(seen, missed);
  ctx.TryCancel();

  {
    grpc::ClientContext bad_ctx;
    auto bad = watch(bad_ctx, "yesterday");
    EXPECT_FALSE(bad->Read(&change));
    Status st = FromGrpcStatus(bad->Finish());
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    ASSERT_EQ(st.violations().size(), 1u);
    EXPECT_EQ(st.violations()[0].field, "resume_token");
  }
  // Intake keeps the newest changes only: once the token's are trimmed away, resuming is refused.
  RedisConfig rc;
  rc.port = redis_server_.port();
  RedisClient redis(rc);
  ASSERT_TRUE(redis.Command({"XTRIM", "intake:changes", "MAXLEN", "1"}).ok());
  grpc::ClientContext gone_ctx;
  auto gone = watch(gone_ctx, token);
  EXPECT_FALSE(gone->Read(&change));
  grpc::Status st = gone->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_NE(st.error_message().find("list the cases, then watch again"), std::string::npos);
}

// The command line as a call-centre agent or a script uses it: report, get, list, transition and
// note, as tables and as JSON; a retried report names its first case; a mistyped case number is
// refused as mistyped; the reporter's phone number never comes back.
TEST_F(IntakeIntegrationTest, WarroomctlReportsShowsListsMovesAndNotesACase) {
  const std::vector<std::string> report = {"report", "--request-id", "ctl-1", "--category", "water",
                                           "--ward", "79900012", "--description", "No water since Monday",
                                           "--phone", "082 555 1234"};
  testing::CtlRun reported = Ctl(report);
  ASSERT_EQ(reported.code, 0) << reported.out;
  std::string cn = reported.out.substr(0, reported.out.find('\n'));
  ASSERT_TRUE(ParseCaseNumber(cn).ok()) << reported.out;

  testing::CtlRun again = Ctl(report);
  EXPECT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(again.out, cn + " (already reported)\n");

  testing::CtlRun shown = Ctl({"get", cn});
  ASSERT_EQ(shown.code, 0) << shown.out;
  EXPECT_NE(shown.out.find("case          " + cn + " (version 1)"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("status        reported"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("description   No water since Monday"), std::string::npos) << shown.out;

  testing::CtlRun as_json = Ctl({"--json", "get", cn});
  ASSERT_EQ(as_json.code, 0) << as_json.out;
  auto got = CasesIn(as_json.out);
  ASSERT_EQ(got.size(), 1u) << as_json.out;
  EXPECT_EQ(got[0].case_number(), cn);
  EXPECT_EQ(got[0].status(), v1::CASE_STATUS_REPORTED);
  EXPECT_FALSE(got[0].reporter_ref().empty());
  for (const char* phone : {"555 1234", "5551234"}) {
    EXPECT_EQ(as_json.out.find(phone), std::string::npos) << "the phone number came back: " << as_json.out;
  }

  testing::CtlRun moved = Ctl({"transition", cn, "acknowledge"});
  ASSERT_EQ(moved.code, 0) << moved.out;
  EXPECT_EQ(moved.out, cn + " is acknowledged (version 2)\n");
  testing::CtlRun stale = Ctl({"transition", cn, "start", "--version", "1"});
  EXPECT_EQ(stale.code, 1) << stale.out;
  EXPECT_NE(stale.out.find("ABORTED"), std::string::npos) << stale.out;

  testing::CtlRun noted = Ctl({"note", cn, "Team on site", "--public"});
  ASSERT_EQ(noted.code, 0) << noted.out;
  EXPECT_EQ(noted.out, cn + ": note N1 added\n");
  auto noted_json = CasesIn(Ctl({"--json", "note", cn, "Valve ordered"}).out);
  ASSERT_EQ(noted_json.size(), 1u);
  ASSERT_EQ(noted_json[0].notes_size(), 2);
  EXPECT_FALSE(noted_json[0].notes(1).public_());

  testing::CtlRun table = Ctl({"list", "--ward", "79900012"});
  ASSERT_EQ(table.code, 0) << table.out;
  EXPECT_EQ(table.out.rfind("CASE", 0), 0u) << table.out;
  EXPECT_NE(table.out.find(cn + "  acknowledged"), std::string::npos) << table.out;
  // --json after the verb too, as people type it.
  auto listed = CasesIn(Ctl({"list", "--ward", "79900012", "--status", "acknowledged", "--json"}).out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].case_number(), cn);
  EXPECT_EQ(listed[0].notes_size(), 2);
  EXPECT_TRUE(CasesIn(Ctl({"--json", "list", "--ward", "79900012", "--status", "reported"}).out).empty());

  // A misused command line is exit code 2, saying what was wrong.
  testing::CtlRun misused = Ctl({"list", "--colour", "blue"});
  EXPECT_EQ(misused.code, 2) << misused.out;
  EXPECT_NE(misused.out.find("--colour"), std::string::npos) << misused.out;
  testing::CtlRun unknown = Ctl({"list", "--status", "lost"});
  EXPECT_EQ(unknown.code, 2) << unknown.out;

  // One digit wrong: the check digit catches it before any look-up.
  std::string typo = cn;
  typo[typo.size() - 3] = typo[typo.size() - 3] == '9' ? '8' : static_cast<char>(typo[typo.size() - 3] + 1);
  testing::CtlRun mistyped = Ctl({"get", typo});
  EXPECT_EQ(mistyped.code, 1) << mistyped.out;
  EXPECT_NE(mistyped.out.find("INVALID_ARGUMENT"), std::string::npos) << mistyped.out;
  EXPECT_NE(mistyped.out.find("mistyped"), std::string::npos) << mistyped.out;
}

// What `./tools/dev up` loads: cases over many wards, channels and every common state; loading
// it again (as `up` after a lost marker file would) makes no second case.
TEST_F(IntakeIntegrationTest, TheDemoDataSpreadsOverWardsChannelsAndStatesAndLoadsOnce) {
  constexpr int kCases = 300;
  for (int run = 1; run <= 2; ++run) {
    testing::CtlRun demo = Ctl({"demo", "--cases", std::to_string(kCases)});
    ASSERT_EQ(demo.code, 0) << demo.out;
    EXPECT_NE(demo.out.find("demo: " + std::to_string(kCases) + " cases reported (0 failed)"), std::string::npos)
        << demo.out;
  }
  v1::ListCasesRequest all;
  all.set_page_size(100);
  auto cases = testing::ListAllCases(*stub_, all);
  ASSERT_EQ(cases.size(), static_cast<size_t>(kCases)) << "the second load made no new case";
  std::set<std::string> wards;
  std::set<int> channels, statuses;
  for (const auto& c : cases) {
    wards.insert(c.place().ward_code());
    channels.insert(c.channel());
    statuses.insert(c.status());
  }
  EXPECT_GE(wards.size(), 100u);
  EXPECT_GE(channels.size(), 8u);
  for (auto status : {v1::CASE_STATUS_REPORTED, v1::CASE_STATUS_ACKNOWLEDGED, v1::CASE_STATUS_IN_PROGRESS,
                      v1::CASE_STATUS_AWAITING_RESIDENT, v1::CASE_STATUS_RESOLVED, v1::CASE_STATUS_CLOSED,
                      v1::CASE_STATUS_REJECTED}) {
    EXPECT_TRUE(statuses.count(status)) << v1::CaseStatus_Name(status);
  }
}

// `warroomctl watch` outlives an intake restart: it goes on from its last change's token and
// prints the case reported while intake was coming back, once.
TEST_F(IntakeIntegrationTest, WarroomctlWatchGoesOnAcrossAnIntakeRestart) {
  testing::Process watch({BinaryPath("tools/warroomctl/warroomctl"), "--target", intake_.target(),
                          "--json", "watch", "--ward", "79900030", "--count", "2"},
                         dir_.File("watch.log"));
  ASSERT_TRUE(WaitFor([&] { return watch.Log().find("watching ward 79900030 from ") != std::string::npos; }))
      << watch.Log();
  auto report = [&](const std::string& id) {
    v1::ReportCaseRequest r = Report(id);
    r.mutable_place()->set_ward_code("79900030");
    v1::ReportCaseResponse created;
    EXPECT_TRUE(Call(r, &created).ok());
    return created.case_number();
  };
  std::string before = report("restart-before");
  ASSERT_TRUE(WaitFor([&] { return watch.Log().find(before) != std::string::npos; })) << watch.Log();
  intake_.Kill9();
  intake_.Start();
  Connect();
  std::string after = report("restart-after");
  EXPECT_EQ(watch.Wait(std::chrono::seconds(30)), 0) << watch.Log();
  std::string log = watch.Log();
  EXPECT_NE(log.find("going on after "), std::string::npos) << log;
  auto at = log.find(after);
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_EQ(log.find(after, at + after.size() + 1), std::string::npos) << "printed once\n" << log;
}

// A valid metro feed record (JHB-SAP, water, ward 79800003) with this row and source id.
v1::ImportCaseRecord FeedRecord(int64_t row, const std::string& source_id) {
  v1::ImportCaseRecord r;
  r.set_row(row);
  r.set_source_system("JHB-SAP");
  r.set_source_id(source_id);
  r.set_category(v1::CATEGORY_WATER);
  r.mutable_place()->set_ward_code("79800003");
  r.set_description("Pipe burst at the corner");
  return r;
}

// A short feed's stream ends right after its last record, so the server's last results are
// written with nothing else pending on the call. Results written with gRPC's buffer hint then
// waited for ever (one short import in ten or so hung); every import here must finish in time.
TEST_F(IntakeIntegrationTest, EveryShortImportFinishes) {
  for (int run = 0; run < 60; ++run) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auto stream = stub_->ImportCases(&ctx);
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(stream->Write(FeedRecord(i + 1, "short-" + std::to_string(run) + "-" + std::to_string(i))));
    }
    ASSERT_TRUE(stream->WritesDone());
    int results = 0;
    v1::ImportCaseResult result;
    while (stream->Read(&result)) {
      EXPECT_EQ(result.outcome(), v1::ImportCaseResult::OUTCOME_CREATED) << result.ShortDebugString();
      ++results;
    }
    grpc::Status status = stream->Finish();
    ASSERT_TRUE(status.ok()) << "import " << run << ": " << status.error_message();
    EXPECT_EQ(results, 2);
  }
}

// The grouped stream: every record answered once, in the order sent, whatever the groups'
// sizes; bad records rejected with their fields among good ones; a re-send changes nothing.
TEST_F(IntakeIntegrationTest, ImportCaseGroupsAnswersEveryRecordInOrder) {
  const std::vector<int> sizes = {1, 700, 5, 2};
  auto send = [&](std::vector<v1::ImportCaseResult>& out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto stream = stub_->ImportCaseGroups(&ctx);
    int64_t row = 0;
    for (int size : sizes) {
      v1::ImportCaseRecords group;
      for (int i = 0; i < size; ++i) {
        ++row;
        auto r = FeedRecord(row, "grouped-" + std::to_string(row));
        if (row % 100 == 7) r.mutable_place()->set_ward_code("12345678");  // not a ward
        *group.add_records() = std::move(r);
      }
      ASSERT_TRUE(stream->Write(group));
    }
    ASSERT_TRUE(stream->WritesDone());
    v1::ImportCaseResults results;
    while (stream->Read(&results)) {
      for (const auto& r : results.results()) out.push_back(r);
    }
    grpc::Status status = stream->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
  };
  std::vector<v1::ImportCaseResult> first, again;
  ASSERT_NO_FATAL_FAILURE(send(first));
  ASSERT_EQ(first.size(), 708u);
  for (size_t i = 0; i < first.size(); ++i) {
    const auto& r = first[i];
    ASSERT_EQ(r.row(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(r.source_id(), "grouped-" + std::to_string(i + 1));
    if (r.row() % 100 == 7) {
      EXPECT_EQ(r.outcome(), v1::ImportCaseResult::OUTCOME_REJECTED);
      ASSERT_EQ(r.violations_size(), 1) << r.ShortDebugString();
      EXPECT_EQ(r.violations(0).field(), "place.ward_code");
    } else {
      EXPECT_EQ(r.outcome(), v1::ImportCaseResult::OUTCOME_CREATED) << r.ShortDebugString();
      EXPECT_FALSE(r.case_number().empty());
    }
  }
  ASSERT_NO_FATAL_FAILURE(send(again));
  ASSERT_EQ(again.size(), first.size());
  for (size_t i = 0; i < again.size(); ++i) {
    if (first[i].outcome() == v1::ImportCaseResult::OUTCOME_REJECTED) continue;
    EXPECT_EQ(again[i].outcome(), v1::ImportCaseResult::OUTCOME_UNCHANGED) << again[i].ShortDebugString();
    EXPECT_EQ(again[i].case_number(), first[i].case_number());
  }
}

TEST_F(IntakeIntegrationTest, ImportMixedRowsThenKillNineMidImportAndRerun) {
  constexpr int kRows = 20000;
  std::string csv = dir_.File("feed.csv");
  {
    std::ofstream out(csv);
    out << "source_system,source_id,category,ward_code,latitude,longitude,address,description,"
           "reported_at,critical\n";
    for (int i = 0; i < kRows; ++i) {
      out << "TSH-CRM,SR-" << i << ",refuse_removal," << (79900001 + i % 107)
          << ",,,,\"Bin not collected, row " << i << "\",2026-11-02T08:30:00Z,\n";
    }
    out << "TSH-CRM,,water,79900001,,,,missing id,,\n";             // bad: no source id
    out << "TSH-CRM,SR-BAD,weather,79900001,,,,unknown category,,\n";  // bad: category
  }
  RedisConfig rc;
  rc.port = redis_server_.port();
  RedisClient redis(rc);
  // Imported cases stay REPORTED here (nobody acknowledges them), so that index counts them (all
  // the rows are in Tshwane wards).
  auto imported = [&] { return redis.Command({"ZCARD", "intake:idx:place:TSH:reported"})->integer; };
  std::vector<std::string> ctl = {BinaryPath("tools/warroomctl/warroomctl"), "--target",
                                  intake_.target(), "import", csv};
  {
    testing::Process first(ctl, dir_.File("import-1.log"));
    ASSERT_TRUE(WaitFor([&] { return imported() >= kRows / 4; }, std::chrono::seconds(120)));
    intake_.Kill9();
    first.Wait(std::chrono::seconds(30));
  }
  int64_t at_kill = imported();
  EXPECT_LT(at_kill, kRows) << "the kill must land mid-import";
  intake_.Start();
  Connect();
  testing::Process second(ctl, dir_.File("import-2.log"));
  int code = second.Wait(std::chrono::seconds(240));
  EXPECT_EQ(code, 3) << "exit 3: done, with rejected rows\n" << second.Log();
  std::string summary = second.Log();
  EXPECT_NE(summary.find("rejected 2 (of 20002 rows)"), std::string::npos) << summary;
  EXPECT_EQ(imported(), kRows) << "every row exactly once";
  auto sources = redis.Command({"EVAL", "return #redis.call('KEYS', 'intake:src:TSH-CRM:*')", "0"});
  EXPECT_EQ(sources->integer, kRows);
  // Every case has its case_reported event on the topic, at least once.
  std::set<std::string> reported;
  ASSERT_TRUE(WaitFor(
      [&] {
        reported.clear();
        for (const auto& [key, type] : CaseEvents()) {
          if (type == "case_reported") reported.insert(key);
        }
        return reported.size() == static_cast<size_t>(kRows);
      },
      std::chrono::seconds(120)))
      << reported.size();
}

}  // namespace
}  // namespace warroom
