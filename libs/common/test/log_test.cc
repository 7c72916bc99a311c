#include "warroom/common/log.h"

#include <gtest/gtest.h>

namespace warroom::log {
namespace {

TEST(RedactTest, MasksSouthAfricanPhoneNumbersInAnyCommonForm) {
  EXPECT_EQ(Redact("call 0825551234 now"), "call [phone] now");
  EXPECT_EQ(Redact("call 082 555 1234"), "call [phone]");
  EXPECT_EQ(Redact("+27 82 555 1234"), "[phone]");
  EXPECT_EQ(Redact("27825551234"), "[phone]");
}

TEST(RedactTest, MasksThirteenDigitIdNumbers) {
  EXPECT_EQ(Redact("id=8001015009087"), "id=[id]");
}

TEST(RedactTest, MasksEmailAddresses) {
  EXPECT_EQ(Redact("from thandi.m@example.co.za today"), "from [email] today");
}

TEST(RedactTest, LeavesCaseNumbersWardCodesAndDatesAlone) {
  std::string text = "case=GP26-0001234-9 ward=79800001 day=2026-11-27 count=12";
  EXPECT_EQ(Redact(text), text);
}

TEST(RedactTest, LeavesAnAtSignWithoutAddressAlone) {
  EXPECT_EQ(Redact("meet @ 10"), "meet @ 10");
}

}  // namespace
}  // namespace warroom::log
