// The wiring every service binary shares: config, metrics registry, Redis, the outbox and its
// relay, the event consumer, the gRPC server (with Diagnostics, health and reflection) and the
// admin server with readiness checks; then an orderly shutdown on SIGTERM. A service's main adds
// its own components and handlers to it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "warroom/common/authz.h"
#include "warroom/common/config.h"
#include "warroom/common/diagnostics.h"
#include "warroom/common/grpc_server.h"
#include "warroom/common/kafka.h"
#include "warroom/common/metrics.h"
#include "warroom/common/outbox.h"
#include "warroom/common/redis.h"

namespace prometheus {
class Registry;
}

namespace warroom {

struct RuntimeOptions {
  std::string service;                      // "intake": metric prefix, outbox and log name
  std::vector<std::string> consume_topics;  // empty: no consumer
  std::string consumer_group;
};

class ServiceRuntime {
 public:
  // Reads server.*, redis.*, kafka.* and log.level; throws ConfigError on a bad value.
  ServiceRuntime(const ConfigReader& config, RuntimeOptions options);
  ~ServiceRuntime();

  prometheus::Registry& registry() { return *registry_; }
  RedisClient& redis() { return *redis_; }
  const RedisConfig& redis_config() const { return redis_config_; }
  OutboxStore& outbox() { return *outbox_; }
  void AddService(grpc::Service* service) { grpc_->AddService(service); }
  void AddReadinessCheck(std::string name, AdminServer::Check check);
  // A loop of the service's own that runs until shutdown (e.g. a watch hub), on a thread named
  // thread_name (see thread_name.h).
  void AddBackground(std::string thread_name, std::function<void(std::stop_token)> loop);
  const KafkaConfig& kafka_config() const { return kafka_; }
  // security.policy_file and security.callers_file (off when neither is set).
  const Authorizer& authorizer() const { return authorizer_; }
  // Where consumer lag per topic comes from when the service reads Kafka itself (reporting);
  // otherwise the runtime's group consumer reports it.
  using LagSource = std::function<std::map<std::string, int64_t>()>;
  void SetLagSource(LagSource source) { lag_source_ = std::move(source); }

  // Starts serving and consuming; handler applies each consumed message.
  void Start(KafkaConsumer::Handler handler = {});
  // Blocks until SIGTERM or SIGINT, then stops gRPC, the consumer, the loops and the relay.
  int WaitForShutdown();

 private:
  RuntimeOptions options_;
  ServerConfig server_;
  RedisConfig redis_config_;
  KafkaConfig kafka_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<OutboxStore> outbox_;
  std::unique_ptr<OutboxRelay> relay_;
  std::unique_ptr<KafkaConsumer> consumer_;
  Authorizer authorizer_;  // before diagnostics_, which guards with it
  DiagnosticsService diagnostics_{authorizer_};
  std::unique_ptr<GrpcServer> grpc_;
  std::unique_ptr<AdminServer> admin_;
  std::vector<std::pair<std::string, std::function<void(std::stop_token)>>> loops_;  // name, loop
  LagSource lag_source_;
  std::vector<std::jthread> threads_;
  std::jthread consumer_thread_;
  std::jthread relay_thread_;
};

}  // namespace warroom
