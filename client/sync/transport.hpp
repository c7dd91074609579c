// How the sync engine talks to a server: send a message, wait for one. Two
// implementations: the TLS WebSocket client (client/net) and, in tests, an
// in-process loopback.
#pragma once

#include "common/error.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace psm::client {

class Transport {
 public:
  virtual ~Transport() = default;
  virtual error_code send(std::string_view message) = 0;
  // Errc::timeout when nothing arrived in time; Errc::unavailable when the connection dropped.
  virtual Result<std::string> receive(std::chrono::milliseconds timeout) = 0;
};

}  // namespace psm::client
