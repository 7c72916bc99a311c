#include "load.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <random>
#include <semaphore>
#include <thread>

#include "warroom/common/status.h"
#include "warroom/v1/intake.grpc.pb.h"

namespace warroom::loadgen {

using Clock = std::chrono::steady_clock;

bool IsLoopbackTarget(const std::string& target) {
  std::string host = target.substr(0, target.rfind(':'));
  return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

nlohmann::json LoadResult::ToJson(const LoadOptions& o) const {
  auto ms = [](std::chrono::nanoseconds d) { return d.count() / 1e6; };
  nlohmann::json j = {
      {"target", o.target},
      {"offered_rate", o.rate},
      {"concurrency", o.concurrency},
      {"seconds", seconds},
      {"sent", sent},
      {"ok", ok},
      {"failed", failed},
      {"not_sent", not_sent},
      {"achieved_rate", rate()},
      {"latency_ms",
       {{"p50", ms(latency.Percentile(50))},
        {"p90", ms(latency.Percentile(90))},
        {"p99", ms(latency.Percentile(99))},
        {"p99.9", ms(latency.Percentile(99.9))},
        {"max", ms(latency.Max())}}},
      {"errors", errors},
  };
  return j;
}

namespace {

struct Call {
  enum Kind { kReport, kTransition } kind;
  Clock::time_point scheduled;
  grpc::ClientContext ctx;
  grpc::Status status;
  v1::ReportCaseResponse report;
  v1::Case transitioned;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ReportCaseResponse>> report_rpc;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::Case>> transition_rpc;
};

constexpr v1::Category kCategories[] = {v1::CATEGORY_WATER, v1::CATEGORY_ELECTRICITY,
                                        v1::CATEGORY_REFUSE_REMOVAL, v1::CATEGORY_SANITATION,
                                        v1::CATEGORY_ROADS_STORMWATER, v1::CATEGORY_HOUSING};
constexpr v1::Channel kChannels[] = {v1::CHANNEL_HOTLINE, v1::CHANNEL_WALK_IN, v1::CHANNEL_WEB,
                                     v1::CHANNEL_SMS, v1::CHANNEL_HOUSEHOLD_VISIT};

}  // namespace

LoadResult RunLoad(const LoadOptions& o) {
  LoadResult result;
  if (!IsLoopbackTarget(o.target)) {
    result.errors["REFUSED_NON_LOOPBACK_TARGET"] = 1;
    return result;
  }
  auto channel = grpc::CreateChannel(o.target, grpc::InsecureChannelCredentials());
  auto stub = v1::IntakeService::NewStub(channel);
  grpc::CompletionQueue cq;
  std::mt19937_64 rng(o.seed);
  std::mutex mu;                                          // guards ready and result
  std::deque<std::pair<std::string, int64_t>> ready;     // reported cases to acknowledge
  std::atomic<int> in_flight{0};
  // Flat out: a slot per call in flight, released by the completion thread (no spinning).
  std::counting_semaphore<> slots(o.rate > 0 ? std::max(o.concurrency, 10000) : o.concurrency);

  std::thread completer([&] {
    void* tag;
    bool ok;
    while (cq.Next(&tag, &ok)) {
      std::unique_ptr<Call> call(static_cast<Call*>(tag));
      auto latency = Clock::now() - call->scheduled;
      std::lock_guard lock(mu);
      result.latency.Record(latency);
      if (call->status.ok()) {
        ++result.ok;
        if (call->kind == Call::kReport) {
          result.acknowledged.push_back(call->report.case_number());
          if (ready.size() < 100000) ready.emplace_back(call->report.case_number(), call->report.case_().version());
        }
      } else {
        ++result.failed;
        ++result.errors[std::string(StatusCodeName(static_cast<StatusCode>(call->status.error_code())))];
      }
      --in_flight;
      slots.release();
    }
  });

  auto start = Clock::now();
  auto deadline = start + o.duration;
  int64_t i = 0;
  while (true) {
    Clock::time_point scheduled;
    if (o.rate > 0) {
      scheduled = start + std::chrono::nanoseconds(static_cast<int64_t>(1e9 * i / o.rate));
      std::this_thread::sleep_until(scheduled);
    } else {
      slots.acquire();
      scheduled = Clock::now();
    }
    if (scheduled >= deadline || (o.count > 0 && i >= o.count)) break;
    if (o.rate > 0 && !slots.try_acquire()) {
      ++i;
      ++result.not_sent;  // the server is far behind: count it rather than grow without bound
      continue;
    }
    ++i;
    auto call = std::make_unique<Call>();
    call->scheduled = scheduled;
    call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    std::optional<std::pair<std::string, int64_t>> target_case;
    if (static_cast<int>(rng() % 100) < o.transition_percent) {
      std::lock_guard lock(mu);
      if (!ready.empty()) {
        target_case = ready.front();
        ready.pop_front();
      }
    }
    if (target_case) {
      v1::TransitionCaseRequest r;
      r.set_case_number(target_case->first);
      r.set_expected_version(target_case->second);
      r.set_actor_role("loadgen");
      r.mutable_acknowledge();
      call->kind = Call::kTransition;
      call->transition_rpc = stub->PrepareAsyncTransitionCase(&call->ctx, r, &cq);
      call->transition_rpc->StartCall();
      auto* raw = call.release();
      raw->transition_rpc->Finish(&raw->transitioned, &raw->status, raw);
    } else {
      v1::ReportCaseRequest r;
      r.set_client_request_id(o.run_id + "-" + std::to_string(o.seed) + "-" + std::to_string(i));
      r.set_channel(kChannels[rng() % std::size(kChannels)]);
      r.set_category(kCategories[rng() % std::size(kCategories)]);
      r.mutable_place()->set_ward_code(o.wards[rng() % o.wards.size()]);
      r.set_description("Load test report " + std::to_string(i));
      r.set_anonymous(true);
      call->kind = Call::kReport;
      call->report_rpc = stub->PrepareAsyncReportCase(&call->ctx, r, &cq);
      call->report_rpc->StartCall();
      auto* raw = call.release();
      raw->report_rpc->Finish(&raw->report, &raw->status, raw);
    }
    ++in_flight;
    ++result.sent;
  }
  // Wait for the calls in flight (each has a 30 s deadline, so this ends).
  while (in_flight.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  cq.Shutdown();
  completer.join();
  return result;
}

}  // namespace warroom::loadgen
