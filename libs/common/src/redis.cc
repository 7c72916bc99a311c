#include "warroom/common/redis.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>
#include <iterator>

#include "warroom/common/digest.h"
#include "warroom/common/log.h"

namespace warroom {

namespace {

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

constexpr std::chrono::milliseconds kMinBackoff{50};
constexpr std::chrono::milliseconds kMaxBackoff{2000};

// hiredis's reader builds each reply through these, straight into our RedisReply: a reply is
// allocated and copied once, not built as hiredis's own tree and then converted. An element
// lives in its parent's vector (sized when the array header is read); only a whole reply is
// allocated, and hiredis frees only whole replies (on error or when the reader is freed).
RedisReply* Place(const redisReadTask* task) {
  if (task->parent == nullptr) return new RedisReply();
  auto* parent = static_cast<RedisReply*>(task->parent->obj);
  return &parent->elements[static_cast<size_t>(task->idx)];
}

void* CreateString(const redisReadTask* task, char* str, size_t len) {
  RedisReply* r = Place(task);
  r->type = task->type == REDIS_REPLY_ERROR    ? RedisReply::Type::kError
            : task->type == REDIS_REPLY_STATUS ? RedisReply::Type::kStatus
                                               : RedisReply::Type::kString;
  r->str.assign(str, len);
  return r;
}

void* CreateArray(const redisReadTask* task, int elements) {
  RedisReply* r = Place(task);
  r->type = RedisReply::Type::kArray;
  r->elements.resize(static_cast<size_t>(std::max(elements, 0)));
  return r;
}

void* CreateInteger(const redisReadTask* task, long long value) {
  RedisReply* r = Place(task);
  r->type = RedisReply::Type::kInteger;
  r->integer = value;
  return r;
}

void* CreateNil(const redisReadTask* task) {
  RedisReply* r = Place(task);
  r->type = RedisReply::Type::kNil;
  return r;
}

void FreeReply(void* reply) { delete static_cast<RedisReply*>(reply); }

redisReplyObjectFunctions kReplyFunctions = {CreateString, CreateArray, CreateInteger, CreateNil,
                                             FreeReply};

timeval ToTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

}  // namespace

struct RedisClient::Connection {
  ContextPtr context;
  std::chrono::steady_clock::time_point next_attempt{};
  std::chrono::milliseconds backoff{kMinBackoff};

  void Drop() { context.reset(); }
  bool Broken() const { return !context || context->err != 0; }
};

class RedisClient::Lease {
 public:
  Lease(RedisClient* client, Connection* c) : client_(client), c_(c) {}
  Lease(Lease&& other) noexcept : client_(other.client_), c_(std::exchange(other.c_, nullptr)) {}
  ~Lease() {
    if (c_) client_->Release(c_);
  }
  Connection& operator*() const { return *c_; }
  Connection* operator->() const { return c_; }

 private:
  RedisClient* client_;
  Connection* c_;
};

RedisClient::RedisClient(RedisConfig config) : config_(std::move(config)) {
  for (int i = 0; i < config_.pool_size; ++i) {
    connections_.push_back(std::make_unique<Connection>());
    idle_.push_back(connections_.back().get());
  }
}

RedisClient::~RedisClient() = default;

RedisClient::Lease RedisClient::Acquire() {
  std::unique_lock lock(mu_);
  available_.wait(lock, [&] { return !idle_.empty(); });
  Connection* c = idle_.back();
  idle_.pop_back();
  return Lease(this, c);
}

void RedisClient::Release(Connection* connection) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(connection);
  }
  available_.notify_one();
}

Status RedisClient::EnsureConnected(Connection& c) {
  if (!c.Broken()) return Status::Ok();
  c.Drop();
  auto now = std::chrono::steady_clock::now();
  if (now < c.next_attempt) return UnavailableError("redis unreachable (waiting to reconnect)");
  timeval tv = ToTimeval(config_.timeout);
  ContextPtr ctx(redisConnectWithTimeout(config_.host.c_str(), config_.port, tv));
  if (!ctx || ctx->err != 0) {
    std::string why = ctx ? ctx->errstr : "out of memory";
    c.next_attempt = now + c.backoff;
    c.backoff = std::min(c.backoff * 2, kMaxBackoff);
    log::Warn("redis_connect_failed").Kv("host", config_.host).Kv("port", config_.port).Kv("error", why);
    return UnavailableError("redis unreachable: " + why);
  }
  ctx->reader->fn = &kReplyFunctions;
  redisSetTimeout(ctx.get(), tv);
  redisEnableKeepAlive(ctx.get());
  c.context = std::move(ctx);
  c.backoff = kMinBackoff;
  return Status::Ok();
}

