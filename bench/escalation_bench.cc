// Escalation scenarios against the run's real Redis, using escalation's own core in process: the
// sweep's cost with the same number of clocks due as the open clocks grow from 10,000 to
// 1,000,000, and escalations per second when many fall due at once.
#include <thread>

#include "scenarios.h"
#include "services/escalation/src/escalation_core.h"
#include "warroom/common/case_number.h"
#include "warroom/common/data_file.h"

namespace warroom::bench {

namespace {

using Steady = std::chrono::steady_clock;

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

// Writes armed clocks straight into escalation's layout (clock record and its timers), as the
// consumer would have left them, in pipelined batches.
void Arm(RedisClient& redis, const escalation::SlaEngine& engine, int64_t first, int64_t count,
         TimePoint assigned_at) {
  constexpr int kBatch = 2000;
  std::vector<RedisArgs> batch;
  for (int64_t i = first; i < first + count; ++i) {
    v1::SlaClock c;
    v1::CaseAssigned a;
    a.set_case_number(MakeCaseNumber("GP", 26, i).ToString());
    a.set_category(v1::CATEGORY_WATER);
    a.set_ward_code("79800001");
    a.set_war_room("WR-79800001");
    escalation::Outputs out;
    engine.OnAssigned(c, a, assigned_at, out);
    c.set_version(1);
    batch.push_back({"HSET", "escalation:{" + c.case_number() + "}:clock", "v", "1", "pb", c.SerializeAsString()});
    RedisArgs zadd = {"ZADD", "escalation:timers"};
    for (const auto& t : engine.Timers(c)) {
      zadd.push_back(std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t.due.time_since_epoch()).count()));
      zadd.push_back(t.member);
    }
    batch.push_back(std::move(zadd));
    if (batch.size() >= kBatch) {
      (void)redis.Pipeline(batch);
      batch.clear();
    }
  }
  if (!batch.empty()) (void)redis.Pipeline(batch);
}

}  // namespace

void SweepScaling(const Env& env, Results& results) {
  auto geo = *Geography::LoadDir(Source("data/geography"));
  std::string policy_file = Source("services/escalation/config/sla-policy.yaml");
  auto policy = *escalation::SlaPolicy::Load(*ReadTextFile(policy_file), policy_file,
                                              Source("services/escalation/config"));
  escalation::SlaEngine engine(policy, geo, {{"ward", {"ward_councillor"}}});
  RedisConfig rc = env.redis;
  rc.pool_size = 4;
  RedisClient redis(rc);
  SystemClock clock;
  IdGenerator ids(clock);
  constexpr int64_t kDue = 1000;
  double last_rate = 0;
  for (int64_t open : {int64_t{10000}, env.open_clocks}) {
    (void)redis.Command({"FLUSHALL"});
    OutboxStore outbox(redis, "escalation");
    escalation::EscalationCore core(redis, outbox, engine, policy, clock, ids, nullptr);
    auto arm_start = Steady::now();
    Arm(redis, engine, kDue + 1, open - kDue, clock.Now());  // running, due in days
    Arm(redis, engine, 1, kDue, clock.Now() - std::chrono::hours(24 * 30));  // long past due
    double arm_seconds = std::chrono::duration<double>(Steady::now() - arm_start).count();
    auto start = Steady::now();
    int handled = 0;
    while (true) {
      auto n = core.SweepOnce(500);
      if (!n.ok() || *n == 0) break;
      handled += *n;
    }
    double seconds = std::chrono::duration<double>(Steady::now() - start).count();
    char name[96];
    std::snprintf(name, sizeof(name), "SLA sweep of %lld due clocks among %lld open", static_cast<long long>(kDue),
                  static_cast<long long>(open));
    char note[96];
    std::snprintf(note, sizeof(note), "%d timer events handled; arming took %.1f s", handled, arm_seconds);
    results.Add({name, seconds * 1000, "ms", note});
    last_rate = handled / seconds;
  }
  results.Add({"SLA timer events handled when many fall due at once", last_rate, "events/s",
               "warnings and escalations, each committed with its events"});
  (void)redis.Command({"FLUSHALL"});
}

}  // namespace warroom::bench
