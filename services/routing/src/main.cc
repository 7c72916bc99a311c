// warroom-routing: the shared runtime plus routing's reference data, rules and gRPC service.
#include <CLI/CLI.hpp>

#include "services/routing/src/grpc_handler.h"
#include "warroom/common/grpc_server.h"
#include "warroom/common/service_runtime.h"
#include "warroom/common/topics.h"

namespace warroom::routing {
namespace {

int Run(int argc, char** argv) {
  CLI::App app("warroom-routing: every case to the sphere, department and war room responsible");
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file")->required();
  CLI11_PARSE(app, argc, argv);
  BlockShutdownSignals();
  auto config = ConfigReader::FromFile(config_path);
  Geography geo = LoadOrExit("data.geography_dir", Geography::LoadDir(config.Path("data.geography_dir")));
  std::string departments_file = config.Path("data.departments_file");
  Departments departments = LoadOrExit(
      "data.departments_file",
      [&]() -> StatusOr<Departments> {
        auto text = ReadTextFile(departments_file);
        if (!text.ok()) return text.status();
        return Departments::Load(*text, departments_file, geo);
      }());
  std::string roles_file = config.Path("data.war_room_roles_file");
  WarRoomRoles roles = LoadOrExit(
      "data.war_room_roles_file",
      [&]() -> StatusOr<WarRoomRoles> {
        auto text = ReadTextFile(roles_file);
        if (!text.ok()) return text.status();
        return WarRoomRoles::Load(*text, roles_file);
      }());

  ServiceRuntime runtime(config, {"routing", {std::string(topics::kCases)}, std::string(groups::kRouting)});
  SystemClock clock;
  IdGenerator ids(clock);
  RoutingCore core(runtime.redis(), runtime.outbox(),
                   {&geo, &departments, &roles, config.Path("rules.file")}, clock, ids,
                   &runtime.registry());
  if (Status s = core.ReloadRules(); !s.ok()) throw ConfigError("rules.file", s.message());
  RoutingGrpcService service(core, runtime.authorizer());
  runtime.AddService(&service);
  runtime.Start([&](const KafkaMessage& m) { return core.ApplyEvent(m); });
  return runtime.WaitForShutdown();
}

}  // namespace
}  // namespace warroom::routing

int main(int argc, char** argv) {
  return warroom::RunMain("warroom-routing", [&] { return warroom::routing::Run(argc, argv); });
}
