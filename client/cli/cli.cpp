#include "client/cli/cli.hpp"

#include "client/cli/common.hpp"
#include "client/cli/meetings.hpp"
#include "client/core/connection.hpp"
#include "client/core/intents/intents.hpp"
#include "client/core/views/deadline_report.hpp"
#include "client/core/views/format.hpp"
#include "client/core/views/listings.hpp"
#include "client/core/views/people.hpp"
#include "client/core/views/receipts.hpp"
#include "client/replica/replica.hpp"
#include "client/sync/progress.hpp"
#include "client/sync/sync_engine.hpp"
#include "common/crypto/pin.hpp"
#include "common/limits.hpp"
#include "common/model/ids.hpp"
#include "common/platform/platform.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"
#include "common/protocol/messages.hpp"
#include "common/text/terminal.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

namespace psm::client {
namespace {

using namespace cli;

namespace fs = std::filesystem;
namespace json = boost::json;
namespace col = model::collection;

// --- commands

std::string password_from_env_or_prompt() {
  if (const char* env = std::getenv("PSM_PASSWORD")) return env;
  return platform::read_secret("Password: ");
}

// What to tell the person when the server refused this device's sign-in.
std::string sign_in_advice(const Error& e, const HomePaths& home) {
  if (e.code == Errc::token_expired) {
    return e.message + ": run psm --home " + home.root.string() + " login (changes waiting on this device are kept)";
  }
  return e.message;
}

int cmd_enrol(Session& s, const std::string& server, const fs::path& ca, const std::string& username,
              std::string device_name, const std::string& pin_text) {
  if (fs::exists(s.home.wrapped_key())) {
    return fail(kExitUsage, s.home.root.string() + " already holds a replica; use another --home");
  }
  if (!fs::exists(ca)) return fail(kExitUsage, "no CA certificate at " + ca.string());
  const std::string pin = pin_text.empty() ? std::string() : crypto::normalise_pin(pin_text);
  if (!pin_text.empty() && pin.empty()) {
    return fail(kExitUsage, "--pin must be the server key's SHA-256 pin: 64 hex digits (psm-server pin prints it)");
  }
  std::string password = password_from_env_or_prompt();
  std::string passphrase = passphrase_from_env_or_prompt("Choose a passphrase to protect this device's copy: ");
  if (passphrase.size() < 8) return fail(kExitUsage, "the passphrase must be at least 8 characters");
  if (device_name.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    device_name = host;
  }

  // Check the server first, so a typo leaves nothing behind.
  std::error_code fs_ec;
  fs::create_directories(s.home.root, fs_ec);
  fs::permissions(s.home.root, fs::perms::owner_all, fs::perm_options::replace, fs_ec);
  // Every file in the home is its owner's alone (0600), the CA's copy too.
  auto ca_text = platform::read_file(ca);
  if (!ca_text || platform::write_private_file(s.home.ca(), *ca_text)) {
    return fail(kExitFailure, "cannot copy the CA certificate into " + s.home.root.string());
  }
  auto connected = connect(s.home, server, pin);
  if (auto* e = std::get_if<Error>(&connected)) {
    fs::remove(s.home.ca(), fs_ec);
    return fail(exit_code_for(e->code), e->message);
  }
  auto& c = std::get<Connected>(connected);
  auto created = Replica::create(s.home, passphrase);
  if (!created && created.error() == Errc::io_error) return fail(kExitStorage, storage_refused_message(""));
  if (!created) return fail(kExitFailure, "cannot create the replica: " + created.error().message());
  s.replica = std::move(*created);
  if (auto e = enrol_device(*s.replica, *c.transport, username, password, device_name)) {
    s.replica.reset();
    Replica::wipe(s.home);
    return fail(exit_code_for(e->code), e->message);
  }
  {
    json::object cfg{{"server_url", server}, {"username", username}};
    if (!pin.empty()) cfg["pin"] = pin;
    if (auto ec = platform::write_private_file(s.home.config(), json::serialize(cfg) + "\n")) {
      return fail(exit_code_for(ec), "cannot write " + s.home.config().string() + ": " + ec.message());
    }
  }
  SyncReport report;
  if (auto e = sync_once(*s.replica, *c.transport, report)) return fail(exit_code_for(e->code), e->message);
  s.replica->set_meta("last_sync_ms", std::to_string(model::HlcClock::system_now_millis()));
  std::cout << "enrolled this device as " << s.replica->meta("display_name").value_or(username) << " ("
            << s.replica->meta("role").value_or("") << "); " << report.pulled << " records received\n";
  return kExitOk;
}

std::string kept_message(Session& s, const std::string& why) {
  return why + "; " + std::to_string(s.replica->pending_count()) +
         " change(s) are kept on this device and will be sent next time";
}

// Reports a finished sync (or why it failed) and returns the exit code.
int finish_sync(Session& s, const SyncReport& report, const std::optional<Error>& err, bool quiet) {
  if (err) {
    if (err->code == Errc::device_revoked) {
      s.replica.reset();
      Replica::wipe(s.home);
      return fail(kExitRevoked, "this device has been revoked by an administrator; its copy has been wiped");
    }
    return fail(exit_code_for(err->code), kept_message(s, sign_in_advice(*err, s.home)));
  }
  s.replica->set_meta("last_sync_ms", std::to_string(model::HlcClock::system_now_millis()));
  if (report.deferred) {
    std::cerr << "psm: the server is taking changes from this device more slowly: " << report.deferred
              << " change(s) stay waiting; sync again in " << (report.retry_after_ms + 999) / 1000 << " s\n";
  }
  if (report.server_restored) {
    std::cout << "the server was restored from a backup: this device sent again the " << report.resent_after_restore
              << " change(s) it had already sent, and received everything afresh\n";
  }
  if (!quiet) {
    std::cout << "synced: sent " << report.pushed << " (" << report.accepted << " accepted, " << report.conflicts
              << " with a conflict, " << report.rejected << " refused), received " << report.pulled << "\n";
    // The operations refused in this sync are the newest refused ones.
    const auto refused = s.replica->outbox(OpState::rejected);
    for (std::size_t i = refused.size() - std::min(refused.size(), report.rejected); i < refused.size(); ++i) {
      std::cout << "  refused: " << refused[i].kind << " " << refused[i].op_id << ": " << refused[i].reason << "\n";
    }
    std::cout << std::flush;  // live mode: whoever watches sees each sync as it happens
  }
  return kExitOk;
}

int do_sync(Session& s, Transport& transport, bool quiet) {
  SyncReport report;
  const bool show_progress = !quiet && ::isatty(STDERR_FILENO);
  const auto started = std::chrono::steady_clock::now();
  std::size_t shown = 0;  // width of the line on screen, so a shorter one clears it
  auto progress = [&](const SyncReport& r) {
    if (!show_progress) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::string line = describe_progress(r, elapsed);
    const std::size_t width = line.size();
    if (width < shown) line.append(shown - width, ' ');
    shown = width;
    std::cerr << "\r" << line << std::flush;
  };
  auto err = sync_once(*s.replica, transport, report, progress);
  if (show_progress) std::cerr << "\n";
  return finish_sync(s, report, err, quiet);
}

volatile std::sig_atomic_t g_stop = 0;

// Signs this device in again with the password after its sign-in expired,
// keeping its identity and everything waiting on it, then syncs.
int cmd_login(Session& s) {
  auto config = read_config(s.home);
  if (!config) return fail(kExitNotEnrolled, "this device is not enrolled");
  const std::string password = password_from_env_or_prompt();
  auto connected = connect(s.home, config->server_url, config->pin);
  if (auto* e = std::get_if<Error>(&connected)) return fail(exit_code_for(e->code), e->message);
  auto& c = std::get<Connected>(connected);
  if (auto e = enrol_device(*s.replica, *c.transport, config->username, password, "psm")) {
    return fail(exit_code_for(e->code), e->message);
  }
  std::cout << "signed in again as " << s.replica->meta("display_name").value_or(config->username) << "\n";
  return do_sync(s, *c.transport, false);
}

// A connection the retry loop can own while this command keeps using it
// afterwards (live mode waits for pokes on the connection that synced last).
class SharedConnection final : public Transport {
 public:
  explicit SharedConnection(std::shared_ptr<Connected> c) : c_(std::move(c)) {}
  error_code send(std::string_view message) override { return c_->transport->send(message); }
  Result<std::string> receive(std::chrono::milliseconds timeout) override { return c_->transport->receive(timeout); }

