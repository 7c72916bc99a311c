#include "services/household/src/household_core.h"

#include <gtest/gtest.h>

#include <map>

#include "testing/fake_clock.h"
#include "testing/process.h"
#include "warroom/common/data_file.h"
#include "warroom/common/timestamps.h"

namespace warroom::household {
namespace {

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

// Intake as household sees it: one case per client request id, or down when told.
class FakeCaseReporter final : public CaseReporter {
 public:
  StatusOr<std::string> Report(const v1::ReportCaseRequest& r) override {
    ++calls;
    if (down) return UnavailableError("intake down");
    auto [it, inserted] = cases.try_emplace(r.client_request_id(), "GP26-" + std::to_string(1000000 + cases.size()) + "-0");
    categories[it->second] = r.category();
    return it->second;
  }
  int calls = 0;
  bool down = false;
  std::map<std::string, std::string> cases;
  std::map<std::string, v1::Category> categories;
};

class HouseholdCoreTest : public ::testing::Test {
 protected:
  HouseholdCoreTest()
      : server_(dir_.path()),
        redis_(Config()),
        outbox_(redis_, "household"),
        geo_(*Geography::LoadDir(Source("data/geography"))),
        norms_(*NormsPolicy::Load(*ReadTextFile(Source("data/household/norms.yaml")), "n",
                                  *ReadTextFile(Source("data/household/indigent-thresholds.yaml")), "t", geo_)),
        access_(*AccessPolicy::Load(*ReadTextFile(Source("data/household/access-roles.yaml")), "r")),
        pii_(*PiiCipher::FromKeyList("k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")),
        ids_(clock_),
        core_(redis_, outbox_, {&geo_, &norms_, &access_, &pii_}, reporter_, clock_, ids_, nullptr) {}
  RedisConfig Config() {
    RedisConfig c;
    c.port = server_.port();
    return c;
  }
  v1::Household Register(const std::string& request_id = "r1") {
    v1::RegisterHouseholdRequest r;
    r.set_client_request_id(request_id);
    r.set_ward_code("79800001");
    r.set_dwelling(v1::DWELLING_TYPE_INFORMAL);
    r.mutable_ages()->set_adults_18_59(2);
    r.mutable_ages()->set_children_0_5(1);
    r.set_monthly_income_rand(2000);
    r.mutable_personal()->mutable_head()->set_name("Nomsa Dlamini");
    r.mutable_personal()->mutable_head()->set_id_number("8001015009087");
    r.mutable_personal()->mutable_head()->set_phone("082 555 1234");
    r.mutable_personal()->set_address("12 Main Road");
    auto h = core_.Register(r, kCdw);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return *h;
  }
  v1::RecordVisitRequest Visit(const std::string& h, const std::string& id, int needs = 0) {
    v1::RecordVisitRequest v;
    v.set_visit_id(id);
    v.set_household_id(h);
    v.set_cdw_id("cdw-17");
    auto* o = v.mutable_observed();
    o->set_water_source(v1::WATER_SOURCE_COMMUNAL_STANDPIPE);
    o->set_water_distance_m(350);
    o->set_sanitation(v1::SANITATION_TYPE_PIT_UNVENTILATED);
    o->set_electricity(v1::ELECTRICITY_SOURCE_GRID);
    o->set_refuse_collections_per_month(0);
    o->set_road_access(v1::ROAD_ACCESS_ALL_WEATHER);
    if (needs > 0) v.add_needs()->set_kind(v1::NEED_KIND_GRANT);
    if (needs > 1) v.add_needs()->set_kind(v1::NEED_KIND_IDENTITY_DOCUMENT);
    return v;
  }
  int64_t Backlog(v1::BasicService s, v1::ServiceLevel l) {
    v1::GetBacklogRequest r;
    r.set_ward_code("79800001");
    auto b = core_.Backlog(r);
    EXPECT_TRUE(b.ok());
    for (const auto& row : b->services()) {
      if (row.service() != s) continue;
      return l == v1::SERVICE_LEVEL_MET ? row.met() : l == v1::SERVICE_LEVEL_BELOW_NORM ? row.below_norm() : row.no_access();
    }
    return -1;
  }

