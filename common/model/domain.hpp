// The words of the domain as typed values, with the spellings used on the
// command line, in JSON output and on the wire. Spellings never change once
// shipped; new values are added at the end.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace psm::model {

enum class Role {
  foster_carer,
  child_social_worker,
  supervising_social_worker,
  fostering_team_manager,
  cla_team_manager,
  iro,
  service_manager,
  senior_manager,
  panel_member,
  lado,
  minute_taker,
  admin,
};

enum class MeetingType { support, pre_disruption, placement_planning };

enum class MeetingStatus { requested, scheduled, held, minutes_finalised, cancelled };

enum class ViewSubject { child, carer, iro, birth_child, professional };

enum class ActionStatus { open, in_progress, done, cancelled };

enum class PlacementType { in_house, ifa, independent };

enum class CarerType { foster, connected_person, home_from_home, special_guardian };

// attended_part: the child came to part of the meeting (appended: stored and
// on the wire by spelling and by index).
enum class Attendance { invited, attended, apologies, absent, not_invited, attended_part };

// The words rules write into records (common/model/schema.hpp says which field).
enum class PanelStatus { pending, approved, declined };  // R11: a panel request, and its support item
enum class ConflictStatus { open, resolved };
enum class ConflictKept { kept, other };                              // which value resolving a conflict kept
enum class MeetingOutcome { planned_ending, continue_with_support };  // R12
enum class PlacementEnding { planned, unplanned };                    // R14, imported with the placement
enum class DecisionKind { child_not_invited };                        // R5
// Who an invitation is for (R5): the automatic list, the child, or someone added.
enum class InvitationKind { carer, child_social_worker, team_manager, supervising_social_worker, iro, child, other };
// What a notification tells of (R1, R8, R9, R11, R12, R13).
enum class NotificationKind {
  meeting_requested,
  support_meeting,
  minutes_finalised,
  lado_referral,
  resource_request,
  panel_decision,
  planned_ending,
  action_overdue,
  review_due,         // R6: a plan's review is coming up
  meeting_booked,     // R4/R5: a meeting's date, time and place fixed, told to those invited
  meeting_cancelled,  // a meeting will not take place, told to those invited
  meeting_moved,      // a booked meeting has a new time, told to those invited
};

std::string_view to_string(Role);
std::string_view to_string(MeetingType);
std::string_view to_string(MeetingStatus);
std::string_view to_string(ViewSubject);
std::string_view to_string(ActionStatus);
std::string_view to_string(PlacementType);
std::string_view to_string(CarerType);
std::string_view to_string(Attendance);
std::string_view to_string(PanelStatus);
std::string_view to_string(ConflictStatus);
std::string_view to_string(ConflictKept);
std::string_view to_string(MeetingOutcome);
std::string_view to_string(PlacementEnding);
std::string_view to_string(DecisionKind);
std::string_view to_string(InvitationKind);
std::string_view to_string(NotificationKind);

std::optional<Role> parse_role(std::string_view);
std::optional<MeetingType> parse_meeting_type(std::string_view);
std::optional<MeetingStatus> parse_meeting_status(std::string_view);
std::optional<ViewSubject> parse_view_subject(std::string_view);
std::optional<ActionStatus> parse_action_status(std::string_view);
std::optional<PlacementType> parse_placement_type(std::string_view);
std::optional<CarerType> parse_carer_type(std::string_view);
std::optional<Attendance> parse_attendance(std::string_view);

// The same parsers by type, for typed fields (common/model/field.hpp).
template <class E>
std::optional<E> parse_as(std::string_view);
template <>
std::optional<Role> parse_as<Role>(std::string_view);
template <>
std::optional<MeetingType> parse_as<MeetingType>(std::string_view);
template <>
std::optional<MeetingStatus> parse_as<MeetingStatus>(std::string_view);
template <>
std::optional<ViewSubject> parse_as<ViewSubject>(std::string_view);
template <>
std::optional<ActionStatus> parse_as<ActionStatus>(std::string_view);
template <>
std::optional<PlacementType> parse_as<PlacementType>(std::string_view);
template <>
std::optional<CarerType> parse_as<CarerType>(std::string_view);
template <>
std::optional<Attendance> parse_as<Attendance>(std::string_view);
template <>
std::optional<PanelStatus> parse_as<PanelStatus>(std::string_view);
template <>
std::optional<ConflictStatus> parse_as<ConflictStatus>(std::string_view);
template <>
std::optional<ConflictKept> parse_as<ConflictKept>(std::string_view);
template <>
std::optional<MeetingOutcome> parse_as<MeetingOutcome>(std::string_view);
template <>
std::optional<PlacementEnding> parse_as<PlacementEnding>(std::string_view);
template <>
std::optional<DecisionKind> parse_as<DecisionKind>(std::string_view);
template <>
std::optional<InvitationKind> parse_as<InvitationKind>(std::string_view);
template <>
std::optional<NotificationKind> parse_as<NotificationKind>(std::string_view);

// All spellings of an enum, for help text and error messages ("one of: …").
std::string spellings_of_role();
std::string spellings_of_meeting_type();
std::string spellings_of_view_subject();
std::string spellings_of_action_status();

// Professionals are every role but foster carer: they may see professionals-only records.
inline bool is_professional(Role r) { return r != Role::foster_carer; }

}  // namespace psm::model