 private:
  std::shared_ptr<Connected> c_;
};

// One sync, retried with backoff for up to `retry_for` of waiting when the
// server cannot be reached. `current` is left holding the last connection.
int sync_retrying(Session& s, const ClientConfig& config, std::chrono::milliseconds retry_for,
                  std::shared_ptr<Connected>& current) {
  SyncReport report;
  RetryOptions options;
  options.budget = retry_for;
  options.on_retry = [](const Error& why, std::chrono::milliseconds wait) {
    std::cerr << "psm: " << why.message << "; trying again in " << (wait.count() + 999) / 1000 << " s" << std::endl;
  };
  Connect open_connection = [&]() -> std::variant<std::unique_ptr<Transport>, Error> {
    current.reset();
    auto connected = connect(s.home, config.server_url, config.pin);
    if (auto* e = std::get_if<Error>(&connected)) return *e;
    current = std::make_shared<Connected>(std::move(std::get<Connected>(connected)));
    return std::make_unique<SharedConnection>(current);
  };
  auto err = sync_with_retry(*s.replica, open_connection, report, options);
  return finish_sync(s, report, err, false);
}

int cmd_sync(Session& s, bool live, int live_seconds, int retry_for_seconds) {
  auto config = read_config(s.home);
  if (!config) return fail(kExitNotEnrolled, "this device is not enrolled");
  if (retry_for_seconds < 0) return fail(kExitUsage, "--retry-for must be 0 or more seconds");
  std::shared_ptr<Connected> current;
  int rc = sync_retrying(s, *config, std::chrono::seconds(retry_for_seconds), current);
  if (rc != kExitOk || !live) return rc;
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(live_seconds > 0 ? live_seconds : 1 << 30);
  std::cout << "live: waiting for changes (Ctrl-C to stop)" << std::endl;
  while (!g_stop && std::chrono::steady_clock::now() < until) {
    auto poked = wait_for_poke(*current->transport, std::chrono::milliseconds(500));
    // Revoked while connected: one more sync is refused as revoked, which
    // wipes this device's copy and exits 8, as at any other contact.
    if (!poked && poked.error() == Errc::device_revoked)
      return sync_retrying(s, *config, std::chrono::seconds(0), current);
    if (!poked && retry_for_seconds == 0) return fail(kExitUnreachable, "the connection to the server was lost");
    if (!poked || *poked) {
      // Lost: reconnect (with backoff) and catch up; poked: pull what changed.
      rc = poked ? do_sync(s, *current->transport, false)
                 : sync_retrying(s, *config, std::chrono::seconds(retry_for_seconds), current);
      if (rc != kExitOk) return rc;
    }
  }
  return kExitOk;
}

int cmd_status(Session& s, bool as_json) {
  auto config = read_config(s.home);
  auto& r = *s.replica;
  const auto status = views::status_json(r, config ? std::optional<ClientConfig>(*config) : std::nullopt);
  if (as_json) {
    print_json(status);
    return kExitOk;
  }
  const auto last_sync = r.meta("last_sync_ms");
  std::cout << "signed in as " << r.meta("display_name").value_or("?") << " (" << r.meta("role").value_or("?")
            << ")\nserver: " << (config ? config->server_url : "?")
            << "\nlast sync: " << (last_sync ? policy::format_local_datetime(std::stoull(*last_sync)) : "never")
            << "\nrecords on this device: " << r.record_count()
            << "\nchanges waiting to send: " << status.at("waiting_to_send").as_uint64() << "\n";
  for (const auto& e : status.at("operations").as_array()) {
    const auto& o = e.as_object();
    const auto state = str(o.at("state"));
    if (state == "rejected" || state == "conflict") {
      std::cout << "  " << state << ": " << str(o.at("kind")) << " " << str(o.at("op_id")) << ": "
                << str(o.at("reason")) << "\n";
    }
  }
  return kExitOk;
}

// The server's signed receipt for one operation, checked again now. Exit 0
// only when it verifies (signature and operation hash).
int cmd_receipt(Session& s, const std::string& op_id, bool as_json) {
  auto receipt = views::receipt_json(*s.replica, op_id, /*evidence=*/as_json);
  if (!receipt) {
    return fail(kExitFailure, "no receipt for operation " + op_id +
                                  " on this device (not yet accepted by the server, refused, or not this device's)");
  }
  const bool verified = receipt->at("verified").as_bool();
  if (as_json) {
    print_json(*receipt);
  } else {
    const auto& o = *receipt;
    std::cout << "operation " << str(o.at("op_id")) << " (" << str(o.at("kind")) << ") on record "
              << str(o.at("record")) << "\n";
    if (!str(o.at("children")).empty()) std::cout << "  child:       " << str(o.at("children")) << "\n";
    std::cout << "  made at:     " << str(o.at("made_at")) << " (this device's clock)\n"
              << "  received at: " << str(o.at("received_at")) << " (the server's clock)\n"
              << "  signed with: receipt key " << str(o.at("key_id")) << "\n";
    if (verified) {
      std::cout
          << "  verified: the server's signature is valid and covers this operation exactly as this device made it\n";
    } else {
      for (const auto& p : o.at("problems").as_array()) std::cout << "  NOT VERIFIED: " << str(p) << "\n";
    }
  }
  return verified ? kExitOk : kExitFailure;
}

int cmd_receipts(Session& s, std::size_t last, const std::string& record, const std::string& child, bool as_json) {
  const auto list = views::receipts_json(*s.replica, last, record, child);
  if (as_json) {
    print_json(list);
    return kExitOk;
  }
  if (list.empty()) std::cout << "no receipts\n";
  for (const auto& v : list) {
    const auto& o = v.as_object();
    std::cout << str(o.at("received_at")) << "  " << str(o.at("op_id")) << "  " << str(o.at("kind")) << " "
              << str(o.at("record")) << (o.at("verified").as_bool() ? "  verified" : "  NOT VERIFIED") << "\n";
  }
  return kExitOk;
}

// Children with two or more placements (--two-or-more), each with their placements.
int cmd_two_or_more_placements(Session& s, bool as_json) {
  const auto arr = views::two_or_more_placements_json(*s.replica);
  if (as_json) {
    print_json(arr);
    return kExitOk;
  }
  if (arr.empty()) std::cout << "no child on this device has had two or more placements\n";
  for (const auto& c : arr) {
    const auto& placements = c.at("placements").as_array();
    std::cout << or_unknown(str(c.at("child"))) << ": " << placements.size() << " placements\n";
    for (const auto& p : placements) {
      const auto ended = str(p.at("end_date"));
      std::cout << "  " << or_unknown(str(p.at("household"))) << " (" << str(p.at("type")) << "), from "
                << views::date_in_words(str(p.at("start_date")))
                << (ended.empty() ? "" : " to " + views::date_in_words(ended)) << "\n";
    }
  }
  return kExitOk;
}

int cmd_placements(Session& s, bool as_json) {
  const auto arr = views::placements_json(*s.replica);
  if (as_json) {
    print_json(arr);
    return kExitOk;
  }
  for (const auto& v : arr) {
    const auto& p = v.as_object();
    const auto ended = str(p.at("end_date"));
    std::cout << str(p.at("id")) << "  " << or_unknown(str(p.at("child"))) << " with "
              << or_unknown(str(p.at("household"))) << " (" << str(p.at("type")) << ", "
              << (ended.empty() ? "since " + views::date_in_words(str(p.at("start_date")))
                                : "from " + views::date_in_words(str(p.at("start_date"))) + ", ended " +
                                      views::date_in_words(ended))
              << ")\n";
  }
  return kExitOk;
}

int cmd_request_meeting(Session& s, const std::string& placement, const std::string& type_name,
                        const std::string& reason, const std::string& identified_at) {
  const auto prepared = intents::prepare_request_meeting(placement, type_name, reason, identified_at);
  int rc = submit_and_report(*s.replica, prepared);
  if (rc == kExitOk) {
    auto m = s.replica->get(col::kMeetings, std::get<intents::PreparedOperation>(prepared).id);
    if (m) std::cout << "to be held by " << views::ms_field_local(*m, model::schema::meetings::deadline_ms) << "\n";
  }
  return rc;
}

int cmd_meetings(Session& s, bool as_json) {
  auto& r = *s.replica;
  const auto arr = views::meetings_json(r);
  if (as_json) {
    print_json(arr);
    return kExitOk;
  }
  const auto views = r.list(col::kViews);
  for (const auto& v : arr) {
    const auto& m = v.as_object();
    const auto id = str(m.at("id"));
    const auto record = r.get(col::kMeetings, id);
    std::cout << id << "  " << str(m.at("type")) << " meeting, " << str(m.at("status")) << ", due by "
              << (record ? views::ms_field_local(*record, model::schema::meetings::deadline_ms) : "")
              << (m.at("overdue").as_bool() ? " (OVERDUE)" : "") << ", deadline " << str(m.at("deadline_met")) << "  ["
              << str(m.at("sync_state")) << "]\n    placement " << str(m.at("placement_id")) << ", requested by "
              << views::name_of(r, str(m.at("requested_by"))) << ": " << str(m.at("reason")) << "\n";
    for (const auto& view : views) {
      namespace f = model::schema::views;
      if (view.value(f::meeting_id) != id) continue;
      std::cout << "    views (" << view.spelling(f::subject) << ", recorded by "
                << views::name_of(r, view.value(f::recorded_by)) << "): " << view.value(f::text) << "\n";
    }
  }
  return kExitOk;
}

int cmd_record_view(Session& s, const std::string& meeting, const std::string& subject_name, const std::string& text,
                    bool professionals_only, bool share_with_carers, const std::string& sought_on) {
  return submit_and_report(*s.replica, intents::prepare_record_view(meeting, subject_name, text, professionals_only,
                                                                    share_with_carers, sought_on));
}

int cmd_add_action(Session& s, const std::string& meeting, const std::string& owner, const std::string& due,
                   const std::string& text) {
  if (auto rc = check_date_option("--due", due)) return *rc;  // the form first: it needs nothing looked up
  std::string owner_id = owner;
  if (auto rc = to_person_id(*s.replica, "--owner", owner_id)) return *rc;
  return submit_and_report(*s.replica, intents::prepare_add_action(meeting, owner_id, due, text));
}

int cmd_update_action(Session& s, const std::string& id, const std::string& status_name, const std::string& note) {
  return submit_and_report(*s.replica, intents::prepare_update_action(*s.replica, id, status_name, note));
}

int cmd_edit_action(Session& s, const std::string& id, const std::optional<std::string>& text,
                    const std::optional<std::string>& due, const std::optional<std::string>& owner) {
  std::optional<std::string> owner_id = owner;
  if (owner_id) {
    if (auto rc = to_person_id(*s.replica, "--owner", *owner_id)) return *rc;
  }
  return submit_and_report(*s.replica, intents::prepare_edit_action(*s.replica, id, text, due, owner_id));
}

int cmd_concerns(Session& s, bool as_json) {
  const auto arr = views::concerns_json(*s.replica);
  if (as_json) {
    print_json(arr);
    return kExitOk;
  }
  if (arr.empty()) std::cout << "no concerns about carers' conduct on this device\n";
  for (const auto& v : arr) {
    const auto& c = v.as_object();
    std::cout << or_unknown(str(c.at("placement"))) << ": " << str(c.at("text")) << "\n    raised by "
              << str(c.at("raised_by")) << " at "
              << or_unknown(views::meeting_words(*s.replica, str(c.at("meeting_id")))) << "\n";
  }
  return kExitOk;
}

int cmd_short_breaks(Session& s, const std::string& placement, bool as_json) {
  const auto arr = views::short_breaks_json(*s.replica, placement);
  if (as_json) {
    print_json(arr);
    return kExitOk;
  }
  if (arr.empty()) std::cout << "no short breaks recorded\n";
  for (const auto& v : arr) {
    const auto& b = v.as_object();
    const auto nights = b.at("nights").as_int64();
    std::cout << or_unknown(str(b.at("placement"))) << ": " << views::date_in_words(str(b.at("start_date"))) << " to "
              << views::date_in_words(str(b.at("end_date"))) << ", " << nights << (nights == 1 ? " night" : " nights")
              << (b.at("with_whom").as_string().empty() ? "" : " with " + str(b.at("with_whom")))
              << (b.at("over_two_weeks").as_bool() ? "  (over two weeks)" : "") << "; recorded by "
              << or_unknown(str(b.at("recorded_by"))) << "\n";
  }
  return kExitOk;
}

int cmd_people(Session& s, const std::string& role, const std::string& search, bool as_json) {
  if (!role.empty() && !model::parse_role(role)) {
    return fail(kExitUsage, "--role must be one of " + model::spellings_of_role());
  }
  const auto arr = views::people_json(*s.replica, role, search);
  if (as_json) {
    print_json(arr);
    return kExitOk;
  }
  if (arr.empty()) std::cout << "no one" << (search.empty() ? "" : " called \"" + search + "\"") << " on this device\n";
  for (const auto& v : arr) {
    const auto& p = v.as_object();
    std::cout << str(p.at("name")) << "  " << str(p.at("role_words"));
    for (const char* more : {"team", "service"}) {
      if (!p.at(more).as_string().empty()) std::cout << ", " << str(p.at(more));
    }
    std::cout << "  (" << str(p.at("id")) << ")\n";
  }
  return kExitOk;
}

int cmd_actions(Session& s, bool as_json) {
  const auto arr = views::actions_json(*s.replica);
  if (as_json) {
    print_json(arr);
    return kExitOk;
  }
  for (const auto& v : arr) {
    const auto& a = v.as_object();
    std::cout << str(a.at("id")) << "  [" << str(a.at("status")) << "] due " << str(a.at("due_date")) << ", owner "
              << str(a.at("owner")) << ": " << str(a.at("text")) << "  [" << str(a.at("sync_state")) << "]\n";
  }
  return kExitOk;
}

int cmd_conflicts(Session& s, bool as_json) {
  const auto arr = views::conflicts_json(*s.replica);
  if (as_json) {
    print_json(arr);
    return kExitOk;
  }
  for (const auto& v : arr) {
    const auto& c = v.as_object();
    const auto& current = c.at("current").as_object();
    const auto& other = c.at("other").as_object();
    const auto record = str(c.at("record"));
    const auto slash = record.find('/');
    const auto about = str(c.at("in_words"));
    std::cout << str(c.at("id")) << "  [" << str(c.at("status")) << "] "
              << (about.empty() ? record.substr(0, slash) + " " + record.substr(slash + 1) : about) << ", its "
              << str(c.at("field")) << "\n    current: \"" << str(current.at("value")) << "\" by "
              << str(current.at("author")) << "\n    other:   \"" << str(other.at("value")) << "\" by "
              << str(other.at("author")) << "\n";
  }
  return kExitOk;
}

int cmd_resolve(Session& s, const std::string& id, const std::string& keep) {
  return submit_and_report(*s.replica, intents::prepare_resolve_conflict(*s.replica, id, keep));
}

int cmd_change_passphrase(Session& s) {
  std::string old_pass = passphrase_from_env_or_prompt("Current passphrase: ");
  std::string new_pass;
  if (const char* env = std::getenv("PSM_NEW_PASSPHRASE")) {
    new_pass = env;
  } else {
    new_pass = platform::read_secret("New passphrase: ");
  }
  if (new_pass.size() < 8) return fail(kExitUsage, "the passphrase must be at least 8 characters");
  auto ec = Replica::change_passphrase(s.home, old_pass, new_pass);
  if (ec == Errc::wrong_passphrase) return fail(kExitWrongPassphrase, "wrong passphrase; nothing was changed");
  if (ec) return fail(kExitFailure, "cannot change the passphrase: " + ec.message());
  std::cout << "passphrase changed\n";
  return kExitOk;
}

// A calculator for the R2 timescales. Touches no personal data: with --home it
// reads only the calendar the server sent (R16), else it uses the built-in one.
int cmd_deadline(Session* s, const std::string& type_name, const std::string& from, bool as_json) {
  auto type = model::parse_meeting_type(type_name);
  if (!type) return fail(kExitUsage, "--type must be one of " + model::spellings_of_meeting_type());
  auto from_ms = policy::parse_local_datetime(from);
  if (!from_ms) return fail(kExitUsage, "--from must be YYYY-MM-DDTHH:MM (UK time) or YYYY-MM-DDTHH:MMZ (UTC)");
  const views::DeadlineReport report = views::make_deadline_report(
      *type, *from_ms, s ? ops::calendar_in_force(*s->replica) : policy::default_calendar());
  if (as_json) {
    print_json(views::deadline_to_json(report));
  } else {
    std::cout << views::format_deadline_text(report) << "\n";
  }
  return kExitOk;
}

}  // namespace

int run_cli(int argc, char** argv, std::span<const FrontEndCommand> front_ends) {
  platform::harden_process();
  // Everything printed from here on has control characters made visible: a
  // record's text comes from other people (common/text/terminal.hpp).
  psm::text::TerminalSafeStreams terminal_safe_output;
  CLI::App app{"psm: placement support, offline first"};
  app.require_subcommand(1);
  fs::path home = ".";
  // Required by every command that opens the replica; checked after parsing so
  // that `deadline`, which needs none, can run without it.
  auto* home_option = app.add_option("--home", home, "directory holding this device's encrypted replica");
  bool as_json = false;
  auto add_json = [&](CLI::App* cmd) { cmd->add_flag("--json", as_json, "machine-readable output (docs/cli.md)"); };

  auto* enrol = app.add_subcommand("enrol", "enrol this device with a server and make the first sync");
  std::string server, username, device_name;
  fs::path ca;
  enrol->add_option("--server", server, "wss://HOST:PORT")->required();
  enrol->add_option("--ca", ca, "CA certificate that signed the server's certificate")->required();
  enrol->add_option("--username", username)->required();
  enrol->add_option("--device-name", device_name, "how this device appears in the server's device list");
  std::string pin;
  enrol->add_option("--pin", pin, "the server key's pin (psm-server pin prints it): refuse any other key");

  auto* login = app.add_subcommand("login", "sign this device in again with your password after its sign-in expired");

  auto* sync = app.add_subcommand("sync", "send waiting changes and receive new ones");
  bool live = false;
  int live_seconds = 0;
  sync->add_flag("--live", live, "stay connected and sync whenever something changes");
  sync->add_option("--live-seconds", live_seconds, "with --live: stop after this many seconds");
  int retry_for = 0;
  sync->add_option("--retry-for", retry_for,
                   "if the server cannot be reached, keep retrying (waits growing from 0.5 s to 60 s) "
                   "for up to this many seconds of waiting; with --live, also reconnect when the connection drops");

  auto* status = app.add_subcommand("status", "who, which server, last sync, changes waiting or refused");
  add_json(status);
  auto* placements = app.add_subcommand("placements", "placements you can see, ended ones with their end date");
  bool two_or_more = false;
  placements->add_flag("--two-or-more", two_or_more,
                       "only children who have had two or more placements, with each of them (for service managers)");
  add_json(placements);

  auto* request = app.add_subcommand("request-meeting", "ask for a Placement Support or Pre-disruption meeting");
  std::string placement, type, reason, identified_at;
  request->add_option("--placement", placement)->required();
  request->add_option("--type", type, "support or pre-disruption")->required();
  request->add_option("--reason", reason, "why the placement needs support")->required();
  request->add_option("--identified-at", identified_at, "when the need was identified (UK time); default now");

  auto* meetings = app.add_subcommand("meetings", "meetings, with deadlines");
  add_json(meetings);

  auto* view = app.add_subcommand("record-view", "record someone's views for a meeting");
  std::string meeting, subject, text;
  bool professionals_only = false, share_with_carers = false;
  view->add_option("--meeting", meeting)->required();
  view->add_option("--subject", subject, model::spellings_of_view_subject())->required();
  std::string sought_on;
  view->add_option("--text", text, "the views, in their words");
  view->add_option("--sought-on", sought_on, "YYYY-MM-DD: views were asked for then and none given (e.g. the IRO's)");
  view->add_flag("--professionals-only", professionals_only,
                 "never shown to the foster carers (the default for the child's views recorded by a professional)");
  view->add_flag("--share-with-carers", share_with_carers,
                 "the child's views recorded by a professional: show them to the foster carers too");

  auto* add_action = app.add_subcommand("add-action", "agree an action: owner and due date required");
  std::string owner, due;
  add_action->add_option("--meeting", meeting)->required();
  add_action->add_option("--owner", owner, "the person's name (psm people) or id")->required();
  add_action->add_option("--due", due, "YYYY-MM-DD")->required();
  add_action->add_option("--text", text)->required();

  auto* update = app.add_subcommand("update-action", "move an action to a new status");
  std::string action_id, status_name, note;
  update->add_option("ID", action_id)->required();
  update->add_option("--status", status_name, model::spellings_of_action_status())->required();
  update->add_option("--note", note);

  auto* edit = app.add_subcommand("edit-action", "change an action's text, due date or owner");
  std::optional<std::string> edit_text, edit_due, edit_owner;
  edit->add_option("ID", action_id)->required();
  edit->add_option("--text", edit_text);
  edit->add_option("--due", edit_due, "YYYY-MM-DD");
  edit->add_option("--owner", edit_owner, "the person's name (psm people) or id");

  auto* actions = app.add_subcommand("actions", "actions and their updates");
  add_json(actions);
  auto* people = app.add_subcommand("people", "people on this device: name, role, team; to find someone by name");
  std::string people_role, people_search;
  people->add_option("--role", people_role, model::spellings_of_role());
  people->add_option("--search", people_search, "part of the name (any case)");
  add_json(people);
  auto* concerns = app.add_subcommand("concerns", "concerns about carers' conduct (professionals only)");
  add_json(concerns);
  auto* short_breaks = app.add_subcommand("short-breaks", "short breaks (respite): dates, nights, with whom");
  std::string short_breaks_placement;
  short_breaks->add_option("PLACEMENT", short_breaks_placement, "only this placement's (psm placements)");
  add_json(short_breaks);
  auto* conflicts = app.add_subcommand("conflicts", "changes made at the same time on two devices");
  add_json(conflicts);
  auto* resolve = app.add_subcommand("resolve", "settle a conflict");
  std::string conflict_id, keep;
  resolve->add_option("CONFLICT_ID", conflict_id)->required();
  resolve->add_option("--keep", keep, "mine, theirs, current or other")->required();

  MeetingCommands meeting_commands;
  add_meeting_commands(app, meeting_commands, add_json);

  auto* receipt =
      app.add_subcommand("receipt", "the server's signed receipt for one of your operations: what it received, when");
  std::string receipt_op;
  receipt->add_option("OP_ID", receipt_op, "operation id (psm status lists them)")->required();
  add_json(receipt);
  auto* receipts = app.add_subcommand("receipts", "receipts for your operations, newest first");
  std::size_t receipts_last = 20;
  std::string receipts_record, receipts_child;
  receipts->add_option("--last", receipts_last, "at most this many (0: all; default 20)");
  receipts->add_option("--record", receipts_record, "only those for this record id (a meeting, action, view…)");
  receipts->add_option("--child", receipts_child,
                       "only those for operations that wrote this child's records (child id)");
  add_json(receipts);

  // The other front ends (the local app): their subcommands, in the order given.
  std::vector<CLI::App*> front_end_commands;
  for (const auto& f : front_ends) front_end_commands.push_back(f.add(app));

  auto* change_passphrase =
      app.add_subcommand("change-passphrase", "re-protect this device's copy with a new passphrase");

  auto* deadline = app.add_subcommand(
      "deadline", "when a meeting must be held by, counting working days (with --home: the calendar the server sent)");
  std::string deadline_type, deadline_from;
  deadline->add_option("--type", deadline_type, model::spellings_of_meeting_type())->required();
  deadline
      ->add_option("--from", deadline_from, "when the need was identified: YYYY-MM-DDTHH:MM (UK time), or …Z for UTC")
      ->required();
  add_json(deadline);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  // Without --home, before anything that touches the replica: no passphrase.
  if (*deadline && home_option->count() == 0) return cmd_deadline(nullptr, deadline_type, deadline_from, as_json);
  if (home_option->count() == 0) return fail(kExitUsage, "--home is required");

  Session s;
  s.home = HomePaths(home);
  try {
    if (*enrol) return cmd_enrol(s, server, ca, username, device_name, pin);
    if (*change_passphrase) return cmd_change_passphrase(s);
    for (std::size_t i = 0; i < front_ends.size(); ++i) {
      if (*front_end_commands[i]) return front_ends[i].run(s.home);
    }
    if (int rc = s.open(); rc != kExitOk) return rc;
    if (*deadline) return cmd_deadline(&s, deadline_type, deadline_from, as_json);
    if (*sync) return cmd_sync(s, live, live_seconds, retry_for);
    if (*login) return cmd_login(s);
    // Everything else reads or changes the copy: past the server's limit on
    // days offline, only status (to see why) still works.
    if (int rc = s.check_days_offline(/*enforce=*/!*status); rc != kExitOk) return rc;
    if (*status) return cmd_status(s, as_json);
    if (*placements) return two_or_more ? cmd_two_or_more_placements(s, as_json) : cmd_placements(s, as_json);
    if (*request) return cmd_request_meeting(s, placement, type, reason, identified_at);
    if (*meetings) return cmd_meetings(s, as_json);
    if (*view) return cmd_record_view(s, meeting, subject, text, professionals_only, share_with_carers, sought_on);
    if (*add_action) return cmd_add_action(s, meeting, owner, due, text);
    if (*update) return cmd_update_action(s, action_id, status_name, note);
    if (*edit) return cmd_edit_action(s, action_id, edit_text, edit_due, edit_owner);
    if (*actions) return cmd_actions(s, as_json);
    if (*people) return cmd_people(s, people_role, people_search, as_json);
    if (*concerns) return cmd_concerns(s, as_json);
    if (*short_breaks) return cmd_short_breaks(s, short_breaks_placement, as_json);
    if (*conflicts) return cmd_conflicts(s, as_json);
    if (*resolve) return cmd_resolve(s, conflict_id, keep);
    if (*receipt) return cmd_receipt(s, receipt_op, as_json);
    if (*receipts) return cmd_receipts(s, receipts_last, receipts_record, receipts_child, as_json);
    if (auto rc = run_meeting_command(s, meeting_commands, as_json)) return *rc;
  } catch (const StoreError& e) {
    // A write refused part-way (disk full) or damage found while reading:
    // the transaction in progress is rolled back, so what was queued before
    // stays queued.
    if (e.code() == Errc::io_error) {
      return fail(kExitStorage, storage_refused_message(e.what()));
    }
    if (e.code() == Errc::corrupt_data) {
      return fail(kExitDamagedReplica, "the replica in " + home.string() + " is damaged: " + e.what());
    }
    return fail(kExitFailure, e.what());
  } catch (const std::exception& e) {
    return fail(kExitFailure, e.what());
  }
  return kExitUsage;
}

}  // namespace psm::client
