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
  // Gives the connection to the caller, who must hand it back with RedisClient::Release.
  Connection* Detach() { return std::exchange(c_, nullptr); }
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
void RespHeader(std::string& out, char kind, size_t n) {
  char digits[24];
  out.push_back(kind);
  out.append(digits, std::to_chars(digits, digits + sizeof(digits), n).ptr);
  out.append("\r\n");
}

void RespBulk(std::string& out, std::string_view a) {
  RespHeader(out, '$', a.size());
  out.append(a);
  out.append("\r\n");
}

void AppendResp(std::string& out, const RedisArgs& args) {
  RespHeader(out, '*', args.size());
  for (const auto& a : args) RespBulk(out, a);
}

}  // namespace

StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(const std::vector<RedisArgs>& commands) {
  Pipe pipe = OpenPipe();
  for (const auto& args : commands) pipe.Add(args);
  return pipe.Finish();
}

RedisClient::Pipe::Pipe(Pipe&& other) noexcept
    : client_(other.client_),
      connection_(std::exchange(other.connection_, nullptr)),
      status_(std::move(other.status_)),
      wire_(std::move(other.wire_)),
      flushed_(other.flushed_),
      commands_(other.commands_),
      scripts_(std::move(other.scripts_)) {}

RedisClient::Pipe::~Pipe() {
  // Replies not read would be read as the next user's: a pipe given up with commands sent drops
  // its connection.
  if (connection_ != nullptr && flushed_ > 0) connection_->Drop();
  Release();
}

void RedisClient::Pipe::Release() {
  if (connection_ != nullptr) client_->Release(std::exchange(connection_, nullptr));
}

void RedisClient::Pipe::Add(const RedisArgs& args) {
  AppendResp(wire_, args);
  ++commands_;
}

void RedisClient::Pipe::AddScript(const RedisScript& script, const ScriptCall& call) {
  size_t begin = wire_.size();
  RespHeader(wire_, '*', 3 + call.keys.size() + call.args.size());
  RespBulk(wire_, "EVALSHA");
  RespBulk(wire_, script.sha);
  RespBulk(wire_, std::to_string(call.keys.size()));
  for (const auto& k : call.keys) RespBulk(wire_, k);
  for (const auto& a : call.args) RespBulk(wire_, a);
  scripts_.push_back({commands_++, begin, wire_.size(), &script});
}

void RedisClient::Pipe::Flush() {
  if (!status_.ok() || flushed_ == wire_.size()) return;
  if (connection_ == nullptr) {
    connection_ = client_->Acquire().Detach();
    if (status_ = client_->EnsureConnected(*connection_); !status_.ok()) return;
  }
  redisContext* ctx = connection_->context.get();
  redisAppendFormattedCommand(ctx, wire_.data() + flushed_, wire_.size() - flushed_);
  int done = 0;
  while (!done) {
    if (redisBufferWrite(ctx, &done) != REDIS_OK) {
      status_ = UnavailableError(std::string("redis connection lost: ") + ctx->errstr);
      connection_->Drop();
      return;
    }
  }
  flushed_ = wire_.size();
}

StatusOr<std::vector<RedisReply>> RedisClient::Pipe::Read(size_t count) {
  std::vector<RedisReply> replies;
  replies.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    void* raw = nullptr;
    if (redisGetReply(connection_->context.get(), &raw) != REDIS_OK || raw == nullptr) {
      std::string why = connection_->context->errstr;
      connection_->Drop();
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

StatusOr<std::vector<RedisReply>> RedisClient::Pipe::Finish() {
  auto replies = ReadAll();
  Release();
  return replies;
}

StatusOr<std::vector<RedisReply>> RedisClient::Pipe::ReadAll() {
  Flush();
  WARROOM_RETURN_IF_ERROR(status_);
  auto replies = Read(commands_);
  if (!replies.ok()) return replies.status();
  // First use of a script on this server (or after a restart or SCRIPT FLUSH): load it and run
  // those calls again. A call that answered NOSCRIPT did not run, so running it again applies it
  // once.
  auto unknown = [](const RedisReply& r) { return r.is_error() && r.str.rfind("NOSCRIPT", 0) == 0; };
  std::string again;
  std::vector<size_t> rerun;
  std::vector<const RedisScript*> loaded;
  for (const auto& s : scripts_) {
    if (!unknown((*replies)[s.reply])) continue;
    if (std::find(loaded.begin(), loaded.end(), s.script) == loaded.end()) {
      loaded.push_back(s.script);
      AppendResp(again, {"SCRIPT", "LOAD", s.script->source});
    }
    rerun.push_back(s.reply);
    again.append(wire_, s.begin, s.end - s.begin);
  }
  if (rerun.empty()) return replies;
  wire_ = std::move(again);
  flushed_ = 0;
  Flush();
  WARROOM_RETURN_IF_ERROR(status_);
  auto retried = Read(loaded.size() + rerun.size());
  if (!retried.ok()) return retried.status();
  for (size_t i = 0; i < loaded.size(); ++i) {
    if ((*retried)[i].is_error()) return InternalError("redis: " + (*retried)[i].str);
  }
  for (size_t j = 0; j < rerun.size(); ++j) (*replies)[rerun[j]] = std::move((*retried)[loaded.size() + j]);
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
                                                        const std::vector<ScriptCall>& calls) {
  Pipe pipe = OpenPipe();
  for (const auto& call : calls) pipe.AddScript(script, call);
  return pipe.Finish();
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
