// deploy/k8s as an operator would trust it: every overlay renders with kustomize, and the
// rendered objects keep the invariants: each service has a Deployment with probes on /readyz and
// /healthz, requests and limits, a non-root read-only security context, a Service, a
// PodDisruptionBudget, a HorizontalPodAutoscaler, a NetworkPolicy, a ServiceMonitor, a ConfigMap,
// and its own Redis with deploy/redis/redis.conf (appendonly) and a volume; Kafka is KRaft with 3 brokers, replication 3 and
// min.insync.replicas 2; there is one KafkaTopic per topic in topics.h, agreeing with it, and the
// committed topics.yaml is what the generator makes.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>

#include "testing/process.h"
#include "topics_yaml.h"
#include "warroom/common/topics.h"

namespace warroom {
namespace {

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

const std::vector<std::string> kServices = {"intake", "routing", "escalation", "household", "psp", "reporting"};

std::vector<YAML::Node> Render(const std::string& overlay) {
  std::string out = testing::Shell("kubectl kustomize --load-restrictor LoadRestrictionsNone " +
                                   Source("deploy/k8s/overlays/" + overlay) + " 2>&1");
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(out);
  } catch (const YAML::Exception& e) {
    ADD_FAILURE() << overlay << " does not render: " << e.what() << "\n" << out;
  }
  return docs;
}

std::map<std::string, YAML::Node> ByKindAndName(const std::vector<YAML::Node>& docs) {
  std::map<std::string, YAML::Node> out;
  for (const auto& d : docs) {
    if (!d["kind"]) continue;
    out[d["kind"].as<std::string>() + "/" + d["metadata"]["name"].as<std::string>()] = d;
  }
  return out;
}

class K8sManifestsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(K8sManifestsTest, EveryServiceHasWhatAnOperatorNeeds) {
  auto objects = ByKindAndName(Render(GetParam()));
  ASSERT_FALSE(objects.empty());
  for (const std::string& s : kServices) {
    SCOPED_TRACE(GetParam() + " " + s);
    ASSERT_TRUE(objects.count("Deployment/" + s));
    for (const std::string& object :
         {"Service/" + s, "PodDisruptionBudget/" + s, "HorizontalPodAutoscaler/" + s, "NetworkPolicy/" + s,
          "ServiceMonitor/" + s, "StatefulSet/" + s + "-redis", "NetworkPolicy/" + s + "-redis"}) {
      EXPECT_TRUE(objects.count(object)) << object;
    }
    const YAML::Node pod = objects["Deployment/" + s]["spec"]["template"]["spec"];
    EXPECT_TRUE(pod["securityContext"]["runAsNonRoot"].as<bool>());
    const YAML::Node c = pod["containers"][0];
    EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readyz");
    EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
    for (const char* r : {"requests", "limits"}) {
      EXPECT_TRUE(c["resources"][r]["cpu"] && c["resources"][r]["memory"]) << r;
    }
    EXPECT_FALSE(c["securityContext"]["allowPrivilegeEscalation"].as<bool>());
    EXPECT_TRUE(c["securityContext"]["readOnlyRootFilesystem"].as<bool>());
    // Services that hold personal information seal it with keys from a Secret.
    if (s == "intake" || s == "household") {
      bool keyed = false;
      for (const auto& e : c["env"]) {
        keyed |= e["name"].as<std::string>() == "WARROOM_PII_KEYS" &&
                 e["valueFrom"]["secretKeyRef"]["name"].as<std::string>() == "warroom-pii-keys";
      }
      EXPECT_TRUE(keyed) << s << " takes WARROOM_PII_KEYS from the warroom-pii-keys Secret";
    }
    // Production serves gRPC over mutual TLS only.
    if (GetParam() == "production") {
      bool tls = false;
      for (const auto& e : c["env"]) tls |= e["name"].as<std::string>() == "WARROOM_SERVER_TLS_CERT_FILE";
      EXPECT_TRUE(tls) << s << " serves mutual TLS in production";
      // And checks every call against the policy, its callers from a Secret.
      std::set<std::string> security;
      for (const auto& e : c["env"]) {
        std::string name = e["name"].as<std::string>();
        if (name == "WARROOM_SECURITY_POLICY_FILE" && e["value"].as<std::string>() == "/data/security/rpc-policy.yaml") security.insert(name);
        if (name == "WARROOM_SECURITY_CALLERS_FILE" && e["value"].as<std::string>().rfind("/etc/warroom/security/", 0) == 0) security.insert(name);
      }
      EXPECT_EQ(security.size(), 2u) << s << " runs with the authorisation policy in production";
      bool callers_secret = false;
      for (const auto& v : pod["volumes"]) {
        callers_secret |= v["secret"] && v["secret"]["secretName"].as<std::string>() == "warroom-callers";
      }
      EXPECT_TRUE(callers_secret) << s << " mounts the callers file from the warroom-callers Secret";
    }
    // The config comes from the service's own file.
    std::string config_map = pod["volumes"][0]["configMap"]["name"].as<std::string>();
    bool found = false;
    for (const auto& [key, obj] : objects) {
      if (key.rfind("ConfigMap/" + s + "-config", 0) == 0 && key == "ConfigMap/" + config_map) {
        found = obj["data"][s + ".yaml"].IsDefined();
      }
    }
    EXPECT_TRUE(found) << "ConfigMap " << config_map << " with " << s << ".yaml";
    // Its Redis persists: it runs with deploy/redis/redis.conf (appendonly), data on a claimed volume.
    const YAML::Node redis = objects["StatefulSet/" + s + "-redis"]["spec"];
    const YAML::Node redis_pod = redis["template"]["spec"];
    EXPECT_EQ(redis_pod["containers"][0]["args"][0].as<std::string>(), "/etc/redis/redis.conf");
    std::string conf_map;
    for (const auto& v : redis_pod["volumes"]) {
      if (v["name"].as<std::string>() == "config") conf_map = v["configMap"]["name"].as<std::string>();
    }
    ASSERT_TRUE(objects.count("ConfigMap/" + conf_map)) << "the Redis config volume's ConfigMap '" << conf_map << "'";
    EXPECT_EQ(objects["ConfigMap/" + conf_map]["data"]["redis.conf"].as<std::string>(),
              testing::Process::ReadFile(Source("deploy/redis/redis.conf")));
    EXPECT_EQ(redis["volumeClaimTemplates"].size(), 1u);
    // One template makes every service's Redis (base/redis/): each is found by its own name, and
    // lets in its service's pods alone.
    const std::string own = s + "-redis";
    EXPECT_EQ(redis["selector"]["matchLabels"]["app.kubernetes.io/name"].as<std::string>(), own);
    EXPECT_EQ(redis["template"]["metadata"]["labels"]["app.kubernetes.io/name"].as<std::string>(), own);
    EXPECT_EQ(redis["serviceName"].as<std::string>(), own);
    EXPECT_EQ(objects["Service/" + own]["spec"]["selector"]["app.kubernetes.io/name"].as<std::string>(), own);
    const YAML::Node redis_policy = objects["NetworkPolicy/" + own]["spec"];
    EXPECT_EQ(redis_policy["podSelector"]["matchLabels"]["app.kubernetes.io/name"].as<std::string>(), own);
    ASSERT_EQ(redis_policy["ingress"].size(), 1u);
    ASSERT_EQ(redis_policy["ingress"][0]["from"].size(), 1u);
    EXPECT_EQ(redis_policy["ingress"][0]["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"].as<std::string>(), s);
    // The NetworkPolicy lets it reach only DNS, its own Redis, Kafka and the peers it calls.
    const YAML::Node egress = objects["NetworkPolicy/" + s]["spec"]["egress"];
    std::set<std::string> reaches;
    for (const auto& rule : egress) {
      for (const auto& to : rule["to"]) {
        for (const auto& l : to["podSelector"]["matchLabels"]) reaches.insert(l.second.as<std::string>());
      }
    }
    EXPECT_TRUE(reaches.count(s + "-redis"));
    EXPECT_TRUE(reaches.count("warroom-kafka"));
    for (const std::string& other : kServices) {
      if (other != s && reaches.count(other + "-redis")) ADD_FAILURE() << s << " may reach " << other << "'s Redis";
    }
  }
}

TEST_P(K8sManifestsTest, KafkaIsKraftWithThreeBrokersAndEveryTopicOfTheCode) {
  auto objects = ByKindAndName(Render(GetParam()));
  const YAML::Node kafka = objects["Kafka/warroom-kafka"];
  ASSERT_TRUE(kafka.IsDefined());
  EXPECT_EQ(kafka["metadata"]["annotations"]["strimzi.io/kraft"].as<std::string>(), "enabled");
  std::string version = kafka["spec"]["kafka"]["version"].as<std::string>();
  EXPECT_TRUE(version.rfind("3.9", 0) == 0 || (version.rfind("4.", 0) == 0 && version != "4.0.0")) << version;
  EXPECT_EQ(kafka["spec"]["kafka"]["config"]["default.replication.factor"].as<int>(), 3);
  EXPECT_EQ(kafka["spec"]["kafka"]["config"]["min.insync.replicas"].as<int>(), 2);
  int brokers = 0;
  for (const auto& [key, obj] : objects) {
    if (key.rfind("KafkaNodePool/", 0) != 0) continue;
    for (const auto& role : obj["spec"]["roles"]) {
      if (role.as<std::string>() == "broker") brokers += obj["spec"]["replicas"].as<int>();
    }
  }
  EXPECT_EQ(brokers, 3);
  int topics = 0;
  for (const auto& [key, obj] : objects) topics += key.rfind("KafkaTopic/", 0) == 0;
  EXPECT_EQ(topics, static_cast<int>(kTopics.size()));
  for (const TopicSpec& t : kTopics) {
    std::string resource(t.name);
    std::replace(resource.begin(), resource.end(), '.', '-');
    const YAML::Node topic = objects["KafkaTopic/" + resource];
    ASSERT_TRUE(topic.IsDefined()) << t.name;
    EXPECT_EQ(topic["spec"]["topicName"].as<std::string>(), std::string(t.name));
    EXPECT_EQ(topic["spec"]["partitions"].as<int>(), t.partitions);
    EXPECT_EQ(topic["spec"]["replicas"].as<int>(), 3);
    EXPECT_EQ(topic["spec"]["config"]["retention.ms"].as<int64_t>(), t.retention_ms);
    EXPECT_EQ(topic["spec"]["config"]["min.insync.replicas"].as<int>(), 2);
  }
}

INSTANTIATE_TEST_SUITE_P(Overlays, K8sManifestsTest, ::testing::Values("dev", "production"));

TEST(K8sTopicsTest, TheCommittedTopicsFileIsWhatTheGeneratorMakes) {
  EXPECT_EQ(testing::Process::ReadFile(Source("deploy/k8s/base/kafka/topics.yaml")),
            k8s::KafkaTopicsYaml("warroom-kafka"))
      << "regenerate: build/debug/tools/k8s-topics/warroom-k8s-topics > deploy/k8s/base/kafka/topics.yaml";
}

TEST(K8sLintTest, YamllintPassesOnDeployAndData) {
  std::string out = testing::Shell("cd " + Source("") + " && yamllint deploy data 2>&1; echo rc=$?");
  EXPECT_NE(out.find("rc=0"), std::string::npos) << out;
}

}  // namespace
}  // namespace warroom
