#include "services/escalation/src/business_calendar.h"

#include <gtest/gtest.h>

#include "services/escalation/test/test_support.h"

namespace warroom::escalation {
namespace {

using namespace std::chrono;
using testing::Local;

const BusinessCalendar& Office() { return *testing::ShippedPolicy().Calendar("office"); }

TEST(EasterTest, KnownDates) {
  EXPECT_EQ(EasterSunday(2024), year{2024} / March / 31);
  EXPECT_EQ(EasterSunday(2026), year{2026} / April / 5);
  EXPECT_EQ(EasterSunday(2038), year{2038} / April / 25);  // the latest possible
}

TEST(HolidayTest, FixedEasterAndObservedDays) {
  EXPECT_EQ(Office().Holiday(year{2026} / April / 3), "Good Friday");
  EXPECT_EQ(Office().Holiday(year{2026} / April / 6), "Family Day");
  EXPECT_EQ(Office().Holiday(year{2026} / December / 16), "Day of Reconciliation");
  // 9 August 2026 is a Sunday, so Monday 10 August is a public holiday.
  EXPECT_EQ(Office().Holiday(year{2026} / August / 10), "National Women's Day (observed)");
  EXPECT_EQ(Office().Holiday(year{2023} / January / 2), "New Year's Day (observed)");
  EXPECT_EQ(Office().Holiday(year{2024} / May / 29), "General elections");
  EXPECT_FALSE(Office().Holiday(year{2026} / November / 27));
}

TEST(BusinessTimeTest, WithinOneWorkingDay) {
  TimePoint start = Local(2026, 11, 25, 9, 0);  // a Wednesday
  EXPECT_EQ(Office().Add(start, hours(2)), Local(2026, 11, 25, 11, 0));
}

TEST(BusinessTimeTest, OvernightAndOverTheWeekend) {
  TimePoint friday = Local(2026, 11, 27, 15, 0);
  EXPECT_EQ(Office().Add(friday, hours(2)), Local(2026, 11, 30, 8, 30));  // Monday
  EXPECT_EQ(Office().Between(friday, Local(2026, 11, 30, 8, 30)), hours(2));
}

TEST(BusinessTimeTest, BeforeOpeningStartsAtOpening) {
  EXPECT_EQ(Office().Add(Local(2026, 11, 25, 5, 0), hours(1)), Local(2026, 11, 25, 8, 30));
}

TEST(BusinessTimeTest, AcrossChristmasAndTheYearEnd) {
  // Thursday 24 Dec 2026 15:00 + 2h: 1h that day; Christmas (Fri), weekend; Monday 28 Dec.
  EXPECT_EQ(Office().Add(Local(2026, 12, 24, 15, 0), hours(2)), Local(2026, 12, 28, 8, 30));
  // 31 Dec 2026 (Thursday) 15:00 + 3h: 1h that day, New Year's Day (Friday), weekend, then 4 Jan.
  EXPECT_EQ(Office().Add(Local(2026, 12, 31, 15, 0), hours(3)), Local(2027, 1, 4, 9, 30));
}

TEST(BusinessTimeTest, AcrossEaster) {
  // Thursday 2 April 2026 15:00 + 1h 30m: 1h that day; Good Friday, weekend, Family Day; Tuesday.
  EXPECT_EQ(Office().Add(Local(2026, 4, 2, 15, 0), minutes(90)), Local(2026, 4, 7, 8, 0));
}

TEST(BusinessTimeTest, BetweenIsTheInverseOfAdd) {
  TimePoint start = Local(2026, 12, 20, 22, 17);
  for (int h : {1, 7, 20, 50, 200}) {
    TimePoint end = Office().Add(start, hours(h));
    EXPECT_EQ(Office().Between(start, end), hours(h)) << h;
  }
  EXPECT_EQ(Office().Between(Local(2026, 11, 28, 8, 0), Local(2026, 11, 29, 17, 0)), seconds(0));  // weekend
}

TEST(BusinessTimeTest, AnAlwaysCalendarCountsEveryHour) {
  BusinessCalendar always = BusinessCalendar::Always("always");
  TimePoint friday = Local(2026, 11, 27, 15, 0);
  EXPECT_EQ(always.Add(friday, hours(4)), friday + hours(4));
  EXPECT_EQ(always.Between(friday, friday + hours(50)), hours(50));
}

TEST(SlaPolicyTest, DurationsAndLookups) {
  EXPECT_EQ(ParseSlaDuration("42h30m"), hours(42) + minutes(30));
  EXPECT_EQ(ParseSlaDuration("2d"), hours(48));
  EXPECT_FALSE(ParseSlaDuration("soon"));
  EXPECT_FALSE(ParseSlaDuration("30"));
  const auto& p = testing::ShippedPolicy();
  EXPECT_EQ(p.For(v1::CATEGORY_WATER, false).resolve.at(v1::TIER_WARD), hours(17));
  EXPECT_EQ(p.For(v1::CATEGORY_HOUSING, false).calendar, "office");  // the default
  EXPECT_EQ(p.For(v1::CATEGORY_WATER, true).resolve.at(v1::TIER_RAPID_RESPONSE), hours(4));
}

TEST(SlaPolicyTest, ErrorsNameFileAndLine) {
  auto p = SlaPolicy::Load("calendars:\n  always: {always: true}\npolicies:\n  default: {calendar: office, acknowledge: 1h}\n",
                           "bad.yaml", ".");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "bad.yaml:4: unknown calendar 'office'");
  auto q = SlaPolicy::Load("calendars:\n  always: {always: true}\npolicies:\n  weather: {calendar: always, acknowledge: 1h}\n",
                           "bad.yaml", ".");
  EXPECT_EQ(q.status().message(), "bad.yaml:4: needs a time for the ward tier");
}

}  // namespace
}  // namespace warroom::escalation
