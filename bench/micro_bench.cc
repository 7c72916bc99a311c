// Micro benchmarks of pure logic (Google Benchmark): routing decisions, case-number checks,
// report validation.
#include <benchmark/benchmark.h>

#include "services/household/src/norms.h"
#include "services/intake/src/case_rules.h"
#include "services/psp/src/matching.h"
#include "warroom/common/timestamps.h"
#include "services/routing/src/route_rules.h"
#include "warroom/common/case_number.h"

namespace warroom {
namespace {

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

struct RoutingData {
  Geography geo = *Geography::LoadDir(Source("data/geography"));
  routing::Departments departments = *routing::Departments::Load(
      *ReadTextFile(Source("data/routing/departments.yaml")), "d", geo);
  routing::RuleSet rules = *routing::RuleSet::Load(
      *ReadTextFile(Source("services/routing/config/rules.yaml")), "r", geo, departments);
};

void BM_RouteDecision(benchmark::State& state) {
  static const RoutingData data;
  std::vector<routing::Location> places;
  for (const auto& [code, w] : data.geo.wards()) places.push_back(routing::LocationOf(data.geo, code, ""));
  size_t i = 0;
  for (auto _ : state) {
    auto category = static_cast<v1::Category>(1 + i % 19);
    auto d = data.rules.Route(category, places[i % places.size()]);
    benchmark::DoNotOptimize(d);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RouteDecision);

void BM_ParseCaseNumber(benchmark::State& state) {
  std::string cn = MakeCaseNumber("GP", 26, 1234567).ToString();
  for (auto _ : state) benchmark::DoNotOptimize(ParseCaseNumber(cn));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseCaseNumber);

void BM_ValidateReport(benchmark::State& state) {
  static const Geography geo = *Geography::LoadDir(Source("data/geography"));
  v1::ReportCaseRequest r;
  r.set_client_request_id("bench-1");
  r.set_channel(v1::CHANNEL_HOTLINE);
  r.set_category(v1::CATEGORY_WATER);
  r.mutable_place()->set_ward_code("79800001");
  r.set_description("No water in the street since yesterday morning");
  r.mutable_reporter()->set_phone("082 555 1234");
  r.mutable_reporter()->set_id_number("8001015009087");
  for (auto _ : state) {
    v1::ReportCaseRequest copy = r;
    benchmark::DoNotOptimize(intake::ValidateReport(copy, geo, {}));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateReport);

void BM_AssessHousehold(benchmark::State& state) {
  static const Geography geo = *Geography::LoadDir(Source("data/geography"));
  static const household::NormsPolicy norms = *household::NormsPolicy::Load(
      *ReadTextFile(Source("data/household/norms.yaml")), "n",
      *ReadTextFile(Source("data/household/indigent-thresholds.yaml")), "t", geo);
  v1::ServiceObservation o;
  o.set_water_source(v1::WATER_SOURCE_COMMUNAL_STANDPIPE);
  o.set_water_distance_m(350);
  o.set_sanitation(v1::SANITATION_TYPE_VIP);
  o.set_electricity(v1::ELECTRICITY_SOURCE_GRID);
  o.set_refuse_collections_per_month(2);
  o.set_road_access(v1::ROAD_ACCESS_ALL_WEATHER);
  o.set_floor_area_m2(30);
  for (auto _ : state) {
    benchmark::DoNotOptimize(norms.Assess(o, v1::DWELLING_TYPE_BACKYARD, 3000, "GT421"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AssessHousehold);

// Ranking a shortlist over 10,000 professionals (500 firms of 20, a quarter of them water
// engineers), each with a record.
void BM_ShortlistOver10000Professionals(benchmark::State& state) {
  const TimePoint now = TimePoint(std::chrono::seconds(1794290400));
  std::vector<v1::Firm> firms;
  std::map<std::string, psp::Track> tracks;
  for (int f = 0; f < 500; ++f) {
    v1::Firm firm;
    firm.set_firm_id("F" + std::to_string(f));
    firm.add_provinces(f % 3 == 0 ? "LP" : "GT");
    auto* c = firm.add_contracts();
    c->set_contract_id("FC");
    c->set_ceiling_rand(50000000);
    c->set_daily_rate_rand(9000 + f);
    *c->mutable_starts() = ToTimestamp(now - std::chrono::hours(24 * 30));
    *c->mutable_ends() = ToTimestamp(now + std::chrono::hours(24 * 700));
    for (int p = 0; p < 20; ++p) {
      auto* pro = firm.add_professionals();
      pro->set_professional_id(firm.firm_id() + "-" + std::to_string(p));
      pro->set_discipline(static_cast<v1::Discipline>(1 + p % 4));
      pro->set_years_experience(p);
      pro->set_max_concurrent_deployments(2);
      tracks[pro->professional_id()] = {p % 5, 3 * (p % 5), p % 7, p % 4, p % 2};
    }
    firms.push_back(std::move(firm));
  }
  v1::SupportRequest r;
  r.set_discipline(v1::DISCIPLINE_WATER);
  r.set_days(60);
  for (auto _ : state) {
    auto ranked = psp::Rank(r, "GT", firms, tracks, now, now + std::chrono::hours(24 * 60));
    benchmark::DoNotOptimize(ranked);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ShortlistOver10000Professionals)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace warroom

BENCHMARK_MAIN();
