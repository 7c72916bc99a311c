#include "testing/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace warroom::testing {

namespace fs = std::filesystem;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

bool PortOpen(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

std::pair<int, std::string> HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return {0, ""};
  }
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string resp;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) resp.append(buf, static_cast<size_t>(n));
  close(fd);
  if (resp.size() < 12) return {0, ""};
  int code = std::atoi(resp.substr(9, 3).c_str());
  auto body = resp.find("\r\n\r\n");
  return {code, body == std::string::npos ? "" : resp.substr(body + 4)};
}

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

TestDir::TestDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "test";
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  path_ = (fs::current_path() / "test-logs" / name).string();
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TestDir::~TestDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info && info->result()->Failed()) {
    std::fprintf(stderr, "logs kept in %s\n", path_.c_str());
    return;
  }
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Process::Process(std::vector<std::string> argv, std::string log_path,
                 std::map<std::string, std::string> env)
    : log_path_(std::move(log_path)) {
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    // Signals blocked by the parent must not stay blocked in the child.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    setpgid(0, 0);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::fprintf(stderr, "exec %s failed\n", args[0]);
    _exit(127);
  }
}

Process::~Process() {
  if (Running()) Terminate();
}

bool Process::Running() {
  if (pid_ <= 0 || exit_code_ >= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return false;
}

void Process::Signal(int sig) {
  if (Running()) kill(pid_, sig);
}

int Process::Kill9() {
  Signal(SIGKILL);
  return Wait(std::chrono::seconds(10));
}

int Process::Wait(std::chrono::milliseconds timeout) {
  WaitFor([&] { return !Running(); }, timeout);
  return Running() ? -1 : exit_code_;
}

int Process::Terminate(std::chrono::milliseconds grace) {
  if (!Running()) return exit_code_;
  kill(pid_, SIGTERM);
  if (Wait(grace) < 0) {
    kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(5));
  }
  return exit_code_;
}

std::string Process::Log() const { return ReadFile(log_path_); }

std::string Process::ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RedisServer::RedisServer(const std::string& dir, int port)
    : dir_(dir), port_(port == 0 ? FreePort() : port) {
  Start();
}

void RedisServer::Start() {
  process_ = std::make_unique<Process>(
      std::vector<std::string>{"/usr/bin/redis-server",
                               std::string(WARROOM_SOURCE_DIR) + "/deploy/redis/redis.conf", "--port",
                               std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_,
                               "--protected-mode", "no"},
      dir_ + "/redis.log");
  if (!WaitFor([&] { return PortOpen(port_); })) {
    throw std::runtime_error("redis-server did not start: " + process_->Log());
  }
}

void RedisServer::Stop() {
  if (process_) process_->Terminate();
}

int RedisServer::Restart() {
  int code = process_->Kill9();
  Start();
  return code;
}

std::string BinaryPath(const std::string& relative) {
  return std::string(WARROOM_BINARY_DIR) + "/" + relative;
}

ServiceProcess::ServiceProcess(const std::string& name, const std::string& dir, int redis_port,
                               const std::string& bootstrap, std::map<std::string, std::string> env)
    : name_(name), dir_(dir), env_(std::move(env)), grpc_port_(FreePort()), admin_port_(FreePort()) {
  env_["WARROOM_REDIS_PORT"] = std::to_string(redis_port);
  env_["WARROOM_KAFKA_BOOTSTRAP_SERVERS"] = bootstrap;
  env_["WARROOM_SERVER_GRPC_PORT"] = std::to_string(grpc_port_);
  env_["WARROOM_SERVER_ADMIN_PORT"] = std::to_string(admin_port_);
  // Personal information is sealed at rest in tests as in production (a test-only key).
  env_.try_emplace("WARROOM_PII_KEYS", "test:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  Start();
}

bool ServiceProcess::Ready() { return HttpGet(admin_port_, "/readyz").first == 200; }

void ServiceProcess::Launch(std::vector<std::string> extra_args) {
  std::string config = std::string(WARROOM_SOURCE_DIR) + "/services/" + name_ + "/config/" + name_ + ".yaml";
  std::vector<std::string> argv{BinaryPath("services/" + name_ + "/warroom-" + name_), "--config", config};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(std::move(argv), dir_ + "/" + name_ + ".log", env_);
}

void ServiceProcess::Start(std::vector<std::string> extra_args) {
  Launch(std::move(extra_args));
  if (!WaitFor([&] { return Ready() || !process_->Running(); }, std::chrono::seconds(60)) || !Ready()) {
    throw std::runtime_error(name_ + " did not become ready: " + process_->Log());
  }
}

std::string Shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

Broker::Broker(const std::string& dir) {
  std::string file = dir + "/kafka.bootstrap";
  fs::remove(file);
  process_ = std::make_unique<Process>(
      std::vector<std::string>{BinaryPath("tools/broker/warroom-broker"), "--state-dir", dir},
      dir + "/broker.log");
  if (!WaitFor([&] { return fs::exists(file); })) {
    throw std::runtime_error("broker did not start: " + process_->Log());
  }
  std::ifstream in(file);
  std::getline(in, bootstrap_);
}

}  // namespace warroom::testing
