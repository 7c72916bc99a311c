// Household: Redis memory per household profile (registered with its personal part, then visited
// once: profile with its latest assessment, the visit, the months set, the ward index), using
// household's own core in process against the run's Redis.
#include "scenarios.h"
#include "services/household/src/household_core.h"
#include "warroom/common/data_file.h"

namespace warroom::bench {
namespace {

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

class NoCases final : public household::CaseReporter {
 public:
  StatusOr<std::string> Report(const v1::ReportCaseRequest&) override { return std::string("GP26-0000001-2"); }
};

}  // namespace

void HouseholdScenarios(const Env& env, Results& results) {
  auto geo = *Geography::LoadDir(Source("data/geography"));
  auto norms = *household::NormsPolicy::Load(*ReadTextFile(Source("data/household/norms.yaml")), "n",
                                             *ReadTextFile(Source("data/household/indigent-thresholds.yaml")), "t", geo);
  auto access = *household::AccessPolicy::Load(*ReadTextFile(Source("data/household/access-roles.yaml")), "r");
  auto pii = *PiiCipher::FromKeyList("bench:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  RedisClient redis(env.redis);
  (void)redis.Command({"FLUSHALL"});
  OutboxStore outbox(redis, "household");
  SystemClock clock;
  IdGenerator ids(clock);
  NoCases cases;
  household::HouseholdCore core(redis, outbox, {&geo, &norms, &access, &pii}, cases, clock, ids, nullptr);
  constexpr int kHouseholds = 20000;
  household::Caller caller{"dashboard", "bench", "bench"};
  int64_t before = RedisInfoInt(redis, "used_memory");
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kHouseholds; ++i) {
    v1::RegisterHouseholdRequest r;
    r.set_client_request_id("bench-" + std::to_string(i));
    r.set_ward_code("79800001");
    r.set_dwelling(v1::DWELLING_TYPE_INFORMAL);
    r.mutable_ages()->set_adults_18_59(2);
    r.set_monthly_income_rand(3000);
    r.mutable_personal()->mutable_head()->set_name("Household Head " + std::to_string(i));
    r.mutable_personal()->mutable_head()->set_phone("0825551234");
    r.mutable_personal()->set_address(std::to_string(i) + " Long Street");
    auto h = core.Register(r, caller);
    if (!h.ok()) return;
    v1::RecordVisitRequest v;
    v.set_visit_id("v" + std::to_string(i));
    v.set_household_id(h->household_id());
    v.set_cdw_id("cdw-1");
    auto* o = v.mutable_observed();
    o->set_water_source(v1::WATER_SOURCE_COMMUNAL_STANDPIPE);
    o->set_water_distance_m(300);
    o->set_sanitation(v1::SANITATION_TYPE_VIP);
    o->set_electricity(v1::ELECTRICITY_SOURCE_GRID);
    o->set_refuse_collections_per_month(4);
    o->set_road_access(v1::ROAD_ACCESS_ALL_WEATHER);
    if (!core.RecordVisit(v).ok()) return;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The outbox drains to Kafka in production; its entries are not part of a profile.
  for (int s = 0; s < outbox.shards(); ++s) (void)redis.Command({"DEL", outbox.StreamKey(s)});
  (void)redis.Command({"DEL", "household:audit"});
  int64_t after = RedisInfoInt(redis, "used_memory");
  results.Add({"Redis memory per household (profile, personal part, one visit, indexes)",
               static_cast<double>(after - before) / kHouseholds, "bytes", "20,000 households"});
  results.Add({"household register + visit (assess, commit with event), one caller",
               kHouseholds / seconds, "households/s", "in process, against the run's Redis"});
}

}  // namespace warroom::bench
