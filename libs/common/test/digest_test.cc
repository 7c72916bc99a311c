#include "warroom/common/digest.h"

#include <gtest/gtest.h>

namespace warroom {
namespace {

TEST(DigestTest, KnownAnswers) {
  // FIPS 180 test vectors.
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace warroom
