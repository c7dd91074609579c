// A TCP proxy that injects network faults between a client and a server on
// loopback. It forwards bytes without looking at them, so TLS runs end to end
// through it (the client still verifies the server's certificate).
//
// A fault is armed for the next connection and fires when a chosen number of
// bytes has passed in one direction: the connection is cut (FIN), reset (RST)
// or stalled (held open, nothing forwarded, until release_stalls()). The
// proxy can also slow every connection down, or be "down": every connection
// attempt is counted and reset at once, as when a server's host is up but
// nothing answers on its port.
//
// Thread-safety: every public member may be called from any thread; the proxy
// runs its own I/O thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace psm::testing {

class FaultProxy {
 public:
  enum class Direction { to_server, to_client };
  enum class Action { cut, reset, stall };
  struct Fault {
    Direction direction = Direction::to_server;
    std::uint64_t after_bytes = 0;  // bytes forwarded in `direction` before it fires
    Action action = Action::cut;
  };

  // Listens on 127.0.0.1 (a free port) and forwards to 127.0.0.1:upstream_port.
  explicit FaultProxy(std::uint16_t upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::uint16_t port() const;
  std::string url() const { return "wss://127.0.0.1:" + std::to_string(port()); }

  // Arms `fault` for the next connection accepted (one connection only).
  void fault_next(Fault fault);
  // Every connection from now on waits `delay` before forwarding each chunk
  // of at most `chunk_bytes` (zero delay: full speed).
  void set_slow(std::chrono::milliseconds delay, std::size_t chunk_bytes = 1024);
  // While down, connection attempts are counted and reset at once.
  void set_down(bool down);
  // Lets stalled connections forward again.
  void release_stalls();
  // Cuts every open connection now.
  void cut_all();

  std::size_t connections() const;  // connection attempts accepted, down or not
  std::uint64_t bytes_to_server() const;
  std::uint64_t bytes_to_client() const;
  std::size_t faults_fired() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace psm::testing
