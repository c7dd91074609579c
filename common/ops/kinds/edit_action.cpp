// edit-action: change an action's plain fields (text, due date, owner). The
// versions the person saw travel in Operation::base; a concurrent edit of the
// same field is kept as a conflict (common/merge).
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/calendar.hpp"

#include <map>

namespace psm::ops::kinds {

Problem check_shape(const EditAction& p) {
  if (!id_ok(p.action_id)) return bad("action id is not valid");
  if (!p.text && !p.due_date && !p.owner_id) return bad("nothing to change");
  if (p.text && !text_ok(*p.text, limits::kMaxTextBytes)) return bad("the action's text is empty or too long");
  if (p.due_date && !policy::parse_date(*p.due_date)) return bad("the due date must be YYYY-MM-DD");
  if (p.owner_id && !id_ok(*p.owner_id)) return bad("owner id is not valid");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const EditAction& p) {
  namespace f = schema::actions;
  auto action = cx.visible(f::kName, p.action_id);
  if (!action) return cx.not_found(f::kCollection, p.action_id);
  if (auto refused = cx.refuse_unless(policy::Act::edit_action)) return *refused;
  std::map<std::string, std::string> changes;
  if (p.text) changes[std::string(f::text.name)] = *p.text;
  if (p.due_date) changes[std::string(f::due_date.name)] = *p.due_date;
  if (p.owner_id) {
    if (!cx.state().get(schema::people::kName, *p.owner_id)) {
      return reject(Errc::invalid_argument, "owner " + *p.owner_id + " is not a known person");
    }
    changes[std::string(f::owner_id.name)] = *p.owner_id;
  }
  auto merged = merge::merge_fields(*action, changes, cx.op().base, cx.write_info());
  Outcome o = accept({std::move(merged.record)});
  if (!merged.conflicts.empty()) {
    o.kind = OutcomeKind::conflict;
    o.reason = "someone else edited this action at the same time; both versions are kept in a conflict for review";
    for (auto& c : merged.conflicts) o.writes.push_back(std::move(c));
  }
  return o;
}

}  // namespace psm::ops::kinds