  const Caller kCdw{"community_development_worker", "cdw-17", "monthly visit"};
  const Caller kDashboard{"dashboard", "grafana", "overview"};
  testing::TestDir dir_;
  testing::RedisServer server_;
  RedisClient redis_;
  OutboxStore outbox_;
  Geography geo_;
  NormsPolicy norms_;
  AccessPolicy access_;
  PiiCipher pii_;
  testing::FakeClock clock_;
  IdGenerator ids_;
  FakeCaseReporter reporter_;
  HouseholdCore core_;
};

TEST_F(HouseholdCoreTest, RegisteringTwiceWithOneRequestIdGivesOneHousehold) {
  auto a = Register("same");
  auto b = Register("same");
  EXPECT_EQ(a.household_id(), b.household_id());
  EXPECT_EQ(a.personal().head().phone(), "+27825551234");
}

TEST_F(HouseholdCoreTest, PersonalFieldsAreWithheldFromADashboardAndAuditedForACdw) {
  auto h = Register();
  auto seen_by_dashboard = core_.Get(h.household_id(), kDashboard);
  ASSERT_TRUE(seen_by_dashboard.ok());
  EXPECT_TRUE(seen_by_dashboard->personal_redacted());
  EXPECT_FALSE(seen_by_dashboard->has_personal());
  auto before = redis_.Command({"XLEN", "household:audit"})->integer;
  auto seen_by_cdw = core_.Get(h.household_id(), kCdw);
  EXPECT_EQ(seen_by_cdw->personal().head().name(), "Nomsa Dlamini");
  EXPECT_EQ(redis_.Command({"XLEN", "household:audit"})->integer, before + 1);
  auto entry = redis_.Command({"XREVRANGE", "household:audit", "+", "-", "COUNT", "1"});
  std::string flat;
  for (const auto& f : entry->elements[0].elements[1].elements) flat += f.str + " ";
  EXPECT_NE(flat.find("actor cdw-17"), std::string::npos) << flat;
  EXPECT_NE(flat.find("purpose monthly visit"), std::string::npos);
  EXPECT_EQ(flat.find("Nomsa"), std::string::npos) << "the audit holds no personal data";
}

TEST_F(HouseholdCoreTest, PersonalInformationIsEncryptedAtRest) {
  auto h = Register();
  auto raw = redis_.Command({"HGET", "household:{" + h.household_id() + "}:personal", "pb"});
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->str.rfind("gcm1:k1:", 0), 0u);
  EXPECT_EQ(raw->str.find("Nomsa"), std::string::npos);
  EXPECT_EQ(raw->str.find("8001015009087"), std::string::npos);
  EXPECT_EQ(core_.Get(h.household_id(), kCdw)->personal().head().id_number(), "8001015009087");
}

TEST_F(HouseholdCoreTest, ARoleWithoutAPurposeSeesNoPersonalFields) {
  auto h = Register();
  auto got = core_.Get(h.household_id(), Caller{"community_development_worker", "cdw-17", ""});
  EXPECT_TRUE(got->personal_redacted());
}

TEST_F(HouseholdCoreTest, AVisitIsAssessedAndCountedInTheBacklogOnce) {
  auto h = Register();
  auto v = core_.RecordVisit(Visit(h.household_id(), "v1"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(core_.RecordVisit(Visit(h.household_id(), "v1")).ok());
  EXPECT_EQ(Backlog(v1::BASIC_SERVICE_WATER, v1::SERVICE_LEVEL_BELOW_NORM), 1);
  EXPECT_EQ(Backlog(v1::BASIC_SERVICE_REFUSE_REMOVAL, v1::SERVICE_LEVEL_NO_ACCESS), 1);
  EXPECT_EQ(Backlog(v1::BASIC_SERVICE_ELECTRICITY, v1::SERVICE_LEVEL_MET), 1);
  // A later visit replaces the household's levels rather than adding to them.
  auto better = Visit(h.household_id(), "v2");
  better.mutable_observed()->set_water_source(v1::WATER_SOURCE_PIPED_IN_YARD);
  better.mutable_observed()->set_water_distance_m(5);
  ASSERT_TRUE(core_.RecordVisit(better).ok());
  EXPECT_EQ(Backlog(v1::BASIC_SERVICE_WATER, v1::SERVICE_LEVEL_BELOW_NORM), 0);
  EXPECT_EQ(Backlog(v1::BASIC_SERVICE_WATER, v1::SERVICE_LEVEL_MET), 1);
  auto event = redis_.Command({"XRANGE", outbox_.StreamKey(outbox_.ShardOf(h.household_id())), "-", "+"});
  EXPECT_EQ(event->elements.size(), 2u) << "one assessment event per visit";
}

TEST_F(HouseholdCoreTest, NeedsBecomeCasesOnceEvenWhenTheVisitIsRetried) {
  auto h = Register();
  auto v = core_.RecordVisit(Visit(h.household_id(), "v1", 2));
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->needs_size(), 2);
  EXPECT_FALSE(v->needs(0).case_number().empty());
  EXPECT_EQ(reporter_.categories[v->needs(0).case_number()], v1::CATEGORY_SOCIAL_GRANTS);
  auto again = core_.RecordVisit(Visit(h.household_id(), "v1", 2));
  EXPECT_EQ(again->needs(0).case_number(), v->needs(0).case_number());
  EXPECT_EQ(reporter_.cases.size(), 2u);
}

TEST_F(HouseholdCoreTest, NeedsRaisedLaterWhenIntakeWasDown) {
  auto h = Register();
  reporter_.down = true;
  auto v = core_.RecordVisit(Visit(h.household_id(), "v1", 1));
  ASSERT_TRUE(v.ok()) << "the visit is recorded even while intake is down";
  EXPECT_TRUE(v->needs(0).case_number().empty());
  reporter_.down = false;
  EXPECT_EQ(*core_.RaisePendingCases(), 1);
  EXPECT_EQ(*core_.RaisePendingCases(), 0);
  auto got = core_.Get(h.household_id(), kDashboard);
  EXPECT_FALSE(got->recent_visits(0).needs(0).case_number().empty());
}

TEST_F(HouseholdCoreTest, DueVisitsListHouseholdsNotVisitedThisMonth) {
  auto a = Register("a");
  auto b = Register("b");
  ASSERT_TRUE(core_.RecordVisit(Visit(a.household_id(), "v1")).ok());
  v1::ListDueVisitsRequest r;
  r.set_ward_code("79800001");
  r.set_month(MonthOf(UnixSeconds(clock_.Now())));
  auto due = core_.DueVisits(r);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  EXPECT_EQ(due->households(), 2);
  EXPECT_EQ(due->visited(), 1);
  ASSERT_EQ(due->household_ids_size(), 1);
  EXPECT_EQ(due->household_ids(0), b.household_id());
}

TEST_F(HouseholdCoreTest, ErasureRemovesPersonalInformationAndKeepsTheAssessment) {
  auto h = Register();
  ASSERT_TRUE(core_.RecordVisit(Visit(h.household_id(), "v1")).ok());
  v1::EraseHouseholdRequest e;
  e.set_household_id(h.household_id());
  e.set_reason("resident's request");
  EXPECT_EQ(core_.Erase(e, kDashboard).status().code(), StatusCode::kPermissionDenied);
  auto erased = core_.Erase(e, kCdw);
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  EXPECT_TRUE(erased->erased());
  EXPECT_FALSE(erased->has_personal());
  EXPECT_EQ(erased->latest().services_size(), 6);
  EXPECT_EQ(redis_.Command({"EXISTS", "household:{" + h.household_id() + "}:personal"})->integer, 0);
}

TEST_F(HouseholdCoreTest, BadInputNamesTheFields) {
  v1::RegisterHouseholdRequest r;
  r.set_ward_code("123");
  r.mutable_personal()->mutable_head()->set_id_number("8001015009088");
  auto got = core_.Register(r, kCdw);
  ASSERT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  std::string fields;
  for (const auto& v : got.status().violations()) fields += v.field + " ";
  for (const char* f : {"client_request_id", "ward_code", "dwelling", "ages", "personal.head.id_number"}) {
    EXPECT_NE(fields.find(f), std::string::npos) << f << " in " << fields;
  }
}

}  // namespace
}  // namespace warroom::household
