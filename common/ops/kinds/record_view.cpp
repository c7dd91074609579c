// record-view (R6): someone's views for a meeting. Append-only: a correction
// is a new view. The child's views recorded by a professional are
// professionals-only unless shared with the carers.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/rules.hpp"

namespace psm::ops::kinds {

Problem check_shape(const RecordView& p) {
  if (!id_ok(p.view_id) || !id_ok(p.meeting_id)) return bad("view or meeting id is not valid");
  if (!p.sought_on.empty()) {
    if (!policy::parse_date(p.sought_on)) return bad("the date views were sought must be YYYY-MM-DD");
    if (p.text.size() > limits::kMaxTextBytes) return bad("the views text is too long");
  } else if (!text_ok(p.text, limits::kMaxTextBytes)) {
    return bad("the views text is empty or too long");
  }
  if (static_cast<int>(p.subject) < 0 || static_cast<int>(p.subject) > 4) return bad("unknown view subject");
  if (p.professionals_only && p.share_with_carers) {
    return bad("views are either professionals-only or shared with the carers, not both");
  }
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const RecordView& p) {
  namespace f = schema::views;
  auto meeting = cx.visible(schema::meetings::kName, p.meeting_id);
  if (!meeting) return cx.not_found(schema::meetings::kCollection, p.meeting_id);
  if (auto refused = cx.refuse_unless(policy::record_view_act(p.subject))) return *refused;
  if (p.professionals_only) {
    if (auto refused = cx.refuse_unless(policy::Act::mark_views_professionals_only)) return *refused;
  }
  if (cx.state().get(f::kName, p.view_id)) return reject(Errc::already_exists, "view already recorded");
  Record v = cx.new_record(f::kName, p.view_id, meeting->scope);
  // The rule, here so that device and server agree offline: the child's
  // views recorded by a professional are for professionals unless they chose
  // to share them with the carers. An operation from before the choice
  // existed (RecordView version 1 or 2) reads as not shared.
  const bool childs_views_kept = cx.professional() && p.subject == model::ViewSubject::child && !p.share_with_carers;
  v.professionals_only = p.professionals_only || childs_views_kept;
  cx.set(v, f::meeting_id, p.meeting_id);
  cx.set(v, f::subject, p.subject);
  cx.set(v, f::text, p.text);
  if (!p.sought_on.empty()) cx.set(v, f::sought_on, p.sought_on);
  cx.set(v, f::recorded_by, cx.me());
  cx.set(v, f::recorded_at_ms, cx.now_ms());
  return accept({std::move(v)});
}

}  // namespace psm::ops::kinds
