#include "bench_util.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <ctime>
#include <thread>

#include "warroom/common/redis.h"

namespace warroom::bench {

double Results::Get(const std::string& name) const {
  for (const auto& r : results_) {
    if (r.name == name) return r.value;
  }
  return 0;
}

void Results::PrintTable() const {
  std::printf("\n%-52s %14s  %-10s %s\n", "figure", "value", "unit", "note");
  for (const auto& r : results_) {
    std::printf("%-52s %14.2f  %-10s %s\n", r.name.c_str(), r.value, r.unit.c_str(), r.note.c_str());
  }
}

nlohmann::json Results::ToJson(const std::string& command) const {
  nlohmann::json out;
  out["command"] = command;
  out["machine"] = MachineSummary();
  std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  out["date"] = when;
  for (const auto& r : results_) {
    out["results"].push_back({{"name", r.name}, {"value", r.value}, {"unit", r.unit}, {"note", r.note}});
  }
  return out;
}

double Latencies::Percentile(double p) {
  if (us_.empty()) return 0;
  if (!sorted_) {
    std::sort(us_.begin(), us_.end());
    sorted_ = true;
  }
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(us_.size()));
  return us_[std::min(rank, us_.size() - 1)];
}

std::string MachineSummary() {
  double gib = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE)) /
               (1024.0 * 1024 * 1024);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%u cores, %.1f GiB", std::thread::hardware_concurrency(), gib);
  return buf;
}

int64_t RssBytes(int pid) {
  std::ifstream statm(pid == 0 ? std::string("/proc/self/statm") : "/proc/" + std::to_string(pid) + "/statm");
  int64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

int64_t RedisInfoInt(RedisClient& redis, const std::string& field) {
  auto info = redis.Command({"INFO"});  // the default sections: memory, persistence, stats, ...
  if (!info.ok()) return 0;
  auto at = info->str.find("\n" + field + ":");
  return at == std::string::npos ? 0 : std::stoll(info->str.substr(at + field.size() + 2));
}

}  // namespace warroom::bench
