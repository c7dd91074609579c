#include "client/sync/sync_engine.hpp"

#include "client/sync/receipts.hpp"
#include "common/crypto/random.hpp"
#include "common/crypto/signature.hpp"
#include "common/limits.hpp"
#include "common/model/hlc.hpp"
#include "common/protocol/codec.hpp"

#include <algorithm>
#include <array>
#include <thread>

namespace psm::client {

namespace {

using namespace std::chrono_literals;

Error transport_error(error_code ec) {
  if (ec == Errc::timeout) return {ec, "the server did not answer in time"};
  return {make_error_code(Errc::unavailable), "the connection to the server was lost"};
}

// Waits for the answer of type T to a request already sent, setting pokes aside.
template <class T>
std::variant<T, Error> receive_answer(Transport& transport) {
  const auto deadline = std::chrono::steady_clock::now() + limits::kRequestTimeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return Error{make_error_code(Errc::timeout), "the server did not answer in time"};
    auto bytes = transport.receive(left);
    if (!bytes) return transport_error(bytes.error());
    auto message = protocol::decode(*bytes);
    if (!message) return Error{message.error(), "the server sent a message this version cannot read"};
    if (auto* answer = std::get_if<T>(&*message)) return std::move(*answer);
    if (auto* err = std::get_if<protocol::ErrorMessage>(&*message)) {
      auto said = protocol::error_of(*err);
      said.message = "the server said: " + said.message;
      return said;
    }
    // A poke while waiting: the pull that follows covers it.
  }
}

std::optional<Error> send_request(Transport& transport, const protocol::Message& request) {
  if (auto ec = transport.send(protocol::encode(request))) return transport_error(ec);
  return std::nullopt;
}

// Sends a request and waits for the answer of type T, setting pokes aside.
template <class T>
std::variant<T, Error> round_trip(Transport& transport, const protocol::Message& request) {
  if (auto e = send_request(transport, request)) return *e;
  return receive_answer<T>(transport);
}

}  // namespace

namespace {

std::uint64_t device_now() { return model::HlcClock::system_now_millis(); }

// What the server says about this device's sign-in, kept for offline checks.
void remember_sign_in(Replica& replica, const protocol::AuthResult& r) {
  if (!r.device_token.empty()) replica.set_meta("device_token", r.device_token);
  if (r.token_expires_at_ms) replica.set_meta("token_expires_at_ms", std::to_string(r.token_expires_at_ms));
  replica.set_meta("max_days_offline", std::to_string(r.max_days_offline));
  // Told over the verified TLS channel: the keys the server's receipts are signed with.
  std::vector<protocol::ReceiptKey> keys;
  for (const auto& k : r.receipt_keys) {
    const auto* raw = reinterpret_cast<const std::uint8_t*>(k.public_key.data());
    if (k.key_id == crypto::signing_key_id(std::span(raw, k.public_key.size()))) keys.push_back(k);
  }
  replica.remember_receipt_keys(keys);
}

}  // namespace

std::optional<Error> enrol_device(Replica& replica, Transport& transport, const std::string& username,
                                  const std::string& password, const std::string& device_name) {
  protocol::LoginRequest request{username, password, device_name, replica.meta("device_id").value_or(""), device_now()};
  auto answer = round_trip<protocol::AuthResult>(transport, request);
  if (auto* e = std::get_if<Error>(&answer)) return *e;
  auto& r = std::get<protocol::AuthResult>(answer);
  if (auto e = protocol::error_of(r)) return e;
  replica.set_meta("device_id", r.device_id);
  remember_sign_in(replica, r);
  replica.set_meta("person_id", r.person_id);
  replica.set_meta("role", r.role);
  replica.set_meta("display_name", r.display_name);
  replica.set_meta("server_epoch", r.server_epoch);
  return std::nullopt;
}

