// Foundation scenarios: the gRPC echo ceiling of this machine, the raw idempotent producer rate,
// and the outbox (Redis commit to Kafka delivery report) as a share of that producer rate.
#include <grpcpp/grpcpp.h>
#include <unistd.h>
#include <prometheus/registry.h>

#include <atomic>
#include <thread>

#include "bench_util.h"
#include "scenarios.h"
#include "warroom/common/diagnostics.h"
#include "warroom/common/events.h"
#include "warroom/common/grpc_server.h"
#include "warroom/common/kafka.h"
#include "warroom/common/outbox.h"
#include "warroom/common/topics.h"

namespace warroom::bench {

using Clock = std::chrono::steady_clock;

void EchoBaseline(const Env& env, Results& results) {
  auto registry = std::make_shared<prometheus::Registry>();
  Authorizer off;  // the baseline measures gRPC itself; the services check the policy the same way when it is off
  DiagnosticsService diagnostics(off);
  GrpcServer server("bench", registry);
  server.AddService(&diagnostics);
  int port = *server.Start("127.0.0.1", 0);
  constexpr int kThreads = 16;
  constexpr int kChannels = 4;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int c = 0; c < kChannels; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("channel_number", c);  // distinct channels, distinct connections
    channels.push_back(grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                                 grpc::InsecureChannelCredentials(), args));
  }
  std::atomic<bool> stop{false};
  std::atomic<int64_t> calls{0};
  CpuMeter cpu({{"client and server", getpid()}});
  std::vector<Latencies> lat(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto stub = v1::Diagnostics::NewStub(channels[t % kChannels]);
      v1::EchoRequest req;
      req.set_payload(std::string(256, 'x'));  // about the size of a case report
      while (!stop.load(std::memory_order_relaxed)) {
        grpc::ClientContext ctx;
        v1::EchoResponse resp;
        auto start = Clock::now();
        if (stub->Echo(&ctx, req, &resp).ok()) {
          lat[t].Add(Clock::now() - start);
          calls.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  auto start = Clock::now();
  std::this_thread::sleep_for(env.duration);
  stop = true;
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  Latencies all;
  for (auto& l : lat) all.Merge(l);
  results.Add({kEcho, calls / seconds, "calls/s", "baseline"});
  // What a call costs in CPU, so that a service's cost a call can be set against it (intake).
  double used = cpu.Used().front();
  results.Add({kEchoCpu, calls > 0 ? used * 1e6 / calls : 0, "us", CpuMeter::CoresBusy(used, seconds)});
  results.Add({"grpc echo p50", all.Percentile(50), "us", ""});
  results.Add({"grpc echo p99", all.Percentile(99), "us", ""});
  server.Shutdown(std::chrono::milliseconds(100));
}

void RawProducer(const Env& env, Results& results) {
  std::atomic<int64_t> delivered{0};
  auto producer = *std::move(KafkaProducer::Create(env.kafka, [&](const DeliveryReport& r) {
    if (r.status.ok()) ++delivered;
  }));
  const int n = env.events;
  std::string value(200, 'v');
  std::vector<KafkaHeader> headers = {{std::string(headers::kEventType), "outbox_probe"}};
  auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    std::string key = "probe-" + std::to_string(i % 64);
    while (producer->Produce(topics::kProbe, key, value, headers, i).code() ==
           StatusCode::kResourceExhausted) {
      producer->Poll(std::chrono::milliseconds(1));
    }
    producer->Poll(std::chrono::milliseconds(0));
  }
  (void)producer->Flush(std::chrono::seconds(60));
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  results.Add({"raw idempotent producer (acks=all)", delivered / seconds, "msgs/s", ""});
}

namespace {

// Commits n probe events through the outbox from kWriters threads; returns the seconds taken.
double CommitProbeEvents(OutboxStore& store, int n) {
  SystemClock clock;
  IdGenerator ids(clock);
  EventFactory events("bench", clock, ids);
  constexpr int kWriters = 4;
  auto start = Clock::now();
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = w; i < n; i += kWriters) {
        std::string aggregate = "probe-" + std::to_string(i % 64);
        v1::EventEnvelope e = events.New(aggregate, i);
        e.mutable_outbox_probe()->set_sequence(i);
        Mutation m(aggregate);
        m.Do("HSET", "bench:state:" + aggregate, {"v", std::to_string(i)})
            .Emit(ToOutboxEvent(topics::kProbe, e));
        (void)store.Commit(m);
      }
    });
  }
  for (auto& w : writers) w.join();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string RatioNote(double value, double base, const char* what) {
  char note[96];
  std::snprintf(note, sizeof(note), "%.2f of %s", base > 0 ? value / base : 0, what);
  return note;
}

}  // namespace

void OutboxThroughput(const Env& env, Results& results) {
  RedisConfig rc = env.redis;
  rc.pool_size = 8;
  RedisClient redis(rc);
  const int n = env.events;
  const double raw = results.Get("raw idempotent producer (acks=all)");
  RelayOptions options;
  options.instance_id = "bench";

  // 1. The relay alone: drain an outbox that already holds n events.
  {
    (void)redis.Command({"FLUSHALL"});
    OutboxStore store(redis, "bench");
    CommitProbeEvents(store, n);
    auto relay = *std::move(OutboxRelay::Create(redis, store, env.kafka, options, nullptr));
    auto start = Clock::now();
    std::jthread loop([&](std::stop_token st) { relay->Run(st); });
    while (relay->published() < static_cast<uint64_t>(n)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    double rate = n / std::chrono::duration<double>(Clock::now() - start).count();
    results.Add({"outbox relay drain (Redis to delivery report)", rate, "events/s",
                 RatioNote(rate, raw, "raw producer rate")});
  }

  // 2. Writers and relay together: commit to delivery report, end to end.
  {
    (void)redis.Command({"FLUSHALL"});
    OutboxStore store(redis, "bench");
    auto relay = *std::move(OutboxRelay::Create(redis, store, env.kafka, options, nullptr));
    store.SetCommitListener([r = relay.get()] { r->Notify(); });
    std::jthread loop([&](std::stop_token st) { relay->Run(st); });
    auto start = Clock::now();
    double commit_seconds = CommitProbeEvents(store, n);
    while (relay->published() < static_cast<uint64_t>(n)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    double rate = n / std::chrono::duration<double>(Clock::now() - start).count();
    results.Add({"outbox commits (state + event, 4 writers)", n / commit_seconds, "events/s", ""});
    results.Add({"outbox end to end (commit to delivery report)", rate, "events/s",
                 RatioNote(rate, raw, "raw producer rate")});
  }
}

}  // namespace warroom::bench
