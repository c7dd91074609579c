#include "server/sync/sync_service.hpp"

#include "common/crypto/hash.hpp"
#include "common/crypto/kdf.hpp"
#include "common/crypto/random.hpp"
#include "common/limits.hpp"
#include "common/model/ids.hpp"
#include "common/policy/calendar.hpp"
#include "common/store/transaction.hpp"
#include "server/sync/escalation.hpp"
#include "server/sync/placement_planning.hpp"
#include "server/sync/sign_in_fields.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

namespace psm::server {

using model::Record;
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

std::string_view outcome_name(ops::OutcomeKind kind) {
  switch (kind) {
    case ops::OutcomeKind::accepted: return "accepted";
    case ops::OutcomeKind::conflict: return "accepted with a conflict";
    case ops::OutcomeKind::rejected: return "rejected";
  }
  return "?";
}

}  // namespace

SyncService::SyncService(std::unique_ptr<ServerStore> store, Metrics& metrics, Clock now, ServerPolicy policy)
    : store_(std::move(store)),
      metrics_(metrics),
      now_(std::move(now)),
      hlc_(now_),
      policy_(policy),
      throttle_(policy.sign_in),
      refusals_([this](AuditEntry e) { store_->audit().append(std::move(e)); }) {
  reload_reference_data();
  epoch_ = store_->epoch();
  data_version_ = store_->data_version();
}

void SyncService::reload_reference_data() {
  reference_version_ = store_->meta(ServerStore::kReferenceVersion);
  reference_ = store_->load_reference_data();
}

void SyncService::refresh_reference_data() {
  // An import by psm-server import while serving: new placements, allocations
  // and endings take effect at the next request, not the next restart.
  if (store_->meta(ServerStore::kReferenceVersion) == reference_version_) return;
  reload_reference_data();
  spdlog::info("reference data changed; re-read it");
}

SyncService::EscalationSummary SyncService::escalate(const policy::Date& today) {
  auto result = run_escalation_sweep(*store_, hlc_, today, now_());
  if (result.notifications) spdlog::info("escalated {} overdue action(s): {} notification(s)", result.actions_escalated, result.notifications);
  return {result.notifications, std::move(result.changed_scopes)};
}

