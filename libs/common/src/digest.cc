#include "warroom/common/digest.h"

#include <openssl/evp.h>

namespace warroom {

namespace {

std::string DigestHex(const EVP_MD* md, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, md, nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

}  // namespace

std::string Sha1Hex(std::string_view data) { return DigestHex(EVP_sha1(), data); }
std::string Sha256Hex(std::string_view data) { return DigestHex(EVP_sha256(), data); }

}  // namespace warroom
