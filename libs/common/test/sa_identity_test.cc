#include "warroom/common/sa_identity.h"

#include <gtest/gtest.h>

namespace warroom {
namespace {

TEST(SaPhoneTest, AcceptsCommonWritingsAndNormalisesToE164) {
  EXPECT_EQ(NormalizeSaPhone("082 555 1234"), "+27825551234");
  EXPECT_EQ(NormalizeSaPhone("+27 82 555 1234"), "+27825551234");
  EXPECT_EQ(NormalizeSaPhone("27825551234"), "+27825551234");
  EXPECT_EQ(NormalizeSaPhone("011-555-1234"), "+27115551234");
}

TEST(SaPhoneTest, RejectsForeignShortAndLetteredNumbers) {
  EXPECT_FALSE(NormalizeSaPhone("+44 20 7946 0958"));
  EXPECT_FALSE(NormalizeSaPhone("0825551"));
  EXPECT_FALSE(NormalizeSaPhone("082 555 12a4"));
  EXPECT_FALSE(NormalizeSaPhone("0025551234"));
}

TEST(SaIdTest, AcceptsAValidNumber) {
  EXPECT_EQ(SaIdNumberProblem("8001015009087"), std::nullopt);
}

TEST(SaIdTest, RejectsAWrongLuhnDigit) {
  EXPECT_EQ(SaIdNumberProblem("8001015009088"), "the check digit is wrong (Luhn)");
}

TEST(SaIdTest, RejectsAnImpossibleBirthDate) {
  EXPECT_EQ(SaIdNumberProblem("8013015009086"),
            "the first six digits are not a date of birth (YYMMDD)");
  EXPECT_EQ(SaIdNumberProblem("8102295009085"),
            "the first six digits are not a date of birth (YYMMDD)");  // 1981 and 2081: no 29 Feb
}

TEST(SaIdTest, RejectsWrongLengthAndCitizenship) {
  EXPECT_EQ(SaIdNumberProblem("800101500908"), "must be 13 digits");
  EXPECT_EQ(SaIdNumberProblem("8001015009287"), "the citizenship digit (11th) must be 0 or 1");
}

TEST(EmailTest, ChecksTheShape) {
  EXPECT_TRUE(LooksLikeEmail("resident@example.co.za"));
  EXPECT_FALSE(LooksLikeEmail("resident.example.co.za"));
  EXPECT_FALSE(LooksLikeEmail("a@b"));
  EXPECT_FALSE(LooksLikeEmail("a b@c.za"));
}

}  // namespace
}  // namespace warroom
