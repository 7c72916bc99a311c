// warroom-escalation: the shared runtime plus SLA policy, calendars, the clock engine, the sweeper
// and the gRPC service.
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <filesystem>

#include "services/escalation/src/grpc_handler.h"
#include "warroom/common/data_file.h"
#include "warroom/common/grpc_server.h"
#include "warroom/common/service_runtime.h"
#include "warroom/common/topics.h"

namespace warroom::escalation {
namespace {

std::string ReadOrExit(const std::string& key, const std::string& path) {
  auto text = ReadTextFile(path);
  if (!text.ok()) throw ConfigError(key, text.status().message());
  return *text;
}

int Run(int argc, char** argv) {
  CLI::App app("warroom-escalation: SLA clocks, tier escalation, rapid response");
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file")->required();
  CLI11_PARSE(app, argc, argv);
  BlockShutdownSignals();
  auto config = ConfigReader::FromFile(config_path);
  auto geo = Geography::LoadDir(config.Path("data.geography_dir"));
  if (!geo.ok()) throw ConfigError("data.geography_dir", geo.status().message());
  std::string policy_file = config.Path("sla.policy_file");
  auto policy = SlaPolicy::Load(ReadOrExit("sla.policy_file", policy_file), policy_file,
                                std::filesystem::path(policy_file).parent_path().string());
  if (!policy.ok()) throw ConfigError("sla.policy_file", policy.status().message());
  std::map<std::string, std::vector<std::string>> roles;
  std::string roles_file = config.Path("data.war_room_roles_file");
  try {
    for (const auto& tier : YAML::Load(ReadOrExit("data.war_room_roles_file", roles_file))) {
      for (const auto& role : tier.second) roles[tier.first.Scalar()].push_back(role.Scalar());
    }
  } catch (const YAML::Exception& e) {
    throw ConfigError("data.war_room_roles_file", roles_file + ": " + e.what());
  }
  auto sweep_interval = config.Duration("sla.sweep_interval", std::chrono::milliseconds(200));
  HotspotRule hotspots;
  hotspots.window_hours = static_cast<int>(config.Int("hotspots.window_hours", 24, 1, 24 * 14));
  hotspots.baseline_windows = static_cast<int>(config.Int("hotspots.baseline_windows", 7, 1, 90));
  hotspots.multiplier = config.Double("hotspots.multiplier", 3.0, 1.0, 100.0);
  hotspots.floor = config.Int("hotspots.floor", 5, 1, 100000);

  ServiceRuntime runtime(config, {"escalation",
                                  {std::string(topics::kCases), std::string(topics::kAssignments)},
                                  std::string(groups::kEscalation)});
  SystemClock clock;
  IdGenerator ids(clock);
  SlaEngine engine(*policy, *geo, roles);
  EscalationCore core(runtime.redis(), runtime.outbox(), engine, *policy, clock, ids,
                      &runtime.registry(), hotspots);
  EscalationGrpcService service(core, runtime.authorizer());
  runtime.AddService(&service);
  runtime.AddBackground("sla-sweeper", [&](std::stop_token st) { core.RunSweeper(st, sweep_interval); });
  runtime.Start([&](const KafkaMessage& m) { return core.ApplyEvent(m); });
  return runtime.WaitForShutdown();
}

}  // namespace
}  // namespace warroom::escalation

int main(int argc, char** argv) {
  return warroom::RunMain("warroom-escalation", [&] { return warroom::escalation::Run(argc, argv); });
}
