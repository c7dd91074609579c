// What the psm commands share: the session (home directory and open
// replica), connecting to the server, exit codes, and presentation helpers.
// Internal to the CLI.
#pragma once

#include "client/cli.hpp"
#include "client/cli_operations.hpp"
#include "client/net/websocket_client.hpp"
#include "client/replica/replica.hpp"
#include "client/sync/sync_engine.hpp"

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>

namespace psm::client::cli {

// State shared by the commands of one invocation.
struct Session {
  HomePaths home{"."};
  std::unique_ptr<Replica> replica;

  // Opens the replica with the passphrase (PSM_PASSPHRASE or a prompt); on
  // failure prints why and returns the exit code.
  int open();
  // The server's limit on days without a sync: warns in the last three days;
  // past it, when `enforce`, prints why and returns kExitOfflineTooLong.
  int check_days_offline(bool enforce);
};

struct Connected {
  std::unique_ptr<net::WebSocketClient> client;
  std::unique_ptr<Transport> transport;
};

std::string passphrase_from_env_or_prompt(const char* prompt = "Passphrase for this device: ");
// Prints "psm: message" to stderr and returns `code`.
int fail(int code, const std::string& message);
int exit_code_for(const error_code& ec);
// What to say when this device's storage refused a write (exit 11): a full
// disk, and that nothing already saved was lost. `detail` (SQLite's words) is
// added in brackets when not empty.
std::string storage_refused_message(const std::string& detail);
Result<ClientConfig> read_config(const HomePaths& home);
// `pin`: the server key's pin (config.json), or "" for none.
std::variant<Connected, SyncError> connect(const HomePaths& home, const std::string& url, const std::string& pin = {});

std::string name_of(Replica& r, std::string_view person_id);
std::string ms_field_local(const model::Record& rec, std::string_view field);
std::string ms_field_utc(const model::Record& rec, std::string_view field);
// (collection, id) → "waiting to send" | "sent" for records touched by unsent work.
std::map<std::pair<std::string, std::string>, std::string> record_sync_states(Replica& r);
std::string sync_state_of(const std::map<std::pair<std::string, std::string>, std::string>& states,
                          const model::Record& rec);
void print_json(const boost::json::value& v);
// A JSON string's text (streaming a json::string would print it quoted).
std::string str(const boost::json::value& v);
// "?" for a name that is not known on this device.
inline std::string or_unknown(std::string s) { return s.empty() ? "?" : s; }
// Prints what was saved, or the refusal with exit code 7.
int report_outcome(const ops::Outcome& o, const std::string& what, const std::string& id, Replica& r);
// Submits a prepared operation and reports the outcome; a malformed request
// prints why and returns its exit code, storing nothing.
int submit_and_report(Replica& r, const Prepared& prepared);

}  // namespace psm::client::cli
