// What a sign-in may contain. Every field of a LoginRequest or AuthRequest is
// checked here before it is logged, kept (throttle keys, the audit trail) or
// compared, so a stranger cannot make the server store or remember anything
// larger or stranger than these shapes (issue 12: a 4 MiB device id was
// written to the audit trail on every refusal).
//
// Pure functions; thread-safe.
#pragma once

#include "common/protocol/messages.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace psm::server {

// Passwords longer than this are refused before scrypt sees them: no person
// types 1 KiB of password, and a cap keeps the check's input bounded.
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// Usernames: what `psm-server user add` accepts (model::is_valid_id: 1 to 100
// characters of letters, digits, . _ : -).
bool is_valid_username(std::string_view username) noexcept;
// Device ids: the canonical text of a UUIDv7 as model::new_uuid_v7 writes it
// (36 characters, lowercase hex, dashes at 8, 13, 18, 23, version 7, RFC 4122
// variant).
bool is_valid_device_id(std::string_view device_id) noexcept;
// Device tokens: 64 lowercase hex digits (crypto::random_hex(32)).
bool is_valid_device_token(std::string_view token) noexcept;
// Device names: 1 to limits::kMaxShortStringBytes bytes of UTF-8 with no
// control characters (they are shown in `psm-server device list`).
bool is_valid_device_name(std::string_view name) noexcept;
// A device clock that cannot be a real time (later than the year 9999) is
// refused rather than recorded.
bool is_valid_device_time(std::uint64_t device_time_ms) noexcept;

// Empty when every field is acceptable; otherwise what is wrong, for the
// person and the audit trail. Never quotes the offending value.
std::string problem_with(const protocol::LoginRequest& request);
std::string problem_with(const protocol::AuthRequest& request);

}  // namespace psm::server
