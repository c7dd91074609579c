// Turning what a person asked for into an operation for the replica's outbox:
// parse and check the words and dates they gave, fill in new ids, and pick the
// versions an edit is based on. The CLI commands and the local app's API both
// go through these, then Replica::submit(); neither builds operations itself.
//
// Pure functions of their arguments, apart from those taking a Replica, which
// only read it.
#pragma once

#include "client/core/exit_codes.hpp"
#include "client/replica/replica.hpp"

#include <map>
#include <optional>
#include <string>
#include <variant>

namespace psm::client::intents {

struct PreparedOperation {
  ops::Payload payload;
  std::map<std::string, model::Version> base;  // for edits: the versions the person was looking at
  std::string id;                              // the record it creates or changes
  std::string what;                            // e.g. "requested meeting", for the confirmation
};

// The request was malformed (`exit_code` kExitUsage) or names nothing this
// person can see (kExitRefused). `message` says which and how to fix it.
struct InvalidRequest {
  int exit_code = 0;
  std::string message;
};

using Prepared = std::variant<PreparedOperation, InvalidRequest>;

// Every date a person gives is read by policy::parse_date (YYYY-MM-DD): one
// it cannot read is a usage error (exit 2) naming `option` and the form, not
// a refusal by the rules. Nothing when `text` is a date.
std::optional<InvalidRequest> check_date(std::string_view option, const std::string& text);

Prepared prepare_request_meeting(const std::string& placement, const std::string& type_name, const std::string& reason,
                                 const std::string& identified_at);
// The child's views recorded by a professional are professionals-only unless
// `share_with_carers` (the rule is in ops::apply()); any views may be marked
// `professionals_only`. Both together are refused (exit 2).
Prepared prepare_record_view(const std::string& meeting, const std::string& subject_name, const std::string& text,
                             bool professionals_only, bool share_with_carers, const std::string& sought_on);
Prepared prepare_add_action(const std::string& meeting, const std::string& owner, const std::string& due,
                            const std::string& text);
Prepared prepare_update_action(Replica& r, const std::string& id, const std::string& status_name,
                               const std::string& note);
Prepared prepare_edit_action(Replica& r, const std::string& id, const std::optional<std::string>& text,
                             const std::optional<std::string>& due, const std::optional<std::string>& owner);
// keep: mine, theirs, current or other.
Prepared prepare_resolve_conflict(Replica& r, const std::string& id, const std::string& keep);
Prepared prepare_schedule_meeting(const std::string& meeting, const std::string& at, const std::string& location,
                                  const std::string& minute_taker);
Prepared prepare_record_attendance(const std::string& invitation, const std::string& status);
// As for views: notes under "The child's views" are professionals-only unless
// `share_with_carers`; any note may be marked `professionals_only`; not both.
Prepared prepare_agenda_note(const std::string& meeting, const std::string& item, const std::string& text,
                             bool professionals_only = false, bool share_with_carers = false);
Prepared prepare_finalise_minutes(const std::string& meeting, const std::string& review_date,
                                  const std::string& review_reason);
Prepared prepare_support_item(const std::string& meeting, const std::string& kind, const std::string& text,
                              const std::string& provider, const std::string& frequency, bool professionals_only,
                              bool needs_panel = false);
// The meeting took place at `at` ("YYYY-MM-DD HH:MM", UK time), somewhere
// else when `location` is given.
Prepared prepare_record_held(const std::string& meeting, const std::string& at, const std::string& location);
// A new time (and, when given, place) for a booked meeting.
Prepared prepare_move_meeting(const std::string& meeting, const std::string& at, const std::string& location);

}  // namespace psm::client::intents
