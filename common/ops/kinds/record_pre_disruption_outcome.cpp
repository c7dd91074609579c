// pre-disruption-outcome (R9, R12): what a pre-disruption meeting decided. A
// planned ending must record future contact, whether the carers support the
// move and the lessons; it writes the meeting, then the task to arrange the
// End of Placement Review, then tells the IRO.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"

namespace psm::ops::kinds {

Problem check_shape(const RecordPreDisruptionOutcome& p) {
  if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
  for (const auto* t : {&p.future_contact, &p.carers_support_move, &p.lessons}) {
    if (t->size() > limits::kMaxTextBytes) return bad("text too long");
  }
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const RecordPreDisruptionOutcome& p) {
  namespace m_ = schema::meetings;
  auto meeting = cx.scheduled_meeting(p.meeting_id);
  if (!meeting.ok()) return meeting.error;
  Record& m = *meeting.record;
  if (m.get(m_::type) != model::MeetingType::pre_disruption) {
    return reject(Errc::rule_violation, "only a pre-disruption meeting records this outcome");
  }
  if (auto refused = cx.refuse_unless(policy::Act::record_pre_disruption_outcome)) return *refused;
  std::vector<std::string> missing;
  if (p.planned_ending) {
    if (p.future_contact.empty()) missing.push_back("future contact between the child and the carers");
    if (p.carers_support_move != "yes" && p.carers_support_move != "no") {
      missing.push_back("whether the carers will support the move (yes or no)");
    }
    if (p.lessons.empty()) missing.push_back("lessons for the End of Placement Review");
  }
  if (!missing.empty()) {
    std::string message = "a planned ending must record: ";
    for (std::size_t i = 0; i < missing.size(); ++i) message += (i ? "; " : "") + missing[i];
    return reject(Errc::rule_violation, message);
  }
  cx.set(m, m_::outcome,
         p.planned_ending ? model::MeetingOutcome::planned_ending : model::MeetingOutcome::continue_with_support);
  std::vector<Record> writes;
  if (p.planned_ending) {
    namespace a_ = schema::actions;
    cx.set(m, m_::future_contact, p.future_contact);
    cx.set(m, m_::carers_support_move, p.carers_support_move);
    cx.set(m, m_::lessons, p.lessons);
    // A planned ending prompts an End of Placement Review and informing the IRO.
    Record review = cx.new_record(a_::kName, m.id + ".epr", m.scope);
    const std::string chair = m.value(m_::chair_id);
    const std::string owner = chair.empty() ? cx.me() : chair;
    cx.set(review, a_::meeting_id, m.id);
    cx.set(review, a_::owner_id, owner);
    cx.set(
        review, a_::due_date,
        policy::format_date(policy::uk_date_of(policy::end_of_nth_working_day_after(cx.now_ms(), 20, cx.calendar()))));
    cx.set(review, a_::text, "Arrange the End of Placement Review");
    cx.set(review, a_::status, model::ActionStatus::open);
    cx.set(review, a_::created_by, cx.me());
    cx.set(review, a_::created_at_ms, cx.now_ms());
    writes.push_back(std::move(review));
  }
  writes.insert(writes.begin(), m);
  if (p.planned_ending) {
    if (auto child = cx.state().get(schema::children::kName, m.value(m_::child_id))) {
      cx.notify(writes, child->value(schema::children::iro_id), model::NotificationKind::planned_ending, m,
                "A planned ending was agreed at a pre-disruption meeting for placement " + m.value(m_::placement_id));
    }
  }
  return accept(std::move(writes));
}

}  // namespace psm::ops::kinds
