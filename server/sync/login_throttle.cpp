#include "server/sync/login_throttle.hpp"

namespace psm::server {

LoginThrottle::LoginThrottle(ThrottlePolicy per_account, ThrottlePolicy per_address)
    : account_policy_(per_account), address_policy_(per_address) {}

std::optional<std::uint64_t> LoginThrottle::remaining(const Tracks& tracks, const std::string& key, std::uint64_t now) {
  auto it = tracks.find(key);
  if (it == tracks.end() || it->second.locked_until <= now) return std::nullopt;
  return it->second.locked_until - now;
}

std::optional<std::uint64_t> LoginThrottle::locked(const std::string& username, const std::string& address,
                                                   std::uint64_t now_ms) const {
  auto a = remaining(accounts_, username, now_ms);
  auto b = address.empty() ? std::nullopt : remaining(addresses_, address, now_ms);
  if (a && b) return std::max(*a, *b);
  return a ? a : b;
}

void LoginThrottle::add_failure(Tracks& tracks, const ThrottlePolicy& policy, const std::string& key,
                                std::uint64_t now) {
  const auto window = static_cast<std::uint64_t>(policy.window.count());
  if (tracks.size() >= kMaxTracked && !tracks.count(key)) {
    // Forget tracks with nothing recent and no lock; if none, forget the first.
    for (auto it = tracks.begin(); it != tracks.end();) {
      const bool stale = it->second.locked_until <= now &&
                         (it->second.failures.empty() || it->second.failures.back() + window <= now);
      it = stale ? tracks.erase(it) : std::next(it);
    }
    if (tracks.size() >= kMaxTracked) tracks.erase(tracks.begin());
  }
  auto& t = tracks[key];
  while (!t.failures.empty() && t.failures.front() + window <= now) t.failures.pop_front();
  t.failures.push_back(now);
  if (t.failures.size() >= policy.max_failures) {
    t.locked_until = now + static_cast<std::uint64_t>(policy.lockout.count());
    t.failures.clear();
  }
}

void LoginThrottle::failed(const std::string& username, const std::string& address, std::uint64_t now_ms) {
  add_failure(accounts_, account_policy_, username, now_ms);
  if (!address.empty()) add_failure(addresses_, address_policy_, address, now_ms);
}

void LoginThrottle::succeeded(const std::string& username) { accounts_.erase(username); }

}  // namespace psm::server
