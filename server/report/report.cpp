#include "server/report/report.hpp"

#include "common/model/domain.hpp"
#include "common/ops/apply.hpp"
#include "common/policy/escalation.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <sstream>
#include <tuple>

namespace psm::server::report {
namespace {

namespace col = model::collection;
namespace schema = model::schema;
namespace json = boost::json;
using model::Record;

std::map<std::string, Record> by_id(std::vector<Record> records) {
  std::map<std::string, Record> out;
  for (auto& r : records) {
    auto id = r.id;
    out.emplace(std::move(id), std::move(r));
  }
  return out;
}

// The name of record `id` of `table` (`name` is that collection's name field), or the id.
std::string name_in(const std::map<std::string, Record>& table, const std::string& id,
                    const model::Field<model::kind::Text>& name) {
  auto it = table.find(id);
  return it == table.end() ? id : it->second.value(name);
}

json::value optional_time(const std::optional<std::uint64_t>& ms) {
  return ms ? json::value(policy::format_utc(*ms)) : json::value(nullptr);
}

std::string local_or_dash(const std::optional<std::uint64_t>& ms) {
  return ms ? policy::format_local_datetime(*ms) : "-";
}

// A plain text table: columns padded to their widest cell, two spaces apart.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers) { rows_.push_back(std::move(headers)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render(std::string_view indent = "") const {
    std::vector<std::size_t> widths(rows_.front().size(), 0);
    for (const auto& row : rows_) {
      for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    std::string out;
    for (const auto& row : rows_) {
      std::string line(indent);
      for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
      }
      out += line + "\n";
    }
    return out;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace

Timeliness timeliness(ServerStore& store, std::uint64_t now_ms) {
  Timeliness out;
  out.as_at_ms = now_ms;
  const auto children = by_id(store.all_in(col::kChildren));
  for (const auto& m : store.all_in(col::kMeetings)) {
    MeetingTimeliness row;
    row.meeting_id = m.id;
    namespace f = schema::meetings;
    row.placement_id = m.value(f::placement_id);
    row.child_id = m.value(f::child_id);
    row.child = name_in(children, row.child_id, schema::children::name);
    row.type = m.spelling(f::type);
    row.status = m.spelling(f::status);
    row.identified_at_ms = m.get(f::identified_at_ms).value_or(0);
    row.deadline_ms = m.get(f::deadline_ms).value_or(0);
    row.scheduled_for_ms = m.get(f::scheduled_for_ms);
    row.held_at_ms = policy::held_at(m, now_ms);
    if (m.get(f::status) == model::MeetingStatus::cancelled) row.cancelled_reason = m.value(f::cancelled_reason);
    row.state = policy::deadline_state(m, now_ms);
    switch (row.state) {
      case policy::DeadlineState::met:
        ++out.met;
        break;
      case policy::DeadlineState::missed:
        ++out.missed;
        break;
      case policy::DeadlineState::pending:
        ++out.pending;
        break;
    }
    out.meetings.push_back(std::move(row));
  }
  std::stable_sort(out.meetings.begin(), out.meetings.end(), [](const auto& a, const auto& b) {
    return std::tie(a.deadline_ms, a.meeting_id) < std::tie(b.deadline_ms, b.meeting_id);
  });
  return out;
}

OpenActions open_actions(ServerStore& store, const policy::Date& today, ActionGrouping by) {
  OpenActions out;
  out.today = today;
  out.by = by;
  const auto calendar = ops::calendar_in_force(store);
  const auto people = by_id(store.all_in(col::kPeople));
  const auto children = by_id(store.all_in(col::kChildren));
  const auto meetings = by_id(store.all_in(col::kMeetings));
  std::map<std::string, ActionGroup> groups;
  for (const auto& a : store.all_in(col::kActions)) {
    namespace f = schema::actions;
    const auto status = a.get(f::status);
    if (status != model::ActionStatus::open && status != model::ActionStatus::in_progress) continue;
    OpenAction row;
    row.action_id = a.id;
    row.meeting_id = a.value(f::meeting_id);
    if (auto m = meetings.find(row.meeting_id); m != meetings.end()) {
      row.placement_id = m->second.value(schema::meetings::placement_id);
      row.child = name_in(children, m->second.value(schema::meetings::child_id), schema::children::name);
    }
    row.owner_id = a.value(f::owner_id);
    row.owner = name_in(people, row.owner_id, schema::people::name);
    if (auto p = people.find(row.owner_id); p != people.end() && !p->second.value(schema::people::team).empty()) {
      row.team = p->second.value(schema::people::team);
    } else {
      row.team = "no team (" +
                 (p == people.end() ? std::string("unknown person") : p->second.spelling(schema::people::role)) + ")";
    }
    row.due_date = a.value(f::due_date);
    row.status = a.spelling(f::status);
    row.text = a.value(f::text);
    if (auto due = policy::parse_date(row.due_date))
      row.working_days_overdue = policy::working_days_overdue(*due, today, calendar);
    row.escalation_level = static_cast<int>(a.get(f::escalation_level).value_or(0));
    ++out.open;
    if (row.working_days_overdue > 0) ++out.overdue;
    const std::string key = by == ActionGrouping::team ? row.team : row.placement_id;
    auto& group = groups[key];
    group.key = key;
    group.actions.push_back(std::move(row));
  }
  for (auto& [key, group] : groups) {
    std::stable_sort(group.actions.begin(), group.actions.end(), [](const auto& a, const auto& b) {
      return std::tie(a.due_date, a.action_id) < std::tie(b.due_date, b.action_id);
    });
    out.groups.push_back(std::move(group));
  }
  return out;
}

Tracking tracking(ServerStore& store, const policy::Date& today) {
  Tracking out;
  const auto planned = policy::placements_with_planned_ending(store.all_in(col::kMeetings));
  out.flags = policy::track_placement_stability(store.all_in(col::kPlacements), planned, today);
  for (const auto& c : store.all_in(col::kChildren)) out.names[c.id] = c.value(schema::children::name);
  for (const auto& h : store.all_in(col::kHouseholds)) out.names[h.id] = h.value(schema::households::name);
  return out;
}

// --- rendering

std::string to_text(const Timeliness& t) {
  std::ostringstream out;
  out << "Meeting deadlines as at " << policy::format_local_datetime(t.as_at_ms) << ": " << t.met << " met, "
      << t.missed << " missed, " << t.pending << " pending\n";
  if (t.meetings.empty()) {
    out << "No meetings have been requested.\n";
    return out.str();
  }
  TextTable table({"DEADLINE", "MEETING", "TYPE", "CHILD", "PLACEMENT", "NEED IDENTIFIED", "DUE BY", "HELD"});
  for (const auto& m : t.meetings) {
    std::string held;
    if (m.held_at_ms) {
      held = local_or_dash(m.held_at_ms);
    } else if (m.status == model::to_string(model::MeetingStatus::cancelled)) {
      held = "cancelled: " + m.cancelled_reason;
    } else {
      held = m.scheduled_for_ms ? "not yet (booked " + local_or_dash(m.scheduled_for_ms) + ")" : "-";
    }
    table.add({std::string(policy::to_string(m.state)), m.meeting_id, m.type, m.child, m.placement_id,
               policy::format_local_datetime(m.identified_at_ms), policy::format_local_datetime(m.deadline_ms),
               std::move(held)});
  }
  out << table.render();
  return out.str();
}

std::string to_text(const OpenActions& a) {
  std::ostringstream out;
  out << "Open actions on " << policy::format_date(a.today) << ": " << a.open << " open, " << a.overdue
      << " overdue (by " << (a.by == ActionGrouping::team ? "team" : "placement") << ")\n";
  for (const auto& g : a.groups) {
    std::string heading = a.by == ActionGrouping::team ? "Team " + g.key : "Placement " + g.key;
    if (g.key.starts_with("no team")) heading = "No team" + g.key.substr(7);  // "No team (foster-carer)"
    out << "\n" << heading;
    if (a.by == ActionGrouping::placement && !g.actions.empty()) out << " (" << g.actions.front().child << ")";
    out << "\n";
    TextTable table({"DUE", "OVERDUE", "OWNER", "STATUS", "ACTION", "ID"});
    for (const auto& r : g.actions) {
      std::string overdue = r.working_days_overdue > 0 ? std::to_string(r.working_days_overdue) + " working day" +
                                                             (r.working_days_overdue == 1 ? "" : "s")
                                                       : "-";
      table.add({r.due_date, overdue, r.owner, r.status, r.text, r.action_id});
    }
    out << table.render("  ");
  }
  return out.str();
}

std::string to_text(const Tracking& t) {
  auto name = [&](const std::string& id) {
    auto it = t.names.find(id);
    return it == t.names.end() ? id : it->second + " (" + id + ")";
  };
  std::ostringstream out;
  out << "Placement stability, " << policy::format_date(t.flags.from) << " to " << policy::format_date(t.flags.to)
      << "\n\nChildren with " << policy::kTrackedChildPlacements << " or more placements: " << t.flags.children.size()
      << "\n";
  for (const auto& c : t.flags.children) {
    out << "  " << name(c.child_id) << ": " << c.placements.size() << " placements, " << c.endings << " ended\n";
    TextTable table({"PLACEMENT", "CARERS", "FROM", "TO", "ENDING"});
    for (const auto& p : c.placements) {
      std::string ending = p.ending ? std::string(policy::to_string(*p.ending)) : "-";
      if (p.ending && !p.ending_recorded) ending += " (not recorded)";
      table.add({p.placement_id, name(p.household_id), policy::format_date(p.start),
                 p.end ? policy::format_date(*p.end) : "current", ending});
    }
    out << table.render("    ");
  }
  out << "\nCarers with " << policy::kTrackedCarerUnplannedEndings
      << " or more unplanned endings: " << t.flags.carers.size() << "\n";
  for (const auto& h : t.flags.carers) {
    out << "  " << name(h.household_id) << ": " << h.unplanned_endings.size() << " unplanned endings\n";
    TextTable table({"PLACEMENT", "CHILD", "ENDED", "RECORDED AS"});
    for (const auto& p : h.unplanned_endings) {
      table.add({p.placement_id, name(p.child_id), policy::format_date(*p.end),
                 p.ending_recorded ? "unplanned" : "not recorded"});
    }
    out << table.render("    ");
  }
  return out.str();
}

json::value to_json(const Timeliness& t) {
  json::array meetings;
  for (const auto& m : t.meetings) {
    meetings.push_back({{"id", m.meeting_id},
                        {"placement_id", m.placement_id},
                        {"child_id", m.child_id},
                        {"child", m.child},
                        {"type", m.type},
                        {"status", m.status},
                        {"identified_at", policy::format_utc(m.identified_at_ms)},
                        {"deadline", policy::format_utc(m.deadline_ms)},
                        {"scheduled_for", optional_time(m.scheduled_for_ms)},
                        {"held_at", optional_time(m.held_at_ms)},
                        {"cancelled_reason", m.cancelled_reason},
                        {"deadline_met", policy::to_string(m.state)}});
  }
  return json::object{{"as_at", policy::format_utc(t.as_at_ms)},
                      {"met", t.met},
                      {"missed", t.missed},
                      {"pending", t.pending},
                      {"meetings", std::move(meetings)}};
}

json::value to_json(const OpenActions& a) {
  json::array groups;
  for (const auto& g : a.groups) {
    json::array actions;
    for (const auto& r : g.actions) {
      actions.push_back({{"id", r.action_id},
                         {"meeting_id", r.meeting_id},
                         {"placement_id", r.placement_id},
                         {"child", r.child},
                         {"owner_id", r.owner_id},
                         {"owner", r.owner},
                         {"team", r.team},
                         {"due_date", r.due_date},
                         {"status", r.status},
                         {"text", r.text},
                         {"overdue", r.working_days_overdue > 0},
                         {"working_days_overdue", r.working_days_overdue},
                         {"escalation_level", r.escalation_level}});
    }
    groups.push_back({{"key", g.key}, {"actions", std::move(actions)}});
  }
  return json::object{{"today", policy::format_date(a.today)},
                      {"by", a.by == ActionGrouping::team ? "team" : "placement"},
                      {"open", a.open},
                      {"overdue", a.overdue},
                      {"groups", std::move(groups)}};
}

json::value to_json(const Tracking& t) {
  auto name = [&](const std::string& id) {
    auto it = t.names.find(id);
    return it == t.names.end() ? std::string() : it->second;
  };
  auto placement = [&](const policy::TrackedPlacement& p) {
    return json::object{{"id", p.placement_id},
                        {"child_id", p.child_id},
                        {"child", name(p.child_id)},
                        {"household_id", p.household_id},
                        {"household", name(p.household_id)},
                        {"start_date", policy::format_date(p.start)},
                        {"end_date", p.end ? json::value(policy::format_date(*p.end)) : json::value(nullptr)},
                        {"ending", p.ending ? json::value(policy::to_string(*p.ending)) : json::value(nullptr)},
                        {"ending_recorded", p.ending_recorded}};
  };
  json::array children;
  for (const auto& c : t.flags.children) {
    json::array placements;
    for (const auto& p : c.placements) placements.push_back(placement(p));
    children.push_back({{"child_id", c.child_id},
                        {"child", name(c.child_id)},
                        {"placements", std::move(placements)},
                        {"endings", c.endings}});
  }
  json::array carers;
  for (const auto& h : t.flags.carers) {
    json::array endings;
    for (const auto& p : h.unplanned_endings) endings.push_back(placement(p));
    carers.push_back({{"household_id", h.household_id},
                      {"household", name(h.household_id)},
                      {"unplanned_endings", std::move(endings)}});
  }
  return json::object{{"from", policy::format_date(t.flags.from)},
                      {"to", policy::format_date(t.flags.to)},
                      {"children", std::move(children)},
                      {"carers", std::move(carers)}};
}

bool write_report(ServerStore& store, const ReportRequest& request, std::uint64_t now_ms, std::ostream& out,
                  std::string& error) {
  const std::uint64_t as_at = request.today ? policy::uk_end_of_day(*request.today) : now_ms;
  const policy::Date today = request.today.value_or(policy::uk_date_of(now_ms));
  auto emit = [&](const auto& built) {
    if (request.as_json) {
      out << json::serialize(to_json(built)) << "\n";
    } else {
      out << to_text(built);
    }
    return true;
  };
  if (request.kind == "timeliness") return emit(timeliness(store, as_at));
  if (request.kind == "tracking") return emit(tracking(store, today));
  if (request.kind == "actions") {
    if (request.by != "placement" && request.by != "team") {
      error = "--by must be placement or team";
      return false;
    }
    return emit(open_actions(store, today, request.by == "team" ? ActionGrouping::team : ActionGrouping::placement));
  }
  error = "the report must be timeliness, actions or tracking";
  return false;
}

}  // namespace psm::server::report