namespace {
// An audit entry about `who` (a signed-in person or a refused attempt), now.
AuditEntry entry_about(const Identity& who, std::string kind, std::string detail, std::uint64_t device_time_ms,
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
}  // namespace

void SyncService::audit(const Identity& who, std::string kind, std::string detail, std::uint64_t device_time_ms,
                        const std::set<std::string>& scopes) {
  AuditEntry e = entry_about(who, std::move(kind), std::move(detail), device_time_ms, now_());
  e.children = children_of(scopes);
  store_->audit().append(std::move(e));
}

std::string SyncService::children_of(const std::set<std::string>& scopes) const {
  std::set<std::string> children;
  for (const auto& scope : scopes) {
    if (scope.rfind("child:", 0) == 0) {
      children.insert(scope.substr(6));
    } else if (scope.rfind("placement:", 0) == 0) {
      if (const auto* p = reference_.find(model::collection::kPlacements, scope.substr(10))) {
        children.insert(p->value("child_id"));
      }
    }
  }
  std::string out;
  for (const auto& c : children) out += (out.empty() ? "" : ",") + c;
  return out;
}

AuthResult SyncService::welcome(const Account& account, const Identity& who) {
  AuthResult r;
  r.ok = true;
  r.person_id = account.person_id;
  r.role = std::string(model::to_string(account.role));
  r.display_name = account.display_name;
  r.server_time_ms = now_();
  r.server_epoch = epoch_;
  r.max_days_offline = policy_.max_days_offline;
  if (receipt_keys_) r.receipt_keys = receipt_keys_->public_keys();
  (void)who;
  return r;
}

AuthResult SyncService::login(const protocol::LoginRequest& request, Identity& who, const std::string& address) {
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

std::variant<AuthResult, PasswordCheck> SyncService::begin_login(const protocol::LoginRequest& request,
                                                                 const std::string& address) {
  refresh_reference_data();
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
  check.account = store_->find_account(request.username);
  // Checked against a dummy hash when the account does not exist, so the time
  // taken does not reveal which usernames exist.
  static const std::string kDummy = crypto::hash_password("psm-no-such-account");
  check.encoded_hash = check.account ? check.account->password_hash : kDummy;
  return check;
}

void SyncService::release_check(const PasswordCheck& check) {
  checks_by_account_address_.erase(check.request.username + "@" + check.address);
  if (auto it = checks_by_address_.find(check.address); it != checks_by_address_.end() && --it->second == 0) {
    checks_by_address_.erase(it);
  }
}

AuthResult SyncService::abandon_login(const PasswordCheck& check) {
  release_check(check);
  metrics_.auth_failed();
  return busy_answer();
}

AuthResult SyncService::finish_login(const PasswordCheck& check, bool password_ok, Identity& who) {
  release_check(check);
  const auto& request = check.request;
  const std::string& address = check.address;
  const std::uint64_t now = now_();
  Identity attempt{request.device_id, request.username, {}, model::Role::foster_carer, address};
  // The account as it is now: one removed, or whose password was changed,
  // while the check ran does not sign in with what was checked.
  auto account = check.account ? store_->find_account(request.username) : std::nullopt;
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
    auto device = store_->find_device(request.device_id);
    if (!device || device->username != account->username) {
      audit_refusal(attempt, "sign-in-refused", "re-sign-in for a device that is not this account's",
                    request.device_time_ms);
      return auth_failure(Errc::authentication_failed, "this device is not enrolled for that account; enrol it again");
    }
    if (device->revoked) {
      audit_refusal(attempt, "sign-in-refused", "device revoked", request.device_time_ms);
      return auth_failure(Errc::device_revoked, "this device has been revoked; its replica must be wiped");
    }
    store_->set_device_token(device->device_id, token_hash(token), "", expires);
    store_->touch_device(device->device_id, now);
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
    store_->add_device(device);
    device_id = device.device_id;
    spdlog::info("enrolled device {} for {}", device.device_id, account->username);
  }
  who = {device_id, account->username, account->person_id, account->role, address};
  audit(who, "sign-in", request.device_id.empty() ? "enrolled device \"" + request.device_name + "\""
                                                  : "signed in again; new device token",
        request.device_time_ms);
  AuthResult r = welcome(*account, who);
  r.device_id = device_id;
  r.device_token = token;
  r.token_expires_at_ms = expires;
  return r;
}

AuthResult SyncService::authenticate(const protocol::AuthRequest& request, Identity& who, const std::string& address) {
  refresh_reference_data();
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
  auto device = store_->find_device(request.device_id);
  const std::string presented = token_hash(request.device_token);
  auto same = [&](const std::string& stored) {
    return !stored.empty() &&
           crypto::constant_time_equal(
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
  const std::uint64_t expires = device->token_expires_at_ms ? device->token_expires_at_ms
                                                            : device->enrolled_at_ms + lifetime;
  if (now >= expires) {
    audit_refusal(attempt, "connect-refused", "device token expired", device_time);
    return auth_failure(Errc::token_expired, "this device's sign-in has expired; sign in again with your password");
  }
  auto account = store_->find_account(device->username);
  if (!account) return auth_failure(Errc::authentication_failed, "the account for this device no longer exists");
  who = {device->device_id, account->username, account->person_id, account->role, address};
  AuthResult r = welcome(*account, who);
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
    store_->touch_device(device->device_id, now);
    if (forget_previous) store_->forget_previous_token(device->device_id);
    if (renew) {
      // Presenting the old token in a later renewal keeps it as the one
      // still accepted; the unused newer one is dropped.
      store_->set_device_token(device->device_id, token_hash(r.device_token), presented, r.token_expires_at_ms);
    }
    audit(who, "connect", renew ? "device token accepted and renewed" : "device token accepted", device_time);
  };
  // A renewed token must survive a power cut before the device is told it;
  // the rest is bookkeeping (see ServerStore::commit_without_fsync).
  if (renew) {
    store::Transaction tx(store_->database());
    record();
    tx.commit();
    if (renewed_at_.size() >= kMaxTrackedRenewals) renewed_at_.erase(renewed_at_.begin());
    renewed_at_[device->device_id] = now;
  } else {
    store_->commit_without_fsync(record);
  }
  return r;
}

void SyncService::audit_refusal(const Identity& attempt, std::string kind, std::string detail,
                                std::uint64_t device_time_ms) {
  refusals_.refused(entry_about(attempt, std::move(kind), std::move(detail), device_time_ms, now_()));
}

void SyncService::flush_refusals(bool all) { refusals_.flush(now_(), all); }

SyncService::~SyncService() {
  try {
    refusals_.flush(now_(), /*all=*/true);
  } catch (const std::exception& e) {
    spdlog::warn("could not record the last minute's refused sign-ins: {}", e.what());
  }
}

std::optional<SyncService::Refusal> SyncService::no_longer_allowed(const Identity& who) {
  auto device = store_->find_device(who.device_id);
  if (!device || device->revoked) {
    return Refusal{Errc::device_revoked, "this device has been revoked; its replica must be wiped"};
  }
  if (device->username != who.username || !store_->find_account(who.username)) {
    return Refusal{Errc::authentication_failed, "the account for this device no longer exists"};
  }
  return std::nullopt;
}

bool SyncService::store_changed_elsewhere() {
  const auto version = store_->data_version();
  const bool changed = data_version_ >= 0 && version != data_version_;
  data_version_ = version;
  return changed;
}

std::set<std::string> SyncService::scopes_of(const Identity& who) const {
  return reference_.visible_scopes(who.person_id, who.role);
}

protocol::OpResult SyncService::apply_one(const Identity& who, ops::Operation op,
                                          std::set<std::string>& changed_scopes,
                                          std::optional<protocol::ReceiptEntry>& receipt) {
  protocol::OpResult result;
  result.op_id = op.op_id;
  std::string kept_line, sent_by;
  if (auto previous = store_->find_applied(op.op_id, &kept_line, &sent_by)) {  // exactly once
    // The receipt says what was received and when the first time, whatever
    // was re-sent now; and only ever to the device that sent it.
    if (!kept_line.empty() && sent_by == who.device_id) {
      if (auto kept = protocol::parse_receipt_entry(kept_line)) receipt = std::move(*kept);
    }
    return *previous;
  }
  // A new operation under a sequence number this device already used (a
  // replica restored from a copy, say) cannot go in the ledger; retrying it
  // can never succeed, so it is refused for good, and the device shows why.
  // Nothing is recorded: a re-send gets the same answer.
  if (store_->op_at_device_seq(who.device_id, op.seq)) {
    result.kind = static_cast<std::uint8_t>(ops::OutcomeKind::rejected);
    result.error = static_cast<std::uint16_t>(Errc::sequence_reused);
    result.reason =
        "this device sent a change under a number it had already used for another change, so the server cannot "
        "take it; nothing else is affected. Ask your IT team to re-enrol this device";
    metrics_.ops_rejected();
    audit(who, "operation", std::string(ops::kind_name(op.payload)) + " " + op.op_id + ": rejected (sequence " +
                                std::to_string(op.seq) + " already used by another operation)");
    return result;
  }

  const std::uint64_t now = now_();
  // What the device sent, before the server rewrites author, device and clock.
  protocol::ReceiptEntry entry = protocol::receipt_entry_for(op, {}, now);
  // The device cannot choose whose name goes on a record or pretend to be
  // another device, and cannot win every write with a clock set to next year.
  op.author_id = who.person_id;
  op.device_id = who.device_id;
  op.hlc = model::clamp_to_server(op.hlc, now, static_cast<std::uint64_t>(limits::kMaxClockSkew.count()));
  hlc_.observe(op.hlc);

  const auto scopes = scopes_of(who);
  const std::uint64_t device_time = op.hlc.value >> model::Hlc::kCounterBits;
  ops::ApplyContext ctx{{who.person_id, who.role}, now,
                        [&](std::string_view s) { return scopes.count(std::string(s)) > 0; }};
  // A StoreError thrown here aborts the whole batch: nothing is acknowledged.
  const ops::Outcome outcome = ops::apply(*store_, op, ctx);
  result.kind = static_cast<std::uint8_t>(outcome.kind);
  result.error = static_cast<std::uint16_t>(outcome.code);
  result.reason = outcome.reason;
  for (const auto& rec : outcome.writes) {
    store_->put(rec);
    changed_scopes.insert(rec.scope);
  }
  std::set<std::string> touched;
  for (const auto& rec : outcome.writes) touched.insert(rec.scope);
  std::string receipt_line;
  if (outcome.kind != ops::OutcomeKind::rejected) {
    const std::string children = children_of(touched);
    if (!children.empty()) entry.children = children;
    // A field that cannot be written in a statement (an id with a space, say)
    // leaves the operation without a receipt rather than failing the batch.
    if (auto line = protocol::encode_receipt_entry(entry)) {
      receipt_line = std::move(*line);
      receipt = std::move(entry);
    }
  }
  store_->record_applied(op, result, now, receipt_line);
  audit(who, "operation",
        std::string(ops::kind_name(op.payload)) + " " + op.op_id +
            (outcome.writes.empty() ? "" : " on " + outcome.writes.front().collection + "/" + outcome.writes.front().id) +
            ": " + std::string(outcome_name(outcome.kind)) +
            (outcome.kind == ops::OutcomeKind::rejected ? " (" + outcome.reason + ")" : ""),
        device_time, touched);
  switch (outcome.kind) {
    case ops::OutcomeKind::accepted: metrics_.ops_applied(); break;
    case ops::OutcomeKind::conflict: metrics_.ops_applied(); metrics_.ops_conflicted(); break;
    case ops::OutcomeKind::rejected: metrics_.ops_rejected(); break;
  }
  return result;
}

protocol::PushResponse SyncService::push(const Identity& who, const protocol::PushRequest& request,
                                         std::set<std::string>& changed_scopes) {
  refresh_reference_data();
  const auto started = std::chrono::steady_clock::now();
  protocol::PushResponse response;
  response.results.reserve(request.ops.size());
  const std::size_t allowed = take_op_allowance(who.device_id, request.ops.size(), response.retry_after_ms);
  // One transaction for the batch: the ledger entries, the effects and their
  // audit entries commit together, so an operation is either applied and
  // remembered, or neither.
  std::vector<protocol::ReceiptEntry> covered;
  store::Transaction tx(store_->database());
  for (const auto& op : request.ops) {
    if (response.results.size() == allowed) break;  // the rest: later (rate limit)
    if (op.device_id != who.device_id) {
      protocol::OpResult r;
      r.op_id = op.op_id;
      r.kind = static_cast<std::uint8_t>(ops::OutcomeKind::rejected);
      r.error = static_cast<std::uint16_t>(Errc::permission_denied);
      r.reason = "operation belongs to another device";
      response.results.push_back(std::move(r));
      continue;
    }
    std::optional<protocol::ReceiptEntry> receipt;
    response.results.push_back(apply_one(who, op, changed_scopes, receipt));
    if (receipt) covered.push_back(std::move(*receipt));
  }
  tx.commit();
  // One signature for the batch (about 0.4 ms for 500 operations; docs/security.md), after the commit:
  // the receipt describes what is now durable.
  if (receipt_keys_ && !covered.empty()) {
    if (auto receipt = receipt_keys_->sign(who.person_id, who.device_id, std::move(covered), now_())) {
      response.receipt = std::move(*receipt);
    } else {
      spdlog::warn("no receipt for a push from device {}: {}", who.device_id, receipt.error().message());
    }
  }
  metrics_.observe_push(std::chrono::steady_clock::now() - started);
  return response;
}

protocol::PullResponse SyncService::pull(const Identity& who, const protocol::PullRequest& request) {
  refresh_reference_data();
  const auto started = std::chrono::steady_clock::now();
  const auto scopes = scopes_of(who);
  std::set<std::string> known(request.known_scopes.begin(), request.known_scopes.end());
  std::map<std::string, std::uint64_t> starts;
  for (const auto& s : scopes) starts[s] = known.count(s) ? request.cursor : 0;  // new scope: back-fill
  auto page = store_->pull(starts, request.cursor, limits::kMaxRecordsPerPull, model::is_professional(who.role));
  protocol::PullResponse response;
  response.records = std::move(page.records);
  response.cursor = page.cursor;
  response.more = page.more;
  response.remaining = page.remaining;
  response.scopes.assign(scopes.begin(), scopes.end());
  {
    std::set<std::string> sent;
    for (const auto& rec : response.records) sent.insert(rec.scope);
    store_->commit_without_fsync([&] {
      audit(who, "pull",
            std::to_string(response.records.size()) + " record(s) after " + std::to_string(request.cursor) + " to " +
                std::to_string(response.cursor),
            0, sent);
    });
  }
  metrics_.pull_served();
  metrics_.records_sent(response.records.size());
  metrics_.observe_pull(std::chrono::steady_clock::now() - started);
  return response;
}

std::size_t SyncService::take_op_allowance(const std::string& device_id, std::size_t wanted,
                                          std::uint64_t& retry_after_ms) {
  const double per_ms = policy_.max_ops_per_minute / 60'000.0;
  const double capacity = policy_.max_ops_per_minute;
  const std::uint64_t now = now_();
  auto [it, fresh] = buckets_.try_emplace(device_id, Bucket{capacity, now});
  auto& b = it->second;
  if (!fresh && now > b.at_ms) b.tokens = std::min(capacity, b.tokens + static_cast<double>(now - b.at_ms) * per_ms);
  b.at_ms = std::max(b.at_ms, now);
  const auto available = static_cast<std::size_t>(b.tokens);
  const std::size_t allowed = std::min(wanted, available);
  b.tokens -= static_cast<double>(allowed);
  retry_after_ms = 0;
  if (allowed < wanted) {
    retry_after_ms = per_ms > 0 ? static_cast<std::uint64_t>(static_cast<double>(wanted - allowed) / per_ms) + 1 : 60'000;
    metrics_.ops_rate_limited(wanted - allowed);
    spdlog::info("device {} over its rate limit: {} operation(s) deferred", device_id, wanted - allowed);
  }
  return allowed;
}

error_code add_user(ServerStore& store, const Account& account, std::string_view password, std::string* detail,
                    crypto::ScryptParams params) {
  if (password.size() < limits::kMinPasswordLength) {
    if (detail) *detail = "passwords must be at least " + std::to_string(limits::kMinPasswordLength) + " characters";
    return make_error_code(Errc::invalid_argument);
  }
  if (!model::is_valid_id(account.username) || !model::is_valid_id(account.person_id)) {
    if (detail) *detail = "username and person id must be 1-100 characters of letters, digits, . _ : -";
    return make_error_code(Errc::invalid_argument);
  }
  Account a = account;
  a.password_hash = crypto::hash_password(password, params);
  auto ec = store.add_account(a);
  if (ec == Errc::already_exists && detail) *detail = "an account with that username or person id already exists";
  return ec;
}

namespace {

namespace json = boost::json;

struct FieldSpec {
  std::string_view name;
  bool required;
};

// Reads one reference entry into a record, checking fields; returns "" or what is wrong.
std::string read_entry(const json::value& v, std::string_view collection, std::initializer_list<FieldSpec> specs,
                       const model::Version& version, Record& out) {
  if (!v.is_object()) return std::string(collection) + ": each entry must be an object";
  const auto& obj = v.as_object();
  const auto* id = obj.if_contains("id");
  if (!id || !id->is_string() || !model::is_valid_id(id->as_string())) {
    return std::string(collection) + ": every entry needs a valid \"id\"";
  }
  out.collection = std::string(collection);
  out.id = std::string(id->as_string());
  for (const auto& spec : specs) {
    const auto* f = obj.if_contains(spec.name);
    if (!f || f->is_null()) {
      if (spec.required) return std::string(collection) + " " + out.id + ": \"" + std::string(spec.name) + "\" is required";
      continue;
    }
    std::string value;
    if (f->is_string()) {
      value = std::string(f->as_string());
    } else if (f->is_array()) {
      for (const auto& item : f->as_array()) {
        if (!item.is_string()) return std::string(collection) + " " + out.id + ": \"" + std::string(spec.name) + "\" must list strings";
        if (!value.empty()) value += ",";
        value += std::string(item.as_string());
      }
    } else {
      return std::string(collection) + " " + out.id + ": \"" + std::string(spec.name) + "\" must be a string";
    }
    if (value.size() > limits::kMaxShortStringBytes * 16) return std::string(collection) + " " + out.id + ": value too long";
    out.set(spec.name, std::move(value), version, "import");
  }
  return {};
}

}  // namespace

error_code import_reference_data(ServerStore& store, std::string_view text, std::string* detail,
                                 std::size_t* imported) {
  auto fail = [&](std::string msg) {
    if (detail) *detail = std::move(msg);
    return make_error_code(Errc::invalid_argument);
  };
  boost::system::error_code jec;
  json::value doc = json::parse(text, jec);
  if (jec) return fail("not valid JSON: " + jec.message());
  if (!doc.is_object()) return fail("the document must be a JSON object");
  const auto& root = doc.as_object();
  const model::Version version{model::HlcClock().tick(), "server"};

  std::vector<Record> records;
  auto section = [&](std::string_view key) -> const json::array* {
    const auto* v = root.if_contains(key);
    return v && v->is_array() ? &v->as_array() : nullptr;
  };
  policy::ReferenceData ref = store.load_reference_data();
  // People first, then households, children, placements: later sections refer to earlier ones.
  if (auto* people = section("people")) {
    for (const auto& v : *people) {
      Record r;
      auto err = read_entry(v, model::collection::kPeople,
                            {{"name", true}, {"role", true}, {"team", false}, {"service", false}}, version, r);
      if (!err.empty()) return fail(err);
      if (!model::parse_role(r.value("role"))) {
        return fail("people " + r.id + ": role must be one of " + model::spellings_of_role());
      }
      r.scope = std::string(model::scope::kDirectory);
      records.push_back(r);
      ref.upsert(r);
    }
  }
  if (auto* households = section("households")) {
    for (const auto& v : *households) {
      Record r;
      auto err = read_entry(v, model::collection::kHouseholds,
                            {{"name", true}, {"carer_type", true}, {"carer_ids", true}, {"ssw_id", true}}, version, r);
      if (!err.empty()) return fail(err);
      if (!model::parse_carer_type(r.value("carer_type"))) return fail("households " + r.id + ": unknown carer_type");
      for (const auto& carer : policy::split_ids(r.value("carer_ids"))) {
        if (!ref.find(model::collection::kPeople, carer)) return fail("households " + r.id + ": unknown carer " + carer);
      }
      if (!ref.find(model::collection::kPeople, r.value("ssw_id"))) return fail("households " + r.id + ": unknown ssw_id");
      r.scope = model::scope::household(r.id);
      // A carer's own person record belongs to their household, not to the
      // directory every user receives: carers never learn of other carers.
      for (const auto& carer : policy::split_ids(r.value("carer_ids"))) {
        for (auto& p : records) {
          if (p.collection == model::collection::kPeople && p.id == carer) p.scope = r.scope;
        }
      }
      records.push_back(r);
      ref.upsert(r);
    }
  }
  if (auto* children = section("children")) {
    for (const auto& v : *children) {
      Record r;
      auto err = read_entry(v, model::collection::kChildren,
                            {{"name", true}, {"date_of_birth", false}, {"social_worker_id", true}, {"iro_id", false}},
                            version, r);
      if (!err.empty()) return fail(err);
      if (!ref.find(model::collection::kPeople, r.value("social_worker_id"))) {
        return fail("children " + r.id + ": unknown social_worker_id");
      }
      if (r.get("date_of_birth") && !policy::parse_date(r.value("date_of_birth"))) {
        return fail("children " + r.id + ": date_of_birth must be YYYY-MM-DD");
      }
      r.scope = model::scope::child(r.id);
      records.push_back(r);
      ref.upsert(r);
    }
  }
  if (auto* placements = section("placements")) {
    for (const auto& v : *placements) {
      Record r;
      auto err = read_entry(v, model::collection::kPlacements,
                            {{"child_id", true}, {"household_id", true}, {"type", true}, {"start_date", true},
                             {"end_date", false}, {"ending", false}, {"emergency", false}, {"made_at", false},
                             {"team_manager_id", true}},
                            version, r);
      if (!err.empty()) return fail(err);
      if (!ref.find(model::collection::kChildren, r.value("child_id"))) return fail("placements " + r.id + ": unknown child_id");
      if (!ref.find(model::collection::kHouseholds, r.value("household_id"))) {
        return fail("placements " + r.id + ": unknown household_id");
      }
      if (!model::parse_placement_type(r.value("type"))) return fail("placements " + r.id + ": type must be in-house, ifa or independent");
      if (!policy::parse_date(r.value("start_date"))) return fail("placements " + r.id + ": start_date must be YYYY-MM-DD");
      if (!r.value("end_date").empty() && !policy::parse_date(r.value("end_date"))) {
        return fail("placements " + r.id + ": end_date must be YYYY-MM-DD");
      }
      // R14: whether an ending was planned (agreed, e.g. at a pre-disruption meeting) or not.
      if (r.get("ending") && (r.value("end_date").empty() || (r.value("ending") != "planned" && r.value("ending") != "unplanned"))) {
        return fail("placements " + r.id + ": ending must be planned or unplanned, with an end_date");
      }
      // R2: an emergency placement's planning meeting is due 72 hours after it was made.
      if (r.get("emergency") && r.value("emergency") != "yes" && r.value("emergency") != "no") {
        return fail("placements " + r.id + ": emergency must be yes or no");
      }
      if (r.get("made_at") && (r.value("emergency") != "yes" || !policy::parse_local_datetime(r.value("made_at")))) {
        return fail("placements " + r.id + ": made_at is YYYY-MM-DDTHH:MM (UK time), for an emergency placement");
      }
      // R1/R4: in-house placements' meetings go to (and are chaired by) the
      // Fostering Team Manager; agency placements' by the CLA Team Manager.
      const auto* manager = ref.find(model::collection::kPeople, r.value("team_manager_id"));
      const bool in_house = r.value("type") == "in-house";
      const std::string_view wanted = in_house ? "fostering-team-manager" : "cla-team-manager";
      if (!manager || manager->value("role") != wanted) {
        return fail("placements " + r.id + ": team_manager_id must be a " + std::string(wanted) + " for a " +
                    r.value("type") + " placement");
      }
      r.scope = model::scope::placement(r.id);
      records.push_back(r);
      ref.upsert(r);
      if (!store.get(model::collection::kPlacements, r.id)) {
        for (auto& planning : arrange_placement_planning(r, model::HlcClock::system_now_millis(), version)) {
          records.push_back(std::move(planning));
        }
      }
    }
  }
  // Settings every device holds so the rules run the same offline: who is told
  // of every support meeting (R9), of LADO referrals (R9/R13).
  {
    std::map<std::string, Record> people;
    for (auto& p : store.all_in(model::collection::kPeople)) people[p.id] = std::move(p);
    for (const auto& r : records) {
      if (r.collection == model::collection::kPeople) people[r.id] = r;
    }
    auto setting = [&](const char* id, auto&& wanted) {
      std::string ids;
      for (const auto& [pid, p] : people) {
        if (wanted(p)) ids += (ids.empty() ? "" : ",") + pid;
      }
      Record s;
      s.collection = std::string(model::collection::kSettings);
      s.id = id;
      s.scope = std::string(model::scope::kDirectory);
      s.set("ids", ids, version, "import");
      records.push_back(std::move(s));
    };
    setting("service-managers", [](const Record& p) { return p.value("role") == "service-manager"; });
    setting("fostering-service-managers", [](const Record& p) {
      return p.value("role") == "service-manager" && p.value("service") == "fostering";
    });
    setting("lados", [](const Record& p) { return p.value("role") == "lado"; });
    setting("panel-members", [](const Record& p) { return p.value("role") == "panel-member"; });
  }
  store::Transaction tx(store.database());
  for (const auto& r : records) store.put(r);
  store.set_meta(ServerStore::kReferenceVersion, model::new_uuid_v7());
  tx.commit();
  if (imported) *imported = records.size();
  return {};
}

}  // namespace psm::server
