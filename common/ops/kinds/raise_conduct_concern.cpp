// raise-conduct-concern (R9, R13): a concern about a carer's conduct raised at
// a meeting. Never reaches a carer's device. Writes the concern, then the
// urgent task (due by the end of the next working day) to discuss it with the
// LADO, then tells the LADOs and the Fostering Service Managers.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"

namespace psm::ops::kinds {

Problem check_shape(const RaiseConductConcern& p) {
  if (!id_ok(p.concern_id) || !id_ok(p.meeting_id)) return bad("concern or meeting id is not valid");
  if (!text_ok(p.text, limits::kMaxTextBytes)) return bad("describe the concern");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const RaiseConductConcern& p) {
  namespace c_ = schema::concerns;
  namespace a_ = schema::actions;
  auto meeting = cx.visible(schema::meetings::kName, p.meeting_id);
  if (!meeting) return cx.not_found(schema::meetings::kCollection, p.meeting_id);
  if (auto refused = cx.refuse_unless(policy::Act::raise_conduct_concern)) return *refused;
  if (cx.state().get(c_::kName, p.concern_id)) return reject(Errc::already_exists, "concern already recorded");
  const std::string placement_id = meeting->value(schema::meetings::placement_id);
  Record c = cx.new_record(c_::kName, p.concern_id, meeting->scope);
  c.professionals_only = true;
  cx.set(c, c_::meeting_id, p.meeting_id);
  cx.set(c, c_::placement_id, placement_id);
  cx.set(c, c_::text, p.text);
  cx.set(c, c_::raised_by, cx.me());
  cx.set(c, c_::raised_at_ms, cx.now_ms());
  // The urgent task: discuss with the LADO by the end of the next working day.
  // Professionals-only because it derives from the concern (concern_id).
  Record task = cx.new_record(a_::kName, p.concern_id + ".lado", meeting->scope);
  cx.set(task, a_::concern_id, p.concern_id);
  const std::string chair = meeting->value(schema::meetings::chair_id);
  const std::string owner = chair.empty() ? cx.me() : chair;
  const auto due = policy::uk_date_of(policy::end_of_nth_working_day_after(cx.now_ms(), 1, cx.calendar()));
  cx.set(task, a_::meeting_id, p.meeting_id);
  cx.set(task, a_::owner_id, owner);
  cx.set(task, a_::due_date, policy::format_date(due));
  cx.set(task, a_::text, "Urgent: discuss the concern about the carers' conduct with the LADO");
  cx.set(task, a_::status, model::ActionStatus::open);
  cx.set(task, a_::urgent, true);
  cx.set(task, a_::created_by, cx.me());
  cx.set(task, a_::created_at_ms, cx.now_ms());
  std::vector<Record> writes{c, task};
  // R9: a LADO referral → the LADO and the Fostering Service Manager, naming
  // the child and the carers (the LADO sees the concern by a grant:
  // policy::GrantedAccess). Professionals-only: it derives from the concern.
  const std::string text = "Concern about the carers' conduct raised at the " + describe_meeting(cx, *meeting, "");
  for (const char* setting : {"lados", "fostering-service-managers"}) {
    for (const auto& id : cx.setting_ids(setting)) {
      cx.notify(writes, id, model::NotificationKind::lado_referral, *meeting, text, Notification::About::concern,
                p.concern_id);
    }
  }
  return accept(std::move(writes));
}

}  // namespace psm::ops::kinds
