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
  // kRequired checks decide /readyz; kReported ones are listed ("degraded") but keep the pod in
  // service: intake accepts reports durably while Kafka is away, so a broker outage must not
  // take it out of its Service.
  enum class Gate { kRequired, kReported };

  explicit AdminServer(std::shared_ptr<prometheus::Registry> registry);
  ~AdminServer();

  // /readyz answers 200 only when every required check is OK; each check is named in the body.
  void AddReadinessCheck(std::string name, Check check, Gate gate = Gate::kRequired);
  // Binds host:port (port 0 picks a free one) and serves in the background; returns the port.
  StatusOr<int> Start(const std::string& host, int port);
  void Stop();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  std::mutex mu_;
  struct NamedCheck {
    std::string name;
    Check check;
    Gate gate;
  };
  std::vector<NamedCheck> checks_;
};

}  // namespace warroom
