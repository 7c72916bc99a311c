// Household with intake as real processes: a visit's needs raise cases in intake exactly once,
// even when household is killed with SIGKILL while visits are recorded and every visit is
// retried; the households topic and every log carry no name, phone or ID number of the run.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "testing/process.h"
#include "tests/integration/clients.h"
#include "warroom/v1/household.grpc.pb.h"
#include "warroom/v1/intake.grpc.pb.h"

namespace warroom {
namespace {

using testing::WaitFor;

constexpr char kWard[] = "79700003";  // Ekurhuleni

// Synthetic people with valid-looking details (the ID numbers pass the Luhn check).
const std::vector<testing::PersonalDetails> kPeople = {
    {"Thandiwe Mokoena", "072 481 3390", "+27724813390", "8501015800088"},
    {"Sipho Nkosi", "083 906 1175", "+27839061175", "7703055800082"},
    {"Lerato Khumalo", "061 552 7048", "+27615527048", "9002280800183"},
};

class HouseholdE2eTest : public ::testing::Test {
 protected:
  HouseholdE2eTest() : redis_server_(dir_.path()), broker_(dir_.path()) {
    intake_ = std::make_unique<testing::ServiceProcess>("intake", dir_.path(), redis_server_.port(), broker_.bootstrap());
    household_ = std::make_unique<testing::ServiceProcess>(
        "household", dir_.path(), redis_server_.port(), broker_.bootstrap(),
        std::map<std::string, std::string>{{"WARROOM_INTAKE_TARGET", intake_->target()}});
  }
  std::unique_ptr<v1::HouseholdService::Stub> Household() {
    return v1::HouseholdService::NewStub(grpc::CreateChannel(household_->target(), grpc::InsecureChannelCredentials()));
  }
  static void AsCdw(grpc::ClientContext& ctx) {
    ctx.AddMetadata("x-warroom-role", "community_development_worker");
    ctx.AddMetadata("x-warroom-actor", "cdw-0042");
    ctx.AddMetadata("x-warroom-purpose", "monthly visit");
  }
  std::string Register(int i) {
    const auto& p = kPeople[static_cast<size_t>(i) % kPeople.size()];
    v1::RegisterHouseholdRequest r;
    r.set_client_request_id("reg-" + std::to_string(i));
    r.set_ward_code(kWard);
    r.set_dwelling(v1::DWELLING_TYPE_INFORMAL);
    r.mutable_ages()->set_adults_18_59(2);
    r.set_monthly_income_rand(1500);
    r.mutable_personal()->mutable_head()->set_name(p.name);
    r.mutable_personal()->mutable_head()->set_phone(p.phone);
    r.mutable_personal()->mutable_head()->set_id_number(p.id_number);
    r.mutable_personal()->set_address(std::to_string(10 + i) + " Ubuntu Street, Tembisa");
    grpc::ClientContext ctx;
    AsCdw(ctx);
    v1::Household h;
    grpc::Status s = Household()->RegisterHousehold(&ctx, r, &h);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return h.household_id();
  }
  v1::RecordVisitRequest Visit(const std::string& h, int i) {
    v1::RecordVisitRequest v;
    v.set_visit_id("visit-" + std::to_string(i));
    v.set_household_id(h);
    v.set_cdw_id("cdw-0042");
    auto* o = v.mutable_observed();
    o->set_water_source(v1::WATER_SOURCE_COMMUNAL_STANDPIPE);
    o->set_water_distance_m(400);
    o->set_sanitation(v1::SANITATION_TYPE_PIT_UNVENTILATED);
    o->set_electricity(v1::ELECTRICITY_SOURCE_INFORMAL_CONNECTION);
    o->set_refuse_collections_per_month(1);
    o->set_road_access(v1::ROAD_ACCESS_DRY_WEATHER_ONLY);
    v.add_needs()->set_kind(v1::NEED_KIND_GRANT);
    v.add_needs()->set_kind(v1::NEED_KIND_IDENTITY_DOCUMENT);
    return v;
  }
  grpc::Status Record(const v1::RecordVisitRequest& v) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::Visit out;
    return Household()->RecordVisit(&ctx, v, &out);
  }

