#include "common/crypto/random.hpp"

#include "common/crypto/hash.hpp"

#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace psm::crypto {

void random_bytes(std::span<std::uint8_t> out) {
  // RAND_bytes takes an int length; feed large requests in chunks.
  constexpr std::size_t kChunk = 1U << 30;
  while (!out.empty()) {
    const std::size_t n = std::min(out.size(), kChunk);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
      std::fputs("psm: fatal: the system random number generator failed\n", stderr);
      std::abort();
    }
    out = out.subspan(n);
  }
}

std::string random_hex(std::size_t bytes) {
  std::vector<std::uint8_t> buffer(bytes);
  random_bytes(buffer);
  return to_hex(buffer);
}

}  // namespace psm::crypto
