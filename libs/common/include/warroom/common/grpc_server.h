// A gRPC server bootstrap: health service, reflection, per-RPC metrics and one log line per RPC,
// listening on host:port (0 picks a free port, which Start reports).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "warroom/common/config.h"
#include "warroom/common/status.h"

namespace prometheus {
class Registry;
}

namespace warroom {

// Channel credentials for calling a peer: mutual TLS with these files, or plaintext without.
// NOT_FOUND naming the file when one cannot be read.
StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(const TlsFiles& tls);

// A channel to a peer with these credentials that sends "authorization: Bearer <token>" on every
// call when bearer_token is not empty (a caller identified by token, docs/OPERATIONS.md).
std::shared_ptr<grpc::Channel> ClientChannel(const std::string& target,
                                             std::shared_ptr<grpc::ChannelCredentials> credentials,
                                             const std::string& bearer_token = "");

class GrpcServer {
 public:
  GrpcServer(std::string service_name, std::shared_ptr<prometheus::Registry> registry);
  ~GrpcServer();

  void AddService(grpc::Service* service);  // not owned; must outlive the server
  StatusOr<int> Start(const std::string& host, int port, const TlsFiles& tls = {});
  // Stops accepting calls and waits up to grace for running ones to finish.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Marks the whole server serving or not in grpc.health.v1.
  void SetServing(bool serving);

 private:
  std::string service_name_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<grpc::Service*> services_;
  std::unique_ptr<grpc::Server> server_;
};

// Blocks SIGTERM and SIGINT in this thread and every thread started after it; call first in main.
void BlockShutdownSignals();
// Waits until SIGTERM or SIGINT arrives; returns its number.
int WaitForShutdownSignal();
// Waits up to timeout for SIGTERM or SIGINT; true when one came (for waits before serving).
bool ShutdownSignalWithin(std::chrono::milliseconds timeout);

}  // namespace warroom
