// Intent-level operations: what a person did ("requested a support meeting"),
// not which rows changed. A device applies an operation to its replica at once
// and queues it; the server applies it exactly once with the same apply()
// (common/ops/apply.hpp). Each payload is a plain struct, versioned with cereal
// from its first release; `schema_version` on the envelope lets the server
// upgrade operations from older clients.
#pragma once

#include "common/model/domain.hpp"
#include "common/model/hlc.hpp"

#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/variant.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace psm::ops {

// Ask for a Placement Support Meeting or a Pre-disruption meeting.
struct RequestMeeting {
  std::string meeting_id;  // made on the device
  std::string placement_id;
  model::MeetingType type = model::MeetingType::support;
  std::string reason;
  std::uint64_t identified_at_ms = 0;  // when the need was identified (defaults to now)

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(meeting_id, placement_id, type, reason, identified_at_ms);
  }
};

// Record someone's views for a meeting. Append-only: a correction is a new view.
// Version 2 adds "views sought, none given" (R6: the IRO's views may be
// recorded as sought on a date with no reply). Version 3 adds the choice to
// share the child's views with the carers: the child's views recorded by a
// professional are professionals-only unless `share_with_carers` (the rule is
// in apply(), so an operation from before version 3 reads as not shared).
// Setting both flags is refused.
struct RecordView {
  std::string view_id;
  std::string meeting_id;
  model::ViewSubject subject = model::ViewSubject::child;
  std::string text;
  bool professionals_only = false;
  std::string sought_on;           // YYYY-MM-DD when views were asked for and none given; text may then be empty
  bool share_with_carers = false;  // v3

  template <class A>
  void serialize(A& ar, std::uint32_t const version) {
    ar(view_id, meeting_id, subject, text, professionals_only);
    if (version >= 2) ar(sought_on);
    if (version >= 3) ar(share_with_carers);
  }
};

// Agree an action at a meeting: every action has an owner and a due date.
struct AddAction {
  std::string action_id;
  std::string meeting_id;
  std::string owner_id;  // a person id
  std::string due_date;  // YYYY-MM-DD
  std::string text;

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(action_id, meeting_id, owner_id, due_date, text);
  }
};

// Move an action along its status machine. `from` is the status the person saw;
// the note becomes an append-only action update.
struct UpdateActionStatus {
  std::string action_id;
  std::string update_id;
  model::ActionStatus from = model::ActionStatus::open;
  model::ActionStatus to = model::ActionStatus::open;
  std::string note;

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(action_id, update_id, from, to, note);
  }
};

// Edit an action's plain fields. Only the fields given change. The versions the
// person saw travel in Operation::base, so a concurrent edit is detected.
struct EditAction {
  std::string action_id;
  std::optional<std::string> text;
  std::optional<std::string> due_date;
  std::optional<std::string> owner_id;

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(action_id, text, due_date, owner_id);
  }
};

// Settle a conflict by keeping one of its two values.
struct ResolveConflict {
  std::string conflict_id;
  enum class Keep : std::uint8_t { current, other } keep = Keep::current;

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(conflict_id, keep);
  }
};

// R4/R5: fix when and where a meeting is held. Invitations to everyone who
// must attend (carers, the child's social worker, the team manager, the SSW),
// the IRO and the child are made at once.
struct ScheduleMeeting {
  std::string meeting_id;
  std::uint64_t scheduled_for_ms = 0;
  std::string location;
  std::string minute_taker_id;  // in-house: the SSW books one; IFA: the chair minutes (may be empty)

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(meeting_id, scheduled_for_ms, location, minute_taker_id);
  }
};

// R5: invite someone beyond the automatic list: a known person, or someone
// outside the system by name and organisation (school, Virtual School, CAMHS, YOT, …).
struct InviteAttendee {
  std::string invitation_id;
  std::string meeting_id;
  std::string person_id;  // or empty, with name and organisation
  std::string name;
  std::string organisation;

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(invitation_id, meeting_id, person_id, name, organisation);
  }
};

// R5: a shared professional decision not to invite the child, with its reason
// and the two professionals (children's social work and fostering) who made it.
struct DecideChildNotInvited {
  std::string decision_id;
  std::string meeting_id;
  std::string reason;
  std::string social_work_decider_id;
  std::string fostering_decider_id;

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(decision_id, meeting_id, reason, social_work_decider_id, fostering_decider_id);
  }
};

// Who came: attended, sent apologies, or did not come.
struct RecordAttendance {
  std::string invitation_id;
  model::Attendance attendance = model::Attendance::attended;

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(invitation_id, attendance);
  }
};

