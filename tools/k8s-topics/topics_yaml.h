// The Strimzi KafkaTopic manifests of every topic in the one topic list (topics.h): partitions
// and retention from the list, replication 3 and min.insync.replicas 2 for the production cluster.
#pragma once

#include <string>

namespace warroom::k8s {

inline constexpr int kReplicas = 3;
inline constexpr int kMinInSyncReplicas = 2;

std::string KafkaTopicsYaml(const std::string& cluster);

}  // namespace warroom::k8s