namespace {

bool IsTransientError(const std::string& error) {
  for (const char* prefix : {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "READONLY"}) {
    if (error.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// Encodes one command in RESP (the protocol's array of bulk strings) onto out. Done here rather
// than by hiredis's argv formatting, which builds each command through printf-style sds calls;
// a pipeline of a few hundred scripts spent a tenth of the process's time there.
void AppendResp(std::string& out, const RedisArgs& args) {
  char digits[24];
  auto header = [&](char kind, size_t n) {
    out.push_back(kind);
    auto end = std::to_chars(digits, digits + sizeof(digits), n).ptr;
    out.append(digits, end);
    out.append("\r\n");
  };
  header('*', args.size());
  for (const auto& a : args) {
    header('$', a.size());
    out.append(a);
    out.append("\r\n");
  }
}

}  // namespace

StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(const std::vector<RedisArgs>& commands) {
  auto c = Acquire();
  WARROOM_RETURN_IF_ERROR(EnsureConnected(*c));
  size_t bytes = 0;
  for (const auto& args : commands) {
    for (const auto& a : args) bytes += a.size() + 16;
  }
  std::string wire;
  wire.reserve(bytes + 16 * commands.size());
  for (const auto& args : commands) AppendResp(wire, args);
  redisAppendFormattedCommand(c->context.get(), wire.data(), wire.size());
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(c->context.get(), &raw) != REDIS_OK || raw == nullptr) {
      std::string why = c->context->errstr;
      c->Drop();
      return UnavailableError("redis connection lost: " + why);
    }
    std::unique_ptr<RedisReply> reply(static_cast<RedisReply*>(raw));
    replies.push_back(std::move(*reply));
  }
  // A server that is loading its data after a restart, or busy, answers with an error for a
  // while: that is "try again", never an answer (a missing key read during LOADING is not
  // missing).
  for (const auto& r : replies) {
    if (r.is_error() && IsTransientError(r.str)) return UnavailableError("redis: " + r.str);
  }
  return replies;
}

StatusOr<RedisReply> RedisClient::Command(const RedisArgs& args) {
  auto replies = Pipeline({args});
  if (!replies.ok()) return replies.status();
  RedisReply reply = std::move(replies->front());
  if (reply.is_error()) return InternalError("redis: " + reply.str);
  return reply;
}

RedisScript RedisClient::MakeScript(std::string source) {
  RedisScript script{std::move(source), {}};
  script.sha = Sha1Hex(script.source);  // as Redis computes it for EVALSHA
  return script;
}

StatusOr<std::vector<RedisReply>> RedisClient::EvalMany(const RedisScript& script,
                                                        std::vector<ScriptCall> calls) {
  std::vector<RedisArgs> commands;
  commands.reserve(calls.size());
  for (auto& call : calls) {
    RedisArgs& argv = commands.emplace_back();
    argv.reserve(3 + call.keys.size() + call.args.size());
    argv.push_back("EVALSHA");
    argv.push_back(script.sha);
    argv.push_back(std::to_string(call.keys.size()));
    std::move(call.keys.begin(), call.keys.end(), std::back_inserter(argv));
    std::move(call.args.begin(), call.args.end(), std::back_inserter(argv));
  }
  auto replies = Pipeline(commands);
  if (!replies.ok()) return replies.status();
  auto unknown = [](const RedisReply& r) { return r.is_error() && r.str.rfind("NOSCRIPT", 0) == 0; };
  if (std::none_of(replies->begin(), replies->end(), unknown)) return replies;
  // First use on this server (or after a restart or SCRIPT FLUSH): load it and run those again.
  // A call that answered NOSCRIPT did not run, so running it again applies it once.
  auto loaded = Command({"SCRIPT", "LOAD", script.source});
  if (!loaded.ok()) return loaded.status();
  std::vector<size_t> again;
  std::vector<RedisArgs> retry;
  for (size_t i = 0; i < replies->size(); ++i) {
    if (!unknown((*replies)[i])) continue;
    again.push_back(i);
    retry.push_back(std::move(commands[i]));
  }
  auto retried = Pipeline(retry);
  if (!retried.ok()) return retried.status();
  for (size_t j = 0; j < again.size(); ++j) (*replies)[again[j]] = std::move((*retried)[j]);
  return replies;
}

StatusOr<RedisReply> RedisClient::Eval(const RedisScript& script, const RedisArgs& keys,
                                       const RedisArgs& args) {
  auto replies = EvalMany(script, {ScriptCall{keys, args}});
  if (!replies.ok()) return replies.status();
  RedisReply reply = std::move(replies->front());
  if (reply.is_error()) return InternalError("redis script: " + reply.str);
  return reply;
}

Status RedisClient::Ping() {
  auto reply = Command({"PING"});
  return reply.ok() ? Status::Ok() : reply.status();
}

}  // namespace warroom
