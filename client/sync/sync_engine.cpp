#include "client/sync/sync_engine.hpp"

#include "common/limits.hpp"
#include "common/protocol/codec.hpp"

namespace psm::client {

namespace {

using namespace std::chrono_literals;

SyncError transport_error(error_code ec) {
  if (ec == Errc::timeout) return {ec, "the server did not answer in time"};
  return {make_error_code(Errc::unavailable), "the connection to the server was lost"};
}

// Sends a request and waits for the answer of type T, setting pokes aside.
template <class T>
std::variant<T, SyncError> round_trip(Transport& transport, const protocol::Message& request) {
  if (auto ec = transport.send(protocol::encode(request))) return transport_error(ec);
  const auto deadline = std::chrono::steady_clock::now() + limits::kRequestTimeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return SyncError{make_error_code(Errc::timeout), "the server did not answer in time"};
    auto bytes = transport.receive(left);
    if (!bytes) return transport_error(bytes.error());
    auto message = protocol::decode(*bytes);
    if (!message) return SyncError{message.error(), "the server sent a message this version cannot read"};
    if (auto* answer = std::get_if<T>(&*message)) return std::move(*answer);
    if (auto* err = std::get_if<protocol::ErrorMessage>(&*message)) {
      return SyncError{make_error_code(static_cast<Errc>(err->error)), "the server said: " + err->message};
    }
    // A poke while waiting: the pull that follows covers it.
  }
}

std::optional<SyncError> check_auth(const protocol::AuthResult& r) {
  if (r.ok) return std::nullopt;
  return SyncError{make_error_code(static_cast<Errc>(r.error)), r.message};
}

}  // namespace

std::optional<SyncError> enrol_device(Replica& replica, Transport& transport, const std::string& username,
                                      const std::string& password, const std::string& device_name) {
  auto answer = round_trip<protocol::AuthResult>(transport, protocol::LoginRequest{username, password, device_name});
  if (auto* e = std::get_if<SyncError>(&answer)) return *e;
  auto& r = std::get<protocol::AuthResult>(answer);
  if (auto e = check_auth(r)) return e;
  replica.set_meta("device_id", r.device_id);
  replica.set_meta("device_token", r.device_token);
  replica.set_meta("person_id", r.person_id);
  replica.set_meta("role", r.role);
  replica.set_meta("display_name", r.display_name);
  replica.set_meta("server_epoch", r.server_epoch);
  return std::nullopt;
}

std::optional<SyncError> sync_once(Replica& replica, Transport& transport, SyncReport& report,
                                   const std::function<void(const SyncReport&)>& progress) {
  auto device = replica.meta("device_id");
  auto token = replica.meta("device_token");
  if (!device || !token) return SyncError{make_error_code(Errc::not_enrolled), "this device is not enrolled"};
  {
    auto answer = round_trip<protocol::AuthResult>(transport, protocol::AuthRequest{*device, *token});
    if (auto* e = std::get_if<SyncError>(&answer)) return *e;
    if (auto e = check_auth(std::get<protocol::AuthResult>(answer))) return e;
  }

  // Push: oldest first, in bounded batches. Each batch's answers are stored
  // before the next batch is sent.
  for (;;) {
    std::vector<ops::Operation> batch = replica.pending_operations(limits::kMaxOpsPerPush);
    if (batch.empty()) break;
    std::vector<std::string> ids;
    for (const auto& op : batch) ids.push_back(op.op_id);
    replica.mark_sent(ids);
    auto answer = round_trip<protocol::PushResponse>(transport, protocol::PushRequest{std::move(batch)});
    if (auto* e = std::get_if<SyncError>(&answer)) return *e;
    auto& response = std::get<protocol::PushResponse>(answer);
    replica.record_results(response.results);
    for (const auto& r : response.results) {
      ++report.pushed;
      switch (static_cast<ops::OutcomeKind>(r.kind)) {
        case ops::OutcomeKind::accepted: ++report.accepted; break;
        case ops::OutcomeKind::conflict: ++report.conflicts; break;
        case ops::OutcomeKind::rejected: ++report.rejected; break;
      }
    }
    ++report.batches;
    if (progress) progress(report);
  }

  // Pull until up to date.
  for (;;) {
    protocol::PullRequest request{replica.cursor(), replica.known_scopes()};
    auto answer = round_trip<protocol::PullResponse>(transport, request);
    if (auto* e = std::get_if<SyncError>(&answer)) return *e;
    auto& page = std::get<protocol::PullResponse>(answer);
    replica.apply_pull(page);
    report.pulled += page.records.size();
    report.pull_remaining = page.more ? page.remaining : 0;
    ++report.batches;
    if (progress) progress(report);
    if (!page.more) break;
  }
  return std::nullopt;
}

Result<bool> wait_for_poke(Transport& transport, std::chrono::milliseconds timeout) {
  auto bytes = transport.receive(timeout);
  if (!bytes) {
    if (bytes.error() == Errc::timeout) return false;
    return Result<bool>(boost::system::in_place_error, bytes.error());
  }
  auto message = protocol::decode(*bytes);
  if (!message) return Result<bool>(boost::system::in_place_error, message.error());
  return std::holds_alternative<protocol::Poke>(*message);
}

}  // namespace psm::client
