// What the local app shares between its HTTP thread and its sync thread: the
// open replica (or none while locked), the sync status the pages show, the
// launch secret psm prints and the session tokens of the tabs that exchanged it.
//
// Thread-safety: every member function may be called from any thread. The
// replica is reached only through with_replica(), which holds the lock for the
// duration of the call; a sync holds it while it runs (each network wait is
// bounded by limits::kRequestTimeout).
#pragma once

#include "client/replica/replica.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace psm::client::app {

struct SyncStatus {
  bool online = false;     // connected to the server now
  bool syncing = false;    // a sync is running
  bool revoked = false;    // the server revoked this device: the replica was wiped
  std::string last_error;  // why the last attempt failed, for the person ("" when it worked)
  std::uint64_t last_sync_ms = 0;
  std::uint64_t next_attempt_ms = 0;  // when offline: the next automatic try (UTC ms)
};

class AppState {
 public:
  AppState(HomePaths home, std::chrono::seconds lock_after);

  const HomePaths& home() const { return home_; }

  // --- sessions (docs/security.md, "The local app")
  // A new launch secret (hex) for the address psm prints. Exactly one is valid
  // at a time: making a new one spends the one before, used or not.
  std::string new_launch_secret();
  // Exchanges the current launch secret, once, for a new session token (hex)
  // that one browser tab keeps and sends with every API call. nullopt (and
  // nothing spent) when `candidate` is not the current, unused launch secret.
  // At most kMaxSessions (app_state.cpp) tokens are valid; the oldest goes first.
  std::optional<std::string> exchange_launch_secret(std::string_view candidate);
  bool session_valid(std::string_view token) const;

  // Opens the replica. Errc::wrong_passphrase when the passphrase is wrong.
  error_code unlock(std::string_view passphrase);
  // Closes the replica: its data key (wiped by SQLCipher as the connection
  // closes) and every decrypted page in SQLite's cache leave memory with it.
  // Waits for a running sync to finish with the replica. Session tokens stay
  // valid: the tab shows the unlock screen, and the passphrase is needed again.
  void lock();
  bool locked() const;

  // A request from the person: postpones the auto-lock.
  void touch();
  // Locks when the person has been idle for longer than lock_after; true if it did.
  bool lock_if_idle();

  // Runs `fn` with the open replica under the lock; nullopt when locked.
  template <class Fn>
  auto with_replica(Fn&& fn) -> std::optional<decltype(fn(std::declval<Replica&>()))> {
    std::lock_guard lock(replica_mutex_);
    if (!replica_) return std::nullopt;
    return fn(*replica_);
  }
  // The device was revoked: close and wipe the replica.
  void wipe();

  SyncStatus sync_status() const;
  void update_sync_status(const std::function<void(SyncStatus&)>& change);

  // Asks the sync thread for a sync now (the "Sync now" button, or new work).
  void request_sync();
  // Sync thread: waits until a sync is requested, `until`, or stop; true when
  // a sync was requested (the request is consumed).
  bool wait_for_sync_request(std::chrono::steady_clock::time_point until);
  void stop();
  bool stopping() const;

 private:
  HomePaths home_;
  const std::chrono::seconds lock_after_;
  // Lock order: replica_mutex_ before mutex_, never the other way round. The
  // status is under its own lock so the pages can show it while a sync runs.
  std::mutex replica_mutex_;
  std::unique_ptr<Replica> replica_;   // guarded by replica_mutex_
  std::atomic<bool> unlocked_{false};  // mirrors replica_ != nullptr, readable without waiting for a sync
  mutable std::mutex mutex_;           // guards the members below
  std::condition_variable wake_;
  std::chrono::steady_clock::time_point last_activity_;
  SyncStatus status_;
  std::string launch_secret_;         // "" once exchanged
  std::deque<std::string> sessions_;  // oldest first
  bool sync_requested_ = false;
  bool stop_ = false;
};

}  // namespace psm::client::app
