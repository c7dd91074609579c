#include "common/policy/permissions.hpp"

#include <array>

namespace psm::policy {
namespace {

using model::Role;

constexpr RoleSet kEveryone{Role::foster_carer,
                            Role::child_social_worker,
                            Role::supervising_social_worker,
                            Role::fostering_team_manager,
                            Role::cla_team_manager,
                            Role::iro,
                            Role::service_manager,
                            Role::senior_manager,
                            Role::panel_member,
                            Role::lado,
                            Role::minute_taker,
                            Role::admin};
// Every role but foster carer (model::is_professional).
constexpr RoleSet kProfessionals = kEveryone.without(Role::foster_carer);
constexpr RoleSet kNobody{};
// The managers of the service: team managers, service and senior managers.
constexpr RoleSet kManagers{Role::fostering_team_manager, Role::cla_team_manager, Role::service_manager,
                            Role::senior_manager};
// R4: who arranges meetings, for either kind of placement, and the managers.
constexpr RoleSet kArrangers{Role::supervising_social_worker, Role::child_social_worker, Role::fostering_team_manager,
                             Role::cla_team_manager,          Role::service_manager,     Role::senior_manager};

// The table. Messages are the policies' words; they are on the wire (an
// outcome's reason) and in tests, so they change only with the policy.
constexpr std::array kTable{
    Permission{Act::request_meeting,
               "request-meeting",
               // R1: the carer (for their own placement, by scope), the child's SW or the SSW.
               {Role::foster_carer, Role::child_social_worker, Role::supervising_social_worker},
               Relation::none,
               "a {role} cannot request a meeting: a foster carer, the child's social worker or the supervising "
               "social worker asks for it"},
    Permission{Act::mark_permanence_match, "mark-permanence-match", kProfessionals.without(Role::minute_taker),
               Relation::none,
               "a permanence match is recorded by a professional working with the child, not by a carer or a "
               "minute taker"},
    Permission{Act::record_carer_household_views, "record-view", kEveryone, Relation::none, ""},
    Permission{Act::record_others_views, "record-view", kProfessionals, Relation::none,
               "a foster carer records their own views or their birth children's; the child's social worker "
               "records the child's"},
    Permission{Act::mark_views_professionals_only, "record-view", kProfessionals, Relation::none,
               "only professionals can mark views as professionals-only"},
    Permission{Act::add_action, "add-action", kProfessionals, Relation::none,
               "actions are agreed and recorded by the professionals at the meeting"},
    Permission{Act::update_action_status, "update-action", kProfessionals, Relation::action_owner,
               "only the action's owner or a professional can update it"},
    Permission{Act::edit_action, "edit-action", kProfessionals, Relation::none,
               "only professionals edit an agreed action"},
    // R4: in-house, the SSW convenes and the Fostering Team Manager chairs.
    Permission{Act::schedule_in_house_meeting,
               "schedule-meeting",
               {Role::supervising_social_worker, Role::fostering_team_manager},
               Relation::none,
               "for an in-house placement the supervising social worker or the Fostering Team Manager arranges the "
               "meeting"},
    // R4: IFA or independent, the CLA Team Manager arranges, or the child's SW.
    Permission{Act::schedule_agency_meeting,
               "schedule-meeting",
               {Role::cla_team_manager, Role::child_social_worker},
               Relation::none,
               "for an agency placement the CLA Team Manager or the child's social worker arranges the meeting"},
    Permission{Act::invite_attendee, "invite", kProfessionals, Relation::none,
               "invitations are sent by the professionals arranging the meeting"},
    Permission{Act::decide_child_not_invited, "child-not-invited", kProfessionals, Relation::none,
               "only professionals decide whether the child is invited"},
    Permission{Act::record_attendance, "record-attendance", kProfessionals, Relation::none,
               "attendance is recorded by the chair or the minute taker"},
    Permission{Act::add_agenda_note, "add-agenda-note", kProfessionals, Relation::none,
               "agenda notes are written by the professionals at the meeting"},
    // R6: by relation only, whatever the role.
    Permission{Act::finalise_minutes, "finalise-minutes", kNobody, Relation::chair_minute_taker_or_household_ssw,
               "the minutes are finalised by the chair, the minute taker or the supervising social worker"},
    Permission{Act::raise_conduct_concern, "raise-conduct-concern", kProfessionals, Relation::none,
               "concerns about a carer's conduct are raised by professionals"},
    Permission{Act::record_short_break, "record-short-break", kProfessionals, Relation::none,
               "short breaks are recorded by the supervising or child's social worker"},
    Permission{Act::add_support_item, "add-support-item", kProfessionals, Relation::none,
               "the support plan is agreed and recorded by the professionals at the meeting"},
    Permission{Act::decide_panel_request,
               "panel-decision",
               {Role::panel_member},
               Relation::none,
               "only a member of the Practice and Resources Panel records its decision"},
    Permission{Act::record_child_told_of_plan, "child-told-of-plan", kProfessionals, Relation::none,
               "the child's social worker records that the child was told"},
    Permission{Act::record_pre_disruption_outcome, "pre-disruption-outcome", kProfessionals, Relation::none,
               "the outcome is recorded by the chair or the supervising social worker"},
    Permission{Act::resolve_conflict, "resolve-conflict", kProfessionals, Relation::none,
               "conflicts are resolved by the professionals responsible"},
    // S1 3.5 / R6: the people who record the meeting (its chair, the minute
    // taker the SSW booked, the household's SSW) say that it took place; a
    // manager may too, as the Service Manager may chair (S1 3.2).
    Permission{Act::record_meeting_held, "record-held", kManagers, Relation::chair_minute_taker_or_household_ssw,
               "that the meeting was held is recorded by its chair, its minute taker, the supervising social worker "
               "or a manager"},
    // R4: the people who arrange a meeting may call it off, and its chair.
    Permission{Act::cancel_meeting, "cancel-meeting", kArrangers, Relation::chair_minute_taker_or_household_ssw,
               "a meeting is cancelled by whoever arranges or chairs it"},
    Permission{Act::move_meeting, "move-meeting", kArrangers, Relation::chair_minute_taker_or_household_ssw,
               "a meeting is moved by whoever arranges or chairs it"},
    // S1 3.2: "chaired by the Family Placement Team Leader / Service Manager".
    Permission{Act::change_chair, "change-chair", kManagers, Relation::none,
               "the chair is changed by a team manager or a service manager"},
    // S1 3.3: "a written report should be provided to the chair by the Child's
    // Social Worker"; a manager may record it for them.
    Permission{Act::record_csw_report, "record-csw-report", kManagers, Relation::childs_social_worker,
               "the report to the chair is written by the child's social worker"},
};

constexpr bool in_act_order() {
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<std::size_t>(kTable[i].act) != i) return false;
  }
  return true;
}
static_assert(in_act_order(), "the permission table has one row per Act, in Act order");
static_assert(kTable.size() == static_cast<std::size_t>(Act::record_csw_report) + 1);

}  // namespace

std::span<const Permission> permissions() { return kTable; }

const Permission& permission(Act act) { return kTable[static_cast<std::size_t>(act)]; }

std::optional<std::string> refusal(Act act, model::Role role, bool related) {
  const Permission& row = permission(act);
  if (row.roles.contains(role)) return std::nullopt;
  if (row.relation != Relation::none && related) return std::nullopt;
  std::string message(row.refusal);
  constexpr std::string_view kRole = "{role}";
  if (auto at = message.find(kRole); at != std::string::npos) message.replace(at, kRole.size(), model::to_string(role));
  return message;
}

}  // namespace psm::policy
