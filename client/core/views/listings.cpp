#include "client/core/views/listings.hpp"

#include "client/core/views/format.hpp"
#include "client/core/views/people.hpp"
#include "client/core/views/sync_state.hpp"
#include "common/model/hlc.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"
#include "common/policy/tracking.hpp"

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

json::array two_or_more_placements_json(Replica& r) {
  // R14's own count (common/policy/tracking.hpp): the 12 months up to today, as the server's report.
  const auto today = policy::uk_date_of(model::HlcClock::system_now_millis());
  const auto tracking = policy::track_placement_stability(
      r.list(col::kPlacements), policy::placements_with_planned_ending(r.list(col::kMeetings)), today);
  json::array all = placements_json(r);
  json::array out;
  for (const auto& child : tracking.children) {
    json::array placements;
    for (const auto& tracked : child.placements) {
      for (const auto& v : all) {
        if (v.at("id").as_string() == tracked.placement_id) placements.push_back(v);
      }
    }
    const json::string name = placements.empty() ? json::string() : placements.front().at("child").as_string();
    out.push_back({{"child_id", child.child_id},
                   {"child", name},
                   {"from", policy::format_date(tracking.from)},
                   {"to", policy::format_date(tracking.to)},
                   {"endings", child.endings},
                   {"placements", std::move(placements)}});
  }
  return out;
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
                   {"in_words", record_words(r, c.value(f::target_collection), c.value(f::target_id))},
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
                   {"in_words", notification_about(r, n)},
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

std::string meeting_words(Replica& r, std::string_view meeting_id) {
  auto m = r.get(col::kMeetings, meeting_id);
  if (!m) return "";
  namespace f = schema::meetings;
  const auto type = m->get(f::type).value_or(model::MeetingType::support);
  std::string out = type == model::MeetingType::support          ? "the Placement Support meeting"
                    : type == model::MeetingType::pre_disruption ? "the Pre-disruption meeting"
                                                                 : "the placement planning meeting";
  const auto placement = placement_words(r, m->value(f::placement_id));
  if (!placement.empty()) out += " for " + placement;
  if (m->get(f::scheduled_for_ms)) return out + ", on " + ms_field_local(*m, f::scheduled_for_ms);
  if (m->get(f::deadline_ms)) return out + ", to be held by " + ms_field_local(*m, f::deadline_ms);
  return out;
}

std::string record_words(Replica& r, std::string_view collection, std::string_view id) {
  if (collection == col::kMeetings) return meeting_words(r, id);
  if (collection == col::kActions) {
    auto a = r.get(col::kActions, id);
    if (!a) return "";
    const auto meeting = meeting_words(r, a->value(schema::actions::meeting_id));
    return "the action \"" + a->value(schema::actions::text) + "\"" + (meeting.empty() ? "" : " from " + meeting);
  }
  if (collection == col::kPlacements) return placement_words(r, id);
  return "";
}

std::string notification_about(Replica& r, const model::Record& n) {
  namespace f = schema::notifications;
  if (!n.value(f::action_id).empty()) {
    if (auto words = record_words(r, col::kActions, n.value(f::action_id)); !words.empty()) return words;
  }
  if (!n.value(f::meeting_id).empty()) {
    if (auto words = meeting_words(r, n.value(f::meeting_id)); !words.empty()) return words;
  }
  return placement_words(r, n.value(f::placement_id));
}

std::string placement_words(Replica& r, std::string_view placement_id) {
  auto p = r.get(col::kPlacements, placement_id);
  if (!p) return "";
  auto child = r.get(col::kChildren, p->value(schema::placements::child_id));
  auto household = r.get(col::kHouseholds, p->value(schema::placements::household_id));
  const std::string child_name = child ? child->value(schema::children::name) : "";
  std::string carers = household ? household->value(schema::households::name) : "";
  if (child_name.empty()) return carers;
  return carers.empty() ? child_name : child_name + " with " + carers;
}

json::object concern_json(Replica& r, const model::Record& c) {
  namespace f = schema::concerns;
  return {{"id", c.id},
          {"meeting_id", c.value(f::meeting_id)},
          {"placement_id", c.value(f::placement_id)},
          {"placement", placement_words(r, c.value(f::placement_id))},
          {"text", c.value(f::text)},
          {"raised_by", name_of(r, c.value(f::raised_by))},
          {"raised_at", ms_field_utc(c, f::raised_at_ms)}};
}

json::array concerns_json(Replica& r) {
  json::array out;
  for (const auto& c : r.list(col::kConcerns)) out.push_back(concern_json(r, c));
  return out;
}

namespace {

// Nights away; a break recorded before nights were stored has only the days
// it touches, one more than its nights.
std::uint64_t nights_of(const model::Record& b) {
  namespace f = schema::short_breaks;
  if (auto nights = b.get(f::nights)) return *nights;
  const auto days = b.get(f::days).value_or(0);
  return days > 0 ? days - 1 : 0;
}

}  // namespace

json::array short_breaks_json(Replica& r, std::string_view placement_id) {
  json::array out;
  namespace f = schema::short_breaks;
  for (const auto& b : r.list(col::kShortBreaks)) {
    if (!placement_id.empty() && b.value(f::placement_id) != placement_id) continue;
    out.push_back({{"id", b.id},
                   {"placement_id", b.value(f::placement_id)},
                   {"placement", placement_words(r, b.value(f::placement_id))},
                   {"start_date", b.value(f::start_date)},
                   {"end_date", b.value(f::end_date)},
                   {"nights", static_cast<std::int64_t>(nights_of(b))},
                   {"with_whom", b.value(f::with_whom)},
                   {"recorded_by", name_of(r, b.value(f::recorded_by))},
                   {"over_two_weeks", b.get(f::over_two_weeks).value_or(false)}});
  }
  return out;
}

}  // namespace psm::client::views
