// resolve-conflict: settle a conflict by keeping one of its two values. Keeping
// the other value writes the record it is about, then the conflict, resolved.
#include "common/ops/kinds/kinds.hpp"

namespace psm::ops::kinds {

Problem check_shape(const ResolveConflict& p) {
  if (!id_ok(p.conflict_id)) return bad("conflict id is not valid");
  if (static_cast<int>(p.keep) > 1) return bad("keep must be current or other");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const ResolveConflict& p) {
  namespace f = schema::conflicts;
  auto conflict = cx.visible(f::kName, p.conflict_id);
  if (!conflict) return cx.not_found(f::kCollection, p.conflict_id);
  if (auto refused = cx.refuse_unless(policy::Act::resolve_conflict)) return *refused;
  if (conflict->get(f::status) != model::ConflictStatus::open) {
    return reject(Errc::rule_violation, "conflict " + p.conflict_id + " is already resolved");
  }
  std::vector<Record> writes;
  const bool keep_other = p.keep == ResolveConflict::Keep::other;
  if (keep_other) {
    auto target = cx.state().get(conflict->value(f::target_collection), conflict->value(f::target_id));
    if (!target) return cx.not_found("record", conflict->value(f::target_id));
    // The field is named by the conflict, so known only at run time.
    cx.set_named(*target, conflict->value(f::field), conflict->value(f::other_value));
    writes.push_back(std::move(*target));
  }
  cx.set(*conflict, f::status, model::ConflictStatus::resolved);
  cx.set(*conflict, f::kept, keep_other ? model::ConflictKept::other : model::ConflictKept::kept);
  cx.set(*conflict, f::resolved_by, cx.me());
  cx.set(*conflict, f::resolved_at_ms, cx.now_ms());
  writes.push_back(std::move(*conflict));
  return accept(std::move(writes));
}

}  // namespace psm::ops::kinds
