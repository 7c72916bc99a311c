#include "services/intake/src/case_rules.h"

#include <gtest/gtest.h>

#include "services/intake/test/test_geography.h"

namespace warroom::intake {
namespace {

using testing::ShippedGeography;

v1::ReportCaseRequest GoodReport() {
  v1::ReportCaseRequest r;
  r.set_client_request_id("req-1");
  r.set_channel(v1::CHANNEL_HOTLINE);
  r.set_category(v1::CATEGORY_WATER);
  r.mutable_place()->set_ward_code("79800001");
  r.set_description("No water in Extension 4 since Monday");
  return r;
}

std::vector<std::string> Fields(const Status& s) {
  std::vector<std::string> out;
  for (const auto& v : s.violations()) out.push_back(v.field);
  return out;
}

TEST(ValidateReportTest, AGoodReportPassesAndGetsItsMunicipality) {
  auto r = GoodReport();
  ASSERT_TRUE(ValidateReport(r, ShippedGeography(), {}).ok());
  EXPECT_EQ(r.place().municipality_code(), "JHB");
}

TEST(ValidateReportTest, EveryBadFieldIsNamedAtOnce) {
  v1::ReportCaseRequest r;
  r.set_channel(static_cast<v1::Channel>(99));
  r.mutable_place()->set_ward_code("12345678");
  r.mutable_place()->mutable_position()->set_latitude(-33.9);  // Cape Town
  r.mutable_place()->mutable_position()->set_longitude(18.4);
  Status s = ValidateReport(r, ShippedGeography(), {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Fields(s), (std::vector<std::string>{"client_request_id", "channel", "category",
                                                 "place.ward_code", "place.position",
                                                 "description"}));
}

TEST(ValidateReportTest, DescriptionLimitCountsCharactersNotBytes) {
  auto r = GoodReport();
  std::string zulu;
  for (int i = 0; i < 4000; ++i) zulu += "\xC3\xA9";  // 4,000 two-byte characters
  r.set_description(zulu);
  EXPECT_TRUE(ValidateReport(r, ShippedGeography(), {}).ok());
  r.set_description(zulu + "x");
  EXPECT_EQ(Fields(ValidateReport(r, ShippedGeography(), {})),
            std::vector<std::string>{"description"});
}

TEST(ValidateReportTest, ReporterDetailsAreChecked) {
  auto r = GoodReport();
  r.mutable_reporter()->set_phone("12345");
  r.mutable_reporter()->set_id_number("8001015009088");
  r.mutable_reporter()->set_email("nope");
  EXPECT_EQ(Fields(ValidateReport(r, ShippedGeography(), {})),
            (std::vector<std::string>{"reporter.phone", "reporter.email", "reporter.id_number"}));
}

TEST(ValidateReportTest, PhoneIsStoredInOneForm) {
  auto r = GoodReport();
  r.mutable_reporter()->set_phone("082 555 1234");
  ASSERT_TRUE(ValidateReport(r, ShippedGeography(), {}).ok());
  EXPECT_EQ(r.reporter().phone(), "+27825551234");
}

TEST(ValidateReportTest, AnonymousWithContactIsContradictory) {
  auto r = GoodReport();
  r.set_anonymous(true);
  r.mutable_reporter()->set_name("Thandi");
  EXPECT_EQ(Fields(ValidateReport(r, ShippedGeography(), {})), std::vector<std::string>{"reporter"});
}

TEST(ValidateReportTest, WardAndMunicipalityMustAgree) {
  auto r = GoodReport();
  r.mutable_place()->set_municipality_code("TSH");
  EXPECT_EQ(Fields(ValidateReport(r, ShippedGeography(), {})),
            std::vector<std::string>{"place.municipality_code"});
}

TEST(ValidateReportTest, APlaceNeedsSomething) {
  auto r = GoodReport();
  r.clear_place();
  EXPECT_EQ(Fields(ValidateReport(r, ShippedGeography(), {})), std::vector<std::string>{"place"});
}

// ---- lifecycle

v1::Case OpenCase(v1::CaseStatus status) {
  v1::Case c;
  c.set_case_number("GP26-0001234-9");
  c.set_status(status);
  c.set_category(v1::CATEGORY_WATER);
  c.mutable_place()->set_ward_code("79800001");
  return c;
}

TimePoint Now() { return TimePoint(std::chrono::seconds(1795737600)); }

StatusOr<TransitionResult> Do(const v1::Case& c, const v1::TransitionCaseRequest& r,
                              TimePoint now = Now()) {
  return ApplyTransition(c, r, now, ShippedGeography(), {});
}

TEST(TransitionTest, AcknowledgeMovesAReportedCaseAndEmitsStatusChanged) {
  v1::TransitionCaseRequest r;
  r.mutable_acknowledge();
  auto result = Do(OpenCase(v1::CASE_STATUS_REPORTED), r);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->updated.status(), v1::CASE_STATUS_ACKNOWLEDGED);
  ASSERT_EQ(result->events.size(), 1u);
  EXPECT_EQ(result->events[0].case_status_changed().from(), v1::CASE_STATUS_REPORTED);
  EXPECT_EQ(result->events[0].case_status_changed().to(), v1::CASE_STATUS_ACKNOWLEDGED);
}

TEST(TransitionTest, ANotAllowedActionNamesTheCurrentState) {
  v1::TransitionCaseRequest r;
  r.mutable_close();
  auto result = Do(OpenCase(v1::CASE_STATUS_IN_PROGRESS), r);
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(result.status().message(), "cannot close case GP26-0001234-9: it is in_progress");
}

TEST(TransitionTest, ResolveNeedsANote) {
  v1::TransitionCaseRequest r;
  r.mutable_resolve();
  auto result = Do(OpenCase(v1::CASE_STATUS_IN_PROGRESS), r);
  ASSERT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().violations()[0].field, "resolve.resolution_note");
}

TEST(TransitionTest, AwaitingResidentAndAnswerRoundTrip) {
  v1::TransitionCaseRequest wait;
  wait.mutable_await_resident()->set_question("Which street is the leak on?");
  auto waiting = Do(OpenCase(v1::CASE_STATUS_IN_PROGRESS), wait);
  ASSERT_TRUE(waiting.ok());
  EXPECT_EQ(waiting->updated.status(), v1::CASE_STATUS_AWAITING_RESIDENT);
  EXPECT_TRUE(waiting->updated.notes(0).public_());
  v1::TransitionCaseRequest answered;
  answered.mutable_resident_answered();
  auto back = Do(waiting->updated, answered);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->updated.status(), v1::CASE_STATUS_IN_PROGRESS);
}

