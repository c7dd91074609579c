// The sync engine's Transport over a connected WebSocketClient.
#pragma once

#include "client/net/websocket_client.hpp"
#include "client/sync/transport.hpp"
#include "common/limits.hpp"

namespace psm::client::net {

class WebSocketTransport final : public Transport {
 public:
  // `client` must outlive the transport.
  explicit WebSocketTransport(WebSocketClient& client) : client_(client) {}
  error_code send(std::string_view message) override { return client_.send(message, limits::kRequestTimeout); }
  Result<std::string> receive(std::chrono::milliseconds timeout) override { return client_.receive(timeout); }

 private:
  WebSocketClient& client_;
};

}  // namespace psm::client::net
