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

enum class Attendance { invited, attended, apologies, absent, not_invited };

std::string_view to_string(Role);
std::string_view to_string(MeetingType);
std::string_view to_string(MeetingStatus);
std::string_view to_string(ViewSubject);
std::string_view to_string(ActionStatus);
std::string_view to_string(PlacementType);
std::string_view to_string(CarerType);
std::string_view to_string(Attendance);

std::optional<Role> parse_role(std::string_view);
std::optional<MeetingType> parse_meeting_type(std::string_view);
std::optional<MeetingStatus> parse_meeting_status(std::string_view);
std::optional<ViewSubject> parse_view_subject(std::string_view);
std::optional<ActionStatus> parse_action_status(std::string_view);
std::optional<PlacementType> parse_placement_type(std::string_view);
std::optional<CarerType> parse_carer_type(std::string_view);
std::optional<Attendance> parse_attendance(std::string_view);

// All spellings of an enum, for help text and error messages ("one of: …").
std::string spellings_of_role();
std::string spellings_of_meeting_type();
std::string spellings_of_view_subject();
std::string spellings_of_action_status();

// Professionals are every role but foster carer: they may see professionals-only records.
inline bool is_professional(Role r) { return r != Role::foster_carer; }

}  // namespace psm::model
