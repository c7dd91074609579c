#include "client/cli_views.hpp"

#include "client/cli_common.hpp"
#include "client/sync/receipts.hpp"
#include "common/crypto/hash.hpp"
#include "common/crypto/signature.hpp"
#include "common/model/hlc.hpp"
#include "common/policy/agenda.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"

namespace psm::client::cli {

namespace json = boost::json;
using model::Record;
namespace col = model::collection;

namespace {

bool about(const Record& r, const std::string& meeting_id) { return r.value("meeting_id") == meeting_id; }

// The record an operation creates or changes, for showing its sync state.
std::pair<std::string, std::string> target_of(const ops::Operation& op) {
  std::pair<std::string, std::string> out;
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, ops::RequestMeeting>) out = {std::string(col::kMeetings), p.meeting_id};
        if constexpr (std::is_same_v<T, ops::RecordView>) out = {std::string(col::kViews), p.view_id};
        if constexpr (std::is_same_v<T, ops::AddAction>) out = {std::string(col::kActions), p.action_id};
        if constexpr (std::is_same_v<T, ops::UpdateActionStatus>) out = {std::string(col::kActions), p.action_id};
        if constexpr (std::is_same_v<T, ops::EditAction>) out = {std::string(col::kActions), p.action_id};
        if constexpr (std::is_same_v<T, ops::ResolveConflict>) out = {std::string(col::kConflicts), p.conflict_id};
        if constexpr (std::is_same_v<T, ops::ScheduleMeeting>) out = {std::string(col::kMeetings), p.meeting_id};
        if constexpr (std::is_same_v<T, ops::FinaliseMinutes>) out = {std::string(col::kMeetings), p.meeting_id};
        if constexpr (std::is_same_v<T, ops::RecordAttendance>) out = {std::string(col::kInvitations), p.invitation_id};
        if constexpr (std::is_same_v<T, ops::AddAgendaNote>) out = {std::string(col::kAgendaNotes), p.note_id};
        if constexpr (std::is_same_v<T, ops::AddSupportItem>) out = {std::string(col::kSupportItems), p.item_id};
        if constexpr (std::is_same_v<T, ops::DecidePanelRequest>) out = {std::string(col::kPanelRequests), p.request_id};
      },
      op.payload);
  return out;
}

}  // namespace

std::map<std::pair<std::string, std::string>, RecordSyncState> record_sync_details(Replica& r) {
  std::map<std::pair<std::string, std::string>, RecordSyncState> out;
  // The outbox is in the order the work was done: the newest operation on a record decides.
  for (const auto& e : r.outbox()) {
    auto target = target_of(e.op);
    if (target.first.empty()) continue;
    out[target] = RecordSyncState{e.state, e.reason};
  }
  return out;
}

json::object status_json(Replica& r, const std::optional<ClientConfig>& config) {
  const auto entries = r.outbox();
  std::size_t waiting = 0;
  json::array ops;
  for (const auto& e : entries) {
    waiting += (e.state == OpState::queued || e.state == OpState::sent) ? 1 : 0;
    ops.push_back({{"op_id", e.op_id}, {"kind", e.kind}, {"state", to_string(e.state)}, {"reason", e.reason},
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
  auto states = record_sync_states(r);
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
                   {"sync_state", sync_state_of(states, m)}});
  }
  return arr;
}

json::array actions_json(Replica& r) {
  auto states = record_sync_states(r);
  json::array arr;
  const auto all_updates = r.list(col::kActionUpdates);
  for (const auto& a : r.list(col::kActions)) {
    json::array updates;
    for (const auto& u : all_updates) {
      if (u.value("action_id") != a.id) continue;
      updates.push_back({{"id", u.id}, {"from", u.value("from")}, {"to", u.value("to")}, {"note", u.value("note")},
                         {"author_id", u.value("author_id")}, {"at", ms_field_utc(u, "at_ms")}});
    }
    arr.push_back({{"id", a.id},
                   {"meeting_id", a.value("meeting_id")},
                   {"owner_id", a.value("owner_id")},
                   {"owner", name_of(r, a.value("owner_id"))},
                   {"due_date", a.value("due_date")},
                   {"text", a.value("text")},
                   {"status", a.value("status")},
                   {"updates", updates},
                   {"sync_state", sync_state_of(states, a)}});
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
                   {"current", {{"value", c.value("kept_value")}, {"author_id", c.value("kept_author")},
                                {"author", name_of(r, c.value("kept_author"))}, {"device", c.value("kept_device")},
                                {"at", written_at(c.value("kept_hlc"))}}},
                   {"other", {{"value", c.value("other_value")}, {"author_id", c.value("other_author")},
                              {"author", name_of(r, c.value("other_author"))}, {"device", c.value("other_device")},
                              {"at", written_at(c.value("other_hlc"))}}},
                   {"detected_at", ms_field_utc(c, "detected_at_ms")}});
  }
  return arr;
}

json::array notifications_json(Replica& r) {
  const auto me = r.actor().person_id;
  json::array out;
  for (const auto& n : r.list_in_scope(col::kNotifications, model::scope::person(me))) {
    out.push_back({{"id", n.id}, {"kind", n.value("kind")}, {"text", n.value("text")},
                   {"meeting_id", n.value("meeting_id")}, {"at", ms_field_utc(n, "created_at_ms")}});
  }
  return out;
}

