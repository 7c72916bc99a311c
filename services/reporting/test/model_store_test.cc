#include "services/reporting/src/model_store.h"

#include <gtest/gtest.h>

#include "testing/process.h"
#include "warroom/common/timestamps.h"
#include "warroom/common/topics.h"

namespace warroom::reporting {
namespace {

std::string Source(const std::string& relative) { return std::string(WARROOM_SOURCE_DIR) + "/" + relative; }

class ModelStoreTest : public ::testing::Test {
 protected:
  ModelStoreTest()
      : server_(dir_.path()), redis_(Config()), store_(redis_), geo_(*Geography::LoadDir(Source("data/geography"))) {}
  RedisConfig Config() {
    RedisConfig c;
    c.port = server_.port();
    return c;
  }
  v1::EventEnvelope Reported(const std::string& cn) {
    v1::EventEnvelope e;
    e.set_event_id("id-" + cn);
    e.set_aggregate_id(cn);
    e.set_aggregate_version(1);
    *e.mutable_occurred_at() = SecondsToTimestamp(1794290400);
    auto* r = e.mutable_case_reported();
    r->set_ward_code("79800001");
    r->set_municipality_code("JHB");
    r->set_category(v1::CATEGORY_WATER);
    r->set_channel(v1::CHANNEL_SMS);
    return e;
  }

  testing::TestDir dir_;
  testing::RedisServer server_;
  RedisClient redis_;
  ModelStore store_;
  Geography geo_;
};

TEST_F(ModelStoreTest, ASavedModelLoadsBackWithItsPositions) {
  ReadModel model(geo_);
  ASSERT_TRUE(model.Apply(topics::kCases, Reported("GP26-0000001-2")).ok());
  ASSERT_TRUE(model.Apply(topics::kCases, Reported("GP26-0000002-1")).ok());
  Positions positions{{{"warroom.cases.v1", 3}, 42}};
  ASSERT_TRUE(store_.Save(TakeCheckpoint(model, positions, 2)).ok());

  ReadModel loaded(geo_);
  uint64_t applied = 0;
  auto got = store_.Load(loaded, &applied);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->at({"warroom.cases.v1", 3}), 42);
  EXPECT_EQ(applied, 2u);
  EXPECT_EQ(loaded.Digest(), model.Digest());
  EXPECT_TRUE(loaded.TakeDirtyCases().empty());
}

TEST_F(ModelStoreTest, OnlyWhatChangedSinceTheLastCheckpointIsWritten) {
  ReadModel model(geo_);
  ASSERT_TRUE(model.Apply(topics::kCases, Reported("GP26-0000001-2")).ok());
  EXPECT_EQ(TakeCheckpoint(model, {}, 1).facts.size(), 1u);
  EXPECT_TRUE(TakeCheckpoint(model, {}, 1).facts.empty());
}

TEST_F(ModelStoreTest, ClearForgetsEverything) {
  ReadModel model(geo_);
  ASSERT_TRUE(model.Apply(topics::kCases, Reported("GP26-0000001-2")).ok());
  ASSERT_TRUE(store_.Save(TakeCheckpoint(model, {{{"warroom.cases.v1", 0}, 1}}, 1)).ok());
  ASSERT_TRUE(store_.Clear().ok());
  ReadModel loaded(geo_);
  uint64_t applied = 7;
  auto got = store_.Load(loaded, &applied);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_EQ(loaded.cases(), 0u);
  EXPECT_EQ(applied, 0u);
}

TEST_F(ModelStoreTest, AFailedSaveIsCarriedIntoTheNextOne) {
  Checkpoint first;
  first.facts["a"] = "1";
  first.positions[{"t", 0}] = 5;
  Checkpoint later;
  later.facts["a"] = "2";
  later.facts["b"] = "3";
  later.positions[{"t", 0}] = 9;
  first.Merge(std::move(later));
  EXPECT_EQ(first.facts["a"], "2");
  EXPECT_EQ(first.facts.size(), 2u);
  EXPECT_EQ((first.positions[{"t", 0}]), 9);
}

}  // namespace
}  // namespace warroom::reporting
