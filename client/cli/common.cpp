#include "client/cli/common.hpp"

#include "client/core/views/people.hpp"
#include "common/model/hlc.hpp"
#include "common/platform/platform.hpp"

#include <iostream>

namespace psm::client::cli {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string passphrase_from_env_or_prompt(const char* prompt) {
  if (const char* env = std::getenv("PSM_PASSPHRASE")) return env;
  return platform::read_secret(prompt);
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
    return fail(kExitNotEnrolled, "no replica in " + home.root.string() + "; run: psm --home " + home.root.string() +
                                      " enrol --server wss://HOST:PORT --ca FILE --username U");
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
    return fail(exit_code_for(r.error()),
                "cannot open the replica in " + home.root.string() + ": " + r.error().message());
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

void print_json(const json::value& v) { std::cout << json::serialize(v) << "\n"; }

std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

std::optional<int> to_person_id(Replica& r, std::string_view option, std::string& text) {
  auto who = views::resolve_person(r, option, text);
  if (const auto* bad = std::get_if<intents::InvalidRequest>(&who)) return fail(bad->exit_code, bad->message);
  text = std::get<std::string>(std::move(who));
  return std::nullopt;
}

std::optional<int> check_date_option(std::string_view option, const std::string& text) {
  if (auto bad = intents::check_date(option, text)) return fail(bad->exit_code, bad->message);
  return std::nullopt;
}

int submit_and_report(Replica& r, const intents::Prepared& prepared) {
  if (const auto* invalid = std::get_if<intents::InvalidRequest>(&prepared)) {
    return fail(invalid->exit_code, invalid->message);
  }
  const auto& op = std::get<intents::PreparedOperation>(prepared);
  return report_outcome(r.submit(op.payload, op.base), op.what, op.id, r);
}

int report_outcome(const ops::Outcome& o, const std::string& what, const std::string& id, Replica& r) {
  if (!o.ok()) return fail(o.code == Errc::not_enrolled ? kExitNotEnrolled : kExitRefused, o.reason);
  std::cout << what << " " << id << " (saved on this device; " << r.pending_count() << " change(s) waiting to send)\n";
  if (!o.reason.empty()) std::cout << "note: " << o.reason << "\n";  // e.g. a short break over two weeks
  return kExitOk;
}

}  // namespace psm::client::cli
