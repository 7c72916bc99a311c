// The end-to-end benchmark scenarios and what they run against.
#pragma once

#include <chrono>

#include "bench_util.h"
#include "warroom/common/config.h"

namespace warroom::bench {

struct Env {
  RedisConfig redis;
  KafkaConfig kafka;
  std::chrono::seconds duration{5};
  int events = 100000;
  int import_rows = 100000;
  int64_t open_clocks = 1000000;
  std::chrono::seconds soak{600};
  std::string state_dir;  // a scratch folder for this run's processes
  int broker_pid = 0;     // the embedded broker's process, for what it costs in CPU
};

// Result names that one scenario reads from another's.
inline constexpr char kEcho[] = "grpc echo (unary, 16 callers, TCP loopback)";
inline constexpr char kEchoCpu[] = "grpc echo CPU a call (client and server)";

void EchoBaseline(const Env& env, Results& results);
void RawProducer(const Env& env, Results& results);
void OutboxThroughput(const Env& env, Results& results);
void IntakeScenarios(const Env& env, Results& results);
void AssignmentLatency(const Env& env, Results& results);
void SweepScaling(const Env& env, Results& results);
void ReportingScenarios(const Env& env, Results& results);
void HouseholdScenarios(const Env& env, Results& results);
void Soak(const Env& env, Results& results);

}  // namespace warroom::bench
