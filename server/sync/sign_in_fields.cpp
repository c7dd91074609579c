#include "server/sync/sign_in_fields.hpp"

#include "common/limits.hpp"
#include "common/model/ids.hpp"

namespace psm::server {

namespace {

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF) without
// C0 controls, DEL or C1 controls.
bool is_printable_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    static constexpr std::uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp >= 0x80 && cp <= 0x9F) return false;  // C1 controls
    i += len;
  }
  return true;
}

}  // namespace

bool is_valid_username(std::string_view username) noexcept { return model::is_valid_id(username); }

bool is_valid_device_id(std::string_view id) noexcept {
  if (id.size() != 36) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !is_lower_hex(id[i])) return false;
  }
  const char variant = id[19];
  return id[14] == '7' && (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
}

bool is_valid_device_token(std::string_view token) noexcept {
  if (token.size() != 64) return false;
  for (char c : token) {
    if (!is_lower_hex(c)) return false;
  }
  return true;
}

bool is_valid_device_name(std::string_view name) noexcept {
  return !name.empty() && name.size() <= limits::kMaxShortStringBytes && is_printable_utf8(name);
}

bool is_valid_device_time(std::uint64_t device_time_ms) noexcept {
  return device_time_ms <= 253'402'300'799'999ull;  // 9999-12-31T23:59:59.999Z
}

std::string problem_with(const protocol::LoginRequest& r) {
  if (!is_valid_username(r.username)) {
    return "a username is 1 to 100 characters of letters, digits, dots, underscores, colons and hyphens";
  }
  if (r.password.empty() || r.password.size() > kMaxPasswordBytes) return "a password of 1 to 1024 bytes is required";
  if (!is_valid_device_name(r.device_name)) {
    return "a device name of 1 to 256 characters, without control characters, is required";
  }
  if (!r.device_id.empty() && !is_valid_device_id(r.device_id)) return "that is not a device id this server issues";
  if (!is_valid_device_time(r.device_time_ms)) return "the device's clock is not a possible time";
  return {};
}

std::string problem_with(const protocol::AuthRequest& r) {
  if (!is_valid_device_id(r.device_id)) return "that is not a device id this server issues";
  if (!is_valid_device_token(r.device_token)) return "that is not a device token this server issues";
  if (!is_valid_device_time(r.device_time_ms)) return "the device's clock is not a possible time";
  return {};
}

}  // namespace psm::server
