#include "server/sync/escalation.hpp"

#include "common/ops/apply.hpp"
#include "common/policy/escalation.hpp"

#include <map>

namespace psm::server {

using model::Record;
namespace col = model::collection;

namespace {

// Who holds each rung of the ladder for one action.
std::vector<std::string> recipients_for(std::string_view rung, Store& store, const Record& action,
                                        const std::vector<Record>& people) {
  std::vector<std::string> out;
  auto meeting = store.get(col::kMeetings, action.value("meeting_id"));
  auto placement = meeting ? store.get(col::kPlacements, meeting->value("placement_id")) : std::nullopt;
  auto household = placement ? store.get(col::kHouseholds, placement->value("household_id")) : std::nullopt;
  if (rung == "supervising-social-worker" && household) out.push_back(household->value("ssw_id"));
  if (rung == "team-manager" && placement) out.push_back(placement->value("team_manager_id"));
  for (const auto& p : people) {
    if (rung == "fostering-service-manager" && p.value("role") == "service-manager" && p.value("service") == "fostering") {
      out.push_back(p.id);
    }
    if (rung == "senior-manager" && p.value("role") == "senior-manager") out.push_back(p.id);
  }
  std::erase(out, std::string());
  return out;
}

}  // namespace

EscalationResult run_escalation_sweep(Store& store, model::HlcClock& clock, const policy::Date& today,
                                      std::uint64_t now_ms) {
  EscalationResult result;
  std::vector<policy::EscalationStep> ladder = policy::default_escalation_ladder();
  if (auto setting = store.get(col::kSettings, "escalation-ladder")) {
    if (auto parsed = policy::parse_escalation_ladder(setting->value("ladder"))) ladder = *parsed;
  }
  const policy::WorkingDayCalendar calendar = ops::calendar_in_force(store);
  const auto people = store.all_in(col::kPeople);
  auto work = store.begin();
  for (auto action : store.all_in(col::kActions)) {
    const std::size_t reached = policy::escalation_level(action, today, ladder, calendar);
    const std::size_t recorded = static_cast<std::size_t>(std::atoi(action.value("escalation_level").c_str()));
    if (reached <= recorded) continue;
    const model::Version version{clock.tick(), "server"};
    const auto due = policy::parse_date(action.value("due_date"));
    const int overdue = due ? policy::working_days_overdue(*due, today, calendar) : 0;
    for (std::size_t level = recorded + 1; level <= reached; ++level) {
      const auto& step = ladder[level - 1];
      for (const auto& recipient : recipients_for(step.recipient, store, action, people)) {
        Record n;
        n.collection = std::string(col::kNotifications);
        n.id = action.id + ".esc" + std::to_string(level) + "." + recipient;
        n.scope = model::scope::person(recipient);
        n.set("recipient_id", recipient, version, "system");
        n.set("kind", "action-overdue", version, "system");
        n.set("action_id", action.id, version, "system");
        n.set("meeting_id", action.value("meeting_id"), version, "system");
        n.set("text",
              "Action overdue by " + std::to_string(overdue) + " working day" + (overdue == 1 ? "" : "s") + ": \"" +
                  action.value("text") + "\" (due " + action.value("due_date") + ")",
              version, "system");
        n.set("created_at_ms", std::to_string(now_ms), version, "system");
        // An overdue LADO task's notification is professionals-only, as the task is.
        std::vector<Record> made{std::move(n)};
        ops::inherit_professionals_only(made, store);
        store.put(made.front());
        result.changed_scopes.insert(made.front().scope);
        ++result.notifications;
      }
    }
    action.set("escalation_level", std::to_string(reached), version, "system");
    store.put(action);
    result.changed_scopes.insert(action.scope);
    ++result.actions_escalated;
  }
  work.commit();
  return result;
}

}  // namespace psm::server
