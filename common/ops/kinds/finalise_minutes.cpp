// finalise-minutes (R6, R9, R10): close the minutes. Refused, naming
// everything missing, until the meeting heard everyone it must and set a
// review date, and never before the meeting is recorded as held. Writes the
// meeting, then (support meetings) the carer household's minimised copy of the
// plan, the review meeting to arrange and the action to arrange it, then tells
// the IRO.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/rules.hpp"

namespace psm::ops::kinds {

namespace {

// R6: a support meeting's review (6-weekly to 3-monthly) is a meeting to
// arrange: a support meeting request reviewing `m`'s plan, due by the end of
// the review date, and an action for the supervising social worker to arrange
// and hold it, due that day. The action is chased like any other when it is
// missed (R8), its owner is reminded before the date (the server's sweep), and
// it is done when the review meeting's minutes are finalised. Ids derive from
// the operation, so every replica makes the same.
void review_meeting(Context& cx, const Record& m, const Record& placement, const std::optional<Record>& child,
                    const policy::Date& review, std::vector<Record>& writes) {
  namespace m_ = schema::meetings;
  namespace a_ = schema::actions;
  const std::string child_name = child ? child->value(schema::children::name) : std::string("the child");
  MeetingRequest request;
  request.id = cx.op().op_id + ".review";
  request.scope = m.scope;
  request.type = model::MeetingType::support;
  request.reason = "Review of the Placement Support Plan agreed at the meeting of " +
                   policy::date_in_words(policy::uk_date_of(
                       m.get(m_::held_at_ms).value_or(m.get(m_::scheduled_for_ms).value_or(cx.now_ms()))));
  request.requested_by = cx.me();
  request.requested_at_ms = cx.now_ms();
  request.identified_at_ms = cx.now_ms();
  request.deadline_ms = policy::uk_end_of_day(review);
  Record r = make_meeting_request(placement, request, cx.version(), cx.me());
  cx.set(r, m_::reviews_meeting_id, m.id);
  writes.push_back(r);

  auto household = cx.state().get(schema::households::kName, placement.value(schema::placements::household_id));
  const std::string ssw = household ? household->value(schema::households::ssw_id) : std::string();
  Record a = cx.new_record(a_::kName, request.id + ".arrange", m.scope);
  cx.set(a, a_::meeting_id, r.id);
  cx.set(a, a_::owner_id, ssw.empty() ? cx.me() : ssw);
  cx.set(a, a_::due_date, policy::format_date(review));
  cx.set(
      a, a_::text,
      "Arrange and hold the review of " + child_name + "'s Placement Support Plan by " + policy::date_in_words(review));
  cx.set(a, a_::status, model::ActionStatus::open);
  cx.set(a, a_::created_by, cx.me());
  cx.set(a, a_::created_at_ms, cx.now_ms());
  cx.set(a, a_::arranges_meeting_id, r.id);
  writes.push_back(std::move(a));
}

}  // namespace

Problem check_shape(const FinaliseMinutes& p) {
  if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
  if (p.review_interval_reason.size() > limits::kMaxTextBytes) return bad("the reason is too long");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const FinaliseMinutes& p) {
  namespace m_ = schema::meetings;
  auto meeting = cx.held_meeting(p.meeting_id);
  if (!meeting.ok()) return meeting.error;
  Record& m = *meeting.record;
  auto placement = cx.state().get(schema::placements::kName, m.value(m_::placement_id));
  auto child = placement ? cx.state().get(schema::children::kName, placement->value(schema::placements::child_id))
                         : std::nullopt;
  const std::string& me = cx.me();
  if (auto refused = cx.refuse_unless(policy::Act::finalise_minutes, is_chair_minute_taker_or_ssw(cx, m))) {
    return *refused;
  }
  std::vector<std::string> missing;
  bool iro_attended = false;
  for (const auto& inv : cx.state().list_in_scope(schema::invitations::kName, m.scope)) {
    namespace f = schema::invitations;
    if (inv.value(f::meeting_id) != m.id) continue;
    const auto attendance = inv.get(f::attendance);
    if (inv.get(f::kind) == model::InvitationKind::iro && attendance == model::Attendance::attended) {
      iro_attended = true;
    }
    if (inv.get(f::mandatory) == true && attendance != model::Attendance::attended &&
        attendance != model::Attendance::attended_part && attendance != model::Attendance::apologies) {
      missing.push_back("attendance or apologies for " + cx.person_name(inv.value(f::person_id)) + " (" +
                        inv.spelling(f::kind) + ")");
    }
  }
  bool child_views = false;
  bool iro_views = false;
  for (const auto& v : cx.state().list_in_scope(schema::views::kName, m.scope)) {
    namespace f = schema::views;
    if (v.value(f::meeting_id) != m.id) continue;
    if (v.get(f::subject) == model::ViewSubject::child && !v.value(f::text).empty()) child_views = true;
    if (v.get(f::subject) == model::ViewSubject::iro) iro_views = true;  // views, or a record that they were sought
  }
  if (!child_views) {
    missing.push_back(
        "the child's views (recorded at the meeting, or gathered in advance by the child's social worker)");
  }
  if (child && !child->value(schema::children::iro_id).empty() && !iro_attended && !iro_views) {
    missing.push_back("the IRO's views (or a record that they were sought, and when)");
  }
  for (const auto& a : cx.state().list_in_scope(schema::actions::kName, m.scope)) {
    namespace f = schema::actions;
    if (a.value(f::meeting_id) != m.id || a.get(f::status) == model::ActionStatus::cancelled) continue;
    if (a.value(f::owner_id).empty() || a.value(f::due_date).empty()) {
      missing.push_back("an owner and a due date for action \"" + a.value(f::text) + "\"");
    }
  }
  const auto review = policy::parse_date(p.review_date);
  if (!review) {
    missing.push_back("a review date");
  } else {
    const auto held_on = policy::uk_date_of(m.get(m_::held_at_ms).value_or(0));
    if (!policy::is_usual_review_interval(held_on, *review) && p.review_interval_reason.empty()) {
      missing.push_back("a reason for reviewing on " + p.review_date +
                        " (reviews are usually 6 weeks to 3 months after the meeting)");
    }
  }
  if (!missing.empty()) {
    std::string message = "the minutes cannot be finalised yet; missing: ";
    for (std::size_t i = 0; i < missing.size(); ++i) {
      message += (i ? "; " : "") + std::to_string(i + 1) + ". " + missing[i];
    }
    return reject(Errc::rule_violation, message);
  }
  cx.set(m, m_::status, model::MeetingStatus::minutes_finalised);
  cx.set(m, m_::review_date, p.review_date);
  if (!p.review_interval_reason.empty()) cx.set(m, m_::review_interval_reason, p.review_interval_reason);
  cx.set(m, m_::finalised_by, me);
  cx.set(m, m_::finalised_at_ms, cx.now_ms());
  std::vector<Record> writes{m};
  // R10: the carers' copy of the plan, as it stands now (it then follows the plan).
  if (auto copy = make_plan_copy(cx.state(), m, cx.version(), me)) writes.push_back(std::move(*copy));
  // A review meeting held: the action to arrange it is done.
  for (auto a : cx.state().list_in_scope(schema::actions::kName, m.scope)) {
    namespace f = schema::actions;
    const auto status = a.get(f::status);
    if (a.value(f::arranges_meeting_id) != m.id ||
        (status != model::ActionStatus::open && status != model::ActionStatus::in_progress)) {
      continue;
    }
    cx.set(a, f::status, model::ActionStatus::done);
    writes.push_back(std::move(a));
  }
  // R6: the plan's review date becomes a meeting to arrange.
  if (m.get(m_::type) == model::MeetingType::support && placement && review) {
    review_meeting(cx, m, *placement, child, *review, writes);
  }
  // R9: minutes finalised → the IRO is told.
  if (child) {
    cx.notify(writes, child->value(schema::children::iro_id), model::NotificationKind::minutes_finalised, m,
              "Minutes finalised for placement " + m.value(m_::placement_id));
  }
  return accept(std::move(writes));
}

}  // namespace psm::ops::kinds
