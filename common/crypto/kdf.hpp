// scrypt key derivation (RFC 7914) and the password hashes stored for server
// accounts. Thread-safe, no state.
#pragma once

#include "common/crypto/secure_bytes.hpp"
#include "common/error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace psm::crypto {

// N is the CPU/memory cost (a power of two), r the block size, p the
// parallelism. Memory used is about 128 * r * N bytes.
struct ScryptParams {
  std::uint64_t n;
  std::uint32_t r;
  std::uint32_t p;
};

// Server account passwords: 32 MiB and ~100 ms per guess, paid once per login.
inline constexpr ScryptParams kScryptInteractive{1U << 15, 8, 1};
// The replica passphrase: 128 MiB and ~400 ms, paid once when the app unlocks.
// Higher than kScryptInteractive because a stolen laptop gives the attacker
// the wrapped key to guess against offline, with no server rate limit.
inline constexpr ScryptParams kScryptReplica{1U << 17, 8, 1};
// Tests only: fast, and far too weak for anything real.
inline constexpr ScryptParams kScryptTest{1U << 10, 8, 1};

// Upper bounds on parameters read back from storage (password hashes, wrapped
// key documents), so a tampered file cannot make us allocate gigabytes or spin
// for minutes: log2 N <= 20, r <= 32, p <= 16, and at most 1 GiB of memory.
inline constexpr unsigned kScryptMaxLog2N = 20;
inline constexpr std::uint32_t kScryptMaxR = 32;
inline constexpr std::uint32_t kScryptMaxP = 16;
inline constexpr std::uint64_t kScryptMaxMemoryBytes = std::uint64_t{1} << 30;

// True when N is a power of two >= 2 and every parameter is within the bounds above.
bool scrypt_params_acceptable(const ScryptParams& params) noexcept;

// log2 of params.n; only meaningful when params.n is a power of two.
unsigned scrypt_log2_n(const ScryptParams& params) noexcept;

// Derives `out_len` bytes from `secret` and `salt`. Errc::invalid_argument when
// the parameters are not acceptable or out_len is 0; Errc::internal if OpenSSL
// fails (e.g. out of memory).
Result<SecureBytes> scrypt(std::string_view secret, std::span<const std::uint8_t> salt, ScryptParams params,
                           std::size_t out_len);

// Hashes a server account password with a fresh 16-byte salt. The result is
// self-describing so the cost can be raised later without a migration:
//   scrypt$<log2 N>$<r>$<p>$<salt hex>$<hash hex>     (32-byte hash)
// Throws std::invalid_argument for unacceptable params (a programming error).
std::string hash_password(std::string_view password, ScryptParams params = kScryptInteractive);

// True only when `encoded` is a well-formed hash of `password`. Returns false,
// never throws, for malformed encodings and for parameters outside the bounds
// above. The final comparison is constant-time.
bool verify_password(std::string_view password, std::string_view encoded) noexcept;

}  // namespace psm::crypto
