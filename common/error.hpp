// One error currency for the whole project (docs/architecture.md, "Errors"):
// boost::system::error_code with the project's own enum; Error, a code with
// the sentence for the person; Result<T> / Expected<T> for calls that return a
// value or one of those; Failure (StoreError for store backends) where a call
// cannot return one. Exceptions thrown by third-party code (cereal, SQLite)
// are caught at module edges and converted to these.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

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

// The Errc `ec` stands for when it is one of psm's (what the wire carries);
// Errc::internal for an error from outside psm.
inline Errc to_errc(const error_code& ec) noexcept {
  return ec.category() == psm_category() ? static_cast<Errc>(ec.value()) : Errc::internal;
}

// True for errors where retrying later (with backoff) is the right response:
// every code from Errc::unavailable on, and any error from outside psm (the
// network, the operating system). The one rule for the server, the device's
// retry loop and the app's background sync.
inline bool is_transient(const error_code& ec) noexcept {
  return ec.category() != psm_category() || ec.value() >= static_cast<int>(Errc::unavailable);
}

// What failed, for the person: the code says what kind of failure (and so
// whether to retry: transient()); the message is for the person at the
// keyboard or the operator, names what was wrong and never contains a child's
// data. An empty message means the code's own message() is all there is to say.
struct Error {
  error_code code;
  std::string message;

  bool transient() const noexcept { return is_transient(code); }
};

// A value, or the Error saying why there is none. `.value()` on an error
// throws Failure carrying it.
template <class T>
using Expected = boost::system::result<T, Error>;

// An Error thrown where a call cannot return one: what() is the message.
class Failure : public std::runtime_error {
 public:
  explicit Failure(Error error) : std::runtime_error(error.message), error_(std::move(error)) {}
  Failure(error_code code, const std::string& message) : Failure(Error{code, message}) {}
  const Error& error() const noexcept { return error_; }
  error_code code() const noexcept { return error_.code; }

 private:
  Error error_;
};

// Thrown by a store's operations, whatever the backend (server/store/store.hpp,
// the SQLite wrapper common/store/database.hpp). code() is one of:
// Errc::busy (locked, retry later), Errc::io_error (disk full, I/O failure,
// cannot open), Errc::corrupt_data (not a database / corrupt, an undecodable
// record), Errc::already_exists (constraint violation),
// Errc::unsupported_version (a schema from a newer version), Errc::internal
// (anything else: a bug in the SQL or its use). The message names tables and
// constraints, never bound values or keys.
class StoreError : public Failure {
 public:
  using Failure::Failure;
};

// How Expected<T>::value() reports an error (found by argument-dependent lookup).
[[noreturn]] inline void throw_exception_from_error(const Error& error, const boost::source_location& /*where*/) {
  throw Failure(error);
}

}  // namespace psm

template <>
struct boost::system::is_error_code_enum<psm::Errc> : std::true_type {};
