// child-not-invited (R5): not inviting the child is a shared professional
// decision, by someone from children's social work and someone from
// fostering, with a recorded reason. Writes the decision, then the child's
// invitation marked not invited.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"

namespace psm::ops::kinds {

Problem check_shape(const DecideChildNotInvited& p) {
  if (!id_ok(p.decision_id) || !id_ok(p.meeting_id)) return bad("decision or meeting id is not valid");
  if (!text_ok(p.reason, limits::kMaxTextBytes)) return bad("the reason for not inviting the child must be recorded");
  if (!id_ok(p.social_work_decider_id) || !id_ok(p.fostering_decider_id)) {
    return bad("the two professionals who made the decision must be named");
  }
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const DecideChildNotInvited& p) {
  namespace f = schema::decisions;
  auto meeting = cx.scheduled_meeting(p.meeting_id);
  if (!meeting.ok()) return meeting.error;
  if (auto refused = cx.refuse_unless(policy::Act::decide_child_not_invited)) return *refused;
  if (!cx.has_role(p.social_work_decider_id, {model::Role::child_social_worker, model::Role::cla_team_manager})) {
    return reject(Errc::rule_violation,
                  "the decision not to invite the child needs someone from children's social work (the child's "
                  "social worker or the CLA Team Manager)");
  }
  if (!cx.has_role(p.fostering_decider_id,
                   {model::Role::supervising_social_worker, model::Role::fostering_team_manager})) {
    return reject(Errc::rule_violation,
                  "the decision not to invite the child needs someone from fostering (the supervising social "
                  "worker or the Fostering Team Manager)");
  }
  auto child_invitation = cx.state().get(schema::invitations::kName, p.meeting_id + ".child");
  if (!child_invitation) return cx.not_found("invitation for the child at meeting", p.meeting_id);
  if (cx.state().get(f::kName, p.decision_id)) return reject(Errc::already_exists, "decision already recorded");
  Record d = cx.new_record(f::kName, p.decision_id, meeting.record->scope);
  cx.set(d, f::meeting_id, p.meeting_id);
  cx.set(d, f::kind, model::DecisionKind::child_not_invited);
  cx.set(d, f::reason, p.reason);
  cx.set(d, f::social_work_decider_id, p.social_work_decider_id);
  cx.set(d, f::fostering_decider_id, p.fostering_decider_id);
  cx.set(d, f::recorded_by, cx.me());
  cx.set(d, f::recorded_at_ms, cx.now_ms());
  cx.set(*child_invitation, schema::invitations::attendance, model::Attendance::not_invited);
  cx.set(*child_invitation, schema::invitations::decision_id, p.decision_id);
  return accept({std::move(d), std::move(*child_invitation)});
}

}  // namespace psm::ops::kinds
