#include "client/app/sync_worker.hpp"

#include "client/core/connection.hpp"
#include "common/model/hlc.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace psm::client::app {

namespace {
using Clock = std::chrono::steady_clock;
// First retry after a failed connection, doubling up to the maximum: quick to
// notice the server is back, without hammering it (or the battery) while it is not.
constexpr std::chrono::seconds kFirstRetry{2};
constexpr std::chrono::seconds kMaxRetry{60};
// How long each wait for the server's "something changed" lasts before the
// thread checks for a sync request, the auto-lock or stop.
constexpr std::chrono::milliseconds kPokeSlice{500};

std::uint64_t now_ms() { return model::HlcClock::system_now_millis(); }
}  // namespace

SyncWorker::SyncWorker(AppState& state, std::chrono::seconds sync_every)
    : state_(state), sync_every_(sync_every), thread_([this] { run(); }) {}

SyncWorker::~SyncWorker() {
  state_.stop();
  if (thread_.joinable()) thread_.join();
}

void SyncWorker::run() {
  std::optional<Connected> connection;
  auto retry = kFirstRetry;
  auto next_attempt = Clock::now();
  bool requested = true;
  // A permanent error (psm::is_transient says no: the sign-in refused or
  // expired, the server not trusted, offline too long...) ends automatic
  // attempts: trying again would get the same answer, and knocking on the
  // server with a refused token only adds to its failed sign-ins. The next
  // attempt waits for the person: "Sync now", new work, or an unlock.
  bool waiting_for_person = false;

  // A transient failure: offline, and the next automatic try after the backoff.
  auto go_offline = [&](const std::string& why) {
    connection.reset();
    next_attempt = Clock::now() + retry;
    const auto next_ms =
        now_ms() + static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(retry).count());
    retry = std::min(retry * 2, kMaxRetry);
    state_.update_sync_status([&](SyncStatus& s) {
      s.online = false;
      s.syncing = false;
      s.last_error = why;
      s.next_attempt_ms = next_ms;
    });
  };
  // Any failure: transient ones are retried, permanent ones wait for the person.
  auto failed = [&](const Error& e) {
    if (e.transient()) {
      go_offline(e.message);
      return;
    }
    spdlog::info("sync stopped until asked again: {}", e.code.message());
    connection.reset();
    waiting_for_person = true;
    retry = kFirstRetry;
    state_.update_sync_status([&](SyncStatus& s) {
      s.online = false;
      s.syncing = false;
      s.last_error = e.message;
      s.next_attempt_ms = 0;  // no automatic try
    });
  };

  while (!state_.stopping()) {
    if (state_.lock_if_idle()) spdlog::info("locked after inactivity");
    if (state_.locked()) {
      // Nothing to sync without the key: drop the connection and wait for an unlock.
      connection.reset();
      waiting_for_person = false;  // unlocking is the person asking
      state_.update_sync_status([](SyncStatus& s) {
        s.online = false;
        s.syncing = false;
      });
      requested = state_.wait_for_sync_request(Clock::now() + std::chrono::seconds(1)) || requested;
      continue;
    }

    if (!connection) {
      if (!requested && (waiting_for_person || Clock::now() < next_attempt)) {
        const auto slice = Clock::now() + std::chrono::seconds(1);
        requested = state_.wait_for_sync_request(waiting_for_person ? slice : std::min(next_attempt, slice));
        continue;
      }
      waiting_for_person = false;
      auto config = read_config(state_.home());
      if (!config) {
        failed(Error{config.error(), "this device is not enrolled"});
        requested = false;
        continue;
      }
      auto connected = connect(state_.home(), config->server_url, config->pin);
      if (auto* e = std::get_if<Error>(&connected)) {
        failed(*e);
        requested = false;
        continue;
      }
      connection = std::move(std::get<Connected>(connected));
      requested = true;  // a fresh connection always starts with a sync
    }

    if (requested) {
      requested = false;
      state_.update_sync_status([](SyncStatus& s) { s.syncing = true; });
      SyncReport report;
      std::optional<Error> err;
      const bool ran = state_
                           .with_replica([&](Replica& r) {
                             err = sync_once(r, *connection->transport, report);
                             if (!err) r.set_meta("last_sync_ms", std::to_string(now_ms()));
                             return true;
                           })
                           .has_value();
      if (!ran) continue;  // locked meanwhile
      if (err && err->code == Errc::device_revoked) {
        spdlog::warn("this device has been revoked; its copy has been wiped");
        state_.wipe();
        connection.reset();
        continue;
      }
      if (err) {
        failed(*err);
        continue;
      }
      retry = kFirstRetry;
      next_attempt = Clock::now() + sync_every_;
      const auto synced_at = now_ms();
      state_.update_sync_status([&](SyncStatus& s) {
        s.online = true;
        s.syncing = false;
        s.last_error.clear();
        s.last_sync_ms = synced_at;
        s.next_attempt_ms = 0;
      });
      continue;
    }

    // Connected and up to date: wait for the server to say something changed.
    auto poked = wait_for_poke(*connection->transport, kPokeSlice);
    if (!poked) {
      go_offline("the connection to the server was lost");
      retry = kFirstRetry;  // it was up a moment ago: try again soon
      continue;
    }
    requested = *poked || state_.wait_for_sync_request(Clock::now()) || Clock::now() >= next_attempt;
  }
}

}  // namespace psm::client::app
