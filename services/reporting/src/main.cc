// warroom-reporting: the shared runtime plus the read models, their reader and the gRPC service.
#include <CLI/CLI.hpp>

#include "services/reporting/src/grpc_handler.h"
#include "warroom/common/grpc_server.h"
#include "warroom/common/log.h"
#include "warroom/common/service_runtime.h"

namespace warroom::reporting {
namespace {

int Run(int argc, char** argv) {
  CLI::App app("warroom-reporting: rollups, SLA compliance and ward reports from every topic");
  std::string config_path;
  bool rebuild = false;
  app.add_option("--config", config_path, "YAML config file")->required();
  app.add_flag("--rebuild", rebuild, "forget the saved read models and rebuild from offset zero");
  CLI11_PARSE(app, argc, argv);
  BlockShutdownSignals();
  auto config = ConfigReader::FromFile(config_path);
  auto geo = Geography::LoadDir(config.Path("data.geography_dir"));
  if (!geo.ok()) throw ConfigError("data.geography_dir", geo.status().message());
  ReportingOptions options;
  options.checkpoint_interval = config.Duration("model.checkpoint_interval", options.checkpoint_interval);
  options.batch = static_cast<int>(config.Int("model.batch", options.batch, 1, 100000));

  // Reporting reads Kafka itself (positions saved with the model), not through a group consumer.
  ServiceRuntime runtime(config, {"reporting", {}, {}});
  SystemClock clock;
  ReportingCore core(*geo, runtime.redis(), runtime.kafka_config(), clock, &runtime.registry(),
                     options);
  // Redis may be down or still loading its data (a restart of both at once): wait for it, for a
  // while, rather than exit at once; any other error, or Redis away for two minutes, ends here,
  // and so does a shutdown signal.
  Status started = core.Start(rebuild);
  for (int attempt = 1; started.code() == StatusCode::kUnavailable && attempt <= 240; ++attempt) {
    if (attempt % 20 == 1) log::Warn("reporting_waiting_for_redis").Kv("reason", started.ToString());
    if (ShutdownSignalWithin(std::chrono::milliseconds(500))) return 0;
    started = core.Start(rebuild);
  }
  if (!started.ok()) throw ConfigError("redis", started.ToString());
  runtime.SetLagSource([&core] { return core.Lag(); });
  runtime.AddReadinessCheck("model", [&core]() -> Status {
    return core.loaded() ? Status::Ok() : UnavailableError("read model not loaded");
  });
  runtime.AddBackground("read-model", [&core](std::stop_token stop) { core.Run(stop); });
  ReportingGrpcService service(core, runtime.authorizer());
  runtime.AddService(&service);
  runtime.Start();
  return runtime.WaitForShutdown();
}

}  // namespace
}  // namespace warroom::reporting

int main(int argc, char** argv) {
  return warroom::RunMain("warroom-reporting", [&] { return warroom::reporting::Run(argc, argv); });
}
