// Slows down password guessing: after repeated failed sign-ins an account is
// locked for a while, and so is an address that fails against many accounts.
// Counts live in memory on the store thread (a restart forgets them, which an
// attacker cannot cause from outside); the map is bounded so a flood of
// addresses cannot grow it without limit.
//
// Thread-safety: none; the sync service uses it from its one store thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace psm::server {

struct ThrottlePolicy {
  std::uint32_t max_failures = 5;                 // within `window`, then locked
  std::chrono::milliseconds window{std::chrono::minutes(15)};
  std::chrono::milliseconds lockout{std::chrono::minutes(15)};
};

class LoginThrottle {
 public:
  LoginThrottle(ThrottlePolicy per_account, ThrottlePolicy per_address);

  // Milliseconds until a sign-in for this account from this address may be
  // tried again, or nullopt when it may be tried now.
  std::optional<std::uint64_t> locked(const std::string& username, const std::string& address,
                                      std::uint64_t now_ms) const;
  void failed(const std::string& username, const std::string& address, std::uint64_t now_ms);
  // A correct password clears the account's count (not the address's: one
  // right guess among many wrong ones does not excuse the address).
  void succeeded(const std::string& username);

  static constexpr std::size_t kMaxTracked = 100'000;

 private:
  struct Track {
    std::deque<std::uint64_t> failures;  // times within the window
    std::uint64_t locked_until = 0;
  };
  using Tracks = std::map<std::string, Track>;
  static std::optional<std::uint64_t> remaining(const Tracks& tracks, const std::string& key, std::uint64_t now);
  static void add_failure(Tracks& tracks, const ThrottlePolicy& policy, const std::string& key, std::uint64_t now);

  ThrottlePolicy account_policy_, address_policy_;
  Tracks accounts_, addresses_;
};

}  // namespace psm::server
