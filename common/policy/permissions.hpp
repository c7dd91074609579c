// Who may do what: one row per thing a person asks to do (an operation kind,
// split where the answer depends on what is asked: whose views, which kind of
// placement), saying which roles may do it, which relation to the records
// allows it otherwise, and the words a refused person reads. ops::apply()
// asks this table and nothing else whether the actor may go on; which records
// they can see at all is common/policy/access.hpp's.
//
// A row answers in two parts: a role in `roles` may; otherwise the actor may
// when the row's relation holds, which the operation kind establishes from the
// records (it alone has them) and passes as `related`.
#pragma once

#include "common/model/domain.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace psm::policy {

// The acts the table has a row for. New values are added at the end.
enum class Act : std::uint8_t {
  request_meeting,
  mark_permanence_match,
  record_carer_household_views,  // the carer's own views or their birth children's
  record_others_views,           // the child's, the IRO's, a professional's
  mark_views_professionals_only,
  add_action,
  update_action_status,
  edit_action,
  schedule_in_house_meeting,
  schedule_agency_meeting,  // IFA or independent placement
  invite_attendee,
  decide_child_not_invited,
  record_attendance,
  add_agenda_note,
  finalise_minutes,
  raise_conduct_concern,
  record_short_break,
  add_support_item,
  decide_panel_request,
  record_child_told_of_plan,
  record_pre_disruption_outcome,
  resolve_conflict,
  record_meeting_held,
  cancel_meeting,
  move_meeting,
  change_chair,
  record_csw_report,
};

// A relation to the records that allows an act whatever the role.
enum class Relation : std::uint8_t {
  none,
  action_owner,                         // the person who owns the action
  chair_minute_taker_or_household_ssw,  // the meeting's chair or minute taker, or the household's SSW
  childs_social_worker,                 // the child's social worker
};

// A set of roles, as a bit per model::Role.
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr RoleSet(std::initializer_list<model::Role> roles) {
    for (auto r : roles) bits_ = static_cast<std::uint16_t>(bits_ | bit(r));
  }
  constexpr bool contains(model::Role r) const { return (bits_ & bit(r)) != 0; }
  constexpr RoleSet without(model::Role r) const {
    RoleSet s = *this;
    s.bits_ = static_cast<std::uint16_t>(s.bits_ & ~bit(r));
    return s;
  }

 private:
  static constexpr std::uint16_t bit(model::Role r) {
    return static_cast<std::uint16_t>(1u << static_cast<unsigned>(r));
  }
  std::uint16_t bits_ = 0;
};

struct Permission {
  Act act;
  std::string_view what;     // the operation kind (ops::kind_name) the act belongs to
  RoleSet roles;             // roles that may, outright
  Relation relation;         // otherwise allowed when this holds
  std::string_view refusal;  // for people; "{role}" stands for the actor's role
};

// The whole table, in Act order.
std::span<const Permission> permissions();
const Permission& permission(Act act);

// nullopt when `role` may do `act` (or `related` is true and the row has a
// relation); otherwise the refusal message, byte for byte as people read it.
std::optional<std::string> refusal(Act act, model::Role role, bool related = false);

}  // namespace psm::policy
