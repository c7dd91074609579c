// The device's side of the network transport: one WebSocket over TLS to the
// server, driven by blocking calls that each finish within their timeout.
//
// Transport only: messages are opaque binary strings. This header keeps Beast
// out of the translation units that include it.
#pragma once

#include "common/error.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace psm::client::net {

struct ClientTlsOptions {
  // PEM file with the CA certificate(s) the server's certificate must chain to
  // (the ca.pem `psm-server init` wrote). Required.
  std::filesystem::path ca_file;
  // Optional: the pin of the server's public key (common/crypto/pin.hpp: SHA-256
  // of its SubjectPublicKeyInfo, hex). When set, the leaf certificate's key
  // must match it as well as verify against ca_file.
  std::string pinned_sha256_hex;
};

// The close frame the server sent, if it sent one.
struct PeerClose {
  std::uint16_t code = 0;  // RFC 6455 close code: 1000 normal, 1001 going away, 1008 policy...
  std::string reason;
};

// Not thread-safe: one thread uses an instance at a time (the sync session's).
// Every call returns within its timeout (DNS lookups excepted: the resolver
// cannot be interrupted, see connect()). While the caller is inside any call,
// the client also answers the server's pings.
class WebSocketClient {
 public:
  // Connects to `url` (exactly "wss://host:port"; an IPv6 host goes in
  // brackets), verifies the server's certificate against tls.ca_file and its
  // name against `host` (a DNS name or an IP address), and opens a WebSocket
  // offering `subprotocol`. The whole sequence is bounded by `timeout`.
  // Errors (the Error's message is a sentence for the user):
  //   Errc::invalid_argument   malformed URL, unreadable CA file;
  //   Errc::unavailable        DNS failure, refused, unreachable, TLS failure
  //                            other than certificate verification, connection
  //                            dropped during the handshake;
  //   Errc::untrusted_server   certificate not signed by the CA, wrong host name,
  //                            expired, or not the pinned certificate;
  //   Errc::timeout            not connected within `timeout`;
  //   Errc::unsupported_version the server does not speak `subprotocol`
  //                            (the message is the server's explanation).
  static Expected<std::unique_ptr<WebSocketClient>> connect(std::string_view url, const ClientTlsOptions& tls,
                                                            std::string_view subprotocol,
                                                            std::chrono::milliseconds timeout);

  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Sends one binary message. Errors: Errc::unavailable when the connection is
  // gone; Errc::timeout when the server did not take the message in time — the
  // connection is then closed (a half-written frame cannot be resumed), and
  // every later call returns Errc::unavailable.
  error_code send(std::string_view message, std::chrono::milliseconds timeout);

  // The next message from the server. Errc::timeout when none arrived in time:
  // the connection is still usable and the next call continues waiting.
  // Errc::unavailable when the connection has ended (peer_close() tells whether
  // the server closed it deliberately, and why); Errc::message_too_large when the
  // server sent more than limits::kMaxMessageBytes (the connection is closed).
  Result<std::string> receive(std::chrono::milliseconds timeout);

  // Closes politely (close frame, then TLS close_notify), waiting at most a
  // few seconds for the server. Idempotent; the destructor calls it.
  void close();

  // The server's close frame, once the connection has ended by one.
  std::optional<PeerClose> peer_close() const;

 private:
  class Impl;
  explicit WebSocketClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace psm::client::net
