// invite (R5): invite someone beyond the automatic list: a known person, or
// someone outside the system by name and organisation. Writes the invitation.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"

namespace psm::ops::kinds {

Problem check_shape(const InviteAttendee& p) {
  if (!id_ok(p.invitation_id) || !id_ok(p.meeting_id)) return bad("invitation or meeting id is not valid");
  if (!p.person_id.empty() && !id_ok(p.person_id)) return bad("person id is not valid");
  if (p.name.size() > limits::kMaxShortStringBytes || p.organisation.size() > limits::kMaxShortStringBytes) {
    return bad("name or organisation too long");
  }
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const InviteAttendee& p) {
  namespace f = schema::invitations;
  auto meeting = cx.scheduled_meeting(p.meeting_id);
  if (!meeting.ok()) return meeting.error;
  if (auto refused = cx.refuse_unless(policy::Act::invite_attendee)) return *refused;
  if (!p.person_id.empty() && !cx.state().get(schema::people::kName, p.person_id)) {
    return reject(Errc::invalid_argument,
                  "person " + p.person_id + " is not known; give a name and organisation instead");
  }
  if (p.person_id.empty() && (p.name.empty() || p.organisation.empty())) {
    return reject(Errc::invalid_argument, "an invitation needs a known person, or a name and an organisation");
  }
  if (cx.state().get(f::kName, p.invitation_id)) return reject(Errc::already_exists, "invitation already exists");
  Record inv = cx.new_record(f::kName, p.invitation_id, meeting.record->scope);
  cx.set(inv, f::meeting_id, p.meeting_id);
  if (!p.person_id.empty()) cx.set(inv, f::person_id, p.person_id);
  if (!p.name.empty()) cx.set(inv, f::name, p.name);
  if (!p.organisation.empty()) cx.set(inv, f::organisation, p.organisation);
  cx.set(inv, f::kind, model::InvitationKind::other);
  cx.set(inv, f::mandatory, false);
  cx.set(inv, f::attendance, model::Attendance::invited);
  return accept({std::move(inv)});
}

}  // namespace psm::ops::kinds
