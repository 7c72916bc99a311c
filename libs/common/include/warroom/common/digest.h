// Message digests as lower-case hex (OpenSSL): SHA-1 for Redis script ids, SHA-256 for bearer
// token hashes.
#pragma once

#include <string>
#include <string_view>

namespace warroom {

std::string Sha1Hex(std::string_view data);
std::string Sha256Hex(std::string_view data);

}  // namespace warroom
