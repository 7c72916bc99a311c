// warroom-loadgen: load against intake on loopback; prints a summary, writes JSON results and
// (optionally) the ledger of every acknowledged case number.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "load.h"
#include "warroom/common/config.h"

int main(int argc, char** argv) {
  warroom::PrepareProcess();
  CLI::App app("warroom-loadgen: drive IntakeService over TCP on loopback");
  warroom::loadgen::LoadOptions o;
  double seconds = 10;
  std::string out, ledger, wards;
  app.add_option("--target", o.target, "intake address (loopback only)");
  app.add_option("--rate", o.rate, "calls per second (open loop); 0 = flat out")->check(CLI::NonNegativeNumber);
  app.add_option("--concurrency", o.concurrency, "calls in flight when flat out (open loop allows up to 10,000)")->check(CLI::Range(1, 10000));
  app.add_option("--seconds", seconds, "how long to run")->check(CLI::Range(0.1, 3600.0));
  app.add_option("--count", o.count, "stop after this many calls");
  app.add_option("--transitions", o.transition_percent, "percent of calls that are transitions")->check(CLI::Range(0, 100));
  app.add_option("--wards", wards, "comma-separated ward codes to report in");
  app.add_option("--seed", o.seed);
  app.add_option("--run-id", o.run_id, "prefix of client request ids");
  app.add_option("--out", out, "write the results as JSON here");
  app.add_option("--ledger", ledger, "write every acknowledged case number here");
  CLI11_PARSE(app, argc, argv);
  if (!warroom::loadgen::IsLoopbackTarget(o.target)) {
    std::cerr << "error: --target must be a loopback address (127.x.x.x, localhost, [::1])\n";
    return 2;
  }
  o.duration = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  if (!wards.empty()) {
    o.wards.clear();
    size_t start = 0;
    while (start <= wards.size()) {
      size_t comma = wards.find(',', start);
      o.wards.push_back(wards.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  auto result = warroom::loadgen::RunLoad(o);
  auto json = result.ToJson(o);
  std::cout << json.dump(2) << std::endl;
  if (!out.empty()) std::ofstream(out) << json.dump(2) << "\n";
  if (!ledger.empty()) {
    std::ofstream l(ledger);
    for (const auto& cn : result.acknowledged) l << cn << "\n";
  }
  return result.failed == 0 ? 0 : 1;
}
