#include "warroom/common/status.h"

#include <gtest/gtest.h>

namespace warroom {
namespace {

TEST(StatusTest, DefaultIsOk) {
  EXPECT_TRUE(Status().ok());
  EXPECT_EQ(Status().ToString(), "OK");
}

TEST(StatusTest, ToStringNamesCodeMessageAndFields) {
  Status s = InvalidArgumentError("report is invalid", {{"place.ward_code", "not a Gauteng ward"},
                                                        {"description", "is empty"}});
  EXPECT_EQ(s.ToString(),
            "INVALID_ARGUMENT: report is invalid [place.ward_code: not a Gauteng ward; "
            "description: is empty]");
}

TEST(StatusTest, FieldErrorsWithNothingAddedIsOk) {
  FieldErrors errors;
  EXPECT_TRUE(errors.ToStatus("x").ok());
}

TEST(StatusTest, FieldErrorsBecomeInvalidArgumentWithEveryViolation) {
  FieldErrors errors;
  errors.Add("a", "bad");
  errors.Add("b", "worse");
  Status s = errors.ToStatus("request is invalid");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(s.violations().size(), 2u);
  EXPECT_EQ(s.violations()[1].field, "b");
}

TEST(StatusTest, StatusOrHoldsValueOrError) {
  StatusOr<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  StatusOr<int> bad = NotFoundError("no such case");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
}

TEST(StatusTest, StatusOrRefusesAnOkStatusWithoutValue) {
  StatusOr<int> odd = Status::Ok();
  EXPECT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace warroom
