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

constexpr Table<Attendance, 5> kAttendance{{
    {Attendance::invited, "invited"},
    {Attendance::attended, "attended"},
    {Attendance::apologies, "apologies"},
    {Attendance::absent, "absent"},
    {Attendance::not_invited, "not-invited"},
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

std::optional<Role> parse_role(std::string_view s) { return parse(kRoles, s); }
std::optional<MeetingType> parse_meeting_type(std::string_view s) { return parse(kMeetingTypes, s); }
std::optional<MeetingStatus> parse_meeting_status(std::string_view s) { return parse(kMeetingStatuses, s); }
std::optional<ViewSubject> parse_view_subject(std::string_view s) { return parse(kViewSubjects, s); }
std::optional<ActionStatus> parse_action_status(std::string_view s) { return parse(kActionStatuses, s); }
std::optional<PlacementType> parse_placement_type(std::string_view s) { return parse(kPlacementTypes, s); }
std::optional<CarerType> parse_carer_type(std::string_view s) { return parse(kCarerTypes, s); }
std::optional<Attendance> parse_attendance(std::string_view s) { return parse(kAttendance, s); }

std::string spellings_of_role() { return spellings(kRoles); }
std::string spellings_of_meeting_type() { return spellings(kMeetingTypes); }
std::string spellings_of_view_subject() { return spellings(kViewSubjects); }
std::string spellings_of_action_status() { return spellings(kActionStatuses); }

}  // namespace psm::model
