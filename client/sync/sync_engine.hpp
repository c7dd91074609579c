// One sync session over a connected transport: authenticate, push the outbox
// in batches, pull changes until up to date. Every step is durable before the
// next: an operation leaves the outbox only when the server's answer is stored,
// so a dropped connection at any point loses nothing and duplicates nothing
// (the server recognises a re-sent operation by its id).
#pragma once

#include "client/replica/replica.hpp"
#include "client/sync/transport.hpp"
#include "common/limits.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <variant>

namespace psm::client {

struct SyncReport {
  std::size_t pushed = 0;
  std::size_t accepted = 0;
  std::size_t conflicts = 0;
  std::size_t rejected = 0;
  std::size_t pulled = 0;
  std::size_t batches = 0;
  // Operations the server did not take this time (this device is over its
  // rate limit); they stay queued. Send again after retry_after_ms.
  std::size_t deferred = 0;
  std::uint64_t retry_after_ms = 0;
  // The server had been restored from a backup since the last sync; this
  // many already-accepted operations were queued to be sent again.
  bool server_restored = false;
  std::size_t resent_after_restore = 0;
  // Records the server said were still to come after the last page pulled
  // (0 when up to date, or from a server too old to say).
  std::uint64_t pull_remaining = 0;
};

// Every call below that can fail says why with a psm::Error (common/error.hpp)
// whose message is for the person and says what to do; Error::transient()
// tells a failure worth retrying from one that needs the person.

// Signs in with a password and records the device's identity in the replica.
// A replica that already has a device id (its token expired) keeps it: the
// server gives the same device a new token, so its queued work stays its own.
std::optional<Error> enrol_device(Replica& replica, Transport& transport, const std::string& username,
                                  const std::string& password, const std::string& device_name);

// Runs one sync. `progress` (optional) is told the running totals after each batch.
std::optional<Error> sync_once(Replica& replica, Transport& transport, SyncReport& report,
                               const std::function<void(const SyncReport&)>& progress = {});

// --- retrying when the network or the server is away

// Exponential backoff with equal jitter (values in common/limits.hpp).
struct Backoff {
  std::chrono::milliseconds first = limits::kRetryFirstDelay;
  std::chrono::milliseconds cap = limits::kRetryMaxDelay;
};

// The wait before retry number `retry` (1 = the first retry): with
// d = min(cap, first * 2^(retry-1)), a value in [d/2, d] chosen by `random_bits`.
std::chrono::milliseconds backoff_delay(const Backoff& backoff, unsigned retry, std::uint64_t random_bits);

struct RetryOptions {
  Backoff backoff;
  // Give up once the waits so far add up to more than this. Counted in
  // waits, not wall-clock time, so the schedule is the same however slow
  // each attempt is.
  std::chrono::milliseconds budget{0};
  // Seams for tests; by default a real sleep and the system's random numbers.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::uint64_t()> random;
  // Told before each wait (optional).
  std::function<void(const Error& why, std::chrono::milliseconds wait)> on_retry;
};

// Opens a fresh connection to the server.
using Connect = std::function<std::variant<std::unique_ptr<Transport>, Error>()>;

// Connects and syncs; after a transient failure (psm::is_transient: the
// server unreachable, the connection lost, no answer in time, the server
// busy) waits backoff_delay() and
// tries again with a new connection, until a sync completes, a permanent
// error, or the budget is spent (the last error is returned). Nothing is lost
// in between: each attempt is an ordinary sync_once(), so operations answered
// before a drop stay answered and the rest are re-sent (the server recognises
// the ones it already applied). `report` adds up every attempt.
std::optional<Error> sync_with_retry(Replica& replica, const Connect& connect, SyncReport& report,
                                     const RetryOptions& options,
                                     const std::function<void(const SyncReport&)>& progress = {});

// Waits for a poke (or `timeout`); true when the server said something changed.
// An error the server ended the connection with (device_revoked, say) is
// returned as that error; a dropped connection as Errc::unavailable.
Result<bool> wait_for_poke(Transport& transport, std::chrono::milliseconds timeout);

}  // namespace psm::client
