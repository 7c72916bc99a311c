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
// An integer field of Redis's INFO (e.g. "used_memory", "total_forks"); 0 when it cannot be read.
int64_t RedisInfoInt(RedisClient& redis, const std::string& field);

}  // namespace warroom::bench
