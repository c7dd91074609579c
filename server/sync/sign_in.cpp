#include "server/sync/sign_in.hpp"

#include "common/crypto/hash.hpp"
#include "common/crypto/kdf.hpp"
#include "common/crypto/random.hpp"
#include "common/limits.hpp"
#include "common/model/ids.hpp"
#include "server/sync/sign_in_fields.hpp"

#include <spdlog/spdlog.h>

namespace psm::server {

using protocol::AuthResult;

namespace {

AuthResult auth_failure(Errc code, std::string message) {
  AuthResult r;
  r.ok = false;
  r.error = static_cast<std::uint16_t>(code);
  r.message = std::move(message);
  return r;
}

std::string token_hash(std::string_view token) { return crypto::to_hex(crypto::sha256(token)); }

}  // namespace

// An audit entry about `who` (a signed-in person or a refused attempt), now.
AuditEntry audit_entry_about(const Identity& who, std::string kind, std::string detail, std::uint64_t device_time_ms,
                             std::uint64_t now_ms) {
  AuditEntry e;
  e.server_time_ms = now_ms;
  e.device_time_ms = device_time_ms;
  e.kind = std::move(kind);
  e.username = who.username;
  e.device_id = who.device_id;
  e.address = who.address;
  e.detail = std::move(detail);
  return e;
}

SignIn::SignIn(Store& store, Metrics& metrics, const Clock& now, const ServerPolicy& policy)
    : store_(store),
      metrics_(metrics),
      now_(now),
      policy_(policy),
      epoch_(store.epoch()),
      throttle_(policy.sign_in),
      refusals_([&store](AuditEntry e) { store.audit().append(std::move(e)); }) {}

void SignIn::audit(const Identity& who, std::string kind, std::string detail, std::uint64_t device_time_ms) {
  store_.audit().append(audit_entry_about(who, std::move(kind), std::move(detail), device_time_ms, now_()));
}

void SignIn::flush_refusals(bool all) { refusals_.flush(now_(), all); }

AuthResult SignIn::welcome(const Account& account) const {
  AuthResult r;
  r.ok = true;
  r.person_id = account.person_id;
  r.role = std::string(model::to_string(account.role));
  r.display_name = account.display_name;
  r.server_time_ms = now_();
  r.server_epoch = epoch_;
  r.max_days_offline = policy_.max_days_offline;
  if (receipt_keys_) r.receipt_keys = receipt_keys_->public_keys();
  return r;
}

AuthResult SignIn::login(const protocol::LoginRequest& request, Identity& who, const std::string& address) {
  auto begun = begin_login(request, address);
  if (auto* answer = std::get_if<AuthResult>(&begun)) return std::move(*answer);
  const auto& check = std::get<PasswordCheck>(begun);
  return finish_login(check, crypto::verify_password(check.request.password, check.encoded_hash), who);
}

namespace {

std::string minutes_text(std::uint64_t wait_ms) { return std::to_string((wait_ms + 59'999) / 60'000) + " minute(s)"; }

AuthResult busy_answer() {
  auto r = auth_failure(Errc::busy, "the server is busy checking sign-ins; try again in a few seconds");
  r.retry_after_ms = static_cast<std::uint64_t>(limits::kPasswordCheckBusyRetry.count());
  return r;
}

}  // namespace

std::variant<AuthResult, PasswordCheck> SignIn::begin_login(const protocol::LoginRequest& request,
                                                            const std::string& address) {
  const std::uint64_t now = now_();
  // Only fields that passed their check are recorded or become throttle keys.
  Identity attempt{{}, {}, {}, model::Role::foster_carer, address};
  if (is_valid_username(request.username)) attempt.username = request.username;
  if (is_valid_device_id(request.device_id)) attempt.device_id = request.device_id;
  const std::uint64_t device_time = is_valid_device_time(request.device_time_ms) ? request.device_time_ms : 0;
  if (auto problem = problem_with(request); !problem.empty()) {
    metrics_.auth_failed();
    audit_refusal(attempt, "sign-in-refused", "malformed sign-in: " + problem, device_time);
    return auth_failure(Errc::invalid_argument, problem);
  }
  if (auto lock = throttle_.password_locked(request.username, address, now)) {
    metrics_.auth_failed();
    std::string message;
    switch (lock->which) {
      case LoginThrottle::Lock::account_address:
        message = "too many failed sign-ins; try again in " + minutes_text(lock->wait_ms);
        break;
      case LoginThrottle::Lock::account:
        message = "too many failed sign-ins for this account; try again in " + minutes_text(lock->wait_ms);
        break;
      case LoginThrottle::Lock::address:
        message = "too many failed sign-ins from this network; try again in " + minutes_text(lock->wait_ms) +
                  " (devices already signed in keep syncing)";
        break;
    }
    audit_refusal(attempt, "sign-in-refused", "locked out after repeated failures", device_time);
    auto r = auth_failure(Errc::locked_out, std::move(message));
    r.retry_after_ms = lock->wait_ms;
    return r;
  }
  // One check at a time per account and address (a device waits for its
  // answer), and a few per address, so one address cannot fill the pool.
  const std::string pair = request.username + "@" + address;
  if (checks_by_account_address_.count(pair) || checks_by_address_[address] >= limits::kMaxPasswordChecksPerAddress) {
    if (checks_by_address_[address] == 0) checks_by_address_.erase(address);
    metrics_.auth_failed();
    return busy_answer();
  }
  checks_by_account_address_.insert(pair);
  ++checks_by_address_[address];
  PasswordCheck check;
  check.request = request;
  check.address = address;
  check.account = store_.find_account(request.username);
  // Checked against a dummy hash when the account does not exist, so the time
  // taken does not reveal which usernames exist.
  static const std::string kDummy = crypto::hash_password("psm-no-such-account");
  check.encoded_hash = check.account ? check.account->password_hash : kDummy;
  return check;
}

void SignIn::release_check(const PasswordCheck& check) {
  checks_by_account_address_.erase(check.request.username + "@" + check.address);
  if (auto it = checks_by_address_.find(check.address); it != checks_by_address_.end() && --it->second == 0) {
    checks_by_address_.erase(it);
  }
}

AuthResult SignIn::abandon_login(const PasswordCheck& check) {
  release_check(check);
  metrics_.auth_failed();
  return busy_answer();
}

AuthResult SignIn::finish_login(const PasswordCheck& check, bool password_ok, Identity& who) {
  release_check(check);
  const auto& request = check.request;
  const std::string& address = check.address;
  const std::uint64_t now = now_();
  Identity attempt{request.device_id, request.username, {}, model::Role::foster_carer, address};
  // The account as it is now: one removed, or whose password was changed,
  // while the check ran does not sign in with what was checked.
  auto account = check.account ? store_.find_account(request.username) : std::nullopt;
  const bool ok = password_ok && account && account->password_hash == check.encoded_hash;
  if (!ok) {
    metrics_.auth_failed();
    throttle_.password_failed(request.username, address, now);
    audit_refusal(attempt, "sign-in-refused", "wrong username or password", request.device_time_ms);
    spdlog::info("login refused for an account (wrong username or password)");
    return auth_failure(Errc::authentication_failed, "wrong username or password");
  }
  throttle_.password_succeeded(request.username, address);
  const std::string token = crypto::random_hex(32);
  const std::uint64_t expires = now + static_cast<std::uint64_t>(policy_.token_lifetime.count());
  std::string device_id;
  if (!request.device_id.empty()) {
    // Signing in again on a device whose token expired: same device, new token.
    auto device = store_.find_device(request.device_id);
    if (!device || device->username != account->username) {
      audit_refusal(attempt, "sign-in-refused", "re-sign-in for a device that is not this account's",
                    request.device_time_ms);
      return auth_failure(Errc::authentication_failed, "this device is not enrolled for that account; enrol it again");
    }
    if (device->revoked) {
      audit_refusal(attempt, "sign-in-refused", "device revoked", request.device_time_ms);
      return auth_failure(Errc::device_revoked, "this device has been revoked; its replica must be wiped");
    }
    store_.set_device_token(device->device_id, token_hash(token), "", expires);
    store_.touch_device(device->device_id, now);
    renewed_at_.erase(device->device_id);
    device_id = device->device_id;
  } else {
    Device device;
    device.device_id = model::new_uuid_v7(now);
    device.username = account->username;
    device.name = request.device_name;
    device.token_hash = token_hash(token);
    device.enrolled_at_ms = device.last_seen_ms = now;
    device.token_expires_at_ms = expires;
    store_.add_device(device);
    device_id = device.device_id;
    spdlog::info("enrolled device {} for {}", device.device_id, account->username);
  }
  who = {device_id, account->username, account->person_id, account->role, address};
  audit(who, "sign-in",
        request.device_id.empty() ? "enrolled device \"" + request.device_name + "\""
                                  : "signed in again; new device token",
        request.device_time_ms);
  AuthResult r = welcome(*account);
  r.device_id = device_id;
  r.device_token = token;
  r.token_expires_at_ms = expires;
  return r;
}

AuthResult SignIn::authenticate(const protocol::AuthRequest& request, Identity& who, const std::string& address) {
  const std::uint64_t now = now_();
  Identity attempt{{}, {}, {}, model::Role::foster_carer, address};
  if (is_valid_device_id(request.device_id)) attempt.device_id = request.device_id;
  const std::uint64_t device_time = is_valid_device_time(request.device_time_ms) ? request.device_time_ms : 0;
  if (auto problem = problem_with(request); !problem.empty()) {
    metrics_.auth_failed();
    audit_refusal(attempt, "connect-refused", "malformed sign-in: " + problem, device_time);
    return auth_failure(Errc::authentication_failed, "this device is not recognised; enrol it again");
  }
  // No address lock here: a device's token is checked whatever other people
  // behind its address have got wrong, and a right token is never refused.
  auto device = store_.find_device(request.device_id);
  const std::string presented = token_hash(request.device_token);
  auto same = [&](const std::string& stored) {
    return !stored.empty() && crypto::constant_time_equal(
                                  std::span(reinterpret_cast<const std::uint8_t*>(presented.data()), presented.size()),
                                  std::span(reinterpret_cast<const std::uint8_t*>(stored.data()), stored.size()));
  };
  const bool current = device && same(device->token_hash);
  const bool previous = device && !current && same(device->previous_token_hash);
  if (!current && !previous) {
    metrics_.auth_failed();
    throttle_.device_failed(request.device_id, now);
    if (device) attempt.username = device->username;
    audit_refusal(attempt, "connect-refused", "unrecognised device token", device_time);
    if (auto wait = throttle_.device_locked(request.device_id, now)) {
      auto r = auth_failure(Errc::locked_out, "too many wrong device tokens for this device; try again later");
      r.retry_after_ms = *wait;
      return r;
    }
    return auth_failure(Errc::authentication_failed, "this device is not recognised; enrol it again");
  }
  attempt.username = device->username;
  if (device->revoked) {
    spdlog::info("revoked device {} connected; told to wipe", device->device_id);
    audit_refusal(attempt, "connect-refused", "device revoked; told to wipe", device_time);
    return auth_failure(Errc::device_revoked, "this device has been revoked; its replica must be wiped");
  }
  const std::uint64_t lifetime = static_cast<std::uint64_t>(policy_.token_lifetime.count());
  const std::uint64_t expires =
      device->token_expires_at_ms ? device->token_expires_at_ms : device->enrolled_at_ms + lifetime;
  if (now >= expires) {
    audit_refusal(attempt, "connect-refused", "device token expired", device_time);
    return auth_failure(Errc::token_expired, "this device's sign-in has expired; sign in again with your password");
  }
  auto account = store_.find_account(device->username);
  if (!account) return auth_failure(Errc::authentication_failed, "the account for this device no longer exists");
  who = {device->device_id, account->username, account->person_id, account->role, address};
  AuthResult r = welcome(*account);
  r.token_expires_at_ms = expires;
  // Renew in the second half of the token's life only. The token it replaced
  // stays valid until the new one is in use, and presenting it again renews
  // nothing: the device (or its other connection) may already hold the new
  // one, and replacing that would lock the device out (the rotation race).
  const bool renew = expires - now < lifetime / 2;
  if (renew) {
    r.device_token = crypto::random_hex(32);
    r.token_expires_at_ms = now + lifetime;
  }
  // The old token ends once the new one is in use and kTokenRotationGrace has
  // passed since the renewal, so a connection that set out with the old token
  // before the device stored the new one is still let in.
  bool forget_previous = false;
  if (current && !device->previous_token_hash.empty()) {
    auto it = renewed_at_.find(device->device_id);
    forget_previous =
        it == renewed_at_.end() || now >= it->second + static_cast<std::uint64_t>(limits::kTokenRotationGrace.count());
    if (forget_previous && it != renewed_at_.end()) renewed_at_.erase(it);
  }
  auto record = [&] {
    store_.touch_device(device->device_id, now);
    if (forget_previous) store_.forget_previous_token(device->device_id);
    if (renew) {
      // Presenting the old token in a later renewal keeps it as the one
      // still accepted; the unused newer one is dropped.
      store_.set_device_token(device->device_id, token_hash(r.device_token), presented, r.token_expires_at_ms);
    }
    audit(who, "connect", renew ? "device token accepted and renewed" : "device token accepted", device_time);
  };
  // A renewed token must survive a power cut before the device is told it;
  // the rest is bookkeeping (see ServerStore::commit_without_fsync).
  if (renew) {
    auto work = store_.begin();
    record();
    work.commit();
    if (renewed_at_.size() >= kMaxTrackedRenewals) renewed_at_.erase(renewed_at_.begin());
    renewed_at_[device->device_id] = now;
  } else {
    store_.commit_without_fsync(record);
  }
  return r;
}

void SignIn::audit_refusal(const Identity& attempt, std::string kind, std::string detail,
                           std::uint64_t device_time_ms) {
  refusals_.refused(audit_entry_about(attempt, std::move(kind), std::move(detail), device_time_ms, now_()));
}

Expected<void> add_user(Store& store, const Account& account, std::string_view password, crypto::ScryptParams params) {
  if (password.size() < limits::kMinPasswordLength) {
    return Error{make_error_code(Errc::invalid_argument),
                 "passwords must be at least " + std::to_string(limits::kMinPasswordLength) + " characters"};
  }
  if (!model::is_valid_id(account.username) || !model::is_valid_id(account.person_id)) {
    return Error{make_error_code(Errc::invalid_argument),
                 "username and person id must be 1-100 characters of letters, digits, . _ : -"};
  }
  Account a = account;
  a.password_hash = crypto::hash_password(password, params);
  if (auto ec = store.add_account(a)) {
    return Error{ec, ec == Errc::already_exists ? "an account with that username or person id already exists" : ""};
  }
  return {};
}

}  // namespace psm::server
