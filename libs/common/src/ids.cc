#include "warroom/common/ids.h"

#include <array>

namespace warroom {

IdGenerator::IdGenerator(const Clock& clock, uint64_t seed)
    : clock_(clock), random_(seed != 0 ? seed : std::random_device{}()) {}

std::string IdGenerator::NewUuidV7() {
  std::array<uint8_t, 16> b{};
  {
    std::lock_guard lock(mu_);
    auto ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        clock_.Now().time_since_epoch())
                                        .count());
    if (ms > last_ms_) {
      last_ms_ = ms;
      counter_ = static_cast<uint16_t>(random_() & 0x3ff);  // leave room to count upwards
    } else if (++counter_ > 0xfff) {
      // 4096 ids in one millisecond: borrow the next millisecond to stay monotonic.
      ++last_ms_;
      counter_ = 0;
    }
    for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(last_ms_ >> (40 - 8 * i));
    b[6] = static_cast<uint8_t>(0x70 | (counter_ >> 8));
    b[7] = static_cast<uint8_t>(counter_);
    uint64_t r = random_();
    for (int i = 8; i < 16; ++i) b[i] = static_cast<uint8_t>(r >> (8 * (i - 8)));
  }
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 9562 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xf]);
  }
  return out;
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace warroom
