#include "client/core/views/meeting.hpp"

#include "client/core/views/format.hpp"
#include "client/core/views/listings.hpp"
#include "common/policy/agenda.hpp"

namespace psm::client::views {

namespace json = boost::json;
using model::Record;
namespace col = model::collection;
namespace schema = model::schema;

namespace {

// Whether `r` belongs to the meeting: `meeting_field` is its collection's meeting_id.
bool about(const Record& r, const model::Field<model::kind::RecordId>& meeting_field, const std::string& meeting_id) {
  return r.value(meeting_field) == meeting_id;
}

}  // namespace

std::optional<json::object> meeting_json(Replica& r, const std::string& id) {
  auto m = r.get(col::kMeetings, id);
  if (!m) return std::nullopt;
  namespace fm = schema::meetings;
  const auto type = m->get(fm::type).value_or(model::MeetingType::support);
  json::array invitations, views, notes, actions, agenda, decisions;
  namespace fi = schema::invitations;
  for (const auto& inv : r.list_in_scope(col::kInvitations, m->scope)) {
    if (!about(inv, fi::meeting_id, id)) continue;
    const std::string who =
        inv.value(fi::person_id).empty() ? inv.value(fi::name) : name_of(r, inv.value(fi::person_id));
    invitations.push_back({{"id", inv.id},
                           {"who", who},
                           {"person_id", inv.value(fi::person_id)},
                           {"organisation", inv.value(fi::organisation)},
                           {"kind", inv.spelling(fi::kind)},
                           {"mandatory", inv.get(fi::mandatory).value_or(false)},
                           {"attendance", inv.spelling(fi::attendance)}});
  }
  namespace fv = schema::views;
  for (const auto& v : r.list_in_scope(col::kViews, m->scope)) {
    if (!about(v, fv::meeting_id, id)) continue;
    views.push_back({{"id", v.id},
                     {"subject", v.spelling(fv::subject)},
                     {"text", v.value(fv::text)},
                     {"sought_on", v.value(fv::sought_on)},
                     {"recorded_by", name_of(r, v.value(fv::recorded_by))},
                     {"professionals_only", v.professionals_only}});
  }
  namespace fn = schema::agenda_notes;
  for (const auto& n : r.list_in_scope(col::kAgendaNotes, m->scope)) {
    if (about(n, fn::meeting_id, id)) {
      notes.push_back({{"id", n.id},
                       {"item", n.value(fn::item)},
                       {"text", n.value(fn::text)},
                       {"author", name_of(r, n.value(fn::author_id))},
                       {"professionals_only", n.professionals_only}});
    }
  }
  for (const auto& item : policy::agenda_for(type)) agenda.push_back({{"key", item.key}, {"title", item.title}});
  namespace fa = schema::actions;
  for (const auto& a : r.list_in_scope(col::kActions, m->scope)) {
    if (about(a, fa::meeting_id, id)) {
      actions.push_back({{"id", a.id},
                         {"text", a.value(fa::text)},
                         {"owner", name_of(r, a.value(fa::owner_id))},
                         {"due_date", a.value(fa::due_date)},
                         {"status", a.spelling(fa::status)}});
    }
  }
  namespace fd = schema::decisions;
  for (const auto& d : r.list_in_scope(col::kDecisions, m->scope)) {
    if (about(d, fd::meeting_id, id)) {
      decisions.push_back({{"kind", d.spelling(fd::kind)},
                           {"recorded_by", name_of(r, d.value(fd::recorded_by))},
                           {"reason", d.value(fd::reason)},
                           {"social_work", name_of(r, d.value(fd::social_work_decider_id))},
                           {"fostering", name_of(r, d.value(fd::fostering_decider_id))}});
    }
  }
  // R13: concerns raised at the meeting (professionals only: a carer's device never holds them).
  json::array concerns;
  namespace fc = schema::concerns;
  for (const auto& c : r.list_in_scope(col::kConcerns, m->scope)) {
    if (about(c, fc::meeting_id, id)) concerns.push_back(concern_json(r, c));
  }
  // A pre-disruption meeting's outcome; every field "" until it is recorded.
  const json::object outcome{{"decision", m->spelling(fm::outcome)},
                             {"future_contact", m->value(fm::future_contact)},
                             {"carers_support_move", m->value(fm::carers_support_move)},
                             {"lessons", m->value(fm::lessons)}};
  return json::object{{"id", id},
                      {"type", m->spelling(fm::type)},
                      {"status", m->spelling(fm::status)},
                      {"reason", m->value(fm::reason)},
                      {"placement_id", m->value(fm::placement_id)},
                      {"chair", name_of(r, m->value(fm::chair_id))},
                      {"minute_taker", name_of(r, m->value(fm::minute_taker_id))},
                      {"deadline", ms_field_utc(*m, fm::deadline_ms)},
                      {"scheduled_for", ms_field_utc(*m, fm::scheduled_for_ms)},
                      {"location", m->value(fm::location)},
                      {"review_date", m->value(fm::review_date)},
                      {"invitations", invitations},
                      {"views", views},
                      {"agenda", agenda},
                      {"agenda_notes", notes},
                      {"actions", actions},
                      {"decisions", decisions},
                      {"outcome", outcome},
                      {"concerns", concerns}};
}

}  // namespace psm::client::views
