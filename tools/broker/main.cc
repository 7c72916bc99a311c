// warroom-broker: the embedded Kafka broker for development and tests. It starts librdkafka's mock
// cluster (which speaks the real Kafka protocol over TCP on loopback), creates every topic of the
// one topic list with its partition count, writes the bootstrap string to the state directory and
// serves until SIGTERM. SIGUSR1 takes every broker down (a network outage for fault tests);
// SIGUSR2 brings them back. Nothing survives a restart: this is not for data that must outlive it.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <memory>

#include "warroom/common/config.h"
#include "warroom/common/log.h"
#include "warroom/common/topics.h"

namespace {

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct MockDeleter {
  void operator()(rd_kafka_mock_cluster_t* c) const { rd_kafka_mock_cluster_destroy(c); }
};

void SetBrokersUp(rd_kafka_mock_cluster_t* cluster, int brokers, bool up) {
  for (int id = 1; id <= brokers; ++id) {
    if (up) {
      rd_kafka_mock_broker_set_up(cluster, id);
    } else {
      rd_kafka_mock_broker_set_down(cluster, id);
    }
  }
}

int Run(int argc, char** argv) {
  CLI::App app("Embedded Kafka broker (librdkafka mock cluster) for development and tests");
  std::string state_dir;
  int brokers = 3;
  app.add_option("--state-dir", state_dir, "Folder for kafka.bootstrap")->required();
  app.add_option("--brokers", brokers, "Number of brokers")->check(CLI::Range(1, 9));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  warroom::log::Init("broker");

  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::unique_ptr<rd_kafka_t, RdKafkaDeleter> rk(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err)));
  if (!rk) throw std::runtime_error(std::string("rd_kafka_new: ") + err);
  std::unique_ptr<rd_kafka_mock_cluster_t, MockDeleter> cluster(
      rd_kafka_mock_cluster_new(rk.get(), brokers));
  if (!cluster) throw std::runtime_error("cannot start the mock cluster");

  int replication = std::min(brokers, 3);
  for (const auto& topic : warroom::kTopics) {
    std::string name(topic.name);
    rd_kafka_resp_err_t e =
        rd_kafka_mock_topic_create(cluster.get(), name.c_str(), topic.partitions, replication);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error("create topic " + name + ": " + rd_kafka_err2str(e));
    }
  }

  std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster.get());
  std::filesystem::create_directories(state_dir);
  std::string file = state_dir + "/kafka.bootstrap";
  {
    std::ofstream out(file + ".tmp");
    out << bootstrap << "\n";
  }
  std::filesystem::rename(file + ".tmp", file);  // readers never see half a line
  warroom::log::Info("broker_ready")
      .Kv("bootstrap", bootstrap)
      .Kv("brokers", brokers)
      .Kv("topics", static_cast<int>(warroom::kTopics.size()));

  while (true) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGUSR1) {
      SetBrokersUp(cluster.get(), brokers, false);
      warroom::log::Warn("broker_paused");
    } else if (sig == SIGUSR2) {
      SetBrokersUp(cluster.get(), brokers, true);
      warroom::log::Info("broker_resumed");
    } else {
      break;
    }
  }
  std::filesystem::remove(file);
  warroom::log::Info("broker_stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return warroom::RunMain("warroom-broker", [&] { return Run(argc, argv); });
}
