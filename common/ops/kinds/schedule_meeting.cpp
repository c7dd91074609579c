// schedule-meeting (R4, R5): fix when and where a requested meeting is held.
// The first time, invitations go to everyone who must attend (the carers, the
// child's social worker, the team manager who chairs, the SSW), the IRO and
// the child, and the booked minute taker. Writes the meeting, then the
// invitations, then tells everyone invited (and the minute taker) once each.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/access.hpp"
#include "common/policy/rules.hpp"

#include <set>

namespace psm::ops::kinds {

Problem check_shape(const ScheduleMeeting& p) {
  if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
  if (p.location.size() > limits::kMaxShortStringBytes) return bad("the location is too long");
  if (!p.minute_taker_id.empty() && !id_ok(p.minute_taker_id)) return bad("minute taker id is not valid");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const ScheduleMeeting& p) {
  namespace m_ = schema::meetings;
  namespace inv_ = schema::invitations;
  auto meeting = cx.visible(m_::kName, p.meeting_id);
  if (!meeting) return cx.not_found(m_::kCollection, p.meeting_id);
  const std::string placement_id = meeting->value(m_::placement_id);
  auto placement = cx.state().get(schema::placements::kName, placement_id);
  if (!placement) return cx.not_found(schema::placements::kCollection, placement_id);
  const auto type = placement->get(schema::placements::type).value_or(model::PlacementType::in_house);
  if (auto refused = cx.refuse_unless(policy::schedule_meeting_act(type))) return *refused;
  const auto status = meeting->get(m_::status);
  if (status != model::MeetingStatus::requested && status != model::MeetingStatus::scheduled) {
    return reject(Errc::rule_violation,
                  "meeting " + p.meeting_id + " is " + meeting->spelling(m_::status) + " and cannot be rescheduled");
  }
  if (p.scheduled_for_ms == 0) return reject(Errc::invalid_argument, "a date and time for the meeting is required");
  std::string minute_taker = p.minute_taker_id;
  std::string note;  // for the person who booked it
  if (type != model::PlacementType::in_house) {
    // R4: for an IFA or independent placement the CLA Team Manager (the
    // chair) minutes; a different minute taker given is not booked, and the
    // person booking is told so.
    minute_taker = meeting->value(m_::chair_id);
    if (!p.minute_taker_id.empty() && p.minute_taker_id != minute_taker) {
      note = std::string("For ") + (type == model::PlacementType::ifa ? "an IFA" : "an independent") +
             " placement the CLA Team Manager, " + cx.person_name(minute_taker) + ", takes the minutes; " +
             cx.person_name(p.minute_taker_id) + " was not booked";
    }
  }
  if (!minute_taker.empty() && !cx.state().get(schema::people::kName, minute_taker)) {
    return reject(Errc::invalid_argument, "minute taker " + minute_taker + " is not a known person");
  }
  std::vector<Record> writes;
  if (status == model::MeetingStatus::requested) {
    auto household = cx.state().get(schema::households::kName, placement->value(schema::placements::household_id));
    auto child = cx.state().get(schema::children::kName, placement->value(schema::placements::child_id));
    int n = 0;
    std::set<std::string> invited;
    auto invite = [&](const std::string& person, model::InvitationKind kind, bool mandatory) {
      if (person.empty()) return;
      invited.insert(person);
      Record inv = cx.new_record(inv_::kName, p.meeting_id + ".i" + std::to_string(++n), meeting->scope);
      cx.set(inv, inv_::meeting_id, p.meeting_id);
      cx.set(inv, inv_::person_id, person);
      cx.set(inv, inv_::kind, kind);
      cx.set(inv, inv_::mandatory, mandatory);
      cx.set(inv, inv_::attendance, model::Attendance::invited);
      writes.push_back(std::move(inv));
    };
    using K = model::InvitationKind;
    if (household) {
      for (const auto& carer : policy::split_ids(household->value(schema::households::carer_ids))) {
        invite(carer, K::carer, true);
      }
    }
    if (child) invite(child->value(schema::children::social_worker_id), K::child_social_worker, true);
    invite(meeting->value(m_::chair_id), K::team_manager, true);
    if (household) invite(household->value(schema::households::ssw_id), K::supervising_social_worker, true);
    if (child) invite(child->value(schema::children::iro_id), K::iro, false);
    // S1 3.5: the booked minute taker is invited, unless invited already (the
    // SSW, or the CLA Team Manager who chairs and minutes an agency meeting).
    if (!invited.count(minute_taker)) invite(minute_taker, K::other, false);
    // R5: children are always invited, unless a recorded shared decision says otherwise.
    Record inv = cx.new_record(inv_::kName, p.meeting_id + ".child", meeting->scope);
    cx.set(inv, inv_::meeting_id, p.meeting_id);
    cx.set(inv, inv_::kind, K::child);
    cx.set(inv, inv_::name, child ? child->value(schema::children::name) : std::string("the child"));
    cx.set(inv, inv_::mandatory, false);
    cx.set(inv, inv_::attendance, model::Attendance::invited);
    writes.push_back(std::move(inv));
  }
  cx.set(*meeting, m_::status, model::MeetingStatus::scheduled);
  cx.set(*meeting, m_::scheduled_for_ms, p.scheduled_for_ms);
  cx.set(*meeting, m_::location, p.location);
  cx.set(*meeting, m_::minute_taker_id, minute_taker);
  cx.set(*meeting, m_::scheduled_by, cx.me());
  // R4/R5: everyone invited who has an account, and the minute taker, is
  // told of the booking (or the new time), once each; not the person booking.
  std::vector<std::string> invitees;
  for (const auto& w : writes) {
    if (w.collection == inv_::kName) invitees.push_back(w.value(inv_::person_id));
  }
  if (status == model::MeetingStatus::scheduled) {
    for (const auto& inv : cx.state().list_in_scope(inv_::kName, meeting->scope)) {
      if (inv.value(inv_::meeting_id) == p.meeting_id) invitees.push_back(inv.value(inv_::person_id));
    }
  }
  invitees.push_back(minute_taker);
  const std::string text =
      describe_meeting(cx, *meeting, status == model::MeetingStatus::scheduled ? "rearranged" : "booked");
  std::set<std::string> told{cx.me()};
  for (const auto& person : invitees) {
    if (person.empty() || !cx.state().get(schema::people::kName, person) || !told.insert(person).second) continue;
    cx.notify(writes, person, model::NotificationKind::meeting_booked, *meeting, text);
  }
  writes.insert(writes.begin(), std::move(*meeting));
  auto outcome = accept(std::move(writes));
  outcome.reason = std::move(note);
  return outcome;
}

}  // namespace psm::ops::kinds
