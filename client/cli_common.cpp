#include "client/cli_common.hpp"

#include "client/net/websocket_transport.hpp"
#include "common/limits.hpp"
#include "common/model/hlc.hpp"
#include "common/platform/platform.hpp"
#include "common/policy/calendar.hpp"
#include "common/protocol/messages.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace psm::client::cli {

namespace fs = std::filesystem;
namespace json = boost::json;
using model::Record;
namespace col = model::collection;

std::string passphrase_from_env_or_prompt(const char* prompt) {
  if (const char* env = std::getenv("PSM_PASSPHRASE")) return env;
  return platform::read_secret(prompt);
}

int fail(int code, const std::string& message) {
  std::cerr << "psm: " << message << "\n";
  return code;
}

std::string storage_refused_message(const std::string& detail) {
  return "this device's disk is full (or its storage refused a write): what was being written was undone; nothing "
         "that was already saved is lost, and waiting changes stay queued. Free some space and try again" +
         (detail.empty() ? std::string() : " (" + detail + ")");
}

int exit_code_for(const error_code& ec) {
  if (ec == Errc::wrong_passphrase) return kExitWrongPassphrase;
  if (ec == Errc::unavailable || ec == Errc::timeout) return kExitUnreachable;
  if (ec == Errc::authentication_failed) return kExitAuthFailed;
  if (ec == Errc::untrusted_server) return kExitUntrustedServer;
  if (ec == Errc::device_revoked) return kExitRevoked;
  if (ec == Errc::not_enrolled) return kExitNotEnrolled;
  if (ec == Errc::invalid_argument) return kExitUsage;
  if (ec == Errc::corrupt_data) return kExitDamagedReplica;
  if (ec == Errc::io_error) return kExitStorage;
  if (ec == Errc::token_expired) return kExitSignInExpired;
  if (ec == Errc::locked_out) return kExitLockedOut;
  if (ec == Errc::offline_too_long) return kExitOfflineTooLong;
  return kExitFailure;
}

int Session::open() {
    if (!fs::exists(home.wrapped_key())) {
      return fail(kExitNotEnrolled, "no replica in " + home.root.string() + "; run: psm --home " +
                                        home.root.string() + " enrol --server wss://HOST:PORT --ca FILE --username U");
    }
    fs::path damaged;
    auto r = Replica::open(home, passphrase_from_env_or_prompt(), &damaged);
    if (!r) {
      if (r.error() == Errc::wrong_passphrase) return fail(kExitWrongPassphrase, "wrong passphrase; nothing was changed");
      if (r.error() == Errc::corrupt_data && damaged == home.wrapped_key()) {
        return fail(kExitDamagedReplica, "this device's key file " + damaged.string() +
                                             " is damaged (truncated or changed), so the copy cannot be unlocked; "
                                             "your passphrase was not tried. Nothing was changed: keep a copy of the "
                                             "folder and ask your administrator for help");
      }
      if (r.error() == Errc::corrupt_data) {
        return fail(kExitDamagedReplica, "the replica in " + home.root.string() +
                                             " is damaged (truncated or corrupted) and was left as it is; "
                                             "keep a copy of the folder and ask your administrator for help");
      }
      if (r.error() == Errc::io_error) return fail(kExitStorage, storage_refused_message(""));
      return fail(exit_code_for(r.error()), "cannot open the replica in " + home.root.string() + ": " + r.error().message());
    }
    replica = std::move(*r);
    return kExitOk;
}

int Session::check_days_offline(bool enforce) {
  const auto limit_days = replica->meta("max_days_offline");
  const auto last = replica->meta("last_sync_ms");
  if (!limit_days || !last || *limit_days == "0") return kExitOk;
  const std::uint64_t limit_ms = std::stoull(*limit_days) * 24 * 3600 * 1000;
  const std::uint64_t now = model::HlcClock::system_now_millis();
  const std::uint64_t since = now > std::stoull(*last) ? now - std::stoull(*last) : 0;
  const std::uint64_t day = 24 * 3600 * 1000;
  if (since >= limit_ms) {
    if (!enforce) return kExitOk;
    return fail(kExitOfflineTooLong, "this device has not synced for " + std::to_string(since / day) +
                                         " days; your authority allows " + *limit_days +
                                         ". Connect and run: psm --home " + home.root.string() + " sync");
  }
  if (limit_ms - since <= 3 * day) {
    std::cerr << "psm: warning: this device has not synced for " << since / day << " days; after " << *limit_days
              << " it must sync before it can be used\n";
  }
  return kExitOk;
}

