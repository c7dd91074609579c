// Wire messages: plain structs, one variant. The codec (codec.hpp) is the only
// place bytes become these. The protocol version travels in the WebSocket
// subprotocol (kSubprotocol); structs are cereal-versioned from their first release.
#pragma once

#include "common/error.hpp"
#include "common/model/record.hpp"
#include "common/ops/operation.hpp"

#include <cereal/types/string.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace psm::protocol {

inline constexpr std::uint32_t kProtocolVersion = 1;
inline constexpr std::string_view kSubprotocol = "psm.v1";

// Device → server: sign in with a password. Enrols a new device for this
// account, or (v2, `device_id` set) gives an existing device of the same
// account a fresh token after its old one expired, keeping its identity so
// its queued operations still count as its own.
struct LoginRequest {
  std::string username;
  std::string password;
  std::string device_name;
  std::string device_id;             // v2: re-sign-in of this device
  std::uint64_t device_time_ms = 0;  // v2: the device's clock, for the audit trail
  template <class A>
  void serialize(A& ar, std::uint32_t const version) {
    ar(username, password, device_name);
    if (version >= 2) ar(device_id, device_time_ms);
  }
};

// Device → server: every later connection authenticates with its device token.
struct AuthRequest {
  std::string device_id;
  std::string device_token;
  std::uint64_t device_time_ms = 0;  // v2: the device's clock, for the audit trail
  template <class A>
  void serialize(A& ar, std::uint32_t const version) {
    ar(device_id, device_token);
    if (version >= 2) ar(device_time_ms);
  }
};

// A public key the server signs receipts with (v3 of AuthResult). Sent over
// the verified TLS channel; the device keeps it to check receipts.
struct ReceiptKey {
  std::string key_id;      // crypto::signing_key_id(public_key)
  std::string public_key;  // raw 32-byte Ed25519 public key
  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(key_id, public_key);
  }
};

// The server's signed receipt for a push batch (v3 of PushResponse): the
// canonical statement (common/protocol/receipt.hpp) and its Ed25519 signature.
// Empty when the batch had nothing to cover (all rejected or deferred).
struct Receipt {
  std::string key_id;
  std::string statement;
  std::string signature;  // 64 bytes
  bool empty() const { return statement.empty(); }
  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(key_id, statement, signature);
  }
};

// Server → device: answer to LoginRequest or AuthRequest.
struct AuthResult {
  bool ok = false;
  std::uint16_t error = 0;   // psm::Errc when !ok (device_revoked: wipe the replica)
  std::string message;       // for the person
  std::string device_id;     // login only
  std::string device_token;  // login only: the only time the token is sent
  std::string person_id;
  std::string role;
  std::string display_name;
  std::uint64_t server_time_ms = 0;
  std::string server_epoch;  // changes when the server store is restored from backup
  // v2:
  std::uint64_t retry_after_ms = 0;       // locked_out: when a sign-in may be tried again
  std::uint64_t token_expires_at_ms = 0;  // when device_token (new or renewed) stops working
  std::uint32_t max_days_offline = 0;     // the server's limit; 0: no limit
  // v3: the keys receipts may be signed with, current first (older ones stay
  // so receipts signed before a rotation still verify).
  std::vector<ReceiptKey> receipt_keys;
  template <class A>
  void serialize(A& ar, std::uint32_t const version) {
    ar(ok, error, message, device_id, device_token, person_id, role, display_name, server_time_ms, server_epoch);
    if (version >= 2) ar(retry_after_ms, token_expires_at_ms, max_days_offline);
    if (version >= 3) ar(receipt_keys);
  }
};

struct PushRequest {
  std::vector<ops::Operation> ops;
  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(ops);
  }
};

struct OpResult {
  std::string op_id;
  std::uint8_t kind = 0;    // ops::OutcomeKind
  std::uint16_t error = 0;  // psm::Errc when rejected
  std::string reason;
  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(op_id, kind, error, reason);
  }
};

