// Test support: real child processes (redis-server, the embedded broker, our binaries) on free
// loopback ports, waited on by condition, never by fixed sleeps. Logs go to a per-test folder that
// is removed when the test passed and kept (and named) when it failed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace warroom::testing {

// A free TCP port on 127.0.0.1 at the moment of asking.
int FreePort();

// Polls cond every few milliseconds until it is true or timeout passes; returns its last value.
bool WaitFor(const std::function<bool()>& cond,
             std::chrono::milliseconds timeout = std::chrono::seconds(20));

// A folder for one test's state and logs: build/test-logs/<suite>.<test>/.
class TestDir {
 public:
  TestDir();
  ~TestDir();  // removes the folder unless the current test failed
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

class Process {
 public:
  // Starts argv[0] (a path) with stdout and stderr appended to log_path.
  Process(std::vector<std::string> argv, std::string log_path,
          std::map<std::string, std::string> env = {});
  ~Process();  // SIGTERM, then SIGKILL after 5 s
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // SIGKILL and wait; returns the exit code, 128 + SIGKILL when it was running and died of it.
  int Kill9();
  // SIGTERM and wait; returns the exit code (or 128 + signal).
  int Terminate(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Waits for the process to exit on its own; -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);
  void Signal(int sig);
  const std::string& log_path() const { return log_path_; }
  std::string Log() const;
  static std::string ReadFile(const std::string& path);

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string log_path_;
};

// redis-server as the platform runs it (deploy/redis/redis.conf), its data in dir, on a free port.
class RedisServer {
 public:
  explicit RedisServer(const std::string& dir, int port = 0);
  int port() const { return port_; }
  // SIGTERM-free crash: kill -9, then start on the same port and data; returns Kill9's code.
  int Restart();
  void Stop();
  void Start();

 private:
  std::string dir_;
  int port_;
  std::unique_ptr<Process> process_;
};

// Where the project's binaries are (set by CMake as WARROOM_BINARY_DIR).
std::string BinaryPath(const std::string& relative);

// The embedded Kafka broker (tools/broker) with its state in dir.
class Broker {
 public:
  explicit Broker(const std::string& dir);
  const std::string& bootstrap() const { return bootstrap_; }
  Process& process() { return *process_; }

 private:
  std::unique_ptr<Process> process_;
  std::string bootstrap_;
};

// One of our service binaries, started with its shipped config and the test's ports, Redis and
// broker through WARROOM_* overrides; the constructor returns once /readyz says ready.
class ServiceProcess {
 public:
  ServiceProcess(const std::string& name, const std::string& dir, int redis_port,
                 const std::string& bootstrap, std::map<std::string, std::string> env = {});
  // Starts (again) and waits until ready; extra arguments follow --config.
  void Start(std::vector<std::string> extra_args = {});
  // Starts (again) without waiting.
  void Launch(std::vector<std::string> extra_args = {});
  int Kill9() { return process_->Kill9(); }
  int Terminate() { return process_->Terminate(); }
  bool Ready();
  const std::string& name() const { return name_; }
  int grpc_port() const { return grpc_port_; }
  int admin_port() const { return admin_port_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(grpc_port_); }
  Process& process() { return *process_; }

 private:
  std::string name_, dir_;
  std::map<std::string, std::string> env_;
  int grpc_port_, admin_port_;
  std::unique_ptr<Process> process_;
};

// Runs a shell command and returns what it printed on stdout.
std::string Shell(const std::string& command);

// True once host:port accepts a TCP connection.
bool PortOpen(int port);
// A GET on the loopback admin port; returns the status code (0 when unreachable) and body.
std::pair<int, std::string> HttpGet(int port, const std::string& path);

}  // namespace warroom::testing
