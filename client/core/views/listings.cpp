#include "client/core/views/listings.hpp"

#include "client/core/views/format.hpp"
#include "client/core/views/people.hpp"
#include "client/core/views/sync_state.hpp"
#include "common/model/hlc.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"

namespace psm::client::views {

namespace json = boost::json;
namespace col = model::collection;
namespace schema = model::schema;

json::object status_json(Replica& r, const std::optional<ClientConfig>& config) {
  const auto entries = r.outbox();
  std::size_t waiting = 0;
  json::array ops;
  for (const auto& e : entries) {
    waiting += (e.state == OpState::queued || e.state == OpState::sent) ? 1 : 0;
    ops.push_back({{"op_id", e.op_id},
                   {"kind", e.kind},
                   {"state", to_string(e.state)},
                   {"reason", e.reason},
                   {"created_at", policy::format_utc(e.created_at_ms)}});
  }
  const auto last_sync = r.meta("last_sync_ms");
  return {{"person_id", r.meta("person_id").value_or("")},
          {"name", r.meta("display_name").value_or("")},
          {"role", r.meta("role").value_or("")},
          {"device_id", r.meta("device_id").value_or("")},
          {"server", config ? config->server_url : ""},
          {"last_sync", last_sync ? policy::format_utc(std::stoull(*last_sync)) : ""},
          {"waiting_to_send", waiting},
          {"records", r.record_count()},
          {"operations", ops}};
}

json::array placements_json(Replica& r) {
  json::array arr;
  namespace f = schema::placements;
  for (const auto& p : r.list(col::kPlacements)) {
    auto child = r.get(col::kChildren, p.value(f::child_id));
    auto household = r.get(col::kHouseholds, p.value(f::household_id));
    arr.push_back({{"id", p.id},
                   {"child_id", p.value(f::child_id)},
                   {"child", child ? child->value(schema::children::name) : ""},
                   {"household_id", p.value(f::household_id)},
                   {"household", household ? household->value(schema::households::name) : ""},
                   {"type", p.spelling(f::type)},
                   {"start_date", p.value(f::start_date)},
                   {"end_date", p.value(f::end_date)}});
  }
  return arr;
}

json::array meetings_json(Replica& r) {
  const SyncStates states(r);
  json::array arr;
  const auto now = model::HlcClock::system_now_millis();
  namespace f = schema::meetings;
  for (const auto& m : r.list(col::kMeetings)) {
    const auto deadline = m.get(f::deadline_ms);
    const bool overdue = deadline && m.get(f::status) == model::MeetingStatus::requested && *deadline < now;
    const auto deadline_met = policy::to_string(policy::deadline_state(m, now));  // R2: met, missed or pending
    arr.push_back({{"id", m.id},
                   {"placement_id", m.value(f::placement_id)},
                   {"type", m.spelling(f::type)},
                   {"status", m.spelling(f::status)},
                   {"reason", m.value(f::reason)},
                   {"requested_by", m.value(f::requested_by)},
                   {"requested_at", ms_field_utc(m, f::requested_at_ms)},
                   {"identified_at", ms_field_utc(m, f::identified_at_ms)},
                   {"deadline", ms_field_utc(m, f::deadline_ms)},
                   {"overdue", overdue},
                   {"deadline_met", deadline_met},
                   {"chair_id", m.value(f::chair_id)},
                   {"sync_state", sync_state_words(states.of(col::kMeetings, m.id).state)}});
  }
  return arr;
}

json::array actions_json(Replica& r) {
  const SyncStates states(r);
  json::array arr;
  const auto all_updates = r.list(col::kActionUpdates);
  namespace f = schema::actions;
  namespace fu = schema::action_updates;
  for (const auto& a : r.list(col::kActions)) {
    json::array updates;
    for (const auto& u : all_updates) {
      if (u.value(fu::action_id) != a.id) continue;
      updates.push_back({{"id", u.id},
                         {"from", u.spelling(fu::from)},
                         {"to", u.spelling(fu::to)},
                         {"note", u.value(fu::note)},
                         {"author_id", u.value(fu::author_id)},
                         {"at", ms_field_utc(u, fu::at_ms)}});
    }
    arr.push_back({{"id", a.id},
                   {"meeting_id", a.value(f::meeting_id)},
                   {"owner_id", a.value(f::owner_id)},
                   {"owner", name_of(r, a.value(f::owner_id))},
                   {"due_date", a.value(f::due_date)},
                   {"text", a.value(f::text)},
                   {"status", a.spelling(f::status)},
                   {"updates", updates},
                   {"sync_state", sync_state_words(states.of(col::kActions, a.id).state)}});
  }
  return arr;
}

json::array conflicts_json(Replica& r) {
  // When each version was written: the HLC's physical part.
  auto written_at = [](const std::string& hlc) {
    return hlc.empty() ? std::string() : policy::format_utc(model::Hlc{std::stoull(hlc)}.millis());
  };
  json::array arr;
  namespace f = schema::conflicts;
  for (const auto& c : r.list(col::kConflicts)) {
    arr.push_back({{"id", c.id},
                   {"status", c.spelling(f::status)},
                   {"record", c.value(f::target_collection) + "/" + c.value(f::target_id)},
                   {"field", c.value(f::field)},
                   {"current",
                    {{"value", c.value(f::kept_value)},
                     {"author_id", c.value(f::kept_author)},
                     {"author", name_of(r, c.value(f::kept_author))},
                     {"device", c.value(f::kept_device)},
                     {"at", written_at(c.spelling(f::kept_hlc))}}},
                   {"other",
                    {{"value", c.value(f::other_value)},
                     {"author_id", c.value(f::other_author)},
                     {"author", name_of(r, c.value(f::other_author))},
                     {"device", c.value(f::other_device)},
                     {"at", written_at(c.spelling(f::other_hlc))}}},
                   {"detected_at", ms_field_utc(c, f::detected_at_ms)}});
  }
  return arr;
}

json::array notifications_json(Replica& r) {
  const auto me = r.actor().person_id;
  json::array out;
  namespace f = schema::notifications;
  for (const auto& n : r.list_in_scope(col::kNotifications, model::scope::person(me))) {
    out.push_back({{"id", n.id},
                   {"kind", n.spelling(f::kind)},
                   {"text", n.value(f::text)},
                   {"meeting_id", n.value(f::meeting_id)},
                   {"at", ms_field_utc(n, f::created_at_ms)}});
  }
  return out;
}

json::object plans_json(Replica& r) {
  json::array items, copies;
  namespace fi = schema::support_items;
  namespace fc = schema::plan_copies;
  for (const auto& i : r.list(col::kSupportItems)) {
    items.push_back({{"id", i.id},
                     {"meeting_id", i.value(fi::meeting_id)},
                     {"kind", i.value(fi::kind)},
                     {"description", i.value(fi::description)},
                     {"provider", i.value(fi::provider)},
                     {"frequency", i.value(fi::frequency)},
                     {"professionals_only", i.professionals_only},
                     {"panel_status", i.spelling(fi::panel_status)},
                     {"panel_reason", i.value(fi::panel_reason)}});
  }
  for (const auto& c : r.list(col::kPlanCopies)) {
    copies.push_back({{"id", c.id},
                      {"meeting_id", c.value(fc::meeting_id)},
                      {"placement_id", c.value(fc::placement_id)},
                      {"review_date", c.value(fc::review_date)},
                      {"child_told_of_plan_on", c.value(fc::child_told_of_plan_on)},
                      {"support_items", c.value(fc::support_items)},
                      {"actions", c.value(fc::actions)}});
  }
  return {{"support_items", items}, {"carer_copies", copies}};
}

json::array people_json(Replica& r, std::string_view role, std::string_view search) {
  json::array out;
  namespace f = schema::people;
  const auto all = people_candidates(r);
  const auto wanted = search.empty() ? all : matching(all, search);
  for (const auto& c : wanted) {
    auto p = r.get(col::kPeople, c.id);
    if (!p || (!role.empty() && p->spelling(f::role) != role)) continue;
    out.push_back({{"id", p->id},
                   {"name", p->value(f::name)},
                   {"role", p->spelling(f::role)},
                   {"role_words", role_words(p->spelling(f::role))},
                   {"team", p->value(f::team)},
                   {"service", p->value(f::service)}});
  }
  return out;
}

json::array panel_requests_json(Replica& r) {
  json::array arr;
  namespace f = schema::panel_requests;
  for (const auto& q : r.list(col::kPanelRequests)) {
    arr.push_back({{"id", q.id},
                   {"meeting_id", q.value(f::meeting_id)},
                   {"placement_id", q.value(f::placement_id)},
                   {"kind", q.value(f::kind)},
                   {"description", q.value(f::description)},
                   {"provider", q.value(f::provider)},
                   {"frequency", q.value(f::frequency)},
                   {"requested_by", q.value(f::requested_by)},
                   {"requested_at", ms_field_utc(q, f::requested_at_ms)},
                   {"status", q.spelling(f::status)},
                   {"reason", q.value(f::reason)},
                   {"decided_by", q.value(f::decided_by)},
                   {"decided_at", ms_field_utc(q, f::decided_at_ms)}});
  }
  return arr;
}

}  // namespace psm::client::views
