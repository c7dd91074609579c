// The psm commands for running a meeting: scheduling, invitations, attendance,
// agenda notes, finalising the minutes, permanence matches, notifications.
#pragma once

#include "client/cli/common.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace psm::client::cli {

struct MeetingCommands {
  CLI::App* schedule = nullptr;
  CLI::App* invite = nullptr;
  CLI::App* child_not_invited = nullptr;
  CLI::App* attendance = nullptr;
  CLI::App* agenda_note = nullptr;
  CLI::App* finalise = nullptr;
  CLI::App* permanence = nullptr;
  CLI::App* show = nullptr;
  CLI::App* notifications = nullptr;
  CLI::App* concern = nullptr;
  CLI::App* short_break = nullptr;
  CLI::App* support_item = nullptr;
  CLI::App* child_told = nullptr;
  CLI::App* pd_outcome = nullptr;
  CLI::App* plan = nullptr;
  CLI::App* panel_requests = nullptr;
  CLI::App* panel_decision = nullptr;
  CLI::App* held = nullptr;
  CLI::App* cancel = nullptr;
  CLI::App* move = nullptr;
  CLI::App* change_chair = nullptr;
  CLI::App* csw_report = nullptr;
  bool professionals_only = false, share_with_carers = false;
  bool needs_panel = false, approve = false, decline = false;
  bool planned_ending = false;

  std::string meeting_id, invitation_id, at, location, minute_taker, person, name, organisation, reason, social_worker,
      fostering, status, item, text, review_date, review_reason, placement, agreed_on, from, to, with_whom, kind,
      provider, frequency, told_on, future_contact, carers_support_move, lessons, request_id;
  std::string attendee, attendance_status;  // record-attendance MEETING_ID "NAME" STATUS
};

void add_meeting_commands(CLI::App& app, MeetingCommands& m, const std::function<void(CLI::App*)>& add_json);

// Runs the meeting command that was given, or nullopt when none was.
std::optional<int> run_meeting_command(Session& s, const MeetingCommands& m, bool as_json);

}  // namespace psm::client::cli
