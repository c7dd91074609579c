// update-action (R8): move an action along its status machine. The note is an
// append-only action update, kept whatever happens to the status; a move that
// raced another and is no longer legal is kept as a conflict.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/rules.hpp"

namespace psm::ops::kinds {

Problem check_shape(const UpdateActionStatus& p) {
  if (!id_ok(p.action_id) || !id_ok(p.update_id)) return bad("action or update id is not valid");
  if (static_cast<int>(p.to) < 0 || static_cast<int>(p.to) > 3 || static_cast<int>(p.from) < 0 ||
      static_cast<int>(p.from) > 3) {
    return bad("unknown action status");
  }
  if (p.note.size() > limits::kMaxTextBytes) return bad("the note is too long");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const UpdateActionStatus& p) {
  namespace f = schema::actions;
  namespace u_ = schema::action_updates;
  auto action = cx.visible(f::kName, p.action_id);
  if (!action) return cx.not_found(f::kCollection, p.action_id);
  if (auto refused = cx.refuse_unless(policy::Act::update_action_status, action->value(f::owner_id) == cx.me())) {
    return *refused;
  }
  if (cx.state().get(u_::kName, p.update_id)) return reject(Errc::already_exists, "update already recorded");
  const auto current = action->get(f::status).value_or(model::ActionStatus::open);
  const std::string to_name{model::to_string(p.to)};

  // The note is append-only and kept whatever happens to the status.
  Record u = cx.new_record(u_::kName, p.update_id, action->scope);
  cx.set(u, u_::action_id, p.action_id);
  cx.set(u, u_::from, p.from);
  cx.set(u, u_::to, p.to);
  cx.set(u, u_::note, p.note);
  cx.set(u, u_::author_id, cx.me());
  cx.set(u, u_::at_ms, cx.now_ms());

  if (current == p.from) {
    if (!policy::is_legal_action_transition(current, p.to)) {
      return reject(Errc::illegal_transition,
                    "an action cannot move from " + std::string(model::to_string(current)) + " to " + to_name);
    }
    cx.set(*action, f::status, p.to);
    return accept({std::move(*action), std::move(u)});
  }
  // Someone else moved it first. Same destination: nothing to do. A move that
  // is still legal from where it now stands: apply it. Otherwise keep both.
  if (current == p.to) return accept({std::move(u)});
  if (policy::is_legal_action_transition(current, p.to)) {
    cx.set(*action, f::status, p.to);
    return accept({std::move(*action), std::move(u)});
  }
  const merge::Write w = cx.write_info();
  const model::FieldValue other{to_name, cx.version(), cx.me()};
  const std::string status_field{f::status.name};
  Record conflict = merge::make_conflict(*action, status_field, action->fields[status_field], other, w);
  Outcome o = accept({std::move(u), std::move(conflict)});
  o.kind = OutcomeKind::conflict;
  o.reason = "someone else changed this action's status to " + std::string(model::to_string(current)) +
             " first; both changes are kept in a conflict for review";
  return o;
}

}  // namespace psm::ops::kinds
