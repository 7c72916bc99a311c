#include "warroom/common/grpc_server.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "warroom/common/diagnostics.h"

namespace warroom {
namespace {

class GrpcServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.AddService(&diagnostics_);
    auto port = server_.Start("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                   grpc::InsecureChannelCredentials());
  }

  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  Authorizer off_;
  DiagnosticsService diagnostics_{off_};
  GrpcServer server_{"test", registry_};
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(GrpcServerTest, PortZeroGetsARealPort) { EXPECT_GT(port_, 0); }

TEST_F(GrpcServerTest, EchoAnswersOverTcp) {
  auto stub = v1::Diagnostics::NewStub(channel_);
  grpc::ClientContext ctx;
  v1::EchoRequest req;
  req.set_payload("hello");
  v1::EchoResponse resp;
  ASSERT_TRUE(stub->Echo(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.payload(), "hello");
}

TEST_F(GrpcServerTest, HealthServiceSaysServingUntilShutdown) {
  grpc::ClientContext ctx;
  // The standard health service answers the empty service name for the whole server.
  auto stub = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(stub->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(GrpcServerTest, EveryRpcIsCountedByMethodAndCode) {
  auto stub = v1::Diagnostics::NewStub(channel_);
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext ctx;
    v1::EchoResponse resp;
    ASSERT_TRUE(stub->Echo(&ctx, v1::EchoRequest(), &resp).ok());
  }
  std::string text = prometheus::TextSerializer().Serialize(registry_->Collect());
  EXPECT_NE(text.find("warroom_test_grpc_requests_total{code=\"OK\",method=\"/warroom.v1.Diagnostics/Echo\"} 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("warroom_test_grpc_request_duration_seconds_count{method=\"/warroom.v1.Diagnostics/Echo\"} 3"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace warroom