Result<ClientConfig> read_config(const HomePaths& home) {
  std::ifstream in(home.config());
  if (!in) return make_error_code(Errc::not_enrolled);
  std::stringstream buffer;
  buffer << in.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(buffer.str(), ec);
  if (ec || !v.is_object()) return make_error_code(Errc::corrupt_data);
  ClientConfig c;
  const auto& o = v.as_object();
  if (auto* s = o.if_contains("server_url"); s && s->is_string()) c.server_url = std::string(s->as_string());
  if (auto* s = o.if_contains("username"); s && s->is_string()) c.username = std::string(s->as_string());
  if (auto* s = o.if_contains("pin"); s && s->is_string()) c.pin = std::string(s->as_string());
  return c;
}

std::variant<Connected, SyncError> connect(const HomePaths& home, const std::string& url, const std::string& pin) {
  net::ClientTlsOptions tls;
  tls.ca_file = home.ca();
  tls.pinned_sha256_hex = pin;
  std::string detail;
  auto client = net::WebSocketClient::connect(url, tls, protocol::kSubprotocol,
                                              std::chrono::duration_cast<std::chrono::milliseconds>(limits::kConnectTimeout),
                                              &detail);
  if (!client) {
    std::string message;
    if (client.error() == Errc::untrusted_server) {
      message = "refusing to sync: the server's certificate is not trusted (" + detail + ")";
    } else if (client.error() == Errc::unsupported_version) {
      message = "the server does not speak this version of psm: " + detail;
    } else {
      message = "cannot reach the server at " + url + (detail.empty() ? "" : " (" + detail + ")");
    }
    return SyncError{client.error(), message};
  }
  Connected c;
  c.client = std::move(*client);
  c.transport = std::make_unique<net::WebSocketTransport>(*c.client);
  return c;
}

// --- presentation helpers

std::string name_of(Replica& r, std::string_view person_id) {
  if (person_id.empty()) return "";
  auto p = r.get(col::kPeople, person_id);
  return p ? p->value("name") : std::string(person_id);
}

std::string ms_field_local(const Record& rec, std::string_view field) {
  auto v = rec.value(field);
  if (v.empty()) return "";
  return policy::format_local_datetime(std::stoull(v));
}

std::string ms_field_utc(const Record& rec, std::string_view field) {
  auto v = rec.value(field);
  if (v.empty()) return "";
  return policy::format_utc(std::stoull(v));
}

// The sync state a person sees next to each record.
std::map<std::pair<std::string, std::string>, std::string> record_sync_states(Replica& r) {
  std::map<std::pair<std::string, std::string>, std::string> out;
  for (const auto& e : r.outbox()) {
    if (e.state != OpState::queued && e.state != OpState::sent) continue;
    std::string id;
    std::string collection;
    std::visit(
        [&](const auto& p) {
          using T = std::decay_t<decltype(p)>;
          if constexpr (std::is_same_v<T, ops::RequestMeeting>) { collection = col::kMeetings; id = p.meeting_id; }
          if constexpr (std::is_same_v<T, ops::RecordView>) { collection = col::kViews; id = p.view_id; }
          if constexpr (std::is_same_v<T, ops::AddAction>) { collection = col::kActions; id = p.action_id; }
          if constexpr (std::is_same_v<T, ops::UpdateActionStatus>) { collection = col::kActions; id = p.action_id; }
          if constexpr (std::is_same_v<T, ops::EditAction>) { collection = col::kActions; id = p.action_id; }
          if constexpr (std::is_same_v<T, ops::ResolveConflict>) { collection = col::kConflicts; id = p.conflict_id; }
        },
        e.op.payload);
    out[{collection, id}] = e.state == OpState::queued ? "waiting to send" : "sent";
  }
  return out;
}

std::string sync_state_of(const std::map<std::pair<std::string, std::string>, std::string>& states,
                          const Record& rec) {
  auto it = states.find({rec.collection, rec.id});
  return it == states.end() ? "synced" : it->second;
}

void print_json(const json::value& v) { std::cout << json::serialize(v) << "\n"; }

std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

int submit_and_report(Replica& r, const Prepared& prepared) {
  if (const auto* invalid = std::get_if<InvalidRequest>(&prepared)) return fail(invalid->exit_code, invalid->message);
  const auto& op = std::get<PreparedOperation>(prepared);
  return report_outcome(r.submit(op.payload, op.base), op.what, op.id, r);
}

int report_outcome(const ops::Outcome& o, const std::string& what, const std::string& id, Replica& r) {
  if (!o.ok()) return fail(o.code == Errc::not_enrolled ? kExitNotEnrolled : kExitRefused, o.reason);
  std::cout << what << " " << id << " (saved on this device; " << r.pending_count()
            << " change(s) waiting to send)\n";
  if (!o.reason.empty()) std::cout << "note: " << o.reason << "\n";  // e.g. a short break over two weeks
  return kExitOk;
}

}  // namespace psm::client::cli
