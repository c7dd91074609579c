// This device's server: the settings enrolment wrote (config.json), and a
// connection to it for the sync engine. Used by the CLI's sync commands and
// the app's background sync alike, so both say the same when it fails.
#pragma once

#include "client/net/websocket_client.hpp"
#include "client/replica/replica.hpp"
#include "client/sync/sync_engine.hpp"

#include <memory>
#include <string>
#include <variant>

namespace psm::client {

// A TLS WebSocket to the server and the sync engine's transport over it; the
// transport refers to the client, so the two live and die together.
struct Connected {
  std::unique_ptr<net::WebSocketClient> client;
  std::unique_ptr<Transport> transport;
};

// config.json of `home`: Errc::not_enrolled when there is none, corrupt_data
// when it is not a JSON object.
Result<ClientConfig> read_config(const HomePaths& home);

// Connects to `url`, trusting the CA copied into `home` and, when `pin` (the
// server key's pin from config.json) is not "", only that key. On failure the
// Error's message says, for a person, why (untrusted, wrong version,
// unreachable). Blocks for at most limits::kConnectTimeout.
std::variant<Connected, Error> connect(const HomePaths& home, const std::string& url, const std::string& pin = {});

}  // namespace psm::client
