#include "warroom/common/service_runtime.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include "warroom/common/clock.h"
#include "warroom/common/log.h"
#include "warroom/common/metrics.h"
#include "warroom/common/thread_name.h"

namespace warroom {

namespace {

std::string InstanceId(const std::string& service) {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return std::string(host) + "/" + service;
}

}  // namespace

ServiceRuntime::ServiceRuntime(const ConfigReader& config, RuntimeOptions options)
    : options_(std::move(options)) {
  log::Init(options_.service, config.String("log.level", "info"));
  server_ = ServerConfig::Load(config);
  redis_config_ = RedisConfig::Load(config);
  kafka_ = KafkaConfig::Load(config);
  kafka_.client_id = "warroom-" + options_.service;
  authorizer_ = Authorizer::FromConfig(config);
  registry_ = std::make_shared<prometheus::Registry>();
  redis_ = std::make_unique<RedisClient>(redis_config_);
  outbox_ = std::make_unique<OutboxStore>(*redis_, options_.service);
  RelayOptions relay_options;
  relay_options.instance_id = config.String("outbox.instance_id", InstanceId(options_.service));
  auto relay = OutboxRelay::Create(*redis_, *outbox_, kafka_, relay_options, registry_.get());
  if (!relay.ok()) throw ConfigError("kafka", relay.status().ToString());
  relay_ = std::move(*relay);
  outbox_->SetCommitListener([r = relay_.get()] { r->Notify(); });
  if (!options_.consume_topics.empty()) {
    auto consumer = KafkaConsumer::Create(kafka_, {options_.consumer_group, options_.consume_topics});
    if (!consumer.ok()) throw ConfigError("kafka", consumer.status().ToString());
    consumer_ = std::move(*consumer);
  }
  grpc_ = std::make_unique<GrpcServer>(options_.service, registry_);
  grpc_->AddService(&diagnostics_);
  admin_ = std::make_unique<AdminServer>(registry_);
  admin_->AddReadinessCheck("redis", [this] { return redis_->Ping(); });
  // Kafka away does not take a service out of its Service: writes keep committing to the outbox,
  // and /readyz says how many events wait for the broker.
  admin_->AddReadinessCheck("kafka", [this] { return relay_->CheckKafka(); }, AdminServer::Gate::kReported);
  if (consumer_) {
    admin_->AddReadinessCheck("consumer", [this]() -> Status {
      return consumer_->assigned() ? Status::Ok() : UnavailableError("no partitions assigned yet");
    });
  }
}

ServiceRuntime::~ServiceRuntime() = default;

void ServiceRuntime::AddReadinessCheck(std::string name, AdminServer::Check check) {
  admin_->AddReadinessCheck(std::move(name), std::move(check));
}

void ServiceRuntime::AddBackground(std::string thread_name, std::function<void(std::stop_token)> loop) {
  loops_.emplace_back(std::move(thread_name), std::move(loop));
}

void ServiceRuntime::Start(KafkaConsumer::Handler handler) {
  auto grpc_port = grpc_->Start(server_.host, server_.grpc_port, server_.tls);
  if (!grpc_port.ok()) throw ConfigError("server.grpc_port", grpc_port.status().message());
  auto admin_port = admin_->Start(server_.host, server_.admin_port);
  if (!admin_port.ok()) throw ConfigError("server.admin_port", admin_port.status().message());
  relay_thread_ = std::jthread([this](std::stop_token st) {
    NameThisThread("outbox-relay");
    relay_->Run(st);
  });
  if (consumer_ && !lag_source_) lag_source_ = [c = consumer_.get()] { return c->LagByTopic(); };
  if (lag_source_) {
    auto& lag = prometheus::BuildGauge()
                    .Name(MetricName(options_.service, "consumer_lag_events"))
                    .Help("Events on a consumed topic not yet applied")
                    .Register(*registry_);
    AddBackground("lag-gauges", [this, &lag](std::stop_token stop) {
      while (!stop.stop_requested()) {
        for (const auto& [topic, n] : lag_source_()) {
          lag.Add({{"topic", topic}}).Set(static_cast<double>(n));
        }
        SleepUnlessStopped(stop, std::chrono::seconds(1));
      }
    });
  }
  for (const auto& background : loops_) {
    threads_.emplace_back([background](std::stop_token st) {
      NameThisThread(background.first);
      background.second(st);
    });
  }
  if (consumer_ && handler) {
    consumer_thread_ = std::jthread([this, handler](std::stop_token st) {
      NameThisThread("consumer");
      consumer_->Run(st, handler);
    });
  }
  log::Info(options_.service + "_listening")
      .Kv("grpc_port", *grpc_port)
      .Kv("admin_port", *admin_port)
      .Kv("grpc_tls", server_.tls.enabled() ? "mutual" : "off");
}

int ServiceRuntime::WaitForShutdown() {
  int sig = WaitForShutdownSignal();
  log::Info(options_.service + "_stopping").Kv("signal", sig);
  grpc_->Shutdown(std::chrono::seconds(5));
  if (consumer_thread_.joinable()) {
    consumer_thread_.request_stop();
    consumer_thread_.join();
  }
  if (consumer_) consumer_->Close();  // commits what was applied
  for (auto& t : threads_) t.request_stop();
  threads_.clear();
  relay_thread_.request_stop();
  if (relay_thread_.joinable()) relay_thread_.join();
  admin_->Stop();
  return 0;
}

}  // namespace warroom
