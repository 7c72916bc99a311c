// The observability path end to end: the services under traffic, a real Prometheus scraping them
// with our config and rules, then every Grafana panel query (and every dashboard variable) run
// against it. A query error, or a panel that stays empty while the stack has traffic, fails.
// `promtool check metrics` passes on every service's /metrics.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "testing/process.h"
#include "tests/integration/clients.h"

namespace warroom {
namespace {

using nlohmann::json;
using testing::WaitFor;

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

class DashboardsTest : public ::testing::Test {
 protected:
  DashboardsTest() : redis_server_(dir_.path()), broker_(dir_.path()) {
    auto start = [&](const std::string& name, std::map<std::string, std::string> env = {}) {
      return std::make_unique<testing::ServiceProcess>(name, dir_.path(), redis_server_.port(),
                                                       broker_.bootstrap(), std::move(env));
    };
    services_["intake"] = start("intake");
    services_["routing"] = start("routing");
    services_["escalation"] = start("escalation", testing::ShortSlaPolicy(dir_.File("sla.yaml"), "2s", "1h"));
    services_["reporting"] = start("reporting");
    services_["household"] = start("household", {{"WARROOM_INTAKE_TARGET", services_["intake"]->target()}});
    services_["psp"] = start("psp");
    StartPrometheus();
  }

  void StartPrometheus() {
    std::string configs;
    for (const auto& [name, s] : services_) {
      configs += "      - targets: ['127.0.0.1:" + std::to_string(s->admin_port()) + "']\n" +
                 "        labels: {service: " + name + "}\n";
    }
    std::string config = testing::Process::ReadFile(Source("deploy/prometheus/prometheus.yml.in"));
    config = Replace(config, "@STATIC_CONFIGS@\n", configs);
    config = Replace(config, "@RULES_DIR@", Source("deploy/prometheus"));
    config = Replace(config, "@SCRAPE_INTERVAL@", "1s");
    std::ofstream(dir_.File("prometheus.yml")) << config;
    prom_port_ = testing::FreePort();
    prometheus_ = std::make_unique<testing::Process>(
        std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + dir_.File("prometheus.yml"),
                                 "--storage.tsdb.path=" + dir_.File("prometheus-data"),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(prom_port_)},
        dir_.File("prometheus.log"));
    ASSERT_TRUE(WaitFor([&] { return testing::HttpGet(prom_port_, "/-/ready").first == 200; },
                        std::chrono::seconds(30)))
        << prometheus_->Log();
  }

  // The query's result, or a json with "error" when Prometheus refused it.
  json Query(const std::string& expr) {
    std::string file = dir_.File("query.txt");
    std::ofstream(file) << expr;
    std::string out = testing::Shell("curl -s --max-time 10 --data-urlencode query@" + file +
                                     " http://127.0.0.1:" + std::to_string(prom_port_) + "/api/v1/query");
    json r = json::parse(out, nullptr, false);
    if (r.is_discarded()) return json{{"status", "error"}, {"error", "unreadable: " + out}};
    return r;
  }

