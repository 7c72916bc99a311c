// Drives IntakeService over TCP with a mix of reports and transitions: open loop at a fixed rate
// (latency counted from each call's scheduled time, so a slow server shows as latency, not as a
// lower offered rate) or flat out with a fixed number of calls in flight. Always stops by itself.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "histogram.h"

namespace warroom::loadgen {

struct LoadOptions {
  std::string target = "127.0.0.1:50051";
  double rate = 0;       // calls per second; 0 runs flat out
  int concurrency = 32;  // calls in flight when flat out; the cap on them when open loop
  std::chrono::milliseconds duration{10000};
  int64_t count = 0;           // stop after this many calls (0: by duration only)
  int transition_percent = 20; // share of calls that acknowledge an earlier reported case
  std::vector<std::string> wards = {"79800001"};
  uint64_t seed = 1;
  std::string run_id = "lg";  // prefix of client request ids
};

struct LoadResult {
  uint64_t sent = 0, ok = 0, failed = 0, not_sent = 0;
  double seconds = 0;
  Histogram latency;
  std::map<std::string, uint64_t> errors;  // by gRPC code name
  std::vector<std::string> acknowledged;   // every case number a report was acknowledged with

  double rate() const { return seconds > 0 ? ok / seconds : 0; }
  nlohmann::json ToJson(const LoadOptions& options) const;
};

// Only loopback targets are accepted: a load test never leaves this machine.
bool IsLoopbackTarget(const std::string& target);

LoadResult RunLoad(const LoadOptions& options);

}  // namespace warroom::loadgen
