// panel-decision (R11): the Practice and Resources Panel's decision on a
// support item needing significant extra resources; declining needs a reason.
// Writes the request, then the support item where this replica holds it, then
// tells who asked.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"

namespace psm::ops::kinds {

Problem check_shape(const DecidePanelRequest& p) {
  if (!id_ok(p.request_id)) return bad("panel request id is not valid");
  if (p.reason.size() > limits::kMaxTextBytes) return bad("the reason is too long");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const DecidePanelRequest& p) {
  namespace r_ = schema::panel_requests;
  auto request = cx.visible(r_::kName, p.request_id);
  if (!request) return cx.not_found(r_::kCollection, p.request_id);
  if (auto refused = cx.refuse_unless(policy::Act::decide_panel_request)) return *refused;
  if (request->get(r_::status) != model::PanelStatus::pending) {
    return reject(Errc::illegal_transition, "the panel has already decided on request " + p.request_id + " (" +
                                                request->spelling(r_::status) + ")");
  }
  if (!p.approve && p.reason.empty()) return reject(Errc::rule_violation, "a decision to decline must give the reason");
  const auto status = p.approve ? model::PanelStatus::approved : model::PanelStatus::declined;
  cx.set(*request, r_::status, status);
  cx.set(*request, r_::reason, p.reason);
  cx.set(*request, r_::decided_by, cx.me());
  cx.set(*request, r_::decided_at_ms, cx.now_ms());
  std::vector<Record> writes{*request};
  // The support item on the child's record, where this replica holds it (the
  // server always does; a panel member's device does not).
  if (auto item = cx.state().get(schema::support_items::kName, request->value(r_::item_id))) {
    cx.set(*item, schema::support_items::panel_status, status);
    cx.set(*item, schema::support_items::panel_reason, p.reason);
    writes.push_back(std::move(*item));
  }
  const std::string placement_id = request->value(r_::placement_id);
  Record meeting = cx.new_record(schema::meetings::kName, request->value(r_::meeting_id), "");
  cx.set(meeting, schema::meetings::placement_id, placement_id);
  cx.notify(writes, request->value(r_::requested_by), model::NotificationKind::panel_decision, meeting,
            "The Practice and Resources Panel " + std::string(model::to_string(status)) +
                " the support requested for placement " + placement_id,
            Notification::About::panel_request, p.request_id);
  return accept(std::move(writes));
}

}  // namespace psm::ops::kinds
