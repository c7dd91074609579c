// finalise-minutes (R6, R9, R10): close the minutes. Refused, naming
// everything missing, until the meeting heard everyone it must and set a
// review date, and never before the meeting is recorded as held. Writes the meeting, then (support meetings) the carer
// household's minimised copy of the plan, then tells the IRO.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/rules.hpp"

namespace psm::ops::kinds {

Problem check_shape(const FinaliseMinutes& p) {
  if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
  if (p.review_interval_reason.size() > limits::kMaxTextBytes) return bad("the reason is too long");
  return std::nullopt;
}

namespace {

// R10: the plan, copied minimised to the carer household's record: items and
// actions that are not professionals-only, the review date and whether the
// child was told. Nothing else about the child or their family.
Record plan_copy(Context& cx, const Record& m, const Record& placement, const FinaliseMinutes& p) {
  namespace f = schema::plan_copies;
  Record copy = cx.new_record(f::kName, m.id + ".plan",
                              model::scope::household(placement.value(schema::placements::household_id)));
  cx.set(copy, f::meeting_id, m.id);
  cx.set(copy, f::placement_id, m.value(schema::meetings::placement_id));
  cx.set(copy, f::review_date, p.review_date);
  cx.set(copy, f::child_told_of_plan_on, m.value(schema::meetings::child_told_of_plan_on));
  std::string items;
  for (const auto& item : cx.state().list_in_scope(schema::support_items::kName, m.scope)) {
    namespace s = schema::support_items;
    if (item.value(s::meeting_id) != m.id || item.professionals_only) continue;
    items += item.value(s::kind) + ": " + item.value(s::description) + " (" + item.value(s::provider) + ", " +
             item.value(s::frequency) + ")\n";
  }
  std::string plan_actions;
  for (const auto& a : cx.state().list_in_scope(schema::actions::kName, m.scope)) {
    namespace s = schema::actions;
    if (a.value(s::meeting_id) != m.id || a.professionals_only || a.get(s::status) == model::ActionStatus::cancelled) {
      continue;
    }
    plan_actions +=
        a.value(s::text) + " — " + cx.person_name(a.value(s::owner_id)) + ", by " + a.value(s::due_date) + "\n";
  }
  cx.set(copy, f::support_items, items);
  cx.set(copy, f::actions, plan_actions);
  return copy;
}

}  // namespace

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
  if (m.get(m_::type) == model::MeetingType::support && placement) writes.push_back(plan_copy(cx, m, *placement, p));
  // R9: minutes finalised → the IRO is told.
  if (child) {
    cx.notify(writes, child->value(schema::children::iro_id), model::NotificationKind::minutes_finalised, m,
              "Minutes finalised for placement " + m.value(m_::placement_id));
  }
  return accept(std::move(writes));
}

}  // namespace psm::ops::kinds
