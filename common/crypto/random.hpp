// Cryptographically secure random bytes from OpenSSL's DRBG.
//
// Both functions abort the process if the generator fails: a failing RNG is
// not a condition any caller can recover from, and carrying on would produce
// predictable keys and nonces. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace psm::crypto {

// Fills `out` with random bytes.
void random_bytes(std::span<std::uint8_t> out);

// `bytes` random bytes as 2*bytes lowercase hex characters (identifiers, tokens).
std::string random_hex(std::size_t bytes);

}  // namespace psm::crypto
