// add-support-item (R9, R10, R11): an item of the Placement Support Plan agreed
// at a support meeting. Writes the item; one needing significant extra
// resources also writes a pending panel request (panel scope) and tells the
// panel's members.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/rules.hpp"

namespace psm::ops::kinds {

Problem check_shape(const AddSupportItem& p) {
  if (!id_ok(p.item_id) || !id_ok(p.meeting_id)) return bad("item or meeting id is not valid");
  if (!text_ok(p.description, limits::kMaxTextBytes)) return bad("describe the support");
  if (p.provider.size() > limits::kMaxShortStringBytes || p.frequency.size() > limits::kMaxShortStringBytes) {
    return bad("provider or frequency too long");
  }
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const AddSupportItem& p) {
  namespace i_ = schema::support_items;
  namespace r_ = schema::panel_requests;
  auto meeting = cx.visible(schema::meetings::kName, p.meeting_id);
  if (!meeting) return cx.not_found(schema::meetings::kCollection, p.meeting_id);
  if (auto refused = cx.refuse_unless(policy::Act::add_support_item)) return *refused;
  if (meeting->get(schema::meetings::type) != model::MeetingType::support) {
    return reject(Errc::rule_violation, "a Placement Support Plan comes out of a Placement Support Meeting");
  }
  if (!policy::is_support_item_kind(p.kind)) {
    return reject(Errc::invalid_argument, "support item kind must be one of " + policy::support_item_kinds());
  }
  if (cx.state().get(i_::kName, p.item_id)) return reject(Errc::already_exists, "support item already recorded");
  Record item = cx.new_record(i_::kName, p.item_id, meeting->scope);
  item.professionals_only = p.professionals_only;
  cx.set(item, i_::meeting_id, p.meeting_id);
  cx.set(item, i_::kind, p.kind);
  cx.set(item, i_::description, p.description);
  cx.set(item, i_::provider, p.provider);
  cx.set(item, i_::frequency, p.frequency);
  cx.set(item, i_::added_by, cx.me());
  if (!p.needs_panel) return accept({std::move(item)});
  // R11: significant extra resources wait for the Practice and Resources
  // Panel, which sees the request (not the child's record) in its own scope.
  const std::string placement_id = meeting->value(schema::meetings::placement_id);
  cx.set(item, i_::panel_status, model::PanelStatus::pending);
  Record request = cx.new_record(r_::kName, p.item_id, std::string(model::scope::kPanel));
  request.professionals_only = true;
  cx.set(request, r_::item_id, p.item_id);
  cx.set(request, r_::meeting_id, p.meeting_id);
  cx.set(request, r_::placement_id, placement_id);
  cx.set(request, r_::kind, p.kind);
  cx.set(request, r_::description, p.description);
  cx.set(request, r_::provider, p.provider);
  cx.set(request, r_::frequency, p.frequency);
  cx.set(request, r_::requested_by, cx.me());
  cx.set(request, r_::requested_at_ms, cx.now_ms());
  cx.set(request, r_::status, model::PanelStatus::pending);
  std::vector<Record> writes{std::move(item), std::move(request)};
  // R9: a resource request → the panel.
  for (const auto& id : cx.setting_ids("panel-members")) {
    cx.notify(writes, id, model::NotificationKind::resource_request, *meeting,
              "Support needing the Practice and Resources Panel's approval, for placement " + placement_id,
              Notification::About::panel_request, p.item_id);
  }
  return accept(std::move(writes));
}

}  // namespace psm::ops::kinds
