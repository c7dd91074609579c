// record-attendance: who came to a meeting (attended, attended part of it,
// apologies or absent: "attended part" is how the child often comes).
// Refused until the meeting is recorded as held. Writes the invitation.
#include "common/ops/kinds/kinds.hpp"

namespace psm::ops::kinds {

Problem check_shape(const RecordAttendance& p) {
  if (!id_ok(p.invitation_id)) return bad("invitation id is not valid");
  if (static_cast<int>(p.attendance) < 0 ||
      static_cast<int>(p.attendance) > static_cast<int>(model::Attendance::attended_part))
    return bad("unknown attendance");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const RecordAttendance& p) {
  namespace f = schema::invitations;
  auto invitation = cx.visible(f::kName, p.invitation_id);
  if (!invitation) return cx.not_found(f::kCollection, p.invitation_id);
  auto meeting = cx.held_meeting(invitation->value(f::meeting_id));
  if (!meeting.ok()) return meeting.error;
  if (auto refused = cx.refuse_unless(policy::Act::record_attendance)) return *refused;
  if (p.attendance == model::Attendance::not_invited || p.attendance == model::Attendance::invited) {
    return reject(Errc::invalid_argument, "attendance is attended, attended-part, apologies or absent");
  }
  if (invitation->get(f::attendance) == model::Attendance::not_invited) {
    return reject(Errc::rule_violation, "the child was not invited to this meeting (a recorded decision)");
  }
  cx.set(*invitation, f::attendance, p.attendance);
  return accept({std::move(*invitation)});
}

}  // namespace psm::ops::kinds
