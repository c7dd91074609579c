// AES-256-GCM with a random 96-bit nonce per message. Thread-safe, no state.
//
// Sealed layout: nonce (12 bytes) || ciphertext (same length as plaintext) || tag (16 bytes).
// Random nonces are safe for up to ~2^32 messages under one key; the keys
// here (wrapped data keys, small records) see nowhere near that.
#pragma once

#include "common/crypto/secure_bytes.hpp"
#include "common/error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace psm::crypto {

inline constexpr std::size_t kAeadKeyBytes = 32;
inline constexpr std::size_t kAeadNonceBytes = 12;
inline constexpr std::size_t kAeadTagBytes = 16;
inline constexpr std::size_t kAeadOverheadBytes = kAeadNonceBytes + kAeadTagBytes;

// Encrypts and authenticates `plaintext`, and authenticates `aad` (which is
// not stored: the opener must supply the same bytes). Throws
// std::invalid_argument if key is not kAeadKeyBytes long (a programming error).
std::vector<std::uint8_t> seal(std::span<const std::uint8_t> key, std::span<const std::uint8_t> plaintext,
                               std::span<const std::uint8_t> aad);

// Reverses seal(). Errc::corrupt_data when `sealed` is shorter than the
// overhead or the tag does not verify (wrong key, wrong aad or altered bytes:
// GCM cannot tell these apart). Throws std::invalid_argument for a bad key length.
// The plaintext is returned in SecureBytes because it is usually a key.
Result<SecureBytes> open(std::span<const std::uint8_t> key, std::span<const std::uint8_t> sealed,
                         std::span<const std::uint8_t> aad);

}  // namespace psm::crypto
