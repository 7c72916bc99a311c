// Small helpers shared by the end-to-end benchmark scenarios: results, percentiles, machine facts.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace warroom {
class RedisClient;
}

namespace warroom::bench {

struct Result {
  std::string name;
  double value = 0;
  std::string unit;
  std::string note;  // e.g. the ratio and its goal
};

class Results {
 public:
  void Add(Result r) { results_.push_back(std::move(r)); }
  double Get(const std::string& name) const;
  void PrintTable() const;
  nlohmann::json ToJson(const std::string& command) const;

 private:
  std::vector<Result> results_;
};

// Latencies in microseconds; percentiles by nearest rank.
class Latencies {
 public:
  void Add(std::chrono::nanoseconds d) { us_.push_back(d.count() / 1000.0); }
  void Merge(const Latencies& other) { us_.insert(us_.end(), other.us_.begin(), other.us_.end()); }
  double Percentile(double p);
  size_t size() const { return us_.size(); }

 private:
  std::vector<double> us_;
  bool sorted_ = false;
};

std::string MachineSummary();  // "2 cores, 23.4 GiB"
// Resident memory of a process (0: this one), from /proc/<pid>/statm; 0 when it cannot be read.
int64_t RssBytes(int pid = 0);
// CPU time (user and system, every thread) a process has used, from /proc/<pid>/stat; 0 when it
// cannot be read (or pid is not a process id).
double CpuSeconds(int pid);

// The CPU that named processes use over a stretch of a run, so that a figure can say what it
// cost and where (getpid() for the load generator running inside the bench).
class CpuMeter {
 public:
  struct Process {
    std::string name;
    int pid = 0;
  };
  // Starts measuring.
  explicit CpuMeter(std::vector<Process> processes);
  // Seconds each process has used since the meter started, in the order given.
  std::vector<double> Used() const;
  // "redis 91, intake 128, load generator 45": microseconds each used per unit of work done.
  std::string PerUnit(const std::vector<double>& used, double units) const;
  // "1.62 of 2 cores busy": CPU seconds used over a stretch of wall-clock seconds.
  static std::string CoresBusy(double cpu_seconds, double wall_seconds);

 private:
  std::vector<Process> processes_;
  std::vector<double> start_;
};

// An integer field of Redis's INFO (e.g. "used_memory", "total_forks"); 0 when it cannot be read.
int64_t RedisInfoInt(RedisClient& redis, const std::string& field);

}  // namespace warroom::bench
