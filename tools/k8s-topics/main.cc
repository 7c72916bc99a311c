// warroom-k8s-topics: prints the KafkaTopic manifests for deploy/k8s/base/kafka/topics.yaml.
#include <iostream>

#include "topics_yaml.h"

int main() {
  std::cout << warroom::k8s::KafkaTopicsYaml("warroom-kafka");
  return 0;
}
