// Wire messages: plain structs, one variant. The codec (codec.hpp) is the only
// place bytes become these. The protocol version travels in the WebSocket
// subprotocol (kSubprotocol); structs are cereal-versioned from their first release.
#pragma once

#include "common/model/record.hpp"
#include "common/ops/operation.hpp"

#include <cereal/types/string.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace psm::protocol {

inline constexpr std::uint32_t kProtocolVersion = 1;
inline constexpr std::string_view kSubprotocol = "psm.v1";

// Device → server: first contact. Enrols a new device for this account.
struct LoginRequest {
  std::string username;
  std::string password;
  std::string device_name;
  template <class A> void serialize(A& ar, std::uint32_t const) { ar(username, password, device_name); }
};

// Device → server: every later connection authenticates with its device token.
struct AuthRequest {
  std::string device_id;
  std::string device_token;
  template <class A> void serialize(A& ar, std::uint32_t const) { ar(device_id, device_token); }
};

// Server → device: answer to LoginRequest or AuthRequest.
struct AuthResult {
  bool ok = false;
  std::uint16_t error = 0;       // psm::Errc when !ok (device_revoked: wipe the replica)
  std::string message;           // for the person
  std::string device_id;         // login only
  std::string device_token;      // login only: the only time the token is sent
  std::string person_id;
  std::string role;
  std::string display_name;
  std::uint64_t server_time_ms = 0;
  std::string server_epoch;      // changes when the server store is restored from backup
  template <class A> void serialize(A& ar, std::uint32_t const) {
    ar(ok, error, message, device_id, device_token, person_id, role, display_name, server_time_ms, server_epoch);
  }
};

struct PushRequest {
  std::vector<ops::Operation> ops;
  template <class A> void serialize(A& ar, std::uint32_t const) { ar(ops); }
};

struct OpResult {
  std::string op_id;
  std::uint8_t kind = 0;    // ops::OutcomeKind
  std::uint16_t error = 0;  // psm::Errc when rejected
  std::string reason;
  template <class A> void serialize(A& ar, std::uint32_t const) { ar(op_id, kind, error, reason); }
};

struct PushResponse {
  std::vector<OpResult> results;  // one per operation, in request order
  template <class A> void serialize(A& ar, std::uint32_t const) { ar(results); }
};

// Device → server: "send me what changed after `cursor`". `known_scopes` are
// the scopes the device already holds; new ones are back-filled from the start.
struct PullRequest {
  std::uint64_t cursor = 0;
  std::vector<std::string> known_scopes;
  template <class A> void serialize(A& ar, std::uint32_t const) { ar(cursor, known_scopes); }
};

struct PullResponse {
  std::vector<model::Record> records;
  std::uint64_t cursor = 0;          // everything up to here has now been sent
  std::vector<std::string> scopes;   // the device's scopes now; any it holds beyond these it must purge
  bool more = false;                 // another batch is waiting
  // Version 2: how many records are still to come after this page (0 when
  // `more` is false), for the device's progress display. Counts only what
  // this person may receive.
  std::uint64_t remaining = 0;
  template <class A> void serialize(A& ar, std::uint32_t const version) {
    ar(records, cursor, scopes, more);
    if (version >= 2) ar(remaining);
  }
};

// Server → device, unsolicited: something in your scopes changed; pull.
struct Poke {
  std::uint64_t cursor = 0;
  template <class A> void serialize(A& ar, std::uint32_t const) { ar(cursor); }
};

// Either side: a protocol-level failure; the sender closes after it.
struct ErrorMessage {
  std::uint16_t error = 0;
  std::string message;
  template <class A> void serialize(A& ar, std::uint32_t const) { ar(error, message); }
};

using Message = std::variant<LoginRequest, AuthRequest, AuthResult, PushRequest, PushResponse, PullRequest,
                             PullResponse, Poke, ErrorMessage>;

}  // namespace psm::protocol

CEREAL_CLASS_VERSION(psm::protocol::LoginRequest, 1);
CEREAL_CLASS_VERSION(psm::protocol::AuthRequest, 1);
CEREAL_CLASS_VERSION(psm::protocol::AuthResult, 1);
CEREAL_CLASS_VERSION(psm::protocol::PushRequest, 1);
CEREAL_CLASS_VERSION(psm::protocol::OpResult, 1);
CEREAL_CLASS_VERSION(psm::protocol::PushResponse, 1);
CEREAL_CLASS_VERSION(psm::protocol::PullRequest, 1);
CEREAL_CLASS_VERSION(psm::protocol::PullResponse, 2);
CEREAL_CLASS_VERSION(psm::protocol::Poke, 1);
CEREAL_CLASS_VERSION(psm::protocol::ErrorMessage, 1);
