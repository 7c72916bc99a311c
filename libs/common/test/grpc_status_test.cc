#include "warroom/common/grpc_status.h"

#include <gtest/gtest.h>

namespace warroom {
namespace {

TEST(GrpcStatusTest, OkStaysOk) { EXPECT_TRUE(ToGrpcStatus(Status::Ok()).ok()); }

TEST(GrpcStatusTest, CodeAndMessageCarryOver) {
  grpc::Status g = ToGrpcStatus(FailedPreconditionError("case is closed"));
  EXPECT_EQ(g.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(g.error_message(), "case is closed");
  EXPECT_TRUE(g.error_details().empty());
}

TEST(GrpcStatusTest, FieldViolationsRoundTripAsBadRequest) {
  Status in = InvalidArgumentError("report is invalid", {{"category", "unknown category 99"}});
  grpc::Status g = ToGrpcStatus(in);
  EXPECT_FALSE(g.error_details().empty());
  Status out = FromGrpcStatus(g);
  EXPECT_EQ(out.code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(out.violations().size(), 1u);
  EXPECT_EQ(out.violations()[0].field, "category");
  EXPECT_EQ(out.violations()[0].description, "unknown category 99");
}

}  // namespace
}  // namespace warroom
