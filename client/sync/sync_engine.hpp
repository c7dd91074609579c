// One sync session over a connected transport: authenticate, push the outbox
// in batches, pull changes until up to date. Every step is durable before the
// next: an operation leaves the outbox only when the server's answer is stored,
// so a dropped connection at any point loses nothing and duplicates nothing
// (the server recognises a re-sent operation by its id).
#pragma once

#include "client/replica/replica.hpp"
#include "client/sync/transport.hpp"

#include <functional>
#include <string>

namespace psm::client {

struct SyncReport {
  std::size_t pushed = 0;
  std::size_t accepted = 0;
  std::size_t conflicts = 0;
  std::size_t rejected = 0;
  std::size_t pulled = 0;
  std::size_t batches = 0;
  // Records the server said were still to come after the last page pulled
  // (0 when up to date, or from a server too old to say).
  std::uint64_t pull_remaining = 0;
};

struct SyncError {
  error_code code;
  std::string message;  // for the person; says what to do
};

// Logs in with a password and records the new device's identity in the replica.
std::optional<SyncError> enrol_device(Replica& replica, Transport& transport, const std::string& username,
                                      const std::string& password, const std::string& device_name);

// Runs one sync. `progress` (optional) is told the running totals after each batch.
std::optional<SyncError> sync_once(Replica& replica, Transport& transport, SyncReport& report,
                                   const std::function<void(const SyncReport&)>& progress = {});

// Waits for a poke (or `timeout`); true when the server said something changed.
Result<bool> wait_for_poke(Transport& transport, std::chrono::milliseconds timeout);

}  // namespace psm::client
