#include "warroom/common/pii_cipher.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

#include "warroom/common/log.h"

namespace warroom {
namespace {

constexpr size_t kKeyBytes = 32, kNonceBytes = 12, kTagBytes = 16;
constexpr std::string_view kPlain = "plain:";
constexpr std::string_view kSealed = "gcm1:";

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

StatusOr<PiiCipher> PiiCipher::FromKeyList(std::string_view list) {
  PiiCipher c;
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find(',', start);
    std::string_view item = list.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    size_t colon = item.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return InvalidArgumentError("pii keys: each key is id:64-hex-digits, separated by commas");
    }
    std::string id(item.substr(0, colon));
    std::string_view hex = item.substr(colon + 1);
    if (hex.size() != 2 * kKeyBytes) return InvalidArgumentError("pii keys: key " + id + " is not 64 hex digits");
    std::string raw(kKeyBytes, '\0');
    for (size_t i = 0; i < kKeyBytes; ++i) {
      int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) return InvalidArgumentError("pii keys: key " + id + " is not hex");
      raw[i] = static_cast<char>(hi * 16 + lo);
    }
    if (c.current_.empty()) c.current_ = id;
    c.keys_[id] = std::move(raw);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return c;
}

std::string PiiCipher::Seal(std::string_view plaintext) const {
  if (!enabled()) return std::string(kPlain) + std::string(plaintext);
  const std::string& key = keys_.find(current_)->second;
  unsigned char nonce[kNonceBytes];
  RAND_bytes(nonce, sizeof(nonce));
  std::string out = std::string(kSealed) + current_ + ":";
  out.append(reinterpret_cast<const char*>(nonce), sizeof(nonce));
  size_t header = out.size();
  out.resize(header + plaintext.size() + kTagBytes);
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + header);
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0, total = 0;
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key.data()), nonce);
  EVP_EncryptUpdate(ctx.get(), dst, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                    static_cast<int>(plaintext.size()));
  total = len;
  EVP_EncryptFinal_ex(ctx.get(), dst + total, &len);
  total += len;
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, dst + total);
  return out;
}

StatusOr<std::string> PiiCipher::Open(std::string_view sealed) const {
  if (sealed.substr(0, kPlain.size()) == kPlain) return std::string(sealed.substr(kPlain.size()));
  if (sealed.substr(0, kSealed.size()) != kSealed) return DataLossError("personal information in an unknown format");
  std::string_view rest = sealed.substr(kSealed.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return DataLossError("sealed personal information without a key id");
  auto key = keys_.find(rest.substr(0, colon));
  if (key == keys_.end()) {
    return DataLossError("personal information sealed with key '" + std::string(rest.substr(0, colon)) +
                         "', which is not configured");
  }
  std::string_view body = rest.substr(colon + 1);
  if (body.size() < kNonceBytes + kTagBytes) return DataLossError("sealed personal information is truncated");
  auto* nonce = reinterpret_cast<const unsigned char*>(body.data());
  auto* data = nonce + kNonceBytes;
  size_t data_len = body.size() - kNonceBytes - kTagBytes;
  std::string out(data_len, '\0');
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                     reinterpret_cast<const unsigned char*>(key->second.data()), nonce);
  EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, data, static_cast<int>(data_len));
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, const_cast<unsigned char*>(data + data_len));
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &final_len) != 1) {
    return DataLossError("sealed personal information failed its integrity check");
  }
  return out;
}

}  // namespace warroom

namespace warroom {

PiiCipher PiiCipherFromConfig(const ConfigReader& config) {
  std::string keys = config.String("pii.keys", "");
  if (keys.empty()) {
    log::Warn("pii_unencrypted").Kv("reason", "no pii.keys (WARROOM_PII_KEYS): personal information is stored plain");
    return PiiCipher();
  }
  auto cipher = PiiCipher::FromKeyList(keys);
  if (!cipher.ok()) throw ConfigError("pii.keys", cipher.status().message());
  log::Info("pii_encrypted").Kv("current_key", cipher->current_key_id());
  return std::move(*cipher);
}

}  // namespace warroom
