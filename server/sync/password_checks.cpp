#include "server/sync/password_checks.hpp"

#include "common/crypto/kdf.hpp"

#include <boost/asio/post.hpp>

namespace psm::server {

PasswordChecks::PasswordChecks(std::size_t threads, std::size_t max_waiting, Verify verify)
    : capacity_(threads + max_waiting),
      verify_(verify ? std::move(verify)
                     : Verify([](std::string_view p, std::string_view e) { return crypto::verify_password(p, e); })),
      pool_(threads) {}

PasswordChecks::~PasswordChecks() {
  pool_.stop();
  pool_.join();
}

bool PasswordChecks::submit(std::string password, std::string encoded, std::function<void(bool)> done) {
  // Reserve a slot first so concurrent callers cannot overshoot the bound.
  std::size_t now = in_flight_.load();
  do {
    if (now >= capacity_) return false;
  } while (!in_flight_.compare_exchange_weak(now, now + 1));
  boost::asio::post(
      pool_, [this, password = std::move(password), encoded = std::move(encoded), done = std::move(done)]() mutable {
        bool matches = false;
        try {
          matches = verify_(password, encoded);
        } catch (...) {
          matches = false;  // verify_password never throws; a test's verify might
        }
        std::fill(password.begin(), password.end(), '\0');
        --in_flight_;
        done(matches);
      });
  return true;
}

}  // namespace psm::server
