#include "common/model/ids.hpp"

#include "common/model/hlc.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace psm::model {

std::string new_uuid_v7(std::uint64_t unix_ms) {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    std::fputs("psm: the system random number generator failed\n", stderr);
    std::abort();
  }
  for (int i = 0; i < 6; ++i) {
    b[static_cast<std::size_t>(i)] = static_cast<unsigned char>(unix_ms >> (40 - 8 * i));
  }
  b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0F));  // version 7
  b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3F));  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0F]);
  }
  return out;
}

std::string new_uuid_v7() { return new_uuid_v7(HlcClock::system_now_millis()); }

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > 100) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace psm::model
