#include "common/ops/records.hpp"

#include "common/ops/apply.hpp"
#include "common/policy/calendar.hpp"

namespace psm::ops {

namespace schema = model::schema;
using model::Record;

Record make_meeting_request(const Record& placement, const MeetingRequest& request, const model::Version& version,
                            std::string_view author) {
  namespace m = schema::meetings;
  Record r;
  r.collection = std::string(m::kName);
  r.id = request.id;
  r.scope = request.scope;
  r.set(m::placement_id, placement.id, version, author);
  r.set(m::child_id, placement.value(schema::placements::child_id), version, author);
  r.set(m::household_id, placement.value(schema::placements::household_id), version, author);
  r.set(m::type, request.type, version, author);
  r.set(m::status, model::MeetingStatus::requested, version, author);
  r.set(m::reason, request.reason, version, author);
  r.set(m::requested_by, request.requested_by, version, author);
  r.set(m::requested_at_ms, request.requested_at_ms, version, author);
  r.set(m::identified_at_ms, request.identified_at_ms, version, author);
  r.set(m::deadline_ms, request.deadline_ms, version, author);
  r.set(m::chair_id, placement.value(schema::placements::team_manager_id), version, author);
  return r;
}

Record make_notification(const Notification& n, const model::Version& version, std::string_view author) {
  namespace f = schema::notifications;
  Record r;
  r.collection = std::string(f::kName);
  r.id = n.id;
  r.scope = model::scope::person(n.recipient_id);
  r.set(f::recipient_id, n.recipient_id, version, author);
  r.set(f::kind, n.kind, version, author);
  if (n.meeting_id) r.set(f::meeting_id, *n.meeting_id, version, author);
  if (n.placement_id) r.set(f::placement_id, *n.placement_id, version, author);
  switch (n.about) {
    case Notification::About::nothing:
      break;
    case Notification::About::action:
      r.set(f::action_id, n.about_id, version, author);
      break;
    case Notification::About::concern:
      r.set(f::concern_id, n.about_id, version, author);
      break;
    case Notification::About::panel_request:
      r.set(f::request_id, n.about_id, version, author);
      break;
  }
  r.set(f::text, n.text, version, author);
  r.set(f::created_at_ms, n.created_at_ms, version, author);
  return r;
}

namespace {

std::string name_of(const StateReader& state, const std::string& person_id) {
  auto p = state.get(schema::people::kName, person_id);
  return p && !p->value(schema::people::name).empty() ? p->value(schema::people::name) : person_id;
}

// "Friday 15 January 2027", or the text as given when it is not a date.
std::string date_words(const std::string& iso) {
  const auto d = policy::parse_date(iso);
  return d ? policy::date_in_words(*d) : iso;
}

std::string_view panel_words(model::PanelStatus s) {
  switch (s) {
    case model::PanelStatus::pending:
      return "waiting for the Practice and Resources Panel";
    case model::PanelStatus::approved:
      return "approved by the Practice and Resources Panel";
    case model::PanelStatus::declined:
      return "not approved by the Practice and Resources Panel";
  }
  return "";
}

std::string_view action_words(model::ActionStatus s) {
  switch (s) {
    case model::ActionStatus::open:
      return "not started";
    case model::ActionStatus::in_progress:
      return "in progress";
    case model::ActionStatus::done:
      return "done";
    case model::ActionStatus::cancelled:
      return "cancelled";
  }
  return "";
}

}  // namespace

std::optional<Record> make_plan_copy(const StateReader& state, const Record& m, const model::Version& version,
                                     std::string_view author) {
  namespace mf = schema::meetings;
  namespace f = schema::plan_copies;
  if (m.get(mf::type) != model::MeetingType::support || m.get(mf::status) != model::MeetingStatus::minutes_finalised) {
    return std::nullopt;
  }
  auto placement = state.get(schema::placements::kName, m.value(mf::placement_id));
  if (!placement) return std::nullopt;
  Record copy;
  copy.collection = std::string(f::kName);
  copy.id = m.id + ".plan";
  copy.scope = model::scope::household(placement->value(schema::placements::household_id));
  copy.set(f::meeting_id, m.id, version, author);
  copy.set(f::placement_id, m.value(mf::placement_id), version, author);
  copy.set(f::review_date, m.value(mf::review_date), version, author);
  copy.set(f::child_told_of_plan_on, m.value(mf::child_told_of_plan_on), version, author);
  std::string items;
  for (const auto& item : state.list_in_scope(schema::support_items::kName, m.scope)) {
    namespace s = schema::support_items;
    if (item.value(s::meeting_id) != m.id || item.professionals_only) continue;
    items += item.value(s::kind) + ": " + item.value(s::description) + " (" + item.value(s::provider) + ", " +
             item.value(s::frequency) + ")";
    if (auto panel = item.get(s::panel_status)) items += " — " + std::string(panel_words(*panel));
    items += "\n";
  }
  std::string actions;
  for (const auto& a : state.list_in_scope(schema::actions::kName, m.scope)) {
    namespace s = schema::actions;
    const auto status = a.get(s::status).value_or(model::ActionStatus::open);
    if (a.value(s::meeting_id) != m.id || a.professionals_only || status == model::ActionStatus::cancelled) continue;
    actions += a.value(s::text) + " — " + name_of(state, a.value(s::owner_id)) + ", by " +
               date_words(a.value(s::due_date)) + " (" + std::string(action_words(status)) + ")\n";
  }
  copy.set(f::support_items, items, version, author);
  copy.set(f::actions, actions, version, author);
  return copy;
}

}  // namespace psm::ops
