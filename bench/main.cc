// warroom-bench: one run, one table. Starts its own redis-server and embedded broker on free
// loopback ports, runs every scenario, prints the table and writes the JSON results.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "scenarios.h"
#include "testing/process.h"
#include "warroom/common/config.h"
#include "warroom/common/log.h"

int main(int argc, char** argv) {
  return warroom::RunMain("warroom-bench", [&] {
    CLI::App app("War-room end-to-end benchmarks");
    std::string out = "bench/results.json";
    int seconds = 5;
    int events = 100000;
    app.add_option("--out", out, "Where to write the JSON results");
    app.add_option("--seconds", seconds, "Duration of each timed scenario")->check(CLI::Range(1, 600));
    app.add_option("--events", events, "Events for the producer and outbox scenarios")
        ->check(CLI::Range(1000, 10000000));
    int import_rows = 100000;
    int64_t open_clocks = 1000000;
    std::string only;
    int soak_minutes = 10;
    app.add_option("--only", only, "Run one group: foundation, assign, intake, reporting, household, sweep or soak (default: all)")
        ->check(CLI::IsMember({"foundation", "assign", "intake", "reporting", "household", "sweep", "soak"}));
    app.add_option("--soak-minutes", soak_minutes, "Length of the soak (RSS of each service)")->check(CLI::Range(2, 240));
    app.add_option("--open-clocks", open_clocks, "Open SLA clocks for the sweep scaling scenario")
        ->check(CLI::Range(int64_t{20000}, int64_t{5000000}));
    app.add_option("--import-rows", import_rows, "Rows for the metro import scenario")
        ->check(CLI::Range(1000, 10000000));
    CLI11_PARSE(app, argc, argv);
    warroom::log::Init("bench", "warn");

    std::string dir = std::filesystem::temp_directory_path() / ("warroom-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    warroom::testing::RedisServer redis(dir);
    warroom::testing::Broker broker(dir);
    warroom::bench::Env env;
    env.redis.port = redis.port();
    env.kafka.bootstrap_servers = broker.bootstrap();
    env.kafka.client_id = "warroom-bench";
    env.duration = std::chrono::seconds(seconds);
    env.events = events;
    env.import_rows = import_rows;
    env.open_clocks = open_clocks;
    env.soak = std::chrono::minutes(soak_minutes);
    env.state_dir = dir;
    env.broker_pid = broker.process().pid();

    warroom::bench::Results results;
    auto run = [&](const char* group) { return only.empty() || only == group; };
    if (run("foundation") || run("intake")) {  // the echo baseline is what intake is compared with
      std::cerr << "echo baseline..." << std::endl;
      warroom::bench::EchoBaseline(env, results);
    }
    if (run("foundation")) {
      std::cerr << "raw producer..." << std::endl;
      warroom::bench::RawProducer(env, results);
      std::cerr << "outbox..." << std::endl;
      warroom::bench::OutboxThroughput(env, results);
    }
    // Routing reads the cases topic from its start: measure it while the topic is still empty.
    if (run("assign")) {
      std::cerr << "intake to assigned..." << std::endl;
      warroom::bench::AssignmentLatency(env, results);
    }
    if (run("intake")) {
      std::cerr << "intake..." << std::endl;
      warroom::bench::IntakeScenarios(env, results);
    }
    if (run("reporting")) {
      std::cerr << "reporting rebuild and queries..." << std::endl;
      warroom::bench::ReportingScenarios(env, results);
    }
    if (run("household")) {
      std::cerr << "household..." << std::endl;
      warroom::bench::HouseholdScenarios(env, results);
    }
    if (run("sweep")) {
      std::cerr << "SLA sweep scaling..." << std::endl;
      warroom::bench::SweepScaling(env, results);
    }
    if (run("soak")) {
      std::cerr << "soak (" << soak_minutes << " min)..." << std::endl;
      warroom::bench::Soak(env, results);
    }

    results.PrintTable();
    std::string command = "./tools/dev bench";
    std::ofstream(out) << results.ToJson(command).dump(2) << "\n";
    std::cout << "\nresults written to " << out << std::endl;
    redis.Stop();
    broker.process().Terminate();
    std::filesystem::remove_all(dir);
    return 0;
  });
}
