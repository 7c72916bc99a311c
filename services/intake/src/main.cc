// warroom-intake: the shared runtime plus intake's core, watch hub and gRPC service.
#include <CLI/CLI.hpp>

#include "services/intake/src/grpc_handler.h"
#include "warroom/common/clock.h"
#include "warroom/common/log.h"
#include "warroom/common/grpc_server.h"
#include "warroom/common/service_runtime.h"
#include "warroom/common/topics.h"

namespace warroom::intake {
namespace {

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

// Moves a store of the old index layout over, retrying while Redis is unreachable. Lists may miss
// old cases until it is done; nothing else waits for it.
void MigrateIndexes(CaseStore& store, std::stop_token stop) {
  while (!stop.stop_requested()) {
    auto moved = store.MigrateLegacyIndexes();
    if (moved.ok()) {
      if (*moved > 0) log::Info("intake_indexes_migrated").Kv("entries", *moved);
      return;
    }
    log::Warn("intake_index_migration_failed").Kv("reason", moved.status().ToString());
    SleepUnlessStopped(stop, std::chrono::seconds(1));
  }
}

int Run(int argc, char** argv) {
  CLI::App app("warroom-intake: cases from every channel");
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file")->required();
  CLI11_PARSE(app, argc, argv);
  BlockShutdownSignals();
  auto config = ConfigReader::FromFile(config_path);
  IntakeOptions options = LoadOptions(config);
  auto geography = Geography::LoadDir(config.Path("data.geography_dir"));
  if (!geography.ok()) throw ConfigError("data.geography_dir", geography.status().message());

  ServiceRuntime runtime(config, {"intake",
                                  {std::string(topics::kAssignments), std::string(topics::kEscalations)},
                                  std::string(groups::kIntake)});
  RedisConfig hub_config = runtime.redis_config();
  hub_config.pool_size = 1;  // the hub blocks on XREAD on a connection of its own
  RedisClient hub_redis(hub_config);
  SystemClock clock;
  IdGenerator ids(clock);
  CaseStore store(runtime.redis());
  PiiCipher pii = PiiCipherFromConfig(config);
  options.pii = &pii;
  IntakeCore core(store, runtime.outbox(), *geography, clock, ids, options, &runtime.registry());
  WatchHub hub(hub_redis, runtime.redis());
  IntakeGrpcService service(core, hub, runtime.authorizer(), &runtime.registry());
  runtime.AddService(&service);
  runtime.AddBackground("watch-hub", [&](std::stop_token st) { hub.Run(st); });
  runtime.AddBackground("index-migrate", [&](std::stop_token st) { MigrateIndexes(store, st); });
  runtime.Start([&](const KafkaMessage& m) { return core.ApplyEvent(m); });
  return runtime.WaitForShutdown();
}

}  // namespace
}  // namespace warroom::intake

int main(int argc, char** argv) {
  return warroom::RunMain("warroom-intake", [&] { return warroom::intake::Run(argc, argv); });
}
