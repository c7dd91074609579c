#include "client/core/views/listings.hpp"

#include "client/core/views/format.hpp"
#include "client/core/views/sync_state.hpp"
#include "common/model/hlc.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"

namespace psm::client::views {

namespace json = boost::json;
namespace col = model::collection;

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
  for (const auto& p : r.list(col::kPlacements)) {
    auto child = r.get(col::kChildren, p.value("child_id"));
    auto household = r.get(col::kHouseholds, p.value("household_id"));
    arr.push_back({{"id", p.id},
                   {"child_id", p.value("child_id")},
                   {"child", child ? child->value("name") : ""},
                   {"household_id", p.value("household_id")},
                   {"household", household ? household->value("name") : ""},
                   {"type", p.value("type")},
                   {"start_date", p.value("start_date")},
                   {"end_date", p.value("end_date")}});
  }
  return arr;
}

json::array meetings_json(Replica& r) {
  const SyncStates states(r);
  json::array arr;
  const auto now = model::HlcClock::system_now_millis();
  for (const auto& m : r.list(col::kMeetings)) {
    const auto deadline = m.value("deadline_ms");
    const bool overdue = !deadline.empty() && m.value("status") == "requested" && std::stoull(deadline) < now;
    const auto deadline_met = policy::to_string(policy::deadline_state(m, now));  // R2: met, missed or pending
    arr.push_back({{"id", m.id},
                   {"placement_id", m.value("placement_id")},
                   {"type", m.value("type")},
                   {"status", m.value("status")},
                   {"reason", m.value("reason")},
                   {"requested_by", m.value("requested_by")},
                   {"requested_at", ms_field_utc(m, "requested_at_ms")},
                   {"identified_at", ms_field_utc(m, "identified_at_ms")},
                   {"deadline", ms_field_utc(m, "deadline_ms")},
                   {"overdue", overdue},
                   {"deadline_met", deadline_met},
                   {"chair_id", m.value("chair_id")},
                   {"sync_state", sync_state_words(states.of(col::kMeetings, m.id).state)}});
  }
  return arr;
}

json::array actions_json(Replica& r) {
  const SyncStates states(r);
  json::array arr;
  const auto all_updates = r.list(col::kActionUpdates);
  for (const auto& a : r.list(col::kActions)) {
    json::array updates;
    for (const auto& u : all_updates) {
      if (u.value("action_id") != a.id) continue;
      updates.push_back({{"id", u.id},
                         {"from", u.value("from")},
                         {"to", u.value("to")},
                         {"note", u.value("note")},
                         {"author_id", u.value("author_id")},
                         {"at", ms_field_utc(u, "at_ms")}});
    }
    arr.push_back({{"id", a.id},
                   {"meeting_id", a.value("meeting_id")},
                   {"owner_id", a.value("owner_id")},
                   {"owner", name_of(r, a.value("owner_id"))},
                   {"due_date", a.value("due_date")},
                   {"text", a.value("text")},
                   {"status", a.value("status")},
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
  for (const auto& c : r.list(col::kConflicts)) {
    arr.push_back({{"id", c.id},
                   {"status", c.value("status")},
                   {"record", c.value("target_collection") + "/" + c.value("target_id")},
                   {"field", c.value("field")},
                   {"current",
                    {{"value", c.value("kept_value")},
                     {"author_id", c.value("kept_author")},
                     {"author", name_of(r, c.value("kept_author"))},
                     {"device", c.value("kept_device")},
                     {"at", written_at(c.value("kept_hlc"))}}},
                   {"other",
                    {{"value", c.value("other_value")},
                     {"author_id", c.value("other_author")},
                     {"author", name_of(r, c.value("other_author"))},
                     {"device", c.value("other_device")},
                     {"at", written_at(c.value("other_hlc"))}}},
                   {"detected_at", ms_field_utc(c, "detected_at_ms")}});
  }
  return arr;
}

json::array notifications_json(Replica& r) {
  const auto me = r.actor().person_id;
  json::array out;
  for (const auto& n : r.list_in_scope(col::kNotifications, model::scope::person(me))) {
    out.push_back({{"id", n.id},
                   {"kind", n.value("kind")},
                   {"text", n.value("text")},
                   {"meeting_id", n.value("meeting_id")},
                   {"at", ms_field_utc(n, "created_at_ms")}});
  }
  return out;
}

json::object plans_json(Replica& r) {
  json::array items, copies;
  for (const auto& i : r.list(col::kSupportItems)) {
    items.push_back({{"id", i.id},
                     {"meeting_id", i.value("meeting_id")},
                     {"kind", i.value("kind")},
                     {"description", i.value("description")},
                     {"provider", i.value("provider")},
                     {"frequency", i.value("frequency")},
                     {"professionals_only", i.professionals_only},
                     {"panel_status", i.value("panel_status")},
                     {"panel_reason", i.value("panel_reason")}});
  }
  for (const auto& c : r.list(col::kPlanCopies)) {
    copies.push_back({{"id", c.id},
                      {"meeting_id", c.value("meeting_id")},
                      {"placement_id", c.value("placement_id")},
                      {"review_date", c.value("review_date")},
                      {"child_told_of_plan_on", c.value("child_told_of_plan_on")},
                      {"support_items", c.value("support_items")},
                      {"actions", c.value("actions")}});
  }
  return {{"support_items", items}, {"carer_copies", copies}};
}

json::array people_json(Replica& r) {
  json::array out;
  for (const auto& p : r.list(col::kPeople)) {
    out.push_back({{"id", p.id}, {"name", p.value("name")}, {"role", p.value("role")}});
  }
  return out;
}

json::array panel_requests_json(Replica& r) {
  json::array arr;
  for (const auto& q : r.list(col::kPanelRequests)) {
    arr.push_back({{"id", q.id},
                   {"meeting_id", q.value("meeting_id")},
                   {"placement_id", q.value("placement_id")},
                   {"kind", q.value("kind")},
                   {"description", q.value("description")},
                   {"provider", q.value("provider")},
                   {"frequency", q.value("frequency")},
                   {"requested_by", q.value("requested_by")},
                   {"requested_at", ms_field_utc(q, "requested_at_ms")},
                   {"status", q.value("status")},
                   {"reason", q.value("reason")},
                   {"decided_by", q.value("decided_by")},
                   {"decided_at", ms_field_utc(q, "decided_at_ms")}});
  }
  return arr;
}

}  // namespace psm::client::views