std::optional<Error> sync_once(Replica& replica, Transport& transport, SyncReport& report,
                               const std::function<void(const SyncReport&)>& progress) {
  auto device = replica.meta("device_id");
  auto token = replica.meta("device_token");
  if (!device || !token) return Error{make_error_code(Errc::not_enrolled), "this device is not enrolled"};
  {
    auto answer = round_trip<protocol::AuthResult>(transport, protocol::AuthRequest{*device, *token, device_now()});
    if (auto* e = std::get_if<Error>(&answer)) return *e;
    const auto& auth = std::get<protocol::AuthResult>(answer);
    if (auto e = protocol::error_of(auth)) return e;
    // A renewed token is stored before anything else is sent; the server
    // accepts the old one until the new one is first used.
    remember_sign_in(replica, auth);
    // A different epoch: the server was restored from a backup and may lack
    // some of what it had accepted from us. An empty one is a server from
    // before epochs were sent; nothing to compare.
    const auto known = replica.meta("server_epoch").value_or("");
    if (!auth.server_epoch.empty() && auth.server_epoch != known) {
      if (known.empty()) {
        replica.set_meta("server_epoch", auth.server_epoch);
      } else {
        report.resent_after_restore += replica.start_over_after_server_restore(auth.server_epoch);
        report.server_restored = true;
      }
    }
  }

  // Push: oldest first, in bounded batches. Each batch's answers are stored
  // before the next batch is sent.
  for (;;) {
    std::vector<ops::Operation> batch = replica.pending_operations(limits::kMaxOpsPerPush);
    if (batch.empty()) break;
    std::vector<std::string> ids;
    ids.reserve(batch.size());
    for (const auto& op : batch) ids.push_back(op.op_id);
    replica.mark_sent(ids);
    auto answer = round_trip<protocol::PushResponse>(transport, protocol::PushRequest{std::move(batch)});
    if (auto* e = std::get_if<Error>(&answer)) return *e;
    auto& response = std::get<protocol::PushResponse>(answer);
    const std::size_t sent = ids.size();
    auto covered = check_receipt(replica, response);
    if (auto* e = std::get_if<Error>(&covered)) return *e;
    replica.record_results(response.results, response.receipt, std::get<0>(covered));
    for (const auto& r : response.results) {
      ++report.pushed;
      switch (static_cast<ops::OutcomeKind>(r.kind)) {
        case ops::OutcomeKind::accepted:
          ++report.accepted;
          break;
        case ops::OutcomeKind::conflict:
          ++report.conflicts;
          break;
        case ops::OutcomeKind::rejected:
          ++report.rejected;
          break;
      }
    }
    ++report.batches;
    if (progress) progress(report);
    if (response.results.size() < sent) {
      // Over this device's rate limit: the rest stay queued for the next sync.
      report.deferred = sent - response.results.size();
      report.retry_after_ms = response.retry_after_ms;
      break;
    }
  }

  // Pull until up to date. The request for the next page is sent before this
  // one is applied (it needs only the page's cursor and scopes, which is what
  // the replica records when it applies the page), so the server prepares it
  // while the device writes.
  if (auto e = send_request(transport, protocol::PullRequest{replica.cursor(), replica.known_scopes()})) return e;
  for (;;) {
    auto answer = receive_answer<protocol::PullResponse>(transport);
    if (auto* e = std::get_if<Error>(&answer)) return *e;
    auto& page = std::get<protocol::PullResponse>(answer);
    if (page.more) {
      if (auto e = send_request(transport, protocol::PullRequest{page.cursor, page.scopes})) return e;
    }
    replica.apply_pull(page);
    report.pulled += page.records.size();
    report.pull_remaining = page.more ? page.remaining : 0;
    ++report.batches;
    if (progress) progress(report);
    if (!page.more) break;
  }
  return std::nullopt;
}

std::chrono::milliseconds backoff_delay(const Backoff& backoff, unsigned retry, std::uint64_t random_bits) {
  using std::chrono::milliseconds;
  const auto first = std::max<std::int64_t>(backoff.first.count(), 1);
  const auto cap = std::max<std::int64_t>(backoff.cap.count(), first);
  std::int64_t d = first;
  // Doubling stops at the cap, so this neither overflows nor loops long.
  for (unsigned i = 1; i < retry && d < cap; ++i) d = std::min(cap, d * 2);
  const std::int64_t half = d / 2;
  const auto spread = static_cast<std::uint64_t>(d - half) + 1;
  return milliseconds(half + static_cast<std::int64_t>(random_bits % spread));
}

std::optional<Error> sync_with_retry(Replica& replica, const Connect& connect, SyncReport& report,
                                     const RetryOptions& options,
                                     const std::function<void(const SyncReport&)>& progress) {
  auto pause = options.sleep ? options.sleep : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  auto draw = options.random ? options.random : [] {
    std::array<std::uint8_t, 8> bytes{};
    crypto::random_bytes(bytes);
    std::uint64_t v = 0;
    for (auto b : bytes) v = (v << 8) | b;
    return v;
  };
  std::chrono::milliseconds waited{0};
  for (unsigned retry = 1;; ++retry) {
    std::optional<Error> error;
    auto connected = connect();
    if (auto* e = std::get_if<Error>(&connected)) {
      error = *e;
    } else {
      error = sync_once(replica, *std::get<std::unique_ptr<Transport>>(connected), report, progress);
    }
    if (!error || !error->transient()) return error;
    const auto wait = backoff_delay(options.backoff, retry, draw());
    if (waited + wait > options.budget) return error;
    if (options.on_retry) options.on_retry(*error, wait);
    pause(wait);
    waited += wait;
  }
}

Result<bool> wait_for_poke(Transport& transport, std::chrono::milliseconds timeout) {
  auto bytes = transport.receive(timeout);
  if (!bytes) {
    if (bytes.error() == Errc::timeout) return false;
    return Result<bool>(boost::system::in_place_error, bytes.error());
  }
  auto message = protocol::decode(*bytes);
  if (!message) return Result<bool>(boost::system::in_place_error, message.error());
  // The server ends a live connection with an error, e.g. device_revoked
  // when the device is revoked while connected: the caller must hear which.
  if (auto* err = std::get_if<protocol::ErrorMessage>(&*message)) {
    return Result<bool>(boost::system::in_place_error, protocol::error_of(*err).code);
  }
  return std::holds_alternative<protocol::Poke>(*message);
}

}  // namespace psm::client
