#include "bench_util.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
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

double CpuSeconds(int pid) {
  if (pid <= 0) return 0;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  // The command name (field 2) may hold spaces: count fields from the ')' that ends it.
  auto end = line.rfind(')');
  if (end == std::string::npos) return 0;
  std::istringstream rest(line.substr(end + 1));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

CpuMeter::CpuMeter(std::vector<Process> processes) : processes_(std::move(processes)) {
  for (const auto& p : processes_) start_.push_back(CpuSeconds(p.pid));
}

std::vector<double> CpuMeter::Used() const {
  std::vector<double> used;
  for (size_t i = 0; i < processes_.size(); ++i) used.push_back(CpuSeconds(processes_[i].pid) - start_[i]);
  return used;
}

std::string CpuMeter::PerUnit(const std::vector<double>& used, double units) const {
  std::string out;
  for (size_t i = 0; i < processes_.size() && i < used.size(); ++i) {
    char part[96];
    std::snprintf(part, sizeof(part), "%s%s %.0f", out.empty() ? "" : ", ", processes_[i].name.c_str(),
                  units > 0 ? used[i] * 1e6 / units : 0);
    out += part;
  }
  return out;
}

std::string CpuMeter::CoresBusy(double cpu_seconds, double wall_seconds) {
  char busy[64];
  std::snprintf(busy, sizeof(busy), "%.2f of %u cores busy", wall_seconds > 0 ? cpu_seconds / wall_seconds : 0,
                std::thread::hardware_concurrency());
  return busy;
}

int64_t RedisInfoInt(RedisClient& redis, const std::string& field) {
  auto info = redis.Command({"INFO"});  // the default sections: memory, persistence, stats, ...
  if (!info.ok()) return 0;
  auto at = info->str.find("\n" + field + ":");
  return at == std::string::npos ? 0 : std::stoll(info->str.substr(at + field.size() + 2));
}

}  // namespace warroom::bench
