#include "warroom/common/metrics.h"

#include <httplib.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "warroom/common/thread_name.h"

namespace warroom {

std::string MetricName(std::string_view service, std::string_view what) {
  std::string name = "warroom_";
  name += service;
  name += '_';
  name += what;
  return name;
}

AdminServer::AdminServer(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)), http_(std::make_unique<httplib::Server>()) {
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(prometheus::TextSerializer().Serialize(registry_->Collect()),
                    "text/plain; version=0.0.4; charset=utf-8");
  });
  http_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  http_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    std::vector<NamedCheck> checks;
    {
      std::lock_guard lock(mu_);
      checks = checks_;
    }
    std::string body;
    bool ready = true, degraded = false;
    for (const auto& c : checks) {
      Status s = c.check();
      if (s.ok()) {
        body += c.name + ": ok\n";
      } else if (c.gate == Gate::kRequired) {
        ready = false;
        body += c.name + ": " + s.ToString() + "\n";
      } else {
        degraded = true;
        body += c.name + ": degraded: " + s.ToString() + "\n";
      }
    }
    res.status = ready ? 200 : 503;
    std::string headline = !ready ? "not ready\n" : degraded ? "ready, degraded\n" : "ready\n";
    res.set_content(headline + body, "text/plain");
  });
}

AdminServer::~AdminServer() { Stop(); }

void AdminServer::AddReadinessCheck(std::string name, Check check, Gate gate) {
  std::lock_guard lock(mu_);
  checks_.push_back({std::move(name), std::move(check), gate});
}

StatusOr<int> AdminServer::Start(const std::string& host, int port) {
  int bound = port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return UnavailableError("admin http: cannot listen on " + host + ":" + std::to_string(port));
  }
  thread_ = std::thread([this] {
    NameThisThread("admin-http");
    http_->listen_after_bind();
  });
  return bound;
}

void AdminServer::Stop() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace warroom