// R7: a note against one item of the meeting's agenda. Append-only.
// Version 2 adds the same choices as a view: a note may be marked
// professionals-only, and a note under "The child's views" is
// professionals-only unless `share_with_carers` (so a version 1 note there
// reads as not shared). Setting both flags is refused.
struct AddAgendaNote {
  std::string note_id;
  std::string meeting_id;
  std::string item;  // an agenda item key (common/policy/agenda.hpp)
  std::string text;
  bool professionals_only = false;  // v2
  bool share_with_carers = false;   // v2

  template <class A>
  void serialize(A& ar, std::uint32_t const version) {
    ar(note_id, meeting_id, item, text);
    if (version >= 2) ar(professionals_only, share_with_carers);
  }
};

// R6: close the minutes. Refused, naming everything missing, until the
// meeting heard everyone it must and set a review date.
struct FinaliseMinutes {
  std::string meeting_id;
  std::string review_date;             // YYYY-MM-DD
  std::string review_interval_reason;  // required when the review is not 6 weeks to 3 months ahead

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(meeting_id, review_date, review_interval_reason);
  }
};

// R3: a permanence match was agreed; a support meeting request follows automatically.
struct MarkPermanenceMatch {
  std::string placement_id;
  std::string agreed_on;   // YYYY-MM-DD
  std::string meeting_id;  // id for the support meeting request it creates

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(placement_id, agreed_on, meeting_id);
  }
};

// R13: a concern about a carer's conduct raised at a meeting. Creates an urgent
// task, due by the end of the next working day, to discuss it with the LADO.
// Never reaches a carer's device.
struct RaiseConductConcern {
  std::string concern_id;
  std::string meeting_id;
  std::string text;

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(concern_id, meeting_id, text);
  }
};

// R15: a short break (respite) for the child with other carers.
struct RecordShortBreak {
  std::string break_id;
  std::string placement_id;
  std::string start_date;  // YYYY-MM-DD
  std::string end_date;    // YYYY-MM-DD, inclusive
  std::string with_whom;   // who the child stays with

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(break_id, placement_id, start_date, end_date, with_whom);
  }
};

// R10: an item of the Placement Support Plan agreed at a support meeting.
struct AddSupportItem {
  std::string item_id;
  std::string meeting_id;
  std::string kind;  // camhs, respite, short-break, practical, buddy, support-group, training, extra-visits, other
  std::string description;
  std::string provider;
  std::string frequency;
  bool professionals_only = false;  // left out of the carer's copy
  // v2, R11: significant extra resources: pending until the Practice and
  // Resources Panel decides.
  bool needs_panel = false;

  template <class A>
  void serialize(A& ar, std::uint32_t const version) {
    ar(item_id, meeting_id, kind, description, provider, frequency, professionals_only);
    if (version >= 2) ar(needs_panel);
  }
};

// R11: the Practice and Resources Panel's decision on a support item that
// needs significant extra resources. Declining needs a reason.
struct DecidePanelRequest {
  std::string request_id;  // the panel request (same id as its support item)
  bool approve = false;
  std::string reason;

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(request_id, approve, reason);
  }
};

// R10: whether the child has been told about the support plan.
struct RecordChildToldOfPlan {
  std::string meeting_id;
  std::string told_on;  // YYYY-MM-DD

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(meeting_id, told_on);
  }
};

// R12: what a pre-disruption meeting decided.
struct RecordPreDisruptionOutcome {
  std::string meeting_id;
  bool planned_ending = false;      // false: continue with a support plan
  std::string future_contact;       // planned ending: future contact between the child and the carers
  std::string carers_support_move;  // planned ending: "yes" or "no"
  std::string lessons;              // planned ending: lessons for the End of Placement Review

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(meeting_id, planned_ending, future_contact, carers_support_move, lessons);
  }
};

// A meeting took place: its real date and time (which may differ from the
// booking) and, when it moved, where. Attendance and minutes follow it; the
// timeliness report measures from the need to this time.
struct RecordMeetingHeld {
  std::string meeting_id;
  std::uint64_t held_at_ms = 0;
  std::string location;  // empty: where it was booked

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(meeting_id, held_at_ms, location);
  }
};

// A meeting will not take place. The reason is required; everyone invited
// with an account is told. A cancelled meeting cannot be scheduled, held or
// minuted.
struct CancelMeeting {
  std::string meeting_id;
  std::string reason;

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(meeting_id, reason);
  }
};

// A booked meeting, not yet held, gets a new time (and, when given, a new
// place). Everyone invited with an account is told the old and new times.
struct MoveMeeting {
  std::string meeting_id;
  std::uint64_t scheduled_for_ms = 0;
  std::string location;  // empty: where it was booked

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(meeting_id, scheduled_for_ms, location);
  }
};

