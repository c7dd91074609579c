// cancel-meeting: a requested or booked meeting will not take place. The
// reason is required and kept; the timeliness report shows the meeting
// cancelled with it. A cancelled meeting cannot be scheduled, held or
// minuted. Writes the meeting, then tells everyone invited with an account.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/calendar.hpp"

namespace psm::ops::kinds {

Problem check_shape(const CancelMeeting& p) {
  if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
  if (!text_ok(p.reason, limits::kMaxTextBytes)) return bad("a reason for cancelling the meeting is required");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const CancelMeeting& p) {
  namespace m_ = schema::meetings;
  auto meeting = cx.visible(m_::kName, p.meeting_id);
  if (!meeting) return cx.not_found(m_::kCollection, p.meeting_id);
  Record& m = *meeting;
  if (auto refused = cx.refuse_unless(policy::Act::cancel_meeting, is_chair_minute_taker_or_ssw(cx, m))) {
    return *refused;
  }
  const auto status = m.get(m_::status);
  if (status != model::MeetingStatus::requested && status != model::MeetingStatus::scheduled) {
    return reject(Errc::rule_violation, "the meeting is " + m.spelling(m_::status) + " and cannot be cancelled");
  }
  cx.set(m, m_::status, model::MeetingStatus::cancelled);
  cx.set(m, m_::cancelled_reason, p.reason);
  cx.set(m, m_::cancelled_by, cx.me());
  cx.set(m, m_::cancelled_at_ms, cx.now_ms());
  std::string text = meeting_in_words(cx, m);
  if (const auto booked = m.get(m_::scheduled_for_ms)) text += " on " + policy::datetime_in_words(*booked);
  text += " is cancelled by " + cx.person_name(cx.me()) + ": " + p.reason;
  text[0] = 'T';
  std::vector<Record> writes{m};
  notify_invitees(cx, writes, m, model::NotificationKind::meeting_cancelled, text);
  return accept(std::move(writes));
}

}  // namespace psm::ops::kinds
