#include "client/app/app_state.hpp"

#include "common/crypto/hash.hpp"
#include "common/crypto/random.hpp"

namespace psm::client::app {

namespace {
// 256 bits: guessing it is out of reach even for another program on this computer.
constexpr std::size_t kSessionSecretBytes = 32;

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
}  // namespace

AppState::AppState(HomePaths home, std::chrono::seconds lock_after)
    : home_(std::move(home)),
      lock_after_(lock_after),
      session_secret_(crypto::random_hex(kSessionSecretBytes)),
      last_activity_(std::chrono::steady_clock::now()) {}

bool AppState::secret_matches(std::string_view candidate) const {
  return candidate.size() == session_secret_.size() &&
         crypto::constant_time_equal(bytes_of(candidate), bytes_of(session_secret_));
}

error_code AppState::unlock(std::string_view passphrase) {
  // scrypt takes a moment on purpose; done outside the lock so syncs and reads are not held up.
  auto opened = Replica::open(home_, passphrase);
  if (!opened) return opened.error();
  std::lock_guard replica_lock(replica_mutex_);
  if (!replica_) replica_ = std::move(*opened);
  unlocked_ = true;
  const auto last = replica_->meta("last_sync_ms");
  std::lock_guard lock(mutex_);
  last_activity_ = std::chrono::steady_clock::now();
  if (last) status_.last_sync_ms = std::stoull(*last);
  sync_requested_ = true;
  wake_.notify_all();
  return {};
}

void AppState::lock() {
  std::lock_guard lock(replica_mutex_);
  replica_.reset();
  unlocked_ = false;
}

bool AppState::locked() const { return !unlocked_; }

void AppState::touch() {
  std::lock_guard lock(mutex_);
  last_activity_ = std::chrono::steady_clock::now();
}

bool AppState::lock_if_idle() {
  {
    std::lock_guard lock(mutex_);
    if (!unlocked_ || std::chrono::steady_clock::now() - last_activity_ < lock_after_) return false;
  }
  lock();
  return true;
}

void AppState::wipe() {
  std::lock_guard replica_lock(replica_mutex_);
  replica_.reset();
  unlocked_ = false;
  Replica::wipe(home_);
  std::lock_guard lock(mutex_);
  status_.revoked = true;
}

SyncStatus AppState::sync_status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void AppState::update_sync_status(const std::function<void(SyncStatus&)>& change) {
  std::lock_guard lock(mutex_);
  change(status_);
}

void AppState::request_sync() {
  std::lock_guard lock(mutex_);
  sync_requested_ = true;
  wake_.notify_all();
}

bool AppState::wait_for_sync_request(std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mutex_);
  wake_.wait_until(lock, until, [&] { return sync_requested_ || stop_; });
  const bool requested = sync_requested_ && !stop_;
  sync_requested_ = false;
  return requested;
}

void AppState::stop() {
  std::lock_guard lock(mutex_);
  stop_ = true;
  wake_.notify_all();
}

bool AppState::stopping() const {
  std::lock_guard lock(mutex_);
  return stop_;
}

}  // namespace psm::client::app
