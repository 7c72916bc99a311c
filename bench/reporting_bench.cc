// Reporting scenarios: a rebuild from offset zero of synthetic case, assignment and SLA events
// produced to the run's real broker (events applied per second, goal at least 50,000), and the
// latency of a province-level GetAreaSummary with a million cases in the model, with the model's
// memory per case.
#include <fstream>
#include <thread>

#include "scenarios.h"
#include "services/reporting/src/reporting_core.h"
#include "warroom/common/case_number.h"
#include "warroom/common/events.h"
#include "warroom/common/timestamps.h"
#include "warroom/common/topics.h"

namespace warroom::bench {
namespace {

using Steady = std::chrono::steady_clock;

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

// The events one case leaves on the topics: reported, assigned, clock started, and for every
// third case an escalation, for every second a resolution.
std::vector<std::pair<std::string_view, v1::EventEnvelope>> CaseEvents(const Geography& geo,
                                                                         const std::vector<const Ward*>& wards,
                                                                         int64_t i, int64_t t0) {
  std::vector<std::pair<std::string_view, v1::EventEnvelope>> out;
  std::string cn = MakeCaseNumber("GP", 26, i).ToString();
  const Ward* w = wards[static_cast<size_t>(i) % wards.size()];
  auto envelope = [&](int64_t version, int64_t at) {
    v1::EventEnvelope e;
    e.set_event_id(cn + "-" + std::to_string(out.size()));
    e.set_aggregate_id(cn);
    e.set_aggregate_version(version);
    *e.mutable_occurred_at() = SecondsToTimestamp(at);
    return e;
  };
  int64_t at = t0 + i % 86400;
  auto reported = envelope(1, at);
  auto* r = reported.mutable_case_reported();
  r->set_case_number(cn);
  r->set_ward_code(w->code);
  r->set_municipality_code(w->municipality_code);
  r->set_category(static_cast<v1::Category>(1 + i % 19));
  r->set_channel(static_cast<v1::Channel>(1 + i % 10));
  *r->mutable_reported_at() = SecondsToTimestamp(at);
  out.emplace_back(topics::kCases, std::move(reported));
  auto assigned = envelope(1, at + 1);
  assigned.mutable_case_assigned()->set_department("DEPT-" + std::to_string(i % 12));
  assigned.mutable_case_assigned()->set_war_room("WR-" + w->code);
  out.emplace_back(topics::kAssignments, std::move(assigned));
  auto started = envelope(1, at + 1);
  started.mutable_sla_changed()->set_kind(v1::SlaChanged::KIND_CLOCK_STARTED);
  started.mutable_sla_changed()->set_tier(v1::TIER_WARD);
  out.emplace_back(topics::kEscalations, std::move(started));
  if (i % 3 == 0) {
    auto escalated = envelope(2, at + 3600);
    escalated.mutable_sla_changed()->set_kind(v1::SlaChanged::KIND_ESCALATED);
    escalated.mutable_sla_changed()->set_tier(v1::TIER_LOCAL);
    out.emplace_back(topics::kEscalations, std::move(escalated));
  }
  if (i % 2 == 0) {
    auto resolved = envelope(2, at + 7200);
    resolved.mutable_case_status_changed()->set_to(v1::CASE_STATUS_RESOLVED);
    out.emplace_back(topics::kCases, std::move(resolved));
  }
  (void)geo;
  return out;
}

}  // namespace

void ReportingScenarios(const Env& env, Results& results) {
  auto geo = *Geography::LoadDir(Source("data/geography"));
  std::vector<const Ward*> wards;
  for (const auto& [code, w] : geo.wards()) wards.push_back(&w);
  const int64_t t0 = UnixSeconds(std::chrono::system_clock::now()) - 86400;

  // 1. Rebuild rate: synthetic events on the real broker, applied by reporting's own core.
  const int64_t cases = std::max<int64_t>(env.events / 3, 1000);
  int64_t produced = 0;
  {
    auto producer = KafkaProducer::Create(env.kafka, nullptr);
    for (int64_t i = 1; i <= cases; ++i) {
      for (auto& [topic, e] : CaseEvents(geo, wards, i, t0)) {
        std::string value = e.SerializeAsString();
        while ((*producer)->Produce(topic, e.aggregate_id(), value,
                                    {{std::string(headers::kEventType), EventType(e)}}, 0)
                   .code() == StatusCode::kResourceExhausted) {
          (*producer)->Poll(std::chrono::milliseconds(10));
        }
        ++produced;
      }
      (*producer)->Poll(std::chrono::milliseconds(0));
    }
    (void)(*producer)->Flush(std::chrono::seconds(60));
  }
  RedisClient redis(env.redis);
  (void)redis.Command({"FLUSHALL"});
  SystemClock clock;
  reporting::ReportingCore core(geo, redis, env.kafka, clock, nullptr);
  if (!core.Start(true).ok()) return;
  auto start = Steady::now();
  std::jthread live([&](std::stop_token st) { core.Run(st); });
  while (core.Describe().events_applied() < produced &&
         Steady::now() - start < std::chrono::minutes(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  double live_seconds = std::chrono::duration<double>(Steady::now() - start).count();
  results.Add({"reporting catch-up from offset zero (live reader, with checkpoints)",
               static_cast<double>(produced) / live_seconds, "events/s",
               std::to_string(produced) + " events of " + std::to_string(cases) + " cases"});
  auto rebuilt = core.Rebuild();
  live.request_stop();
  live.join();
  if (rebuilt.ok()) {
    results.Add({"reporting rebuild from offset zero (Rebuild RPC)", rebuilt->events_per_second(),
                 "events/s",
                 std::string("goal >= 50,000; rebuilt ") + (rebuilt->equal() ? "equals" : "DIFFERS from") +
                     " the live model"});
  }

  // 2. A province summary with a million cases in the model, and the model's memory per case.
  const int64_t big = 1000000;
  int64_t rss_before = RssBytes();
  reporting::ReadModel model(geo);
  for (int64_t i = 1; i <= big; ++i) {
    for (auto& [topic, e] : CaseEvents(geo, wards, i, t0)) (void)model.Apply(topic, e);
  }
  model.TakeDirtyCases();
  int64_t rss_after = RssBytes();
  Latencies lat;
  v1::GetAreaSummaryRequest province;
  for (int i = 0; i < 2000; ++i) {
    auto t = Steady::now();
    auto s = model.Summary(province, clock.Now());
    lat.Add(Steady::now() - t);
    if (!s.ok() || s->totals().cases() != big) return;
  }
  results.Add({"GetAreaSummary(province) with 1,000,000 cases, p50", lat.Percentile(50), "us", "in the model, no RPC"});
  results.Add({"GetAreaSummary(province) with 1,000,000 cases, p99", lat.Percentile(99), "us", ""});
  results.Add({"reporting model memory per case", static_cast<double>(rss_after - rss_before) / big,
               "bytes", "RSS growth over 1,000,000 cases"});
}

}  // namespace warroom::bench