// S1 3.2: someone else chairs (a Service Manager may, instead of the team
// manager). Only a team manager or a service manager may be made chair. The
// new chair is invited, with `invitation_id`, when not already.
struct ChangeChair {
  std::string meeting_id;
  std::string chair_id;
  std::string invitation_id;  // made on the device; used only if the new chair is not yet invited

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(meeting_id, chair_id, invitation_id);
  }
};

// S1 3.3: the child's social worker's written report, or briefing, to the
// chair before the meeting. Professionals-only; append-only.
struct RecordCswReport {
  std::string report_id;
  std::string meeting_id;
  std::string text;

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(report_id, meeting_id, text);
  }
};

// Kinds are appended at the end: the variant's index is on the wire.
using Payload = std::variant<RequestMeeting, RecordView, AddAction, UpdateActionStatus, EditAction, ResolveConflict,
                             ScheduleMeeting, InviteAttendee, DecideChildNotInvited, RecordAttendance, AddAgendaNote,
                             FinaliseMinutes, MarkPermanenceMatch, RaiseConductConcern, RecordShortBreak,
                             AddSupportItem, RecordChildToldOfPlan, RecordPreDisruptionOutcome, DecidePanelRequest,
                             RecordMeetingHeld, CancelMeeting, MoveMeeting, ChangeChair, RecordCswReport>;

// The schema version this build writes. The server accepts versions in
// [kMinSchemaVersion, kSchemaVersion] and upgrades older ones before applying.
inline constexpr std::uint32_t kSchemaVersion = 1;
inline constexpr std::uint32_t kMinSchemaVersion = 1;

struct Operation {
  std::string op_id;  // UUIDv7, made on the device; the exactly-once key
  std::string device_id;
  std::uint64_t seq = 0;  // per-device sequence, from 1
  std::uint32_t schema_version = kSchemaVersion;
  model::Hlc hlc;         // the version every field this operation writes receives
  std::string author_id;  // person id; the server replaces it with the authenticated person
  // The versions the author saw, keyed "field" of the record the op edits
  // (plain-field edits only). Absent key = the author saw no value.
  std::map<std::string, model::Version> base;
  Payload payload;

  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(op_id, device_id, seq, schema_version, hlc, author_id, base, payload);
  }
};

// A short spelling of the operation's kind, for logs, status listings and JSON.
std::string_view kind_name(const Payload&);

}  // namespace psm::ops

CEREAL_CLASS_VERSION(psm::ops::RequestMeeting, 1);
CEREAL_CLASS_VERSION(psm::ops::RecordView, 3);
CEREAL_CLASS_VERSION(psm::ops::AddAction, 1);
CEREAL_CLASS_VERSION(psm::ops::UpdateActionStatus, 1);
CEREAL_CLASS_VERSION(psm::ops::EditAction, 1);
CEREAL_CLASS_VERSION(psm::ops::ResolveConflict, 1);
CEREAL_CLASS_VERSION(psm::ops::ScheduleMeeting, 1);
CEREAL_CLASS_VERSION(psm::ops::InviteAttendee, 1);
CEREAL_CLASS_VERSION(psm::ops::DecideChildNotInvited, 1);
CEREAL_CLASS_VERSION(psm::ops::RecordAttendance, 1);
CEREAL_CLASS_VERSION(psm::ops::AddAgendaNote, 2);
CEREAL_CLASS_VERSION(psm::ops::FinaliseMinutes, 1);
CEREAL_CLASS_VERSION(psm::ops::MarkPermanenceMatch, 1);
CEREAL_CLASS_VERSION(psm::ops::RaiseConductConcern, 1);
CEREAL_CLASS_VERSION(psm::ops::RecordShortBreak, 1);
CEREAL_CLASS_VERSION(psm::ops::AddSupportItem, 2);
CEREAL_CLASS_VERSION(psm::ops::DecidePanelRequest, 1);
CEREAL_CLASS_VERSION(psm::ops::RecordChildToldOfPlan, 1);
CEREAL_CLASS_VERSION(psm::ops::RecordPreDisruptionOutcome, 1);
CEREAL_CLASS_VERSION(psm::ops::RecordMeetingHeld, 1);
CEREAL_CLASS_VERSION(psm::ops::CancelMeeting, 1);
CEREAL_CLASS_VERSION(psm::ops::MoveMeeting, 1);
CEREAL_CLASS_VERSION(psm::ops::ChangeChair, 1);
CEREAL_CLASS_VERSION(psm::ops::RecordCswReport, 1);
CEREAL_CLASS_VERSION(psm::ops::Operation, 1);
