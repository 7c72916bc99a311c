// Micro benchmarks of pure logic (Google Benchmark): routing decisions, case-number checks,
// report validation.
#include <benchmark/benchmark.h>

#include "services/household/src/norms.h"
#include "services/intake/src/case_rules.h"
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

}  // namespace
}  // namespace warroom

BENCHMARK_MAIN();