  void Traffic() {
    auto stub = testing::IntakeStub(services_["intake"]->target());
    const std::vector<v1::Channel> channels = {v1::CHANNEL_HOTLINE, v1::CHANNEL_WALK_IN, v1::CHANNEL_SMS,
                                               v1::CHANNEL_WEB, v1::CHANNEL_IZIMBIZO};
    const std::vector<std::string> wards = {"79800001", "79800002", "79900012", "79700003"};
    std::vector<std::string> cases;
    for (int i = 0; i < 40; ++i) {
      cases.push_back(testing::ReportCase(*stub, "d-" + std::to_string(i),
                                          static_cast<v1::Category>(1 + i % 6), wards[i % wards.size()],
                                          channels[i % channels.size()]));
    }
    // Enough water cases in one ward at once to raise a hotspot.
    for (int i = 0; i < 8; ++i) {
      testing::ReportCase(*stub, "h-" + std::to_string(i), v1::CATEGORY_WATER, "79800001");
    }
    for (int i = 0; i < 10; ++i) {
      v1::TransitionCaseRequest t;
      t.set_case_number(cases[i]);
      t.set_expected_version(testing::GetCase(*stub, cases[i]).version());
      t.set_actor_role("test");
      t.mutable_resolve()->set_resolution_note("done");
      grpc::ClientContext ctx;
      v1::Case c;
      ASSERT_TRUE(stub->TransitionCase(&ctx, t, &c).ok());
    }
    // A small metro feed, so that the import panel has data.
    std::ofstream(dir_.File("feed.csv"))
        << "source_system,source_id,category,ward_code,latitude,longitude,address,description,reported_at,critical\n"
        << "JHB-SAP,1001,water,79800003,,,,Pipe burst at the corner,,\n"
        << "JHB-SAP,1002,electricity,79800004,,,,Streetlight out,,\n";
    std::string imported = testing::Shell("timeout 60 " + testing::BinaryPath("tools/warroomctl/warroomctl") +
                                          " --target " + services_["intake"]->target() + " import " +
                                          dir_.File("feed.csv") + " 2>&1; echo rc=$?");
    ASSERT_NE(imported.find("rc=0"), std::string::npos) << imported;
  }

  testing::TestDir dir_;
  testing::RedisServer redis_server_;
  testing::Broker broker_;
  std::map<std::string, std::unique_ptr<testing::ServiceProcess>> services_;
  int prom_port_ = 0;
  std::unique_ptr<testing::Process> prometheus_;
};

TEST_F(DashboardsTest, EveryPanelQueryAnswersWithDataAndEveryMetricsPageLints) {
  Traffic();
  // Escalations, the hotspot and a few scrapes of each.
  ASSERT_TRUE(WaitFor([&] {
    json r = Query("sum(warroom_reporting_open_hotspots) > 0 and sum(warroom_reporting_overdue_cases) > 0");
    return r["status"] == "success" && !r["data"]["result"].empty();
  }, std::chrono::seconds(90))) << Query("sum(warroom_reporting_open_hotspots)").dump();

  for (const auto& [name, s] : services_) {
    std::string out = testing::Shell("curl -s --max-time 10 http://127.0.0.1:" + std::to_string(s->admin_port()) +
                                     "/metrics | promtool check metrics 2>&1; echo rc=$?");
    EXPECT_NE(out.find("rc=0"), std::string::npos) << name << ": " << out;
  }

  int queries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(Source("deploy/grafana/dashboards"))) {
    json dashboard = json::parse(testing::Process::ReadFile(entry.path().string()));
    std::vector<std::pair<std::string, std::string>> checks;  // what, expr
    for (const auto& v : dashboard["templating"]["list"]) {
      std::smatch m;
      std::string q = v["query"]["query"];
      ASSERT_TRUE(std::regex_match(q, m, std::regex(R"(label_values\((.+), *\w+\))"))) << q;
      checks.push_back({"variable " + v["name"].get<std::string>(), m[1]});
    }
    for (const auto& p : dashboard["panels"]) {
      for (const auto& t : p["targets"]) checks.push_back({"panel '" + p["title"].get<std::string>() + "'", t["expr"]});
    }
    for (auto [what, expr] : checks) {
      expr = Replace(expr, "$municipality", "JHB");
      expr = Replace(expr, "$ward", "79800001");
      expr = Replace(expr, "$district", "DC42");
      expr = Replace(expr, "$__rate_interval", "30s");
      json last;
      bool has_data = WaitFor([&] {
        last = Query(expr);
        return last["status"] != "success" || !last["data"]["result"].empty();
      }, std::chrono::seconds(30));
      EXPECT_EQ(last["status"], "success") << entry.path().filename() << " " << what << ": " << expr << "\n" << last.dump();
      EXPECT_TRUE(has_data) << entry.path().filename() << " " << what << " is empty: " << expr;
      ++queries;
    }
  }
  EXPECT_GT(queries, 30);
}

}  // namespace
}  // namespace warroom
