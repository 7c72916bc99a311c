// Metric naming and the admin HTTP port: /metrics (Prometheus text 0.0.4), /healthz and /readyz.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "warroom/common/status.h"

namespace prometheus {
class Registry;
}
namespace httplib {
class Server;
}

namespace warroom {

// warroom_<service>_<what>, where what ends in its unit (_total, _seconds, _bytes, ...).
std::string MetricName(std::string_view service, std::string_view what);

class AdminServer {
 public:
  using Check = std::function<Status()>;

  explicit AdminServer(std::shared_ptr<prometheus::Registry> registry);
  ~AdminServer();

  // /readyz answers 200 only when every check is OK; each failing check is named in the body.
  void AddReadinessCheck(std::string name, Check check);
  // Binds host:port (port 0 picks a free one) and serves in the background; returns the port.
  StatusOr<int> Start(const std::string& host, int port);
  void Stop();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::pair<std::string, Check>> checks_;
};

}  // namespace warroom
