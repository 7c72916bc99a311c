#include "warroom/common/grpc_server.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/support/client_interceptor.h>
#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <csignal>

#include "warroom/common/authz.h"
#include "warroom/common/data_file.h"
#include "warroom/common/log.h"
#include "warroom/common/metrics.h"

namespace warroom {

namespace {

// Threads kept waiting for calls (see Start).
constexpr int kMaxIdleThreads = 64;

struct RpcMetrics {
  prometheus::Family<prometheus::Counter>* requests;
  prometheus::Family<prometheus::Histogram>* latency;
};

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  return kBuckets;
}

class RpcInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcInterceptor(std::string method, RpcMetrics metrics)
      : method_(std::move(method)), metrics_(metrics), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      std::string code = std::string(StatusCodeName(static_cast<StatusCode>(status.error_code())));
      metrics_.requests->Add({{"method", method_}, {"code", code}}).Increment();
      metrics_.latency->Add({{"method", method_}}, LatencyBuckets()).Observe(seconds);
      auto line = status.ok() ? log::Debug("rpc") : log::Info("rpc");
      line.Kv("method", method_).Kv("code", code).Kv("duration_ms", seconds * 1000);
      // Messages of failed RPCs are ours (no personal data); Redact guards them anyway.
      if (!status.ok()) line.Kv("message", status.error_message());
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  RpcMetrics metrics_;
  std::chrono::steady_clock::time_point start_;
};

class RpcInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcInterceptorFactory(RpcMetrics metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    std::string method = info->method();
    // Health and reflection calls are probes, not traffic.
    if (method.rfind("/grpc.", 0) == 0) return nullptr;
    return new RpcInterceptor(std::move(method), metrics_);  // owned by gRPC
  }

 private:
  RpcMetrics metrics_;
};

}  // namespace

GrpcServer::GrpcServer(std::string service_name, std::shared_ptr<prometheus::Registry> registry)
    : service_name_(std::move(service_name)), registry_(std::move(registry)) {}

GrpcServer::~GrpcServer() { Shutdown(std::chrono::milliseconds(0)); }

void GrpcServer::AddService(grpc::Service* service) { services_.push_back(service); }

namespace {

struct TlsPem {
  std::string ca, cert, key;
};

StatusOr<TlsPem> ReadTlsFiles(const TlsFiles& tls) {
  TlsPem pem;
  for (auto [path, out] : {std::pair{&tls.ca_file, &pem.ca}, {&tls.cert_file, &pem.cert}, {&tls.key_file, &pem.key}}) {
    auto text = ReadTextFile(*path);
    if (!text.ok()) return text.status();
    *out = std::move(*text);
  }
  return pem;
}

class BearerTokenInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit BearerTokenInterceptor(const std::string& header) : header_(header) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kAuthorizationHeader, header_);
    }
    methods->Proceed();
  }

 private:
  const std::string& header_;
};

class BearerTokenInterceptorFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerTokenInterceptorFactory(std::string token) : header_("Bearer " + std::move(token)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo*) override {
    return new BearerTokenInterceptor(header_);  // owned by gRPC; the factory outlives the channel's calls
  }

 private:
  std::string header_;
};

}  // namespace

std::shared_ptr<grpc::Channel> ClientChannel(const std::string& target,
                                             std::shared_ptr<grpc::ChannelCredentials> credentials,
                                             const std::string& bearer_token) {
  if (bearer_token.empty()) return grpc::CreateChannel(target, std::move(credentials));
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<BearerTokenInterceptorFactory>(bearer_token));
  return grpc::experimental::CreateCustomChannelWithInterceptors(target, std::move(credentials), grpc::ChannelArguments(),
                                                                 std::move(creators));
}

StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(const TlsFiles& tls) {
  if (!tls.enabled()) return grpc::InsecureChannelCredentials();
  auto pem = ReadTlsFiles(tls);
  if (!pem.ok()) return pem.status();
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = pem->ca;
  o.pem_cert_chain = pem->cert;
  o.pem_private_key = pem->key;
  return grpc::SslCredentials(o);
}

StatusOr<int> GrpcServer::Start(const std::string& host, int port, const TlsFiles& tls) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int bound = 0;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (tls.enabled()) {
    // Mutual TLS: the server proves itself and accepts only clients whose certificate the CA
    // signed.
    auto pem = ReadTlsFiles(tls);
    if (!pem.ok()) return pem.status();
    grpc::SslServerCredentialsOptions o(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    o.pem_root_certs = pem->ca;
    o.pem_key_cert_pairs.push_back({pem->key, pem->cert});
    credentials = grpc::SslServerCredentials(o);
  }
  builder.AddListeningPort(host + ":" + std::to_string(port), credentials, &bound);
  // The sync server's threads poll for calls; by default a thread that finishes a call exits when
  // two others are polling, so under concurrent load threads were made and destroyed for nearly
  // every call (most of the process's time went to thread start-up and wake-ups). Keep them.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, kMaxIdleThreads);
  for (auto* s : services_) builder.RegisterService(s);
  RpcMetrics metrics{
      &prometheus::BuildCounter()
           .Name(MetricName(service_name_, "grpc_requests_total"))
           .Help("gRPC requests by method and status code")
           .Register(*registry_),
      &prometheus::BuildHistogram()
           .Name(MetricName(service_name_, "grpc_request_duration_seconds"))
           .Help("gRPC request latency by method")
           .Register(*registry_),
  };
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<RpcInterceptorFactory>(metrics));
  builder.experimental().SetInterceptorCreators(std::move(creators));
  server_ = builder.BuildAndStart();
  if (!server_ || bound == 0) {
    return UnavailableError("grpc: cannot listen on " + host + ":" + std::to_string(port));
  }
  SetServing(true);
  return bound;
}

void GrpcServer::SetServing(bool serving) {
  if (server_ && server_->GetHealthCheckService()) {
    server_->GetHealthCheckService()->SetServingStatus(serving);
  }
}

void GrpcServer::Shutdown(std::chrono::milliseconds grace) {
  if (!server_) return;
  SetServing(false);
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
  server_.reset();
}

namespace {

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForShutdownSignal() {
  sigset_t set = ShutdownSignals();
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

bool ShutdownSignalWithin(std::chrono::milliseconds timeout) {
  sigset_t set = ShutdownSignals();
  timespec ts{static_cast<time_t>(timeout.count() / 1000), static_cast<long>(timeout.count() % 1000) * 1000000};
  return sigtimedwait(&set, nullptr, &ts) > 0;
}

}  // namespace warroom
