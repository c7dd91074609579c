// SHA-256, hex encoding and constant-time comparison. Thread-safe, no state.
#pragma once

#include "common/error.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace psm::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::span<const std::uint8_t> data);
Sha256Digest sha256(std::string_view data);

// Lowercase hex, two characters per byte.
std::string to_hex(std::span<const std::uint8_t> bytes);

// Standard base64 (RFC 4648, with padding, no line breaks).
std::string to_base64(std::string_view bytes);

// Accepts upper- and lowercase hex. Errc::invalid_argument for an odd length
// or any non-hex character. The empty string decodes to no bytes.
Result<std::vector<std::uint8_t>> from_hex(std::string_view hex);

// True when both spans hold the same bytes. The time taken depends only on the
// lengths, never on where the contents differ (for MACs, hashes, tokens);
// spans of different length compare unequal at once, as lengths are not secret.
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

}  // namespace psm::crypto
