// move-meeting: a booked meeting, not yet held, gets a new time (and, when
// given, a new place). The time before the move is kept. Writes the meeting,
// then tells everyone invited with an account the old and the new time.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/calendar.hpp"

namespace psm::ops::kinds {

Problem check_shape(const MoveMeeting& p) {
  if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
  if (p.scheduled_for_ms == 0) return bad("a new date and time for the meeting is required");
  if (p.location.size() > limits::kMaxShortStringBytes) return bad("the location is too long");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const MoveMeeting& p) {
  namespace m_ = schema::meetings;
  auto meeting = cx.visible(m_::kName, p.meeting_id);
  if (!meeting) return cx.not_found(m_::kCollection, p.meeting_id);
  Record& m = *meeting;
  if (auto refused = cx.refuse_unless(policy::Act::move_meeting, is_chair_minute_taker_or_ssw(cx, m))) {
    return *refused;
  }
  const auto status = m.get(m_::status);
  if (status == model::MeetingStatus::requested) {
    return reject(Errc::rule_violation, "the meeting has not been booked yet: schedule it instead");
  }
  if (status != model::MeetingStatus::scheduled) {
    return reject(Errc::rule_violation, "the meeting is " + m.spelling(m_::status) + " and cannot be moved");
  }
  const std::uint64_t old_time = m.get(m_::scheduled_for_ms).value_or(0);
  cx.set(m, m_::moved_from_ms, old_time);
  cx.set(m, m_::scheduled_for_ms, p.scheduled_for_ms);
  if (!p.location.empty()) cx.set(m, m_::location, p.location);
  std::string text = meeting_in_words(cx, m) + " has moved from " + policy::datetime_in_words(old_time) + " to " +
                     policy::datetime_in_words(p.scheduled_for_ms) + ", at " + m.value(m_::location);
  text[0] = 'T';
  std::vector<Record> writes{m};
  notify_invitees(cx, writes, m, model::NotificationKind::meeting_moved, text);
  return accept(std::move(writes));
}

}  // namespace psm::ops::kinds
