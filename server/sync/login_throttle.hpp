// Slows down guessing without letting strangers stop other people working.
//
// Password sign-ins are counted three ways: per account and address (the
// tight limit: one person mistyping, or one guesser at one account), per
// account (a looser limit on guessing one account from many addresses), and
// per address across all accounts (a high limit, so an office or a mobile
// network's shared address is not locked out by one person). Device-token
// failures are counted per device id and never lock out a valid token: a
// device that presents its token is never refused because of other people's
// wrong passwords (issue 12).
//
// Keys are the validated fields only (server/sync/sign_in_fields.hpp), each
// at most kMaxKeyBytes, and each kind keeps at most `capacity` keys, the
// least recently touched dropped first, so a flood of distinct names or
// addresses cannot grow memory. Counts live in memory on the store thread (a
// restart forgets them, which an attacker cannot cause from outside).
//
// Thread-safety: none; the sync service uses it from its one store thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace psm::server {

struct ThrottlePolicy {
  std::uint32_t max_failures = 5;  // within `window` of the first of them, then locked
  std::chrono::milliseconds window{std::chrono::minutes(15)};
  std::chrono::milliseconds lockout{std::chrono::minutes(15)};
};

// Failure counts for one kind of key, bounded in key length and number.
class FailureTracks {
 public:
  FailureTracks(ThrottlePolicy policy, std::size_t capacity);

  // Milliseconds until `key` is unlocked, or nullopt when it is not locked.
  std::optional<std::uint64_t> locked(std::string_view key, std::uint64_t now_ms) const;
  // Counts a failure; locks the key when it reaches the policy's limit.
  // Keys longer than kMaxKeyBytes are not tracked (callers pass validated fields).
  void failed(std::string_view key, std::uint64_t now_ms);
  void forget(std::string_view key);

  std::size_t size() const { return index_.size(); }
  // Bytes held for keys and failure times (not counting allocator overhead).
  std::size_t approximate_bytes() const;

  // An account+address key is at most 100 + 1 + 45 (an IPv6 address) bytes.
  static constexpr std::size_t kMaxKeyBytes = 160;

 private:
  // A fixed window from the first failure in it: O(1) memory per key,
  // whatever max_failures is.
  struct Track {
    std::string key;
    std::uint64_t window_start = 0;
    std::uint32_t failures = 0;  // in the window starting at window_start
    std::uint64_t locked_until = 0;
  };
  using Order = std::list<Track>;  // most recently touched first
  ThrottlePolicy policy_;
  std::size_t capacity_;
  Order order_;
  std::unordered_map<std::string_view, Order::iterator> index_;  // views into order_'s keys
};

struct ThrottlePolicies {
  ThrottlePolicy per_account_address{5, std::chrono::minutes(15), std::chrono::minutes(15)};
  ThrottlePolicy per_account{20, std::chrono::minutes(15), std::chrono::minutes(15)};
  // Password sign-ins only. High: everyone behind one office address shares it.
  ThrottlePolicy per_address{100, std::chrono::minutes(15), std::chrono::minutes(15)};
  // Wrong tokens for one device id; its right token is still accepted.
  ThrottlePolicy per_device{20, std::chrono::minutes(15), std::chrono::minutes(15)};
};

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottlePolicies policies, std::size_t capacity_per_kind = kMaxTrackedPerKind);

  enum class Lock { account_address, account, address };
  struct Locked {
    Lock which;
    std::uint64_t wait_ms;
  };
  // Whether a password sign-in for `username` from `address` must wait
  // (the longest of the locks that apply). `address` may be empty (tests).
  std::optional<Locked> password_locked(std::string_view username, std::string_view address,
                                        std::uint64_t now_ms) const;
  void password_failed(std::string_view username, std::string_view address, std::uint64_t now_ms);
  // A correct password clears the count for this account from this address
  // (not the account's or the address's: one right guess among many wrong
  // ones does not excuse them).
  void password_succeeded(std::string_view username, std::string_view address);

  // Wrong tokens presented for `device_id`: once locked, further wrong tokens
  // for it are answered "locked out". Never consulted before a token is checked.
  std::optional<std::uint64_t> device_locked(std::string_view device_id, std::uint64_t now_ms) const;
  void device_failed(std::string_view device_id, std::uint64_t now_ms);

  // Keys held over all kinds, and the bytes they take (for tests and metrics).
  std::size_t tracked_keys() const;
  std::size_t approximate_bytes() const;

  // 4 kinds × 10,000 keys × ~300 bytes (a key of at most 160 bytes, its
  // counts, list and index nodes) bounds the throttle at ~12 MiB whatever
  // the limits.
  static constexpr std::size_t kMaxTrackedPerKind = 10'000;

 private:
  static std::string pair_key(std::string_view username, std::string_view address);
  FailureTracks account_address_, account_, address_, device_;
};

}  // namespace psm::server
