// A small bounded pool for password checks (scrypt), apart from the store
// thread that serves every sync: a stream of wrong passwords then costs the
// attacker's sign-ins time, never a device's pull or token sign-in (issue 12).
//
// Thread-safety: submit() and in_flight() from any thread. `done` runs on a
// pool thread; callers post back to their own executor.
#pragma once

#include "common/limits.hpp"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace psm::server {

class PasswordChecks {
 public:
  // Whether `password` matches `encoded` (crypto::verify_password; tests pass
  // one they can hold back).
  using Verify = std::function<bool(std::string_view password, std::string_view encoded)>;

  PasswordChecks(std::size_t threads = limits::kPasswordCheckThreads,
                 std::size_t max_waiting = limits::kMaxQueuedPasswordChecks, Verify verify = {});
  // Waits for the checks running now; checks still waiting are dropped
  // without calling their `done`.
  ~PasswordChecks();
  PasswordChecks(const PasswordChecks&) = delete;
  PasswordChecks& operator=(const PasswordChecks&) = delete;

  // Queues a check; `done(matches)` is called once on a pool thread. Returns
  // false, queuing nothing, when `threads + max_waiting` checks are already
  // in flight: the caller answers "busy, try again shortly".
  bool submit(std::string password, std::string encoded, std::function<void(bool)> done);

  std::size_t in_flight() const { return in_flight_.load(); }

 private:
  std::size_t capacity_;
  Verify verify_;
  std::atomic<std::size_t> in_flight_{0};
  boost::asio::thread_pool pool_;
};

}  // namespace psm::server
