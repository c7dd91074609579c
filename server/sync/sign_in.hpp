// Sign-in: password sign-ins (enrolling a device, or a new token for one
// whose token expired) and device-token connections, with the throttle, the
// bound on password checks in flight, token renewal and rotation, and the
// audit entries of each attempt. Pure request → answer functions over the
// store (server/store/store.hpp); the sync service forwards to them.
//
// Thread-safety: none. The server calls it only from its one store thread.
#pragma once

#include "common/crypto/kdf.hpp"
#include "common/protocol/messages.hpp"
#include "server/net/metrics.hpp"
#include "server/store/store.hpp"
#include "server/sync/login_throttle.hpp"
#include "server/sync/receipts.hpp"
#include "server/sync/refusal_log.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>

namespace psm::server {

// Who is on the other end of an authenticated connection.
struct Identity {
  std::string device_id;
  std::string username;
  std::string person_id;
  model::Role role = model::Role::foster_carer;
  std::string address;  // where the connection came from (audit, throttling)
  bool authenticated() const { return !device_id.empty(); }
};

// What the authority may tune (psm-server serve options; docs/security.md).
struct ServerPolicy {
  // A device token works this long; in its second half each connection renews it.
  std::chrono::milliseconds token_lifetime{std::chrono::hours(24 * 30)};
  // Devices warn as this nears and refuse to open once past it until they sync.
  std::uint32_t max_days_offline = 30;
  // Per device; more in one minute are answered "later" and stay queued.
  std::uint32_t max_ops_per_minute = 6000;
  // Wrong passwords per account+address, per account, per address (password
  // sign-ins only), and wrong tokens per device (login_throttle.hpp).
  ThrottlePolicies sign_in;
};

// A password sign-in between its two halves on the store thread: the account
// was looked up and the throttle consulted (begin_login); the password is
// being checked off the store thread; finish_login completes it.
struct PasswordCheck {
  protocol::LoginRequest request;
  std::string address;
  std::optional<Account> account;  // nullopt: no such account (checked against a dummy hash)
  std::string encoded_hash;        // what the password is checked against
};

// An audit entry about `who` (a signed-in person or a refused attempt) at
// `now_ms`, concerning no child (the caller fills in `children`).
AuditEntry audit_entry_about(const Identity& who, std::string kind, std::string detail, std::uint64_t device_time_ms,
                             std::uint64_t now_ms);

class SignIn {
 public:
  using Clock = std::function<std::uint64_t()>;

  // `store` and `now` must outlive this. Reads the store's epoch once (it
  // changes only by a restore, which never runs while serving).
  SignIn(Store& store, Metrics& metrics, const Clock& now, const ServerPolicy& policy);

  // Both halves below, with the password checked here, synchronously.
  protocol::AuthResult login(const protocol::LoginRequest& request, Identity& who, const std::string& address);
  // First half of a password sign-in: validates every field (a bad one is
  // refused and never recorded as given), consults the throttle, looks up the
  // account. Either the answer (refused, locked out, busy) or the check to run.
  // Every PasswordCheck returned must reach finish_login or abandon_login.
  std::variant<protocol::AuthResult, PasswordCheck> begin_login(const protocol::LoginRequest& request,
                                                                const std::string& address);
  // Second half, once `password_ok` is known: enrols a new device (or gives an
  // existing one a new token). On success `who` is set.
  protocol::AuthResult finish_login(const PasswordCheck& check, bool password_ok, Identity& who);
  // The check could not be queued (the pool was full): "busy, try again shortly".
  protocol::AuthResult abandon_login(const PasswordCheck& check);
  // Checks a device token, renewing it in the second half of its life. A
  // revoked device is told so (it wipes its replica); an expired token is told
  // to sign in again with the password. A renewal commits durably before the
  // device is told; otherwise the bookkeeping commits without an fsync.
  protocol::AuthResult authenticate(const protocol::AuthRequest& request, Identity& who, const std::string& address);

  // Public receipt keys told to devices when they sign in or connect.
  void set_receipt_keys(std::shared_ptr<const ReceiptKeys> keys) { receipt_keys_ = std::move(keys); }

  // Writes the counts of refused sign-ins for minutes that have ended (`all`:
  // the current one too).
  void flush_refusals(bool all = false);

  const LoginThrottle& throttle() const { return throttle_; }

 private:
  protocol::AuthResult welcome(const Account& account) const;
  // A refused sign-in: counted, and written to the audit trail in bounded form.
  void audit_refusal(const Identity& attempt, std::string kind, std::string detail, std::uint64_t device_time_ms);
  // A sign-in or connection, in the audit trail (joins the current unit of work if any).
  void audit(const Identity& who, std::string kind, std::string detail, std::uint64_t device_time_ms);
  void release_check(const PasswordCheck& check);

  Store& store_;
  Metrics& metrics_;
  const Clock& now_;
  ServerPolicy policy_;
  std::string epoch_;
  LoginThrottle throttle_;
  RefusalLog refusals_;
  // Password checks in flight, per address (at most kMaxPasswordChecksPerAddress)
  // and per account+address (at most one: a device waits for its answer).
  std::map<std::string, std::size_t> checks_by_address_;
  std::set<std::string> checks_by_account_address_;
  // When each device's token was last renewed, for kTokenRotationGrace.
  std::map<std::string, std::uint64_t> renewed_at_;
  static constexpr std::size_t kMaxTrackedRenewals = 10'000;
  std::shared_ptr<const ReceiptKeys> receipt_keys_;
};

// Creates an account with an scrypt password hash. Shared by the CLI and tests.
// `params` is for tests, which use a cheap scrypt; accounts use the default.
// Errc::invalid_argument (a short password, a bad username or person id) and
// Errc::already_exists come with a message for the operator.
Expected<void> add_user(Store& store, const Account& account_without_hash, std::string_view password,
                        crypto::ScryptParams params = crypto::kScryptInteractive);

}  // namespace psm::server
