// What the psm commands share: the session (home directory and open
// replica), exit codes for errors, and printing. Internal to the CLI; what it
// shares with the app is in client/core.
#pragma once

#include "client/cli/cli.hpp"
#include "client/core/connection.hpp"
#include "client/core/intents/intents.hpp"
#include "client/replica/replica.hpp"

#include <boost/json.hpp>

#include <memory>
#include <optional>
#include <string>

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

std::string passphrase_from_env_or_prompt(const char* prompt = "Passphrase for this device: ");
int exit_code_for(const error_code& ec);
// What to say when this device's storage refused a write (exit 11): a full
// disk, and that nothing already saved was lost. `detail` (SQLite's words) is
// added in brackets when not empty.
std::string storage_refused_message(const std::string& detail);
void print_json(const boost::json::value& v);
// A JSON string's text (streaming a json::string would print it quoted).
std::string str(const boost::json::value& v);
// "?" for a name that is not known on this device.
inline std::string or_unknown(std::string s) { return s.empty() ? "?" : s; }
// Prints what was saved, or the refusal with exit code 7.
int report_outcome(const ops::Outcome& o, const std::string& what, const std::string& id, Replica& r);
// Replaces `text` (a person's name or id, for `option`) with that person's
// id (views::resolve_person); when it names no one, or could be several,
// prints why and returns the exit code (kExitUsage).
std::optional<int> to_person_id(Replica& r, std::string_view option, std::string& text);
// The same for the date options: nullopt when `text` is a date, else the exit
// code after saying which form psm reads (intents::check_date).
std::optional<int> check_date_option(std::string_view option, const std::string& text);
// Submits a prepared operation and reports the outcome; a malformed request
// prints why and returns its exit code, storing nothing.
int submit_and_report(Replica& r, const intents::Prepared& prepared);

}  // namespace psm::client::cli
