// warroom-psp: the shared runtime plus the priority districts, the PSP core (consuming household
// assessments and hotspot alerts), its gauges and the gRPC service.
#include <CLI/CLI.hpp>

#include "services/psp/src/grpc_handler.h"
#include "warroom/common/data_file.h"
#include "warroom/common/service_runtime.h"
#include "warroom/common/topics.h"

namespace warroom::psp {
namespace {

int Run(int argc, char** argv) {
  CLI::App app("warroom-psp: MISA's professional service providers, deployments and district backlogs");
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file")->required();
  CLI11_PARSE(app, argc, argv);
  BlockShutdownSignals();
  auto config = ConfigReader::FromFile(config_path);
  Geography geo = LoadOrExit("data.geography_dir", Geography::LoadDir(config.Path("data.geography_dir")));
  std::string districts_file = config.Path("data.priority_districts_file");
  PriorityDistricts priority = LoadOrExit(
      "data.priority_districts_file",
      PriorityDistricts::Load(LoadOrExit("data.priority_districts_file", ReadTextFile(districts_file)),
                              districts_file));

  ServiceRuntime runtime(config, {"psp",
                                  {std::string(topics::kHouseholds), std::string(topics::kAlerts)},
                                  std::string(groups::kPsp)});
  SystemClock clock;
  IdGenerator ids(clock);
  PspCore core(runtime.redis(), runtime.outbox(), geo, priority, clock, ids, &runtime.registry());
  runtime.AddBackground("psp-gauges", [&core](std::stop_token stop) {
    while (!stop.stop_requested()) {
      core.UpdateGauges();
      SleepUnlessStopped(stop, std::chrono::seconds(5));
    }
  });
  PspGrpcService service(core, runtime.authorizer());
  runtime.AddService(&service);
  runtime.Start([&](const KafkaMessage& m) { return core.ApplyEvent(m); });
  return runtime.WaitForShutdown();
}

}  // namespace
}  // namespace warroom::psp

int main(int argc, char** argv) {
  return warroom::RunMain("warroom-psp", [&] { return warroom::psp::Run(argc, argv); });
}
