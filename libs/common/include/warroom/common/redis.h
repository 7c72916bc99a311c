// A small RAII client over hiredis: a pool of connections that reconnect with backoff, pipelines,
// and Lua scripts loaded once and run by SHA. Any I/O failure comes back as UNAVAILABLE.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "warroom/common/config.h"
#include "warroom/common/status.h"

struct redisContext;

namespace warroom {

struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
};

using RedisArgs = std::vector<std::string>;

// A script registered with a client; Eval runs it by SHA and reloads it on NOSCRIPT.
struct RedisScript {
  std::string source;
  std::string sha;
};

// Sizes the reads of a stream whose entries hold several items each (a commit's events, the
// changes committed together): how many entries to ask for to get about `wanted` items, judged
// by the entries read last. At least one.
class StreamReadSizer {
 public:
  int Entries(int wanted) const { return std::max(1, wanted / items_per_entry_); }
  void Read(size_t entries, size_t items) {
    if (entries > 0) items_per_entry_ = static_cast<int>(std::max<size_t>(1, (items + entries - 1) / entries));
  }

 private:
  int items_per_entry_ = 1;
};

class RedisClient {
  struct Connection;

 public:
  explicit RedisClient(RedisConfig config);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs one command. A Redis error reply becomes INTERNAL with Redis's text.
  StatusOr<RedisReply> Command(const RedisArgs& args);
  // Sends all commands in one round trip; replies in order (error replies stay replies).
  StatusOr<std::vector<RedisReply>> Pipeline(const std::vector<RedisArgs>& commands);
  // Computes the SHA of a script (SCRIPT LOAD on first use happens lazily in Eval).
  static RedisScript MakeScript(std::string source);
  StatusOr<RedisReply> Eval(const RedisScript& script, const RedisArgs& keys, const RedisArgs& args);
  // Runs the script once per call, all in one round trip; replies in order (a script's error
  // stays its reply, so that one failed call does not hide the others' outcomes).
  struct ScriptCall {
    RedisArgs keys;
    RedisArgs args;
  };
  StatusOr<std::vector<RedisReply>> EvalMany(const RedisScript& script, const std::vector<ScriptCall>& calls);

  // A pipeline sent while it is built: Flush writes what was added since the last, so Redis
  // works on the first commands while the caller prepares the next; Finish reads every reply, in
  // order, with Pipeline's and EvalMany's rules (a transient error fails the whole; a script Redis
  // did not know is loaded and its calls run again). Holds one pooled connection from the first
  // Flush until Finish or destruction. Pipeline and EvalMany are this, flushed once.
  class Pipe {
   public:
    Pipe(Pipe&& other) noexcept;
    Pipe& operator=(Pipe&&) = delete;
    ~Pipe();
    void Add(const RedisArgs& args);
    void AddScript(const RedisScript& script, const ScriptCall& call);  // EVALSHA; script outlives the pipe
    void Flush();
    StatusOr<std::vector<RedisReply>> Finish();

   private:
    friend class RedisClient;
    explicit Pipe(RedisClient& client) : client_(&client) {}
    struct SentScript {
      size_t reply;             // its place among the replies
      size_t begin, end;        // its bytes in wire_
      const RedisScript* script;
    };
    StatusOr<std::vector<RedisReply>> Read(size_t count);
    StatusOr<std::vector<RedisReply>> ReadAll();  // Finish, but for handing the connection back
    void Release();

    RedisClient* client_;
    Connection* connection_ = nullptr;
    Status status_;        // the first failure; then nothing more is sent
    std::string wire_;     // every command added, in RESP; [0, flushed_) is written
    size_t flushed_ = 0;
    size_t commands_ = 0;
    std::vector<SentScript> scripts_;
  };
  Pipe OpenPipe() { return Pipe(*this); }

  Status Ping();
  const RedisConfig& config() const { return config_; }

 private:
  class Lease;

  Lease Acquire();
  void Release(Connection* connection);
  // Connects when needed; honours the backoff after a failed attempt.
  Status EnsureConnected(Connection& connection);

  RedisConfig config_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> idle_;
};

}  // namespace warroom