json::object plans_json(Replica& r) {
  json::array items, copies;
  for (const auto& i : r.list(col::kSupportItems)) {
    items.push_back({{"id", i.id}, {"meeting_id", i.value("meeting_id")}, {"kind", i.value("kind")},
                     {"description", i.value("description")}, {"provider", i.value("provider")},
                     {"frequency", i.value("frequency")}, {"professionals_only", i.professionals_only},
                     {"panel_status", i.value("panel_status")}, {"panel_reason", i.value("panel_reason")}});
  }
  for (const auto& c : r.list(col::kPlanCopies)) {
    copies.push_back({{"id", c.id}, {"meeting_id", c.value("meeting_id")}, {"placement_id", c.value("placement_id")},
                      {"review_date", c.value("review_date")}, {"child_told_of_plan_on", c.value("child_told_of_plan_on")},
                      {"support_items", c.value("support_items")}, {"actions", c.value("actions")}});
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

std::optional<json::object> meeting_json(Replica& r, const std::string& id) {
  auto m = r.get(col::kMeetings, id);
  if (!m) return std::nullopt;
  const auto type = model::parse_meeting_type(m->value("type")).value_or(model::MeetingType::support);
  json::array invitations, views, notes, actions, agenda, decisions;
  for (const auto& inv : r.list_in_scope(col::kInvitations, m->scope)) {
    if (!about(inv, id)) continue;
    const std::string who = inv.value("person_id").empty() ? inv.value("name") : name_of(r, inv.value("person_id"));
    invitations.push_back({{"id", inv.id}, {"who", who}, {"person_id", inv.value("person_id")},
                           {"organisation", inv.value("organisation")}, {"kind", inv.value("kind")},
                           {"mandatory", inv.value("mandatory") == "yes"}, {"attendance", inv.value("attendance")}});
  }
  for (const auto& v : r.list_in_scope(col::kViews, m->scope)) {
    if (!about(v, id)) continue;
    views.push_back({{"id", v.id}, {"subject", v.value("subject")}, {"text", v.value("text")},
                     {"sought_on", v.value("sought_on")}, {"recorded_by", name_of(r, v.value("recorded_by"))},
                     {"professionals_only", v.professionals_only}});
  }
  for (const auto& n : r.list_in_scope(col::kAgendaNotes, m->scope)) {
    if (about(n, id)) {
      notes.push_back({{"id", n.id}, {"item", n.value("item")}, {"text", n.value("text")},
                       {"author", name_of(r, n.value("author_id"))}, {"professionals_only", n.professionals_only}});
    }
  }
  for (const auto& item : policy::agenda_for(type)) agenda.push_back({{"key", item.key}, {"title", item.title}});
  for (const auto& a : r.list_in_scope(col::kActions, m->scope)) {
    if (about(a, id)) {
      actions.push_back({{"id", a.id}, {"text", a.value("text")}, {"owner", name_of(r, a.value("owner_id"))},
                         {"due_date", a.value("due_date")}, {"status", a.value("status")}});
    }
  }
  for (const auto& d : r.list_in_scope(col::kDecisions, m->scope)) {
    if (about(d, id)) {
      decisions.push_back({{"kind", d.value("kind")}, {"reason", d.value("reason")},
                           {"social_work", name_of(r, d.value("social_work_decider_id"))},
                           {"fostering", name_of(r, d.value("fostering_decider_id"))}});
    }
  }
  return json::object{{"id", id}, {"type", m->value("type")}, {"status", m->value("status")}, {"reason", m->value("reason")},
                      {"placement_id", m->value("placement_id")}, {"chair", name_of(r, m->value("chair_id"))},
                      {"minute_taker", name_of(r, m->value("minute_taker_id"))}, {"deadline", ms_field_utc(*m, "deadline_ms")},
                      {"scheduled_for", ms_field_utc(*m, "scheduled_for_ms")}, {"location", m->value("location")},
                      {"review_date", m->value("review_date")}, {"invitations", invitations}, {"views", views},
                      {"agenda", agenda}, {"agenda_notes", notes}, {"actions", actions}, {"decisions", decisions}};
}

namespace {

json::object receipt_object(Replica& r, const StoredReceipt& receipt, bool evidence) {
  const auto& e = receipt.entry;
  json::array problems;
  if (auto wrong = verify_stored_receipt(r, receipt); !wrong.empty()) problems.push_back(json::string(wrong));
  const auto local_hash = r.operation_sha256(e.op_id);
  if (!local_hash) {
    problems.push_back(json::string("this device holds no operation " + e.op_id));
  } else if (*local_hash != e.op_sha256) {
    problems.push_back("the signed operation hash differs from the operation this device made");
  }
  json::object out{{"op_id", e.op_id},
                   {"kind", e.kind},
                   {"record", e.subject},
                   {"children", e.children == "-" ? "" : e.children},
                   {"made_at", policy::format_utc(e.made_at_ms)},
                   {"received_at", policy::format_utc(e.received_at_ms)},
                   {"made_at_ms", e.made_at_ms},
                   {"received_at_ms", e.received_at_ms},
                   {"op_sha256", e.op_sha256},
                   {"key_id", receipt.key_id},
                   {"verified", problems.empty()},
                   {"problems", std::move(problems)}};
  if (evidence) {
    out["statement_base64"] = crypto::to_base64(receipt.statement);
    out["signature_base64"] = crypto::to_base64(receipt.signature);
    const auto key = r.receipt_public_key(receipt.key_id);
    out["public_key_pem"] =
        key ? crypto::public_pem_of(std::span(reinterpret_cast<const std::uint8_t*>(key->data()), key->size())) : "";
  }
  return out;
}

}  // namespace

std::optional<json::object> receipt_json(Replica& r, const std::string& op_id, bool evidence) {
  auto receipt = r.receipt_for(op_id);
  if (!receipt) return std::nullopt;
  return receipt_object(r, *receipt, evidence);
}

json::array receipts_json(Replica& r, std::size_t limit, const std::string& record, const std::string& child) {
  json::array out;
  for (const auto& receipt : r.receipts(limit, record, child)) out.push_back(receipt_object(r, receipt, false));
  return out;
}

}  // namespace psm::client::cli