TEST(TransitionTest, ReopenWithinNinetyDaysOfResolution) {
  v1::Case resolved = OpenCase(v1::CASE_STATUS_RESOLVED);
  *resolved.mutable_resolved_at() = ToTimestamp(Now());
  v1::TransitionCaseRequest r;
  r.mutable_reopen()->set_reason("Leak is back");
  auto ok = Do(resolved, r, Now() + std::chrono::hours(24 * 89));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->updated.status(), v1::CASE_STATUS_REOPENED);
  EXPECT_EQ(ok->updated.reopen_count(), 1);
  EXPECT_TRUE(ok->events[0].has_case_reopened());
  auto late = Do(resolved, r, Now() + std::chrono::hours(24 * 91));
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(late.status().message().find("within 90 days"), std::string::npos);
}

TEST(TransitionTest, RejectRecordsWhereItBelongs) {
  v1::TransitionCaseRequest r;
  r.mutable_reject()->set_sphere(v1::SPHERE_NATIONAL);
  r.mutable_reject()->set_body("SASSA");
  auto result = Do(OpenCase(v1::CASE_STATUS_REPORTED), r);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->updated.status(), v1::CASE_STATUS_REJECTED);
  EXPECT_EQ(result->events[0].case_status_changed().referred_to(), "SASSA");
}

TEST(TransitionTest, RecategoriseToTheSameCategoryIsRefused) {
  v1::TransitionCaseRequest r;
  r.mutable_recategorise()->set_category(v1::CATEGORY_WATER);
  auto result = Do(OpenCase(v1::CASE_STATUS_REPORTED), r);
  ASSERT_EQ(result.status().code(), StatusCode::kInvalidArgument);
}

TEST(TransitionTest, RecategoriseKeepsStatusAndEmitsRecategorised) {
  v1::TransitionCaseRequest r;
  r.mutable_recategorise()->set_category(v1::CATEGORY_SANITATION);
  auto result = Do(OpenCase(v1::CASE_STATUS_IN_PROGRESS), r);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->updated.status(), v1::CASE_STATUS_IN_PROGRESS);
  EXPECT_EQ(result->events[0].case_recategorised().to(), v1::CATEGORY_SANITATION);
}

TEST(TransitionTest, LocatePlacesAnUnlocatedCase) {
  v1::Case c = OpenCase(v1::CASE_STATUS_REPORTED);
  c.mutable_place()->clear_ward_code();
  v1::TransitionCaseRequest r;
  r.mutable_locate()->set_ward_code("74201001");
  auto result = Do(c, r);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->updated.place().municipality_code(), "GT421");
  EXPECT_EQ(result->events[0].case_located().ward_code(), "74201001");
}

TEST(TransitionTest, ClosedAndRejectedCasesTakeNoWork) {
  for (auto status : {v1::CASE_STATUS_CLOSED, v1::CASE_STATUS_REJECTED}) {
    v1::TransitionCaseRequest r;
    r.mutable_start_work();
    EXPECT_EQ(Do(OpenCase(status), r).status().code(), StatusCode::kFailedPrecondition);
  }
}

}  // namespace
}  // namespace warroom::intake
