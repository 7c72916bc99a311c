// warroom-household: the shared runtime plus the norms, the access policy, the intake client, the
// pending-cases loop and the gRPC service.
#include <CLI/CLI.hpp>

#include "services/household/src/grpc_handler.h"
#include "warroom/common/data_file.h"
#include "warroom/common/grpc_server.h"
#include "warroom/common/service_runtime.h"

namespace warroom::household {
namespace {

std::string ReadOrExit(const std::string& key, const std::string& path) {
  return LoadOrExit(key, ReadTextFile(path));
}

int Run(int argc, char** argv) {
  CLI::App app("warroom-household: household profiles, visits, norms assessment and indigent screening");
  std::string config_path;
  app.add_option("--config", config_path, "YAML config file")->required();
  CLI11_PARSE(app, argc, argv);
  BlockShutdownSignals();
  auto config = ConfigReader::FromFile(config_path);
  Geography geo = LoadOrExit("data.geography_dir", Geography::LoadDir(config.Path("data.geography_dir")));
  std::string norms_file = config.Path("data.norms_file");
  std::string thresholds_file = config.Path("data.indigent_thresholds_file");
  NormsPolicy norms = LoadOrExit(
      "data.norms_file", NormsPolicy::Load(ReadOrExit("data.norms_file", norms_file), norms_file,
                                           ReadOrExit("data.indigent_thresholds_file", thresholds_file),
                                           thresholds_file, geo));
  std::string roles_file = config.Path("data.access_roles_file");
  AccessPolicy access = LoadOrExit("data.access_roles_file",
                                   AccessPolicy::Load(ReadOrExit("data.access_roles_file", roles_file), roles_file));
  std::string intake_target = config.String("intake.target");
  PiiCipher pii = PiiCipherFromConfig(config);

  ServiceRuntime runtime(config, {"household", {}, {}});
  SystemClock clock;
  IdGenerator ids(clock);
  // Calls to intake use the client certificate from intake.tls.* (mutual TLS) when given, and
  // the bearer token from intake.bearer_token (WARROOM_INTAKE_BEARER_TOKEN, from a Secret) when set.
  GrpcCaseReporter cases(intake_target,
                         LoadOrExit("intake.tls", ClientCredentials(TlsFiles::Load(config, "intake.tls"))),
                         config.String("intake.bearer_token", ""));
  HouseholdCore core(runtime.redis(), runtime.outbox(), {&geo, &norms, &access, &pii}, cases, clock, ids,
                     &runtime.registry());
  runtime.AddBackground("raise-cases", [&core](std::stop_token stop) { core.Run(stop); });
  HouseholdGrpcService service(core, runtime.authorizer());
  runtime.AddService(&service);
  runtime.Start();
  return runtime.WaitForShutdown();
}

}  // namespace
}  // namespace warroom::household

int main(int argc, char** argv) {
  return warroom::RunMain("warroom-household", [&] { return warroom::household::Run(argc, argv); });
}
