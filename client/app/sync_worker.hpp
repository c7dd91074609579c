// The app's background sync: one thread that keeps a connection to the server
// while the replica is unlocked, syncs on start, when asked, when the server
// says something changed and every `sync_every`. After a transient failure
// (psm::is_transient: the server unreachable, busy...) it retries with
// exponential backoff; after a permanent one (sign-in refused or expired,
// server not trusted...) it makes no automatic attempt until the person asks
// (AppState::request_sync, or an unlock), and SyncStatus::last_error says why.
// A revoked device is wiped. It also applies the auto-lock.
#pragma once

#include "client/app/app_state.hpp"

#include <thread>

namespace psm::client::app {

class SyncWorker {
 public:
  SyncWorker(AppState& state, std::chrono::seconds sync_every);
  ~SyncWorker();  // stops the thread (AppState::stop must have been called or is called here)
  SyncWorker(const SyncWorker&) = delete;
  SyncWorker& operator=(const SyncWorker&) = delete;

 private:
  void run();
  AppState& state_;
  std::chrono::seconds sync_every_;
  std::thread thread_;
};

}  // namespace psm::client::app
