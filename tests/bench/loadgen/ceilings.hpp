// Ceilings: the same work with everything but the hardware path taken away.
#pragma once

#include "harness.hpp"

namespace psm::loadgen {

// Records per second put() into a fresh ServerStore (the server's own
// SQLCipher settings: WAL, synchronous=FULL), `batch` per transaction.
double store_insert_ceiling(const fs::path& scratch, std::size_t records, std::size_t batch);

struct EchoCeiling {
  double messages_per_second = 0;  // 500-byte messages echoed, 32 in flight
  double rtt_p50_ms = 0;
  double rtt_p99_ms = 0;
  double connections_per_second = 0;  // TLS + WebSocket handshakes, then close, 4 clients at once
};
// The server's own TLS WebSocket listener with a handler that echoes every
// message, driven by the device's own WebSocket client over loopback.
EchoCeiling websocket_echo_ceiling(const fs::path& tls_dir, std::size_t messages, std::size_t round_trips,
                                   std::size_t connections);

// Median seconds of scrypt at the replica's parameters (the unavoidable part of unlock).
double scrypt_seconds(int repetitions);

}  // namespace psm::loadgen
