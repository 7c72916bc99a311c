// The MISA path with every service as a real process: water cases in an Emfuleni ward raise a
// hotspot, and with no water engineer deployed there psp suggests a support request; a PSP
// deployment flows to reporting's district figures; a household visit moves the district's
// backlog in psp.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "testing/process.h"
#include "tests/integration/clients.h"
#include "warroom/common/timestamps.h"
#include "warroom/v1/escalation.grpc.pb.h"
#include "warroom/v1/household.grpc.pb.h"
#include "warroom/v1/psp.grpc.pb.h"
#include "warroom/v1/reporting.grpc.pb.h"

namespace warroom {
namespace {

using testing::WaitFor;

constexpr char kWard[] = "74201001";  // Emfuleni (GT421), Sedibeng district (DC42)

template <typename Stub>
std::unique_ptr<Stub> Connect(const testing::ServiceProcess& s) {
  return std::make_unique<Stub>(grpc::CreateChannel(s.target(), grpc::InsecureChannelCredentials()));
}

class PspE2eTest : public ::testing::Test {
 protected:
  PspE2eTest() : redis_server_(dir_.path()), broker_(dir_.path()) {
    auto start = [&](const std::string& name, std::map<std::string, std::string> env = {}) {
      return std::make_unique<testing::ServiceProcess>(name, dir_.path(), redis_server_.port(),
                                                       broker_.bootstrap(), std::move(env));
    };
    intake_ = start("intake");
    routing_ = start("routing");
    escalation_ = start("escalation");
    household_ = start("household", {{"WARROOM_INTAKE_TARGET", intake_->target()}});
    psp_ = start("psp");
    reporting_ = start("reporting");
    psp_stub_ = Connect<v1::PspService::Stub>(*psp_);
  }
  std::vector<v1::SupportRequest> Suggested() {
    grpc::ClientContext ctx;
    v1::ListSupportRequestsRequest r;
    r.set_status(v1::REQUEST_STATUS_SUGGESTED);
    v1::ListSupportRequestsResponse out;
    (void)psp_stub_->ListSupportRequests(&ctx, r, &out);
    return {out.requests().begin(), out.requests().end()};
  }

  testing::TestDir dir_;
  testing::RedisServer redis_server_;
  testing::Broker broker_;
  std::unique_ptr<testing::ServiceProcess> intake_, routing_, escalation_, household_, psp_, reporting_;
  std::unique_ptr<v1::PspService::Stub> psp_stub_;
};

TEST_F(PspE2eTest, AHotspotSuggestsARequestAndADeploymentReachesReporting) {
  auto intake = testing::IntakeStub(intake_->target());
  for (int i = 0; i < 8; ++i) testing::ReportCase(*intake, "w-" + std::to_string(i), v1::CATEGORY_WATER, kWard);
  ASSERT_TRUE(WaitFor([&] { return !Suggested().empty(); }, std::chrono::seconds(60)));
  auto suggested = Suggested();
  ASSERT_EQ(suggested.size(), 1u);
  EXPECT_EQ(suggested[0].municipality_code(), "GT421");
  EXPECT_EQ(suggested[0].discipline(), v1::DISCIPLINE_WATER);

  // MISA confirms it by deploying a water engineer from a framework contract.
  v1::RegisterFirmRequest firm;
  auto* f = firm.mutable_firm();
  f->set_firm_id("F-VAAL");
  f->set_name("Vaal Water Engineers");
  f->add_provinces("GT");
  auto* p = f->add_professionals();
  p->set_professional_id("P-1");
  p->set_discipline(v1::DISCIPLINE_WATER);
  p->set_registration_number("ECSA PR Eng 2011/0001");
  p->set_max_concurrent_deployments(2);
  auto* c = f->add_contracts();
  c->set_contract_id("FC-2026-01");
  c->set_ceiling_rand(2000000);
  c->set_daily_rate_rand(12000);
  *c->mutable_starts() = ToTimestamp(std::chrono::system_clock::now() - std::chrono::hours(24));
  *c->mutable_ends() = ToTimestamp(std::chrono::system_clock::now() + std::chrono::hours(24 * 365));
  {
    grpc::ClientContext ctx;
    v1::Firm out;
    ASSERT_TRUE(psp_stub_->RegisterFirm(&ctx, firm, &out).ok());
  }
  v1::ShortlistRequest sl;
  sl.set_request_id(suggested[0].request_id());
  v1::ShortlistResponse shortlist;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(psp_stub_->Shortlist(&ctx, sl, &shortlist).ok());
  }
  ASSERT_EQ(shortlist.candidates_size(), 1);
  // The same from the command line, for scripts.
  auto ctl = [&](const std::string& verb, std::vector<std::string> args) {
    args.insert(args.begin(), {"--psp-target", psp_->target(), "--json", "psp", verb});
    return testing::Warroomctl(args, dir_.File("warroomctl-psp-" + verb + ".log"));
  };
  auto requests = testing::JsonLines<v1::SupportRequest>(ctl("requests", {"--suggested"}).out);  // one a line
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].request_id(), suggested[0].request_id());
  auto district = testing::JsonLines<v1::DistrictBacklog>(ctl("backlog", {"DC42"}).out);
  ASSERT_EQ(district.size(), 1u);
  EXPECT_TRUE(district[0].priority());
  // The hotspot alert behind the suggestion, listed and acknowledged from the command line.
  auto alerts_ctl = [&](std::vector<std::string> args, const std::string& log) {
    args.insert(args.begin(), {"--escalation-target", escalation_->target(), "--json", "alerts"});
    return testing::Warroomctl(args, dir_.File(log)).out;
  };
  auto alerts = testing::JsonLines<v1::HotspotAlert>(alerts_ctl({"--ward", kWard}, "warroomctl-alerts.log"));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].category(), v1::CATEGORY_WATER);
  auto acknowledged =
      testing::JsonLines<v1::HotspotAlert>(alerts_ctl({"--acknowledge", alerts[0].alert_id()}, "warroomctl-ack.log"));
  ASSERT_EQ(acknowledged.size(), 1u);
  EXPECT_TRUE(acknowledged[0].acknowledged());
  EXPECT_TRUE(testing::JsonLines<v1::HotspotAlert>(alerts_ctl({"--ward", kWard}, "warroomctl-alerts-open.log")).empty());
  auto listed = testing::JsonLines<v1::ShortlistResponse>(ctl("shortlist", {suggested[0].request_id()}).out);
  ASSERT_EQ(listed.size(), 1u);
  ASSERT_EQ(listed[0].candidates_size(), 1);
  EXPECT_EQ(listed[0].candidates(0).firm_id(), "F-VAAL");
  auto districts = testing::JsonLines<v1::ListPriorityDistrictsResponse>(ctl("districts", {}).out);
  ASSERT_EQ(districts.size(), 1u);
  EXPECT_TRUE(std::any_of(districts[0].districts().begin(), districts[0].districts().end(),
                          [](const auto& d) { return d.code() == "DC42"; }));
  v1::ProposeDeploymentRequest pd;
  pd.set_request_id(suggested[0].request_id());
  pd.set_firm_id("F-VAAL");
  pd.set_professional_id("P-1");
  pd.set_contract_id("FC-2026-01");
  v1::Deployment deployment;
  {
    grpc::ClientContext ctx;
    grpc::Status s = psp_stub_->ProposeDeployment(&ctx, pd, &deployment);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(deployment.cost_rand(), 30 * 12000);

  auto reporting = Connect<v1::ReportingService::Stub>(*reporting_);
  v1::GetAreaSummaryRequest area;
  area.set_level(v1::AREA_LEVEL_DISTRICT);
  area.set_code("DC42");
  v1::AreaSummary summary;
  ASSERT_TRUE(WaitFor([&] {
    grpc::ClientContext ctx;
    return reporting->GetAreaSummary(&ctx, area, &summary).ok() && summary.active_deployments() == 1;
  }, std::chrono::seconds(30))) << summary.DebugString();
  EXPECT_EQ(summary.deployments_committed_rand(), 360000);
}

