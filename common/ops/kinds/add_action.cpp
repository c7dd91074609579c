// add-action (R8): an action agreed at a meeting; every action has an owner
// and a due date. Writes the action, open.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/calendar.hpp"

namespace psm::ops::kinds {

Problem check_shape(const AddAction& p) {
  if (!id_ok(p.action_id) || !id_ok(p.meeting_id)) return bad("action or meeting id is not valid");
  if (!id_ok(p.owner_id)) return bad("every action needs an owner");
  if (!policy::parse_date(p.due_date)) return bad("every action needs a due date (YYYY-MM-DD)");
  if (!text_ok(p.text, limits::kMaxTextBytes)) return bad("the action's text is empty or too long");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const AddAction& p) {
  namespace f = schema::actions;
  auto meeting = cx.visible(schema::meetings::kName, p.meeting_id);
  if (!meeting) return cx.not_found(schema::meetings::kCollection, p.meeting_id);
  if (auto refused = cx.refuse_unless(policy::Act::add_action)) return *refused;
  if (!cx.state().get(schema::people::kName, p.owner_id)) {
    return reject(Errc::invalid_argument, "owner " + p.owner_id + " is not a known person");
  }
  if (cx.state().get(f::kName, p.action_id)) return reject(Errc::already_exists, "action already exists");
  Record a = cx.new_record(f::kName, p.action_id, meeting->scope);
  cx.set(a, f::meeting_id, p.meeting_id);
  cx.set(a, f::owner_id, p.owner_id);
  cx.set(a, f::due_date, p.due_date);
  cx.set(a, f::text, p.text);
  cx.set(a, f::status, model::ActionStatus::open);
  cx.set(a, f::created_by, cx.me());
  cx.set(a, f::created_at_ms, cx.now_ms());
  return accept({std::move(a)});
}

}  // namespace psm::ops::kinds
