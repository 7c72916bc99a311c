// warroom-intake: wires config, Redis, the outbox relay, the event consumer, the watch hub and
// the gRPC and admin servers, then serves until SIGTERM.
#include <prometheus/registry.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <thread>

#include "services/intake/src/grpc_handler.h"
#include "warroom/common/config.h"
#include "warroom/common/diagnostics.h"
#include "warroom/common/grpc_server.h"
#include "warroom/common/log.h"
#include "warroom/common/metrics.h"
#include "warroom/common/topics.h"

namespace warroom::intake {
namespace {

std::string InstanceId(const std::string& service) {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return std::string(host) + "/" + service;
}

IntakeOptions LoadOptions(const ConfigReader& c) {
  IntakeOptions o;
  o.case_prefix = c.String("case_number.prefix", o.case_prefix);
  if (o.case_prefix.size() != 2 || !std::isupper(static_cast<unsigned char>(o.case_prefix[0])) ||
      !std::isupper(static_cast<unsigned char>(o.case_prefix[1]))) {
    throw ConfigError("case_number.prefix", "must be two capital letters, e.g. GP");
  }
  o.utc_offset = std::chrono::hours(c.Int("case_number.utc_offset_hours", 2, -12, 14));
  o.limits.max_description_chars =
      static_cast<size_t>(c.Int("limits.max_description_chars", 4000, 1, 100000));
  o.limits.reopen_window = std::chrono::hours(24 * c.Int("limits.reopen_days", 90, 1, 3650));
  o.duplicate_radius_m = c.Double("duplicates.radius_m", 50, 1, 10000);
  o.duplicate_window = std::chrono::hours(24 * c.Int("duplicates.window_days", 14, 1, 365));
  return o;
}

int Run(int argc, char** argv) {
  CLI::App app("warroom-intake: cases from every channel");
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  BlockShutdownSignals();
  auto config = ConfigReader::FromFile(config_path);
  log::Init("intake", config.String("log.level", "info"));
  ServerConfig server = ServerConfig::Load(config);
  RedisConfig redis_config = RedisConfig::Load(config);
  KafkaConfig kafka = KafkaConfig::Load(config);
  kafka.client_id = "warroom-intake";
  IntakeOptions options = LoadOptions(config);
  std::string geo_dir = config.Path("data.geography_dir");
  auto geography = Geography::LoadDir(geo_dir);
  if (!geography.ok()) throw ConfigError("data.geography_dir", geography.status().message());

  auto registry = std::make_shared<prometheus::Registry>();
  RedisClient redis(redis_config);
  RedisConfig hub_config = redis_config;
  hub_config.pool_size = 1;
  RedisClient hub_redis(hub_config);
  OutboxStore outbox(redis, "intake");
  RelayOptions relay_options;
  relay_options.instance_id = config.String("outbox.instance_id", InstanceId("intake"));
  auto relay = OutboxRelay::Create(redis, outbox, kafka, relay_options, registry.get());
  if (!relay.ok()) throw ConfigError("kafka", relay.status().ToString());
  outbox.SetCommitListener([r = relay->get()] { r->Notify(); });
  auto consumer = KafkaConsumer::Create(
      kafka, {std::string(groups::kIntake),
              {std::string(topics::kAssignments), std::string(topics::kEscalations)}});
  if (!consumer.ok()) throw ConfigError("kafka", consumer.status().ToString());

  SystemClock clock;
  IdGenerator ids(clock);
  CaseStore store(redis);
  IntakeCore core(store, outbox, *geography, clock, ids, options, registry.get());
  WatchHub hub(hub_redis);
  IntakeGrpcService intake_service(core, hub);
  DiagnosticsService diagnostics;

  GrpcServer grpc_server("intake", registry);
  grpc_server.AddService(&intake_service);
  grpc_server.AddService(&diagnostics);
  auto grpc_port = grpc_server.Start(server.host, server.grpc_port);
  if (!grpc_port.ok()) throw ConfigError("server.grpc_port", grpc_port.status().message());
  AdminServer admin(registry);
  admin.AddReadinessCheck("redis", [&] { return redis.Ping(); });
  admin.AddReadinessCheck("kafka", [&] { return (*relay)->CheckKafka(); });
  admin.AddReadinessCheck("consumer", [&]() -> Status {
    return (*consumer)->assigned() ? Status::Ok() : UnavailableError("no partitions assigned yet");
  });
  auto admin_port = admin.Start(server.host, server.admin_port);
  if (!admin_port.ok()) throw ConfigError("server.admin_port", admin_port.status().message());

  std::jthread relay_thread([&](std::stop_token st) { (*relay)->Run(st); });
  std::jthread hub_thread([&](std::stop_token st) { hub.Run(st); });
  std::jthread consumer_thread([&](std::stop_token st) {
    (*consumer)->Run(st, [&](const KafkaMessage& m) { return core.ApplyEvent(m); });
  });
  log::Info("intake_listening")
      .Kv("grpc_port", *grpc_port)
      .Kv("admin_port", *admin_port)
      .Kv("wards", static_cast<int>(geography->wards().size()));

  int sig = WaitForShutdownSignal();
  log::Info("intake_stopping").Kv("signal", sig);
  grpc_server.Shutdown(std::chrono::seconds(5));
  consumer_thread.request_stop();
  consumer_thread.join();
  (*consumer)->Close();
  hub_thread.request_stop();
  relay_thread.request_stop();
  relay_thread.join();
  admin.Stop();
  return 0;
}

}  // namespace
}  // namespace warroom::intake

int main(int argc, char** argv) {
  return warroom::RunMain("warroom-intake", [&] { return warroom::intake::Run(argc, argv); });
}
