#include "server/sync/sync_service.hpp"

#include "common/limits.hpp"
#include "common/policy/calendar.hpp"
#include "server/sync/escalation.hpp"
#include "server/sync/plan_copies.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>
#include <utility>

namespace psm::server {

using protocol::AuthResult;

namespace {

std::string_view outcome_name(ops::OutcomeKind kind) {
  switch (kind) {
    case ops::OutcomeKind::accepted:
      return "accepted";
    case ops::OutcomeKind::conflict:
      return "accepted with a conflict";
    case ops::OutcomeKind::rejected:
      return "rejected";
  }
  return "?";
}

}  // namespace

SyncService::SyncService(std::unique_ptr<Store> store, Metrics& metrics, Clock now, ServerPolicy policy)
    : store_(std::move(store)),
      sqlcipher_(dynamic_cast<ServerStore*>(store_.get())),
      metrics_(metrics),
      now_(std::move(now)),
      hlc_(now_),
      policy_(policy),
      sign_in_(*store_, metrics_, now_, policy_) {
  reload_reference_data();
  // Grants follow the stored meetings and concerns; read once here (one
  // record per meeting or concern) and kept current as operations apply.
  for (auto collection : {model::collection::kMeetings, model::collection::kConcerns}) {
    for (const auto& record : store_->all_in(collection)) grants_.observe(record);
  }
  data_version_ = store_->data_version();
}

ServerStore& SyncService::store() {
  if (!sqlcipher_) throw std::logic_error("this sync service does not run over the SQLCipher store");
  return *sqlcipher_;
}

void SyncService::set_receipt_keys(std::shared_ptr<const ReceiptKeys> keys) {
  sign_in_.set_receipt_keys(keys);
  receipt_keys_ = std::move(keys);
}

// Sign-in lives in SignIn (sign_in.hpp); a request that begins a sign-in
// first picks up reference data imported meanwhile, as every request does.
AuthResult SyncService::login(const protocol::LoginRequest& request, Identity& who, const std::string& address) {
  refresh_reference_data();
  return sign_in_.login(request, who, address);
}

std::variant<AuthResult, PasswordCheck> SyncService::begin_login(const protocol::LoginRequest& request,
                                                                 const std::string& address) {
  refresh_reference_data();
  return sign_in_.begin_login(request, address);
}

AuthResult SyncService::finish_login(const PasswordCheck& check, bool password_ok, Identity& who) {
  return sign_in_.finish_login(check, password_ok, who);
}

AuthResult SyncService::abandon_login(const PasswordCheck& check) { return sign_in_.abandon_login(check); }

AuthResult SyncService::authenticate(const protocol::AuthRequest& request, Identity& who, const std::string& address) {
  refresh_reference_data();
  return sign_in_.authenticate(request, who, address);
}

void SyncService::reload_reference_data() {
  reference_version_ = store_->meta(Store::kReferenceVersion);
  reference_ = store_->load_reference_data();
}

void SyncService::refresh_reference_data() {
  // An import by psm-server import while serving: new placements, allocations
  // and endings take effect at the next request, not the next restart.
  if (store_->meta(Store::kReferenceVersion) == reference_version_) return;
  reload_reference_data();
  spdlog::info("reference data changed; re-read it");
}

SyncService::EscalationSummary SyncService::escalate(const policy::Date& today) {
  auto result = run_escalation_sweep(*store_, hlc_, today, now_());
  if (result.notifications)
    spdlog::info("escalated {} overdue action(s): {} notification(s)", result.actions_escalated, result.notifications);
  return {result.notifications, std::move(result.changed_scopes)};
}

void SyncService::audit(const Identity& who, std::string kind, std::string detail, std::uint64_t device_time_ms,
                        const std::set<std::string>& scopes) {
  AuditEntry e = audit_entry_about(who, std::move(kind), std::move(detail), device_time_ms, now_());
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
        children.insert(p->value(model::schema::placements::child_id));
      }
    }
  }
  std::string out;
  for (const auto& c : children) out += (out.empty() ? "" : ",") + c;
  return out;
}

void SyncService::flush_refusals(bool all) { sign_in_.flush_refusals(all); }

SyncService::~SyncService() {
  try {
    sign_in_.flush_refusals(/*all=*/true);
  } catch (const std::exception& e) {
    spdlog::warn("could not record the last minute's refused sign-ins: {}", e.what());
  }
}