TEST_F(PspE2eTest, AHouseholdVisitMovesTheDistrictBacklog) {
  auto household = Connect<v1::HouseholdService::Stub>(*household_);
  v1::RegisterHouseholdRequest r;
  r.set_client_request_id("h1");
  r.set_ward_code(kWard);
  r.set_dwelling(v1::DWELLING_TYPE_INFORMAL);
  r.mutable_ages()->set_adults_18_59(3);
  v1::Household h;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(household->RegisterHousehold(&ctx, r, &h).ok());
  }
  v1::RecordVisitRequest v;
  v.set_visit_id("v1");
  v.set_household_id(h.household_id());
  v.set_cdw_id("cdw-1");
  v.mutable_observed()->set_water_source(v1::WATER_SOURCE_RIVER_OR_DAM);
  v.mutable_observed()->set_sanitation(v1::SANITATION_TYPE_NONE);
  v.mutable_observed()->set_electricity(v1::ELECTRICITY_SOURCE_GRID);
  v.mutable_observed()->set_road_access(v1::ROAD_ACCESS_ALL_WEATHER);
  v.mutable_observed()->set_refuse_collections_per_month(4);
  {
    grpc::ClientContext ctx;
    v1::Visit out;
    ASSERT_TRUE(household->RecordVisit(&ctx, v, &out).ok());
  }
  v1::GetDistrictBacklogRequest b;
  b.set_district_code("DC42");
  v1::DistrictBacklog backlog;
  ASSERT_TRUE(WaitFor([&] {
    grpc::ClientContext ctx;
    return psp_stub_->GetDistrictBacklog(&ctx, b, &backlog).ok() && backlog.services(0).assessed_below_norm() == 1;
  }, std::chrono::seconds(30))) << backlog.DebugString();
  EXPECT_TRUE(backlog.priority());
  EXPECT_EQ(backlog.services(0).service(), v1::BASIC_SERVICE_WATER);
  EXPECT_EQ(backlog.services(0).backlog_households(), 1);
  EXPECT_EQ(backlog.services(1).assessed_below_norm(), 1) << "sanitation";
  EXPECT_EQ(backlog.services(4).assessed_below_norm(), 0) << "electricity";
}

}  // namespace
}  // namespace warroom
