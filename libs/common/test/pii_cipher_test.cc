#include "warroom/common/pii_cipher.h"

#include <gtest/gtest.h>

namespace warroom {
namespace {

const char kK1[] = "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const char kK2[] = "k2:ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

TEST(PiiCipherTest, SealedValuesHideThePlaintextAndOpenAgain) {
  auto c = PiiCipher::FromKeyList(kK1);
  ASSERT_TRUE(c.ok());
  std::string sealed = c->Seal("Nomsa Dlamini 8001015009087");
  EXPECT_EQ(sealed.find("Nomsa"), std::string::npos);
  EXPECT_EQ(sealed.find("8001015009087"), std::string::npos);
  EXPECT_EQ(*c->Open(sealed), "Nomsa Dlamini 8001015009087");
  EXPECT_NE(c->Seal("same"), c->Seal("same")) << "a fresh nonce each time";
}

TEST(PiiCipherTest, AfterRotationOldValuesStillOpenAndNewOnesUseTheNewKey) {
  auto old_ring = PiiCipher::FromKeyList(kK1);
  std::string old_value = old_ring->Seal("old");
  auto rotated = PiiCipher::FromKeyList(std::string(kK2) + "," + kK1);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(*rotated->Open(old_value), "old");
  EXPECT_EQ(rotated->Seal("new").rfind("gcm1:k2:", 0), 0u);
  auto only_new = PiiCipher::FromKeyList(kK2);
  EXPECT_EQ(only_new->Open(old_value).status().code(), StatusCode::kDataLoss);
}

TEST(PiiCipherTest, TamperingIsDetected) {
  auto c = PiiCipher::FromKeyList(kK1);
  std::string sealed = c->Seal("0825551234");
  sealed[sealed.size() - 20] ^= 1;
  EXPECT_EQ(c->Open(sealed).status().code(), StatusCode::kDataLoss);
}

TEST(PiiCipherTest, WithoutKeysValuesAreMarkedPlainAndStillRead) {
  PiiCipher none;
  EXPECT_FALSE(none.enabled());
  EXPECT_EQ(*none.Open(none.Seal("x")), "x");
  auto keyed = PiiCipher::FromKeyList(kK1);
  EXPECT_EQ(*keyed->Open(none.Seal("before the key")), "before the key");
}

TEST(PiiCipherTest, MalformedKeyListsAreRefusedWithoutEchoingTheKey) {
  auto bad = PiiCipher::FromKeyList("k1:00ff");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("00ff"), std::string::npos);
  EXPECT_FALSE(PiiCipher::FromKeyList("nokey").ok());
}

}  // namespace
}  // namespace warroom
