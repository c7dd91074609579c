// record-held: the meeting took place, at its real date and time (which may
// differ from the booking) and, if it moved, somewhere else. Only a scheduled
// meeting can be held, and not in the future: the time is compared with when
// the person acted. The one place a meeting becomes "held"; attendance and
// minutes need it, and the timeliness report (R2) measures from the need to
// this time. Writes the meeting.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"

namespace psm::ops::kinds {

Problem check_shape(const RecordMeetingHeld& p) {
  if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
  if (p.held_at_ms == 0) return bad("the date and time the meeting was held is required");
  if (p.location.size() > limits::kMaxShortStringBytes) return bad("the location is too long");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const RecordMeetingHeld& p) {
  namespace m_ = schema::meetings;
  auto meeting = cx.visible(m_::kName, p.meeting_id);
  if (!meeting) return cx.not_found(m_::kCollection, p.meeting_id);
  Record& m = *meeting;
  if (auto refused = cx.refuse_unless(policy::Act::record_meeting_held, is_chair_minute_taker_or_ssw(cx, m))) {
    return *refused;
  }
  const auto status = m.get(m_::status);
  if (status == model::MeetingStatus::requested) {
    return reject(Errc::rule_violation, "the meeting has not been booked yet: schedule it first");
  }
  if (status != model::MeetingStatus::scheduled) {
    return reject(Errc::rule_violation, "the meeting is " + m.spelling(m_::status) + " and cannot be recorded as held");
  }
  if (p.held_at_ms > cx.now_ms()) {
    return reject(Errc::rule_violation, "a meeting cannot be recorded as held at a time still to come");
  }
  cx.set(m, m_::status, model::MeetingStatus::held);
  cx.set(m, m_::held_at_ms, p.held_at_ms);
  cx.set(m, m_::held_recorded_by, cx.me());
  if (!p.location.empty()) cx.set(m, m_::location, p.location);
  return accept({std::move(m)});
}

}  // namespace psm::ops::kinds