std::optional<Error> SyncService::no_longer_allowed(const Identity& who) {
  auto device = store_->find_device(who.device_id);
  if (!device || device->revoked) {
    return Error{make_error_code(Errc::device_revoked), "this device has been revoked; its replica must be wiped"};
  }
  if (device->username != who.username || !store_->find_account(who.username)) {
    return Error{make_error_code(Errc::authentication_failed), "the account for this device no longer exists"};
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

policy::GrantedAccess SyncService::granted_to(const Identity& who, const std::set<std::string>& scopes) const {
  // R9: the LADOs are the people the "lados" setting names.
  bool is_lado = false;
  if (auto lados = store_->get(model::schema::settings::kName, "lados")) {
    for (const auto& id : policy::split_ids(lados->value(model::schema::settings::ids))) is_lado |= id == who.person_id;
  }
  return {reference_, grants_.of(who.person_id, is_lado), scopes};
}

protocol::OpResult SyncService::apply_one(const Identity& who, ops::Operation op, std::uint64_t enrolled_at_ms,
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
    audit(who, "operation",
          std::string(ops::kind_name(op.payload)) + " " + op.op_id + ": rejected (sequence " + std::to_string(op.seq) +
              " already used by another operation)");
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
  // The rules run at the time the person acted on their device, as the
  // device ran them offline: a request made on 23 December and synced on the
  // 29th keeps the deadline its maker was shown.
  const auto acted =
      model::acted_at(op.hlc, now, enrolled_at_ms, static_cast<std::uint64_t>(limits::kActedAtTolerance.count()));
  ops::ApplyContext ctx{
      {who.person_id, who.role}, acted.ms, [&](std::string_view s) { return scopes.count(std::string(s)) > 0; }};
  // A StoreError thrown here aborts the whole batch: nothing is acknowledged.
  const auto granted = granted_to(who, scopes);
  ctx.granted = [&](const model::Record& r) { return granted.acts_on(r); };
  const ops::Outcome outcome = ops::apply(*store_, op, ctx);
  result.kind = static_cast<std::uint8_t>(outcome.kind);
  result.error = static_cast<std::uint16_t>(outcome.code);
  result.reason = outcome.reason;
  if (acted.adjusted && outcome.ok()) {
    // Said to the person with the operation's answer (psm status), so a time
    // or deadline that differs from what the device showed is explained.
    result.reason = "this device's clock was wrong, so this is recorded as done at " +
                    policy::datetime_in_words(acted.ms) + " (the server's time)" +
                    (result.reason.empty() ? "" : "; " + result.reason);
  }
  for (const auto& rec : outcome.writes) {
    store_->put(rec);
    grants_.observe(rec);
    changed_scopes.insert(rec.scope);
  }
  // R10: the carers' copy of a plan this changed follows it.
  if (outcome.kind != ops::OutcomeKind::rejected) {
    for (const auto& scope : follow_plan_copies(*store_, hlc_, outcome.writes)) changed_scopes.insert(scope);
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
  audit(
      who, "operation",
      std::string(ops::kind_name(op.payload)) + " " + op.op_id +
          (outcome.writes.empty() ? "" : " on " + outcome.writes.front().collection + "/" + outcome.writes.front().id) +
          ": " + std::string(outcome_name(outcome.kind)) +
          (outcome.kind == ops::OutcomeKind::rejected ? " (" + outcome.reason + ")" : ""),
      device_time, touched);
  switch (outcome.kind) {
    case ops::OutcomeKind::accepted:
      metrics_.ops_applied();
      break;
    case ops::OutcomeKind::conflict:
      metrics_.ops_applied();
      metrics_.ops_conflicted();
      break;
    case ops::OutcomeKind::rejected:
      metrics_.ops_rejected();
      break;
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
  auto work = store_->begin();
  const auto device = store_->find_device(who.device_id);
  const std::uint64_t enrolled_at_ms = device ? device->enrolled_at_ms : 0;
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
    response.results.push_back(apply_one(who, op, enrolled_at_ms, changed_scopes, receipt));
    if (receipt) covered.push_back(std::move(*receipt));
  }
  work.commit();
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
  // A stored scope read only through grants is read from the start when any
  // grant reading it is new to the device, and only the records a grant
  // covers leave, under the grant's scope (policy::GrantedAccess).
  const auto granted = granted_to(who, scopes);
  for (const auto& [stored, grant_scopes] : granted.reads()) {
    if (scopes.count(stored)) continue;
    bool all_known = true;
    for (const auto& g : grant_scopes) all_known &= known.count(g) > 0;
    starts[stored] = all_known ? request.cursor : 0;
  }
  auto page = store_->pull(starts, request.cursor, limits::kMaxRecordsPerPull, model::is_professional(who.role));
  protocol::PullResponse response;
  response.records = std::move(page.records);
  std::set<std::string> sent;  // the stored scopes, for the audit trail's children
  std::erase_if(response.records, [&](model::Record& rec) {
    if (scopes.count(rec.scope)) {
      sent.insert(rec.scope);
      return false;
    }
    auto grant_scope = granted.scope_for(rec);
    if (!grant_scope) return true;
    sent.insert(std::exchange(rec.scope, std::move(*grant_scope)));
    return false;
  });
  response.cursor = page.cursor;
  response.more = page.more;
  response.remaining = page.remaining;
  response.scopes.assign(scopes.begin(), scopes.end());
  for (const auto& s : granted.scopes()) response.scopes.push_back(s);
  {
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
    retry_after_ms =
        per_ms > 0 ? static_cast<std::uint64_t>(static_cast<double>(wanted - allowed) / per_ms) + 1 : 60'000;
    metrics_.ops_rate_limited(wanted - allowed);
    spdlog::info("device {} over its rate limit: {} operation(s) deferred", device_id, wanted - allowed);
  }
  return allowed;
}

}  // namespace psm::server
