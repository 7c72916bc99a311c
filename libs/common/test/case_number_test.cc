#include "warroom/common/case_number.h"

#include <gtest/gtest.h>

namespace warroom {
namespace {

TEST(CaseNumberTest, DammDigitMatchesTheDesignExample) {
  EXPECT_EQ(DammCheckDigit("260001234"), 9);
  EXPECT_EQ(DammCheckDigit("572"), 4);  // the textbook example
}

TEST(CaseNumberTest, FormatsWithCheckDigit) {
  EXPECT_EQ(MakeCaseNumber("GP", 26, 1234).ToString(), "GP26-0001234-9");
}

TEST(CaseNumberTest, ParsesAValidNumber) {
  auto n = ParseCaseNumber("GP26-0001234-9");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->province, "GP");
  EXPECT_EQ(n->year, 26);
  EXPECT_EQ(n->sequence, 1234);
  EXPECT_EQ(n->Ordinal(), 260001234);
}

TEST(CaseNumberTest, WrongCheckDigitSaysMistyped) {
  auto n = ParseCaseNumber("GP26-0001234-8", "case_number");
  ASSERT_EQ(n.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(n.status().message(), "case number is mistyped");
  ASSERT_EQ(n.status().violations().size(), 1u);
  EXPECT_EQ(n.status().violations()[0].field, "case_number");
  EXPECT_NE(n.status().violations()[0].description.find("mistyped"), std::string::npos);
}

TEST(CaseNumberTest, EverySingleDigitErrorIsCaught) {
  std::string good = MakeCaseNumber("GP", 26, 4711).ToString();
  for (size_t pos : {2u, 3u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 13u}) {
    for (char d = '0'; d <= '9'; ++d) {
      if (good[pos] == d) continue;
      std::string bad = good;
      bad[pos] = d;
      EXPECT_FALSE(ParseCaseNumber(bad).ok()) << bad;
    }
  }
}

TEST(CaseNumberTest, EveryAdjacentTranspositionIsCaught) {
  for (int64_t seq : {1234, 9876543, 1010101, 5000000}) {
    std::string good = MakeCaseNumber("GP", 26, seq).ToString();
    std::string digits = good.substr(2, 2) + good.substr(5, 7);
    for (size_t i = 0; i + 1 < digits.size(); ++i) {
      if (digits[i] == digits[i + 1]) continue;
      std::string swapped = digits;
      std::swap(swapped[i], swapped[i + 1]);
      EXPECT_NE(DammCheckDigit(swapped), DammCheckDigit(digits)) << good << " swap at " << i;
    }
  }
}

TEST(CaseNumberTest, WrongShapeSaysWhatIsExpected) {
  std::string zero_sequence = MakeCaseNumber("GP", 26, 0).ToString();  // a valid digit, no case
  for (std::string text : {std::string(), std::string("GP26-001234-9"),
                           std::string("gp26-0001234-9"), std::string("GP26/0001234/9"),
                           std::string("GP2X-0001234-9"), zero_sequence}) {
    auto n = ParseCaseNumber(text);
    ASSERT_FALSE(n.ok()) << text;
    EXPECT_EQ(n.status().message(), "not a case number") << text;
  }
}

}  // namespace
}  // namespace warroom
