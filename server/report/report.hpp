// `psm-server report`: what managers read to oversee the workflow, computed
// from the server's store with the same rules the devices run.
//   timeliness — each meeting request's deadline (R2) and whether it was met;
//   actions    — open actions with owners and due dates, overdue ones marked (R8);
//   tracking   — children with 2 placements and carers with 2 unplanned
//                endings in 12 months (R14).
// Each report is built as plain data, then rendered as a text table for people
// or as JSON for programs (fields in docs/operations.md). The output names
// children and carers: it is for the managers who may see every case.
#pragma once

#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"
#include "common/policy/tracking.hpp"
#include "server/store/server_store.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace psm::server::report {

// --- timeliness (R2)

struct MeetingTimeliness {
  std::string meeting_id;
  std::string placement_id;
  std::string child_id;
  std::string child;  // name
  std::string type;
  std::string status;
  std::uint64_t identified_at_ms = 0;
  std::uint64_t deadline_ms = 0;
  std::optional<std::uint64_t> scheduled_for_ms;
  std::optional<std::uint64_t> held_at_ms;  // recorded with record-held; a booked meeting is not held
  std::string cancelled_reason;             // when cancelled: why
  policy::DeadlineState state = policy::DeadlineState::pending;
};

struct Timeliness {
  std::uint64_t as_at_ms = 0;
  std::vector<MeetingTimeliness> meetings;  // by deadline, earliest first
  std::size_t met = 0, missed = 0, pending = 0;
};

Timeliness timeliness(ServerStore& store, std::uint64_t now_ms);

// --- actions (R8)

enum class ActionGrouping { placement, team };

struct OpenAction {
  std::string action_id;
  std::string meeting_id;
  std::string placement_id;
  std::string child;  // name
  std::string owner_id;
  std::string owner;  // name
  std::string team;   // the owner's team, or "no team (ROLE)"
  std::string due_date;
  std::string status;
  std::string text;
  int working_days_overdue = 0;  // 0: not overdue
  int escalation_level = 0;      // ladder steps already notified
};

struct ActionGroup {
  std::string key;                  // a placement id or a team name
  std::vector<OpenAction> actions;  // by due date
};

struct OpenActions {
  policy::Date today;
  ActionGrouping by = ActionGrouping::placement;
  std::vector<ActionGroup> groups;  // by key
  std::size_t open = 0, overdue = 0;
};

// Actions still open or in progress on `today`; overdue ones are counted in
// working days with the calendar in force.
OpenActions open_actions(ServerStore& store, const policy::Date& today, ActionGrouping by);

// --- tracking (R14)

struct Tracking {
  policy::StabilityTracking flags;
  std::map<std::string, std::string> names;  // child and household ids → names
};

Tracking tracking(ServerStore& store, const policy::Date& today);

// --- rendering

std::string to_text(const Timeliness&);
std::string to_text(const OpenActions&);
std::string to_text(const Tracking&);
boost::json::value to_json(const Timeliness&);
boost::json::value to_json(const OpenActions&);
boost::json::value to_json(const Tracking&);

// --- the command

struct ReportRequest {
  std::string kind;                   // "timeliness", "actions" or "tracking"
  std::string by = "placement";       // actions: "placement" or "team"
  std::optional<policy::Date> today;  // report as at the end of this UK day; default: now
  bool as_json = false;
};

// Writes one report to `out` (JSON: one value on one line). Returns false, with
// `error` saying why and nothing written, when the request names an unknown
// report or grouping.
bool write_report(ServerStore& store, const ReportRequest& request, std::uint64_t now_ms, std::ostream& out,
                  std::string& error);

}  // namespace psm::server::report
