#include "server/sync/login_throttle.hpp"

#include <algorithm>

namespace psm::server {

FailureTracks::FailureTracks(ThrottlePolicy policy, std::size_t capacity)
    : policy_(policy), capacity_(std::max<std::size_t>(capacity, 1)) {}

std::optional<std::uint64_t> FailureTracks::locked(std::string_view key, std::uint64_t now) const {
  auto it = index_.find(key);
  if (it == index_.end() || it->second->locked_until <= now) return std::nullopt;
  return it->second->locked_until - now;
}

void FailureTracks::failed(std::string_view key, std::uint64_t now) {
  if (key.empty() || key.size() > kMaxKeyBytes) return;
  auto it = index_.find(key);
  if (it != index_.end()) {
    order_.splice(order_.begin(), order_, it->second);  // most recent first; iterators stay valid
  } else {
    if (index_.size() >= capacity_) {  // drop the least recently touched
      index_.erase(std::string_view(order_.back().key));
      order_.pop_back();
    }
    order_.push_front(Track{std::string(key), now, 0, 0});
    index_.emplace(std::string_view(order_.front().key), order_.begin());
  }
  Track& t = order_.front();
  const auto window = static_cast<std::uint64_t>(policy_.window.count());
  if (t.failures == 0 || now >= t.window_start + window) {
    t.window_start = now;
    t.failures = 0;
  }
  if (++t.failures >= policy_.max_failures) {
    t.locked_until = now + static_cast<std::uint64_t>(policy_.lockout.count());
    t.failures = 0;
  }
}

void FailureTracks::forget(std::string_view key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  auto node = it->second;
  index_.erase(it);
  order_.erase(node);
}

std::size_t FailureTracks::approximate_bytes() const {
  std::size_t bytes = 0;
  for (const auto& t : order_) {
    // The list node (two pointers and the track), the key's heap buffer
    // beyond the small-string buffer, and the index's node.
    bytes += 2 * sizeof(void*) + sizeof(Track) + (t.key.capacity() > 15 ? t.key.capacity() + 1 : 0) + sizeof(void*) +
             sizeof(std::string_view) + sizeof(Order::iterator) + sizeof(std::size_t);
  }
  return bytes;
}

LoginThrottle::LoginThrottle(ThrottlePolicies p, std::size_t capacity)
    : account_address_(p.per_account_address, capacity),
      account_(p.per_account, capacity),
      address_(p.per_address, capacity),
      device_(p.per_device, capacity) {}

std::string LoginThrottle::pair_key(std::string_view username, std::string_view address) {
  std::string key(username);
  key += '@';
  key += address;
  return key;
}

std::optional<LoginThrottle::Locked> LoginThrottle::password_locked(std::string_view username, std::string_view address,
                                                                    std::uint64_t now) const {
  std::optional<Locked> worst;
  auto consider = [&](Lock which, std::optional<std::uint64_t> wait) {
    if (wait && (!worst || *wait > worst->wait_ms)) worst = Locked{which, *wait};
  };
  consider(Lock::account_address, account_address_.locked(pair_key(username, address), now));
  consider(Lock::account, account_.locked(username, now));
  if (!address.empty()) consider(Lock::address, address_.locked(address, now));
  return worst;
}

void LoginThrottle::password_failed(std::string_view username, std::string_view address, std::uint64_t now) {
  account_address_.failed(pair_key(username, address), now);
  account_.failed(username, now);
  if (!address.empty()) address_.failed(address, now);
}

void LoginThrottle::password_succeeded(std::string_view username, std::string_view address) {
  account_address_.forget(pair_key(username, address));
}

std::optional<std::uint64_t> LoginThrottle::device_locked(std::string_view device_id, std::uint64_t now) const {
  return device_.locked(device_id, now);
}

void LoginThrottle::device_failed(std::string_view device_id, std::uint64_t now) { device_.failed(device_id, now); }

std::size_t LoginThrottle::tracked_keys() const {
  return account_address_.size() + account_.size() + address_.size() + device_.size();
}

std::size_t LoginThrottle::approximate_bytes() const {
  return account_address_.approximate_bytes() + account_.approximate_bytes() + address_.approximate_bytes() +
         device_.approximate_bytes();
}

}  // namespace psm::server
