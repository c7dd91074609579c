// One error currency for the whole project: boost::system::error_code with the
// project's own enum, and boost::system::result<T> for functions that return a
// value or an error. Exceptions thrown by third-party code (cereal, SQLite
// wrapper internals) are caught at module edges and converted to these codes.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <type_traits>

namespace psm {

using boost::system::error_code;
template <class T>
using Result = boost::system::result<T>;

enum class Errc {
  ok = 0,
  // Permanent: retrying the same input gives the same answer.
  invalid_argument = 1,   // a field is missing, malformed or out of range
  malformed_message,      // bytes that do not decode to a protocol message
  message_too_large,      // over a limit in common/limits.hpp
  unsupported_version,    // protocol or operation schema version we do not speak
  not_found,              // no such record, or one the caller may not see
  permission_denied,      // the caller's role may not do this
  rule_violation,         // a domain rule (common/policy) refuses it
  illegal_transition,     // a status may not move that way
  authentication_failed,  // wrong username, password or device token
  device_revoked,         // this device was revoked: wipe the replica
  wrong_passphrase,       // the replica key could not be unwrapped
  corrupt_data,           // a file or record failed an integrity check
  already_exists,         // e.g. a replica already enrolled in this home
  not_enrolled,           // the replica has not been enrolled with a server
  untrusted_server,       // TLS certificate, host name or pinned key did not verify
  token_expired,          // the device token expired: sign in again with the password
  locked_out,             // too many failed sign-ins: wait, then try again
  offline_too_long,       // the replica has not synced within the server's limit
  sequence_reused,        // a device sent a new operation under a sequence number it used before
  // Transient: the same request may succeed later.
  unavailable = 100,  // server unreachable, connection dropped
  timeout,
  busy,          // database locked, queue full
  io_error,      // disk error, disk full
  internal,      // a bug: logged with context
  rate_limited,  // too many operations from one device this minute
};

const boost::system::error_category& psm_category() noexcept;

inline error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), psm_category()}; }

// True for errors where retrying later (with backoff) is the right response:
// every code from Errc::unavailable on, and any error from outside psm (the
// network, the operating system). The one rule for the server, the device's
// retry loop and the app's background sync.
inline bool is_transient(const error_code& ec) noexcept {
  return ec.category() != psm_category() || ec.value() >= static_cast<int>(Errc::unavailable);
}

// An error with a human-readable message that names what was wrong. The code
// says what kind of failure; the message is for the person at the keyboard and
// never contains a child's data.
struct Error {
  error_code code;
  std::string message;
};

}  // namespace psm

template <>
struct boost::system::is_error_code_enum<psm::Errc> : std::true_type {};