struct PushResponse {
  // One per operation, in request order — or, when the device is over its
  // rate limit (v2), only for the first results.size() operations; the rest
  // were not looked at and should be sent again after retry_after_ms.
  std::vector<OpResult> results;
  std::uint64_t retry_after_ms = 0;  // v2
  // v3: the server's signed receipt for the operations of this batch it
  // accepted (or answered from its ledger); none for rejected or deferred ones.
  Receipt receipt;
  template <class A>
  void serialize(A& ar, std::uint32_t const version) {
    ar(results);
    if (version >= 2) ar(retry_after_ms);
    if (version >= 3) ar(receipt);
  }
};

// Device → server: "send me what changed after `cursor`". `known_scopes` are
// the scopes the device already holds; new ones are back-filled from the start.
struct PullRequest {
  std::uint64_t cursor = 0;
  std::vector<std::string> known_scopes;
  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(cursor, known_scopes);
  }
};

struct PullResponse {
  std::vector<model::Record> records;
  std::uint64_t cursor = 0;         // everything up to here has now been sent
  std::vector<std::string> scopes;  // the device's scopes now; any it holds beyond these it must purge
  bool more = false;                // another batch is waiting
  // Version 2: how many records are still to come after this page (0 when
  // `more` is false), for the device's progress display. Counts only what
  // this person may receive.
  std::uint64_t remaining = 0;
  template <class A>
  void serialize(A& ar, std::uint32_t const version) {
    ar(records, cursor, scopes, more);
    if (version >= 2) ar(remaining);
  }
};

// Server → device, unsolicited: something in your scopes changed; pull.
struct Poke {
  std::uint64_t cursor = 0;
  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(cursor);
  }
};

// Either side: a protocol-level failure; the sender closes after it.
struct ErrorMessage {
  std::uint16_t error = 0;
  std::string message;
  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(error, message);
  }
};

using Message = std::variant<LoginRequest, AuthRequest, AuthResult, PushRequest, PushResponse, PullRequest,
                             PullResponse, Poke, ErrorMessage>;

// The wire carries an Error as a psm::Errc number and its text; these are the
// one conversion back for each message that does.
inline error_code code_from_wire(std::uint16_t error) { return make_error_code(static_cast<Errc>(error)); }
// A refused sign-in's Error (code and message); nullopt when it was accepted.
inline std::optional<Error> error_of(const AuthResult& r) {
  if (r.ok) return std::nullopt;
  return Error{code_from_wire(r.error), r.message};
}
// A rejected operation's Error: its code and reason.
inline Error error_of(const OpResult& r) { return {code_from_wire(r.error), r.reason}; }
// An error the server ended the conversation with: its code and message.
inline Error error_of(const ErrorMessage& m) { return {code_from_wire(m.error), m.message}; }

}  // namespace psm::protocol

CEREAL_CLASS_VERSION(psm::protocol::LoginRequest, 2);
CEREAL_CLASS_VERSION(psm::protocol::AuthRequest, 2);
CEREAL_CLASS_VERSION(psm::protocol::ReceiptKey, 1);
CEREAL_CLASS_VERSION(psm::protocol::Receipt, 1);
CEREAL_CLASS_VERSION(psm::protocol::AuthResult, 3);
CEREAL_CLASS_VERSION(psm::protocol::PushRequest, 1);
CEREAL_CLASS_VERSION(psm::protocol::OpResult, 1);
CEREAL_CLASS_VERSION(psm::protocol::PushResponse, 3);
CEREAL_CLASS_VERSION(psm::protocol::PullRequest, 1);
CEREAL_CLASS_VERSION(psm::protocol::PullResponse, 2);
CEREAL_CLASS_VERSION(psm::protocol::Poke, 1);
CEREAL_CLASS_VERSION(psm::protocol::ErrorMessage, 1);
