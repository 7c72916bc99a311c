// warroom-outbox-probe: drives the outbox path end to end with synthetic OutboxProbe events.
//   write   commits N events through the outbox (state change and event in one script)
//   relay   runs the outbox relay to Kafka until SIGTERM, with /metrics and /readyz
//   consume applies warroom.probe.v1 idempotently and counts every event id it applied
// Operators use it to prove a broker and Redis pair works; the integration tests use it to kill
// the relay and the consumer half-way and check that nothing is lost or applied twice.
#include <prometheus/registry.h>

#include <CLI/CLI.hpp>
#include <thread>

#include "warroom/common/config.h"
#include "warroom/common/events.h"
#include "warroom/common/grpc_server.h"
#include "warroom/common/log.h"
#include "warroom/common/metrics.h"
#include "warroom/common/outbox.h"
#include "warroom/common/topics.h"

namespace warroom {
namespace {

constexpr char kService[] = "probe";

struct Options {
  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  std::string bootstrap;
  int count = 10000;
  int start = 0;
  int per_commit = 1;  // events in each commit (they share one outbox entry)
  std::string group = "warroom-outbox-probe";
  int admin_port = -1;
  std::string instance = "probe-relay";
};

RedisConfig Redis(const Options& o) {
  RedisConfig c;
  c.host = o.redis_host;
  c.port = o.redis_port;
  return c;
}

KafkaConfig Kafka(const Options& o) {
  if (o.bootstrap.empty()) throw ConfigError("--bootstrap", "is required for this command");
  KafkaConfig k;
  k.bootstrap_servers = o.bootstrap;
  k.client_id = "warroom-outbox-probe";
  return k;
}

int Write(const Options& o) {
  RedisClient redis(Redis(o));
  OutboxStore store(redis, kService);
  SystemClock clock;
  IdGenerator ids(clock);
  EventFactory events(kService, clock, ids);
  const int end = o.start + o.count;
  for (int i = o.start; i < end;) {
    std::string aggregate = "probe-" + std::to_string(i % 64);
    Mutation m(aggregate);
    for (int k = 0; k < o.per_commit && i < end; ++k, ++i) {
      v1::EventEnvelope e = events.New(aggregate, i);
      e.mutable_outbox_probe()->set_sequence(i);
      m.Do("HSET", "probe:written", {e.event_id(), std::to_string(i)}).Emit(ToOutboxEvent(topics::kProbe, e));
    }
    auto r = store.Commit(m);
    if (!r.ok()) {
      log::Error("probe_write_failed").Kv("reason", r.status().ToString());
      return 1;
    }
  }
  log::Info("probe_written").Kv("count", o.count);
  return 0;
}

// Serves the admin port when asked; returns the server so it lives as long as the command.
std::unique_ptr<AdminServer> MaybeAdmin(const Options& o, std::shared_ptr<prometheus::Registry> registry) {
  if (o.admin_port < 0) return nullptr;
  auto admin = std::make_unique<AdminServer>(std::move(registry));
  auto port = admin->Start("127.0.0.1", o.admin_port);
  if (!port.ok()) throw std::runtime_error(port.status().ToString());
  log::Info("admin_listening").Kv("port", *port);
  return admin;
}

int Relay(const Options& o) {
  BlockShutdownSignals();
  auto registry = std::make_shared<prometheus::Registry>();
  RedisClient redis(Redis(o));
  OutboxStore store(redis, kService);
  RelayOptions options;
  options.instance_id = o.instance;
  auto relay = OutboxRelay::Create(redis, store, Kafka(o), options, registry.get());
  if (!relay.ok()) throw std::runtime_error(relay.status().ToString());
  auto admin = MaybeAdmin(o, registry);
  if (admin) {
    admin->AddReadinessCheck("redis", [&] { return redis.Ping(); });
    admin->AddReadinessCheck("kafka", [&] { return (*relay)->CheckKafka(); }, AdminServer::Gate::kReported);
  }
  std::jthread loop([&](std::stop_token stop) { (*relay)->Run(stop); });
  WaitForShutdownSignal();
  loop.request_stop();
  return 0;
}

int Consume(const Options& o) {
  BlockShutdownSignals();
  auto registry = std::make_shared<prometheus::Registry>();
  RedisClient redis(Redis(o));
  OutboxStore store(redis, "probe-consumer");
  auto consumer = KafkaConsumer::Create(Kafka(o), {o.group, {std::string(topics::kProbe)}});
  if (!consumer.ok()) throw std::runtime_error(consumer.status().ToString());
  auto admin = MaybeAdmin(o, registry);
  if (admin) {
    admin->AddReadinessCheck("consumer", [&]() -> Status {
      return (*consumer)->assigned() ? Status::Ok() : UnavailableError("no partitions assigned");
    });
  }
  std::jthread loop([&](std::stop_token stop) {
    (*consumer)->Run(stop, [&](const KafkaMessage& msg) -> Status {
      auto envelope = DecodeEnvelope(msg.value);
      if (!envelope.ok()) return envelope.status();
      // Every delivery is counted, so a test can see that duplicates did arrive ...
      (void)redis.Command({"INCR", "probe:deliveries"});
      // ... and were applied once: the id check and the effect are one script.
      Mutation m(envelope->aggregate_id());
      m.MarkProcessed("probe-consumer", envelope->event_id())
          .Do("HINCRBY", "probe:applied", {envelope->event_id(), "1"});
      auto r = store.Commit(m);
      return r.ok() ? Status::Ok() : r.status();
    });
  });
  WaitForShutdownSignal();
  loop.request_stop();
  loop.join();
  (*consumer)->Close();
  return 0;
}

int Run(int argc, char** argv) {
  CLI::App app("Outbox probe: write, relay and consume synthetic events");
  app.require_subcommand(1);
  Options o;
  auto common = [&](CLI::App* cmd) {
    cmd->add_option("--redis-host", o.redis_host);
    cmd->add_option("--redis-port", o.redis_port)->check(CLI::Range(1, 65535));
  };
  auto* write = app.add_subcommand("write", "Commit events through the outbox");
  common(write);
  write->add_option("--count", o.count)->check(CLI::Range(1, 10000000));
  write->add_option("--start", o.start)->check(CLI::NonNegativeNumber);
  write->add_option("--per-commit", o.per_commit, "events in each commit")->check(CLI::Range(1, 100));
  auto* relay = app.add_subcommand("relay", "Relay the outbox to Kafka until SIGTERM");
  common(relay);
  relay->add_option("--bootstrap", o.bootstrap)->required();
  relay->add_option("--admin-port", o.admin_port);
  relay->add_option("--instance", o.instance);
  auto* consume = app.add_subcommand("consume", "Apply probe events idempotently until SIGTERM");
  common(consume);
  consume->add_option("--bootstrap", o.bootstrap)->required();
  consume->add_option("--group", o.group);
  consume->add_option("--admin-port", o.admin_port);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  log::Init("outbox-probe");
  if (write->parsed()) return Write(o);
  if (relay->parsed()) return Relay(o);
  return Consume(o);
}

}  // namespace
}  // namespace warroom

int main(int argc, char** argv) {
  return warroom::RunMain("warroom-outbox-probe", [&] { return warroom::Run(argc, argv); });
}
