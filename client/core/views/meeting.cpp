#include "client/core/views/meeting.hpp"

#include "client/core/views/format.hpp"
#include "common/policy/agenda.hpp"

namespace psm::client::views {

namespace json = boost::json;
using model::Record;
namespace col = model::collection;

namespace {

bool about(const Record& r, const std::string& meeting_id) { return r.value("meeting_id") == meeting_id; }

}  // namespace

std::optional<json::object> meeting_json(Replica& r, const std::string& id) {
  auto m = r.get(col::kMeetings, id);
  if (!m) return std::nullopt;
  const auto type = model::parse_meeting_type(m->value("type")).value_or(model::MeetingType::support);
  json::array invitations, views, notes, actions, agenda, decisions;
  for (const auto& inv : r.list_in_scope(col::kInvitations, m->scope)) {
    if (!about(inv, id)) continue;
    const std::string who = inv.value("person_id").empty() ? inv.value("name") : name_of(r, inv.value("person_id"));
    invitations.push_back({{"id", inv.id},
                           {"who", who},
                           {"person_id", inv.value("person_id")},
                           {"organisation", inv.value("organisation")},
                           {"kind", inv.value("kind")},
                           {"mandatory", inv.value("mandatory") == "yes"},
                           {"attendance", inv.value("attendance")}});
  }
  for (const auto& v : r.list_in_scope(col::kViews, m->scope)) {
    if (!about(v, id)) continue;
    views.push_back({{"id", v.id},
                     {"subject", v.value("subject")},
                     {"text", v.value("text")},
                     {"sought_on", v.value("sought_on")},
                     {"recorded_by", name_of(r, v.value("recorded_by"))},
                     {"professionals_only", v.professionals_only}});
  }
  for (const auto& n : r.list_in_scope(col::kAgendaNotes, m->scope)) {
    if (about(n, id)) {
      notes.push_back({{"id", n.id},
                       {"item", n.value("item")},
                       {"text", n.value("text")},
                       {"author", name_of(r, n.value("author_id"))},
                       {"professionals_only", n.professionals_only}});
    }
  }
  for (const auto& item : policy::agenda_for(type)) agenda.push_back({{"key", item.key}, {"title", item.title}});
  for (const auto& a : r.list_in_scope(col::kActions, m->scope)) {
    if (about(a, id)) {
      actions.push_back({{"id", a.id},
                         {"text", a.value("text")},
                         {"owner", name_of(r, a.value("owner_id"))},
                         {"due_date", a.value("due_date")},
                         {"status", a.value("status")}});
    }
  }
  for (const auto& d : r.list_in_scope(col::kDecisions, m->scope)) {
    if (about(d, id)) {
      decisions.push_back({{"kind", d.value("kind")},
                           {"reason", d.value("reason")},
                           {"social_work", name_of(r, d.value("social_work_decider_id"))},
                           {"fostering", name_of(r, d.value("fostering_decider_id"))}});
    }
  }
  return json::object{{"id", id},
                      {"type", m->value("type")},
                      {"status", m->value("status")},
                      {"reason", m->value("reason")},
                      {"placement_id", m->value("placement_id")},
                      {"chair", name_of(r, m->value("chair_id"))},
                      {"minute_taker", name_of(r, m->value("minute_taker_id"))},
                      {"deadline", ms_field_utc(*m, "deadline_ms")},
                      {"scheduled_for", ms_field_utc(*m, "scheduled_for_ms")},
                      {"location", m->value("location")},
                      {"review_date", m->value("review_date")},
                      {"invitations", invitations},
                      {"views", views},
                      {"agenda", agenda},
                      {"agenda_notes", notes},
                      {"actions", actions},
                      {"decisions", decisions}};
}

}  // namespace psm::client::views
