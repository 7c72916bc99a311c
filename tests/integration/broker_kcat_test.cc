// Any Kafka client in another process works against the embedded broker: kcat lists every topic
// with its partition count, produces, and consumes back.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "testing/process.h"
#include "warroom/common/topics.h"

namespace warroom {
namespace {

using testing::Shell;

TEST(BrokerTest, KcatSeesEveryTopicWithItsPartitionCount) {
  testing::TestDir dir;
  testing::Broker broker(dir.path());
  std::string listing = Shell("kcat -b " + broker.bootstrap() + " -L -m 5 2>&1");
  for (const auto& topic : kTopics) {
    std::string expected = "topic \"" + std::string(topic.name) + "\" with " +
                           std::to_string(topic.partitions) + " partitions";
    EXPECT_NE(listing.find(expected), std::string::npos) << expected << "\n" << listing;
  }
  EXPECT_NE(listing.find("3 brokers"), std::string::npos) << listing;
}

TEST(BrokerTest, KcatProducesAndConsumesThroughIt) {
  testing::TestDir dir;
  testing::Broker broker(dir.path());
  std::string input = dir.File("input.txt");
  {
    std::ofstream out(input);
    for (int i = 0; i < 100; ++i) out << "key" << i << ":message-" << i << "\n";
  }
  std::string produce = "kcat -b " + broker.bootstrap() + " -P -t warroom.probe.v1 -K: -l " +
                        input + " 2>&1";
  EXPECT_EQ(Shell(produce), "");
  std::string consumed = Shell("kcat -b " + broker.bootstrap() +
                             " -C -t warroom.probe.v1 -e -q -f '%k=%s\\n' 2>&1");
  int lines = 0;
  for (char c : consumed) lines += c == '\n';
  EXPECT_EQ(lines, 100) << consumed;
  EXPECT_NE(consumed.find("key42=message-42"), std::string::npos);
}

TEST(BrokerTest, ShutsDownCleanlyOnSigterm) {
  testing::TestDir dir;
  testing::Broker broker(dir.path());
  EXPECT_EQ(broker.process().Terminate(), 0);
  std::ifstream bootstrap(dir.File("kafka.bootstrap"));
  EXPECT_FALSE(bootstrap.good()) << "the bootstrap file is removed on shutdown";
}

}  // namespace
}  // namespace warroom
