// change-chair (S1 3.2): someone else chairs the meeting. The policies name
// the Family Placement Team Leader or the Service Manager, so only a team
// manager or a service manager may be made chair. The new chair is invited
// (must attend, as the chair) when not already. Writes the meeting, then the
// invitation when one is made.
#include "common/ops/kinds/kinds.hpp"

namespace psm::ops::kinds {

Problem check_shape(const ChangeChair& p) {
  if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
  if (!id_ok(p.chair_id)) return bad("the new chair is not a valid person id");
  if (!id_ok(p.invitation_id)) return bad("invitation id is not valid");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const ChangeChair& p) {
  namespace m_ = schema::meetings;
  namespace inv_ = schema::invitations;
  auto meeting = cx.visible(m_::kName, p.meeting_id);
  if (!meeting) return cx.not_found(m_::kCollection, p.meeting_id);
  Record& m = *meeting;
  if (auto refused = cx.refuse_unless(policy::Act::change_chair)) return *refused;
  const auto status = m.get(m_::status);
  if (status != model::MeetingStatus::requested && status != model::MeetingStatus::scheduled) {
    return reject(Errc::rule_violation, "the meeting is " + m.spelling(m_::status) + " and its chair cannot change");
  }
  using model::Role;
  if (!cx.has_role(p.chair_id, {Role::fostering_team_manager, Role::cla_team_manager, Role::service_manager,
                                Role::senior_manager})) {
    return reject(Errc::rule_violation, cx.person_name(p.chair_id) +
                                            " cannot chair: a meeting is chaired by a team manager or a service "
                                            "manager (policy 3.2)");
  }
  if (m.value(m_::chair_id) == p.chair_id) {
    return reject(Errc::rule_violation, cx.person_name(p.chair_id) + " already chairs this meeting");
  }
  cx.set(m, m_::chair_id, p.chair_id);
  std::vector<Record> writes{m};
  bool invited = false;
  for (const auto& inv : cx.state().list_in_scope(inv_::kName, m.scope)) {
    if (inv.value(inv_::meeting_id) == m.id && inv.value(inv_::person_id) == p.chair_id) invited = true;
  }
  // A requested meeting's invitations are made when it is scheduled, from
  // the chair then recorded.
  if (!invited && status == model::MeetingStatus::scheduled) {
    if (cx.state().get(inv_::kName, p.invitation_id)) return reject(Errc::already_exists, "invitation already exists");
    Record inv = cx.new_record(inv_::kName, p.invitation_id, m.scope);
    cx.set(inv, inv_::meeting_id, m.id);
    cx.set(inv, inv_::person_id, p.chair_id);
    cx.set(inv, inv_::kind, model::InvitationKind::team_manager);
    cx.set(inv, inv_::mandatory, true);
    cx.set(inv, inv_::attendance, model::Attendance::invited);
    writes.push_back(std::move(inv));
  }
  return accept(std::move(writes));
}

}  // namespace psm::ops::kinds
