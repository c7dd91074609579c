#include "client/cli.hpp"
#include "client/cli_common.hpp"
#include "client/cli_meetings.hpp"

#include "client/deadline_report.hpp"
#include "client/net/websocket_client.hpp"
#include "client/net/websocket_transport.hpp"
#include "client/replica/replica.hpp"
#include "client/sync/progress.hpp"
#include "client/sync/sync_engine.hpp"
#include "common/limits.hpp"
#include "common/model/ids.hpp"
#include "common/platform/platform.hpp"
#include "common/policy/calendar.hpp"
#include "common/protocol/messages.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

namespace psm::client {
namespace {

using namespace cli;

namespace fs = std::filesystem;
namespace json = boost::json;
using model::Record;
namespace col = model::collection;

// --- commands

int cmd_enrol(Session& s, const std::string& server, const fs::path& ca, const std::string& username,
              std::string device_name) {
  if (fs::exists(s.home.wrapped_key())) {
    return fail(kExitUsage, s.home.root.string() + " already holds a replica; use another --home");
  }
  if (!fs::exists(ca)) return fail(kExitUsage, "no CA certificate at " + ca.string());
  std::string password;
  if (const char* env = std::getenv("PSM_PASSWORD")) {
    password = env;
  } else {
    password = platform::read_secret("Password: ");
  }
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
  fs::copy_file(ca, s.home.ca(), fs::copy_options::overwrite_existing, fs_ec);
  if (fs_ec) return fail(kExitFailure, "cannot copy the CA certificate into " + s.home.root.string());
  auto connected = connect(s.home, server);
  if (auto* e = std::get_if<SyncError>(&connected)) {
    fs::remove(s.home.ca(), fs_ec);
    return fail(exit_code_for(e->code), e->message);
  }
  auto& c = std::get<Connected>(connected);
  auto created = Replica::create(s.home, passphrase);
  if (!created) return fail(kExitFailure, "cannot create the replica: " + created.error().message());
  s.replica = std::move(*created);
  if (auto e = enrol_device(*s.replica, *c.transport, username, password, device_name)) {
    s.replica.reset();
    Replica::wipe(s.home);
    return fail(exit_code_for(e->code), e->message);
  }
  {
    json::object cfg{{"server_url", server}, {"username", username}};
    std::ofstream out(s.home.config());
    out << json::serialize(cfg) << "\n";
  }
  SyncReport report;
  if (auto e = sync_once(*s.replica, *c.transport, report)) return fail(exit_code_for(e->code), e->message);
  s.replica->set_meta("last_sync_ms", std::to_string(model::HlcClock::system_now_millis()));
  std::cout << "enrolled this device as " << s.replica->meta("display_name").value_or(username) << " ("
            << s.replica->meta("role").value_or("") << "); " << report.pulled << " records received\n";
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
  if (err) {
    if (err->code == Errc::device_revoked) {
      s.replica.reset();
      Replica::wipe(s.home);
      return fail(kExitRevoked, "this device has been revoked by an administrator; its copy has been wiped");
    }
    const auto kept = s.replica->pending_count();
    return fail(exit_code_for(err->code), err->message + "; " + std::to_string(kept) +
                                              " change(s) are kept on this device and will be sent next time");
  }
  s.replica->set_meta("last_sync_ms", std::to_string(model::HlcClock::system_now_millis()));
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

volatile std::sig_atomic_t g_stop = 0;

int cmd_sync(Session& s, bool live, int live_seconds) {
  auto config = read_config(s.home);
  if (!config) return fail(kExitNotEnrolled, "this device is not enrolled");
  auto connected = connect(s.home, config->server_url);
  if (auto* e = std::get_if<SyncError>(&connected)) {
    const auto kept = s.replica->pending_count();
    return fail(exit_code_for(e->code), e->message + "; " + std::to_string(kept) +
                                            " change(s) are kept on this device and will be sent next time");
  }
  auto& c = std::get<Connected>(connected);
  int rc = do_sync(s, *c.transport, false);
  if (rc != kExitOk || !live) return rc;
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(live_seconds > 0 ? live_seconds : 1 << 30);
  std::cout << "live: waiting for changes (Ctrl-C to stop)" << std::endl;
  while (!g_stop && std::chrono::steady_clock::now() < until) {
    auto poked = wait_for_poke(*c.transport, std::chrono::milliseconds(500));
    if (!poked) return fail(kExitUnreachable, "the connection to the server was lost");
    if (*poked) {
      rc = do_sync(s, *c.transport, false);
      if (rc != kExitOk) return rc;
    }
  }
  return kExitOk;
}

int cmd_status(Session& s, bool as_json) {
  auto config = read_config(s.home);
  auto& r = *s.replica;
  const auto entries = r.outbox();
  std::size_t waiting = 0;
  for (const auto& e : entries) waiting += (e.state == OpState::queued || e.state == OpState::sent) ? 1 : 0;
  const auto last_sync = r.meta("last_sync_ms");
  if (as_json) {
    json::array ops;
    for (const auto& e : entries) {
      ops.push_back({{"op_id", e.op_id}, {"kind", e.kind}, {"state", to_string(e.state)}, {"reason", e.reason},
                     {"created_at", policy::format_utc(e.created_at_ms)}});
    }
    print_json(json::object{{"person_id", r.meta("person_id").value_or("")},
                            {"name", r.meta("display_name").value_or("")},
                            {"role", r.meta("role").value_or("")},
                            {"device_id", r.meta("device_id").value_or("")},
                            {"server", config ? config->server_url : ""},
                            {"last_sync", last_sync ? policy::format_utc(std::stoull(*last_sync)) : ""},
                            {"waiting_to_send", waiting},
                            {"records", r.record_count()},
                            {"operations", ops}});
    return kExitOk;
  }
  std::cout << "signed in as " << r.meta("display_name").value_or("?") << " (" << r.meta("role").value_or("?")
            << ")\nserver: " << (config ? config->server_url : "?") << "\nlast sync: "
            << (last_sync ? policy::format_local_datetime(std::stoull(*last_sync)) : "never") << "\nrecords on this device: "
            << r.record_count() << "\nchanges waiting to send: " << waiting << "\n";
  for (const auto& e : entries) {
    if (e.state == OpState::rejected || e.state == OpState::conflict) {
      std::cout << "  " << to_string(e.state) << ": " << e.kind << " " << e.op_id << ": " << e.reason << "\n";
    }
  }
  return kExitOk;
}

int cmd_placements(Session& s, bool as_json) {
  auto& r = *s.replica;
  json::array arr;
  for (const auto& p : r.list(col::kPlacements)) {
    auto child = r.get(col::kChildren, p.value("child_id"));
    auto household = r.get(col::kHouseholds, p.value("household_id"));
    json::object o{{"id", p.id},
                   {"child_id", p.value("child_id")},
                   {"child", child ? child->value("name") : ""},
                   {"household_id", p.value("household_id")},
                   {"household", household ? household->value("name") : ""},
                   {"type", p.value("type")},
                   {"start_date", p.value("start_date")},
                   {"end_date", p.value("end_date")}};
    if (as_json) {
      arr.push_back(std::move(o));
    } else {
      std::cout << p.id << "  " << (child ? child->value("name") : "?") << " with "
                << (household ? household->value("name") : "?") << " (" << p.value("type") << ", since "
                << p.value("start_date") << ")\n";
    }
  }
  if (as_json) print_json(arr);
  return kExitOk;
}

int cmd_request_meeting(Session& s, const std::string& placement, const std::string& type_name,
                        const std::string& reason, const std::string& identified_at) {
  auto type = model::parse_meeting_type(type_name);
  if (!type) return fail(kExitUsage, "--type must be support or pre-disruption");
  ops::RequestMeeting p;
  p.meeting_id = model::new_uuid_v7();
  p.placement_id = placement;
  p.type = *type;
  p.reason = reason;
  if (!identified_at.empty()) {
    auto t = policy::parse_local_datetime(identified_at);
    if (!t) return fail(kExitUsage, "--identified-at must be YYYY-MM-DDTHH:MM (UK time)");
    p.identified_at_ms = *t;
  }
  auto outcome = s.replica->submit(p);
  int rc = report_outcome(outcome, "requested meeting", p.meeting_id, *s.replica);
  if (rc == kExitOk) {
    auto m = s.replica->get(col::kMeetings, p.meeting_id);
    if (m) std::cout << "to be held by " << ms_field_local(*m, "deadline_ms") << "\n";
  }
  return rc;
}

int cmd_meetings(Session& s, bool as_json) {
  auto& r = *s.replica;
  auto states = record_sync_states(r);
  json::array arr;
  const auto now = model::HlcClock::system_now_millis();
  for (const auto& m : r.list(col::kMeetings)) {
    const auto deadline = m.value("deadline_ms");
    const bool overdue = !deadline.empty() && m.value("status") == "requested" && std::stoull(deadline) < now;
    if (as_json) {
      arr.push_back({{"id", m.id},
                     {"placement_id", m.value("placement_id")},
                     {"type", m.value("type")},
                     {"status", m.value("status")},
                     {"reason", m.value("reason")},
                     {"requested_by", m.value("requested_by")},
                     {"requested_at", ms_field_utc(m, "requested_at_ms")},
                     {"identified_at", ms_field_utc(m, "identified_at_ms")},
                     {"deadline", ms_field_utc(m, "deadline_ms")},
                     {"overdue", overdue},
                     {"chair_id", m.value("chair_id")},
                     {"sync_state", sync_state_of(states, m)}});
    } else {
      std::cout << m.id << "  " << m.value("type") << " meeting, " << m.value("status") << ", due by "
                << ms_field_local(m, "deadline_ms") << (overdue ? " (OVERDUE)" : "") << "  ["
                << sync_state_of(states, m) << "]\n    placement " << m.value("placement_id") << ", requested by "
                << name_of(r, m.value("requested_by")) << ": " << m.value("reason") << "\n";
      for (const auto& v : r.list(col::kViews)) {
        if (v.value("meeting_id") != m.id) continue;
        std::cout << "    views (" << v.value("subject") << ", recorded by " << name_of(r, v.value("recorded_by"))
                  << "): " << v.value("text") << "\n";
      }
    }
  }
  if (as_json) print_json(arr);
  return kExitOk;
}

int cmd_record_view(Session& s, const std::string& meeting, const std::string& subject_name, const std::string& text,
                    bool professionals_only, const std::string& sought_on) {
  auto subject = model::parse_view_subject(subject_name);
  if (!subject) return fail(kExitUsage, "--subject must be one of " + model::spellings_of_view_subject());
  ops::RecordView p{model::new_uuid_v7(), meeting, *subject, text, professionals_only, sought_on};
  return report_outcome(s.replica->submit(p), "recorded views", p.view_id, *s.replica);
}

int cmd_add_action(Session& s, const std::string& meeting, const std::string& owner, const std::string& due,
                   const std::string& text) {
  ops::AddAction p{model::new_uuid_v7(), meeting, owner, due, text};
  return report_outcome(s.replica->submit(p), "added action", p.action_id, *s.replica);
}

int cmd_update_action(Session& s, const std::string& id, const std::string& status_name, const std::string& note) {
  auto to = model::parse_action_status(status_name);
  if (!to) return fail(kExitUsage, "--status must be one of " + model::spellings_of_action_status());
  auto action = s.replica->get(col::kActions, id);
  if (!action) return fail(kExitRefused, "no action " + id + " that you can see");
  auto from = model::parse_action_status(action->value("status")).value_or(model::ActionStatus::open);
  ops::UpdateActionStatus p{id, model::new_uuid_v7(), from, *to, note};
  return report_outcome(s.replica->submit(p), "updated action", id, *s.replica);
}

int cmd_edit_action(Session& s, const std::string& id, const std::optional<std::string>& text,
                    const std::optional<std::string>& due, const std::optional<std::string>& owner) {
  auto action = s.replica->get(col::kActions, id);
  if (!action) return fail(kExitRefused, "no action " + id + " that you can see");
  ops::EditAction p{id, text, due, owner};
  // The versions this person is looking at: a concurrent edit elsewhere is then detected.
  std::map<std::string, model::Version> base;
  for (const auto* f : {"text", "due_date", "owner_id"}) {
    auto it = action->fields.find(f);
    if (it != action->fields.end()) base[f] = it->second.version;
  }
  return report_outcome(s.replica->submit(p, base), "edited action", id, *s.replica);
}

int cmd_actions(Session& s, bool as_json) {
  auto& r = *s.replica;
  auto states = record_sync_states(r);
  json::array arr;
  for (const auto& a : r.list(col::kActions)) {
    if (as_json) {
      json::array updates;
      for (const auto& u : r.list(col::kActionUpdates)) {
        if (u.value("action_id") != a.id) continue;
        updates.push_back({{"id", u.id}, {"from", u.value("from")}, {"to", u.value("to")}, {"note", u.value("note")},
                           {"author_id", u.value("author_id")}, {"at", ms_field_utc(u, "at_ms")}});
      }
      arr.push_back({{"id", a.id},
                     {"meeting_id", a.value("meeting_id")},
                     {"owner_id", a.value("owner_id")},
                     {"owner", name_of(r, a.value("owner_id"))},
                     {"due_date", a.value("due_date")},
                     {"text", a.value("text")},
                     {"status", a.value("status")},
                     {"updates", updates},
                     {"sync_state", sync_state_of(states, a)}});
    } else {
      std::cout << a.id << "  [" << a.value("status") << "] due " << a.value("due_date") << ", owner "
                << name_of(r, a.value("owner_id")) << ": " << a.value("text") << "  [" << sync_state_of(states, a)
                << "]\n";
    }
  }
  if (as_json) print_json(arr);
  return kExitOk;
}

int cmd_conflicts(Session& s, bool as_json) {
  auto& r = *s.replica;
  json::array arr;
  for (const auto& c : r.list(col::kConflicts)) {
    if (as_json) {
      arr.push_back({{"id", c.id},
                     {"status", c.value("status")},
                     {"record", c.value("target_collection") + "/" + c.value("target_id")},
                     {"field", c.value("field")},
                     {"current", {{"value", c.value("kept_value")}, {"author_id", c.value("kept_author")},
                                  {"author", name_of(r, c.value("kept_author"))}, {"device", c.value("kept_device")}}},
                     {"other", {{"value", c.value("other_value")}, {"author_id", c.value("other_author")},
                                {"author", name_of(r, c.value("other_author"))}, {"device", c.value("other_device")}}},
                     {"detected_at", ms_field_utc(c, "detected_at_ms")}});
    } else {
      std::cout << c.id << "  [" << c.value("status") << "] " << c.value("target_collection") << " "
                << c.value("target_id") << " field " << c.value("field") << "\n    current: \"" << c.value("kept_value")
                << "\" by " << name_of(r, c.value("kept_author")) << "\n    other:   \"" << c.value("other_value")
                << "\" by " << name_of(r, c.value("other_author")) << "\n";
    }
  }
  if (as_json) print_json(arr);
  return kExitOk;
}

int cmd_resolve(Session& s, const std::string& id, const std::string& keep) {
  auto c = s.replica->get(col::kConflicts, id);
  if (!c) return fail(kExitRefused, "no conflict " + id + " that you can see");
  const auto me = s.replica->actor().person_id;
  ops::ResolveConflict p;
  p.conflict_id = id;
  if (keep == "current") {
    p.keep = ops::ResolveConflict::Keep::current;
  } else if (keep == "other") {
    p.keep = ops::ResolveConflict::Keep::other;
  } else if (keep == "mine" || keep == "theirs") {
    const bool current_is_mine = c->value("kept_author") == me;
    const bool other_is_mine = c->value("other_author") == me;
    if (current_is_mine == other_is_mine) {
      return fail(kExitUsage, "neither or both values are yours; use --keep current or --keep other");
    }
    const bool keep_mine = keep == "mine";
    p.keep = (keep_mine == current_is_mine) ? ops::ResolveConflict::Keep::current : ops::ResolveConflict::Keep::other;
  } else {
    return fail(kExitUsage, "--keep must be mine, theirs, current or other");
  }
  return report_outcome(s.replica->submit(p), "resolved conflict", id, *s.replica);
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

// Touches no replica and no personal data: a calculator for the R2 timescales.
int cmd_deadline(const std::string& type_name, const std::string& from, bool as_json) {
  auto type = model::parse_meeting_type(type_name);
  if (!type) return fail(kExitUsage, "--type must be one of " + model::spellings_of_meeting_type());
  auto from_ms = policy::parse_local_datetime(from);
  if (!from_ms) return fail(kExitUsage, "--from must be YYYY-MM-DDTHH:MM (UK time) or YYYY-MM-DDTHH:MMZ (UTC)");
  const DeadlineReport report = make_deadline_report(*type, *from_ms);
  if (as_json) {
    print_json(deadline_to_json(report));
  } else {
    std::cout << format_deadline_text(report) << "\n";
  }
  return kExitOk;
}

}  // namespace

int run_cli(int argc, char** argv) {
  platform::harden_process();
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

  auto* sync = app.add_subcommand("sync", "send waiting changes and receive new ones");
  bool live = false;
  int live_seconds = 0;
  sync->add_flag("--live", live, "stay connected and sync whenever something changes");
  sync->add_option("--live-seconds", live_seconds, "with --live: stop after this many seconds");

  auto* status = app.add_subcommand("status", "who, which server, last sync, changes waiting or refused");
  add_json(status);
  auto* placements = app.add_subcommand("placements", "placements you can see");
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
  bool professionals_only = false;
  view->add_option("--meeting", meeting)->required();
  view->add_option("--subject", subject, model::spellings_of_view_subject())->required();
  std::string sought_on;
  view->add_option("--text", text, "the views, in their words");
  view->add_option("--sought-on", sought_on, "YYYY-MM-DD: views were asked for then and none given (e.g. the IRO's)");
  view->add_flag("--professionals-only", professionals_only, "never shown to the foster carer");

  auto* add_action = app.add_subcommand("add-action", "agree an action: owner and due date required");
  std::string owner, due;
  add_action->add_option("--meeting", meeting)->required();
  add_action->add_option("--owner", owner, "person id")->required();
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
  edit->add_option("--owner", edit_owner, "person id");

  auto* actions = app.add_subcommand("actions", "actions and their updates");
  add_json(actions);
  auto* conflicts = app.add_subcommand("conflicts", "changes made at the same time on two devices");
  add_json(conflicts);
  auto* resolve = app.add_subcommand("resolve", "settle a conflict");
  std::string conflict_id, keep;
  resolve->add_option("CONFLICT_ID", conflict_id)->required();
  resolve->add_option("--keep", keep, "mine, theirs, current or other")->required();

  MeetingCommands meeting_commands;
  add_meeting_commands(app, meeting_commands, add_json);

  auto* change_passphrase = app.add_subcommand("change-passphrase", "re-protect this device's copy with a new passphrase");

  auto* deadline = app.add_subcommand("deadline", "when a meeting must be held by, counting working days (no --home needed)");
  std::string deadline_type, deadline_from;
  deadline->add_option("--type", deadline_type, model::spellings_of_meeting_type())->required();
  deadline->add_option("--from", deadline_from, "when the need was identified: YYYY-MM-DDTHH:MM (UK time), or …Z for UTC")
      ->required();
  add_json(deadline);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  // Before anything that touches the replica: no passphrase, no home directory.
  if (*deadline) return cmd_deadline(deadline_type, deadline_from, as_json);
  if (home_option->count() == 0) return fail(kExitUsage, "--home is required");

  Session s;
  s.home = HomePaths(home);
  try {
    if (*enrol) return cmd_enrol(s, server, ca, username, device_name);
    if (*change_passphrase) return cmd_change_passphrase(s);
    if (int rc = s.open(); rc != kExitOk) return rc;
    if (*sync) return cmd_sync(s, live, live_seconds);
    if (*status) return cmd_status(s, as_json);
    if (*placements) return cmd_placements(s, as_json);
    if (*request) return cmd_request_meeting(s, placement, type, reason, identified_at);
    if (*meetings) return cmd_meetings(s, as_json);
    if (*view) return cmd_record_view(s, meeting, subject, text, professionals_only, sought_on);
    if (*add_action) return cmd_add_action(s, meeting, owner, due, text);
    if (*update) return cmd_update_action(s, action_id, status_name, note);
    if (*edit) return cmd_edit_action(s, action_id, edit_text, edit_due, edit_owner);
    if (*actions) return cmd_actions(s, as_json);
    if (*conflicts) return cmd_conflicts(s, as_json);
    if (*resolve) return cmd_resolve(s, conflict_id, keep);
    if (auto rc = run_meeting_command(s, meeting_commands, as_json)) return *rc;
  } catch (const std::exception& e) {
    return fail(kExitFailure, e.what());
  }
  return kExitUsage;
}

}  // namespace psm::client
