#include "client/app/app_state.hpp"

#include "common/crypto/hash.hpp"
#include "common/crypto/random.hpp"

namespace psm::client::app {

namespace {
// 256 bits: guessing a launch secret or a session token is out of reach even
// for another program on this computer, which can try as fast as it likes.
constexpr std::size_t kSecretBytes = 32;
// Session tokens valid at once: one per tab the person opened with a fresh
// address, far more than anyone uses; the oldest is dropped first, so a
// program that keeps exchanging addresses cannot grow the list.
constexpr std::size_t kMaxSessions = 16;

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
}  // namespace

AppState::AppState(HomePaths home, std::chrono::seconds lock_after)
    : home_(std::move(home)), lock_after_(lock_after), last_activity_(std::chrono::steady_clock::now()) {}

namespace {
bool same_secret(std::string_view candidate, std::string_view secret) {
  return !secret.empty() && candidate.size() == secret.size() &&
         crypto::constant_time_equal(bytes_of(candidate), bytes_of(secret));
}
}  // namespace

std::string AppState::new_launch_secret() {
  auto secret = crypto::random_hex(kSecretBytes);
  std::lock_guard lock(mutex_);
  launch_secret_ = secret;
  return secret;
}

std::optional<std::string> AppState::exchange_launch_secret(std::string_view candidate) {
  std::lock_guard lock(mutex_);
  if (!same_secret(candidate, launch_secret_)) return std::nullopt;
  // Spent before the token is handed out: the address in the terminal, the
  // shell's scrollback and the browser's history opens nothing any more.
  launch_secret_.clear();
  if (sessions_.size() >= kMaxSessions) sessions_.pop_front();
  sessions_.push_back(crypto::random_hex(kSecretBytes));
  return sessions_.back();
}

bool AppState::session_valid(std::string_view token) const {
  std::lock_guard lock(mutex_);
  bool valid = false;
  // Every token is compared, so the time taken does not say which one was close.
  for (const auto& s : sessions_) valid = same_secret(token, s) || valid;
  return valid;
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
