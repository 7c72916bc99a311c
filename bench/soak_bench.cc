// The soak: intake, routing, escalation and reporting under a steady open-loop load (reports and
// acknowledgements across wards) for minutes, with each service's resident memory sampled every
// 30 s. What is recorded is each service's RSS after the first minute (warmed up) and at the end,
// and the growth per minute between them: the goal is flat.
#include <iostream>
#include <map>
#include <thread>

#include "bench_util.h"
#include "load.h"
#include "scenarios.h"
#include "testing/process.h"

namespace warroom::bench {

namespace {

// Events the service's consumers have yet to apply (the sum of its consumer lag gauge).
double ConsumerLag(const testing::ServiceProcess& s) {
  std::string metrics = testing::HttpGet(s.admin_port(), "/metrics").second;
  std::string prefix = "warroom_" + s.name() + "_consumer_lag_events{";
  double lag = 0;
  for (size_t at = metrics.find(prefix); at != std::string::npos; at = metrics.find(prefix, at + 1)) {
    if (at > 0 && metrics[at - 1] != '\n') continue;
    size_t space = metrics.find(' ', metrics.find('}', at));
    lag += std::stod(metrics.substr(space + 1, metrics.find('\n', space) - space - 1));
  }
  return lag;
}

}  // namespace

void Soak(const Env& env, Results& results) {
  std::string dir = env.state_dir + "/soak";
  std::filesystem::create_directories(dir);
  std::map<std::string, std::string> quiet = {{"WARROOM_LOG_LEVEL", "warn"}};
  std::vector<std::unique_ptr<testing::ServiceProcess>> services;
  for (const char* name : {"intake", "routing", "escalation", "reporting"}) {
    services.push_back(std::make_unique<testing::ServiceProcess>(name, dir, env.redis.port,
                                                                 env.kafka.bootstrap_servers, quiet));
  }
  loadgen::LoadOptions load;
  load.target = services[0]->target();
  load.rate = 200;
  load.duration = env.soak;
  load.transition_percent = 30;
  load.wards = {"79800001", "79900012", "79700003", "74201001", "74801012", "79800100"};
  load.run_id = "soak";
  loadgen::LoadResult result;
  std::thread driver([&] { result = loadgen::RunLoad(load); });

  const auto start = std::chrono::steady_clock::now();
  std::map<std::string, int64_t> warm, last;
  bool warmed = false;
  while (std::chrono::steady_clock::now() - start < env.soak) {
    std::this_thread::sleep_for(std::chrono::seconds(30));
    auto minutes = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 60;
    std::cerr << "  soak " << minutes << " min:";
    for (auto& s : services) {
      int64_t rss = RssBytes(s->process().pid());
      last[s->name()] = rss;
      if (!warmed && minutes >= 1) warm[s->name()] = rss;
      std::cerr << " " << s->name() << " " << rss / (1024 * 1024) << " MiB (lag " << ConsumerLag(*s) << ")";
    }
    warmed |= minutes >= 1;
    std::cerr << std::endl;
  }
  driver.join();
  const double span_minutes = std::chrono::duration<double>(env.soak).count() / 60 - 1;
  for (auto& s : services) {
    const std::string& n = s->name();
    results.Add({"RSS " + n + " after 1 min", warm[n] / (1024.0 * 1024.0), "MiB", "soak at 200 reports+transitions/s"});
    results.Add({"RSS " + n + " at the end", last[n] / (1024.0 * 1024.0), "MiB",
                 "after " + std::to_string(env.soak.count() / 60) + " min"});
    results.Add({"RSS " + n + " growth", (last[n] - warm[n]) / (1024.0 * 1024.0) / span_minutes, "MiB/min",
                 "goal: flat"});
    if (n != "reporting") {  // reporting reads with its own partition readers, reported separately
      results.Add({"consumer lag " + n + " at the end", ConsumerLag(*s), "events", "0: it kept up"});
    }
  }
  results.Add({"soak calls answered", static_cast<double>(result.ok), "calls",
               std::to_string(result.failed) + " failed, " + std::to_string(result.not_sent) + " not sent"});
}

}  // namespace warroom::bench
