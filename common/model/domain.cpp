#include "common/model/domain.hpp"

#include <array>
#include <utility>

namespace psm::model {
namespace {

template <class E, std::size_t N>
using Table = std::array<std::pair<E, std::string_view>, N>;

constexpr Table<Role, 12> kRoles{{
    {Role::foster_carer, "foster-carer"},
    {Role::child_social_worker, "child-social-worker"},
    {Role::supervising_social_worker, "supervising-social-worker"},
    {Role::fostering_team_manager, "fostering-team-manager"},
    {Role::cla_team_manager, "cla-team-manager"},
    {Role::iro, "iro"},
    {Role::service_manager, "service-manager"},
    {Role::senior_manager, "senior-manager"},
    {Role::panel_member, "panel-member"},
    {Role::lado, "lado"},
    {Role::minute_taker, "minute-taker"},
    {Role::admin, "admin"},
}};
constexpr Table<MeetingType, 3> kMeetingTypes{{
    {MeetingType::support, "support"},
    {MeetingType::pre_disruption, "pre-disruption"},
    {MeetingType::placement_planning, "placement-planning"},
}};
constexpr Table<MeetingStatus, 5> kMeetingStatuses{{
    {MeetingStatus::requested, "requested"},
    {MeetingStatus::scheduled, "scheduled"},
    {MeetingStatus::held, "held"},
    {MeetingStatus::minutes_finalised, "minutes-finalised"},
    {MeetingStatus::cancelled, "cancelled"},
}};
constexpr Table<ViewSubject, 5> kViewSubjects{{
    {ViewSubject::child, "child"},
    {ViewSubject::carer, "carer"},
    {ViewSubject::iro, "iro"},
    {ViewSubject::birth_child, "birth-child"},
    {ViewSubject::professional, "professional"},
}};
constexpr Table<ActionStatus, 4> kActionStatuses{{
    {ActionStatus::open, "open"},
    {ActionStatus::in_progress, "in-progress"},
    {ActionStatus::done, "done"},
    {ActionStatus::cancelled, "cancelled"},
}};
constexpr Table<PlacementType, 3> kPlacementTypes{{
    {PlacementType::in_house, "in-house"},
    {PlacementType::ifa, "ifa"},
    {PlacementType::independent, "independent"},
}};
constexpr Table<CarerType, 4> kCarerTypes{{
    {CarerType::foster, "foster"},
    {CarerType::connected_person, "connected-person"},
    {CarerType::home_from_home, "home-from-home"},
    {CarerType::special_guardian, "special-guardian"},
}};

constexpr Table<Attendance, 6> kAttendance{{
    {Attendance::invited, "invited"},
    {Attendance::attended, "attended"},
    {Attendance::apologies, "apologies"},
    {Attendance::absent, "absent"},
    {Attendance::not_invited, "not-invited"},
    {Attendance::attended_part, "attended-part"},
}};

constexpr Table<PanelStatus, 3> kPanelStatuses{{
    {PanelStatus::pending, "pending"},
    {PanelStatus::approved, "approved"},
    {PanelStatus::declined, "declined"},
}};
constexpr Table<ConflictStatus, 2> kConflictStatuses{{
    {ConflictStatus::open, "open"},
    {ConflictStatus::resolved, "resolved"},
}};
constexpr Table<ConflictKept, 2> kConflictKept{{
    {ConflictKept::kept, "kept"},
    {ConflictKept::other, "other"},
}};
constexpr Table<MeetingOutcome, 2> kMeetingOutcomes{{
    {MeetingOutcome::planned_ending, "planned-ending"},
    {MeetingOutcome::continue_with_support, "continue-with-support"},
}};
constexpr Table<PlacementEnding, 2> kPlacementEndings{{
    {PlacementEnding::planned, "planned"},
    {PlacementEnding::unplanned, "unplanned"},
}};
constexpr Table<DecisionKind, 1> kDecisionKinds{{
    {DecisionKind::child_not_invited, "child-not-invited"},
}};
constexpr Table<InvitationKind, 7> kInvitationKinds{{
    {InvitationKind::carer, "carer"},
    {InvitationKind::child_social_worker, "child-social-worker"},
    {InvitationKind::team_manager, "team-manager"},
    {InvitationKind::supervising_social_worker, "supervising-social-worker"},
    {InvitationKind::iro, "iro"},
    {InvitationKind::child, "child"},
    {InvitationKind::other, "other"},
}};
constexpr Table<NotificationKind, 12> kNotificationKinds{{
    {NotificationKind::meeting_requested, "meeting-requested"},
    {NotificationKind::support_meeting, "support-meeting"},
    {NotificationKind::minutes_finalised, "minutes-finalised"},
    {NotificationKind::lado_referral, "lado-referral"},
    {NotificationKind::resource_request, "resource-request"},
    {NotificationKind::panel_decision, "panel-decision"},
    {NotificationKind::planned_ending, "planned-ending"},
    {NotificationKind::action_overdue, "action-overdue"},
    {NotificationKind::review_due, "review-due"},
    {NotificationKind::meeting_booked, "meeting-booked"},
    {NotificationKind::meeting_cancelled, "meeting-cancelled"},
    {NotificationKind::meeting_moved, "meeting-moved"},
}};

template <class E, std::size_t N>
std::string_view name_of(const Table<E, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <class E, std::size_t N>
std::optional<E> parse(const Table<E, N>& table, std::string_view text) {
  for (const auto& [e, name] : table) {
    if (name == text) return e;
  }
  return std::nullopt;
}

template <class E, std::size_t N>
std::string spellings(const Table<E, N>& table) {
  std::string out;
  for (const auto& [e, name] : table) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace

std::string_view to_string(Role v) { return name_of(kRoles, v); }
std::string_view to_string(MeetingType v) { return name_of(kMeetingTypes, v); }
std::string_view to_string(MeetingStatus v) { return name_of(kMeetingStatuses, v); }
std::string_view to_string(ViewSubject v) { return name_of(kViewSubjects, v); }
std::string_view to_string(ActionStatus v) { return name_of(kActionStatuses, v); }
std::string_view to_string(PlacementType v) { return name_of(kPlacementTypes, v); }
std::string_view to_string(CarerType v) { return name_of(kCarerTypes, v); }
std::string_view to_string(Attendance v) { return name_of(kAttendance, v); }

std::string_view to_string(PanelStatus v) { return name_of(kPanelStatuses, v); }
std::string_view to_string(ConflictStatus v) { return name_of(kConflictStatuses, v); }
std::string_view to_string(ConflictKept v) { return name_of(kConflictKept, v); }
std::string_view to_string(MeetingOutcome v) { return name_of(kMeetingOutcomes, v); }
std::string_view to_string(PlacementEnding v) { return name_of(kPlacementEndings, v); }
std::string_view to_string(DecisionKind v) { return name_of(kDecisionKinds, v); }
std::string_view to_string(InvitationKind v) { return name_of(kInvitationKinds, v); }
std::string_view to_string(NotificationKind v) { return name_of(kNotificationKinds, v); }

std::optional<Role> parse_role(std::string_view s) { return parse(kRoles, s); }
std::optional<MeetingType> parse_meeting_type(std::string_view s) { return parse(kMeetingTypes, s); }
std::optional<MeetingStatus> parse_meeting_status(std::string_view s) { return parse(kMeetingStatuses, s); }
std::optional<ViewSubject> parse_view_subject(std::string_view s) { return parse(kViewSubjects, s); }
std::optional<ActionStatus> parse_action_status(std::string_view s) { return parse(kActionStatuses, s); }
std::optional<PlacementType> parse_placement_type(std::string_view s) { return parse(kPlacementTypes, s); }
std::optional<CarerType> parse_carer_type(std::string_view s) { return parse(kCarerTypes, s); }
std::optional<Attendance> parse_attendance(std::string_view s) { return parse(kAttendance, s); }

template <>
std::optional<Role> parse_as<Role>(std::string_view s) {
  return parse(kRoles, s);
}
template <>
std::optional<MeetingType> parse_as<MeetingType>(std::string_view s) {
  return parse(kMeetingTypes, s);
}
template <>
std::optional<MeetingStatus> parse_as<MeetingStatus>(std::string_view s) {
  return parse(kMeetingStatuses, s);
}
template <>
std::optional<ViewSubject> parse_as<ViewSubject>(std::string_view s) {
  return parse(kViewSubjects, s);
}
template <>
std::optional<ActionStatus> parse_as<ActionStatus>(std::string_view s) {
  return parse(kActionStatuses, s);
}
template <>
std::optional<PlacementType> parse_as<PlacementType>(std::string_view s) {
  return parse(kPlacementTypes, s);
}
template <>
std::optional<CarerType> parse_as<CarerType>(std::string_view s) {
  return parse(kCarerTypes, s);
}
template <>
std::optional<Attendance> parse_as<Attendance>(std::string_view s) {
  return parse(kAttendance, s);
}
template <>
std::optional<PanelStatus> parse_as<PanelStatus>(std::string_view s) {
  return parse(kPanelStatuses, s);
}
template <>
std::optional<ConflictStatus> parse_as<ConflictStatus>(std::string_view s) {
  return parse(kConflictStatuses, s);
}
template <>
std::optional<ConflictKept> parse_as<ConflictKept>(std::string_view s) {
  return parse(kConflictKept, s);
}
template <>
std::optional<MeetingOutcome> parse_as<MeetingOutcome>(std::string_view s) {
  return parse(kMeetingOutcomes, s);
}
template <>
std::optional<PlacementEnding> parse_as<PlacementEnding>(std::string_view s) {
  return parse(kPlacementEndings, s);
}
template <>
std::optional<DecisionKind> parse_as<DecisionKind>(std::string_view s) {
  return parse(kDecisionKinds, s);
}
template <>
std::optional<InvitationKind> parse_as<InvitationKind>(std::string_view s) {
  return parse(kInvitationKinds, s);
}
template <>
std::optional<NotificationKind> parse_as<NotificationKind>(std::string_view s) {
  return parse(kNotificationKinds, s);
}

std::string spellings_of_role() { return spellings(kRoles); }
std::string spellings_of_meeting_type() { return spellings(kMeetingTypes); }
std::string spellings_of_view_subject() { return spellings(kViewSubjects); }
std::string spellings_of_action_status() { return spellings(kActionStatuses); }

}  // namespace psm::model