  testing::TestDir dir_;
  testing::RedisServer redis_server_;
  testing::Broker broker_;
  std::unique_ptr<testing::ServiceProcess> intake_, household_;
};

TEST_F(HouseholdE2eTest, NeedsBecomeCasesExactlyOnceThroughAKillAndRetries) {
  constexpr int kHouseholds = 40;
  std::vector<std::string> ids;
  for (int i = 0; i < kHouseholds; ++i) ids.push_back(Register(i));
  std::atomic<int> sent{0};
  std::thread visits([&] {
    for (int i = 0; i < kHouseholds; ++i) {
      (void)Record(Visit(ids[i], i));  // some fail while household is down: retried below
      ++sent;
    }
  });
  ASSERT_TRUE(WaitFor([&] { return sent.load() >= kHouseholds / 3; }, std::chrono::seconds(60)));
  household_->Kill9();
  visits.join();
  household_->Start();
  // The client retries every visit with the same ids, as a CDW's tablet would.
  for (int i = 0; i < kHouseholds; ++i) {
    grpc::Status s = Record(Visit(ids[i], i));
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // Every visit ends with both needs raised (the background loop finishes any left pending).
  std::set<std::string> case_numbers;
  ASSERT_TRUE(WaitFor([&] {
    case_numbers.clear();
    for (const auto& h : ids) {
      grpc::ClientContext ctx;
      v1::GetHouseholdRequest r;
      r.set_household_id(h);
      v1::Household got;
      if (!Household()->GetHousehold(&ctx, r, &got).ok() || got.recent_visits_size() != 1) return false;
      for (const auto& n : got.recent_visits(0).needs()) {
        if (n.case_number().empty()) return false;
        case_numbers.insert(n.case_number());
      }
    }
    return true;
  }, std::chrono::seconds(60)));
  EXPECT_EQ(case_numbers.size(), 2u * kHouseholds);
  // Intake holds exactly those cases from household visits in the ward: none twice.
  auto intake = testing::IntakeStub(intake_->target());
  v1::ListCasesRequest list;
  list.set_ward_code(kWard);
  list.set_channel(v1::CHANNEL_HOUSEHOLD_VISIT);
  list.set_page_size(500);
  grpc::ClientContext ctx;
  v1::ListCasesResponse listed;
  ASSERT_TRUE(intake->ListCases(&ctx, list, &listed).ok());
  EXPECT_EQ(listed.cases_size(), 2 * kHouseholds);

  // The backlog counts each household once, at its latest assessment.
  grpc::ClientContext bctx;
  v1::GetBacklogRequest br;
  br.set_ward_code(kWard);
  v1::GetBacklogResponse backlog;
  ASSERT_TRUE(Household()->GetBacklog(&bctx, br, &backlog).ok());
  EXPECT_EQ(backlog.households_assessed(), kHouseholds);
  EXPECT_EQ(backlog.indigent(), kHouseholds);
  auto due = testing::JsonLines<v1::ListDueVisitsResponse>(
      testing::Warroomctl({"--household-target", household_->target(), "--json", "household", "due", kWard},
                          dir_.File("warroomctl-due.log"))
          .out);
  ASSERT_EQ(due.size(), 1u) << "warroomctl --json household due";
  EXPECT_EQ(due[0].households(), kHouseholds);

  // Nothing personal on any topic or in any log; the assessments are on the topic.
  std::string everything = testing::TopicsAndLogs(broker_.bootstrap(), dir_.path());
  ASSERT_NE(everything.find(ids.front()), std::string::npos) << "the households topic was read";
  testing::ExpectNoPersonalDetails(everything, kPeople);
  EXPECT_EQ(everything.find("Ubuntu Street"), std::string::npos) << "an address leaked";
}

// What `./tools/dev up` loads: households in three wards of every municipality, each visited; a
// second load registers and visits nobody twice.
TEST_F(HouseholdE2eTest, TheDemoHouseholdsLoadOnce) {
  constexpr int kPerWard = 2;
  for (int run = 1; run <= 2; ++run) {
    testing::CtlRun demo = testing::Warroomctl(
        {"--household-target", household_->target(), "household", "demo", "--per-ward", std::to_string(kPerWard)},
        dir_.File("household-demo-" + std::to_string(run) + ".log"));
    ASSERT_EQ(demo.code, 0) << "run " << run << ": " << demo.out;
    EXPECT_NE(demo.out.find("(0 failed)"), std::string::npos) << demo.out;
  }
  grpc::ClientContext ctx;
  v1::GetBacklogRequest r;
  r.set_municipality_code("JHB");
  v1::GetBacklogResponse backlog;
  ASSERT_TRUE(Household()->GetBacklog(&ctx, r, &backlog).ok());
  EXPECT_EQ(backlog.households_assessed(), 3 * kPerWard) << "three wards of Johannesburg, each household once";
}

TEST_F(HouseholdE2eTest, ADashboardRoleSeesNoPersonalFields) {
  std::string h = Register(0);
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-warroom-role", "dashboard");
  v1::GetHouseholdRequest r;
  r.set_household_id(h);
  v1::Household got;
  ASSERT_TRUE(Household()->GetHousehold(&ctx, r, &got).ok());
  EXPECT_TRUE(got.personal_redacted());
  EXPECT_EQ(got.personal().head().name(), "");
  grpc::ClientContext cdw;
  AsCdw(cdw);
  ASSERT_TRUE(Household()->GetHousehold(&cdw, r, &got).ok());
  EXPECT_EQ(got.personal().head().name(), kPeople[0].name);

  // The command line withholds them too unless a purpose is given (as a community development worker).
  auto show = [&](std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), {"--household-target", household_->target(), "household", "show", h});
    return testing::Warroomctl(args, dir_.File(log));
  };
  testing::CtlRun plain = show({}, "ctl-show.log");
  ASSERT_EQ(plain.code, 0) << plain.out;
  EXPECT_EQ(plain.out.find(kPeople[0].name), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("personal fields withheld"), std::string::npos) << plain.out;
  testing::CtlRun with_purpose = show({"--purpose", "monthly visit"}, "ctl-show-purpose.log");
  ASSERT_EQ(with_purpose.code, 0) << with_purpose.out;
  EXPECT_NE(with_purpose.out.find(kPeople[0].name), std::string::npos) << with_purpose.out;
}

}  // namespace
}  // namespace warroom
