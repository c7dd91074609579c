#include "server/sync/escalation.hpp"

#include "common/ops/apply.hpp"
#include "common/ops/records.hpp"
#include "common/policy/deadlines.hpp"
#include "common/policy/escalation.hpp"

#include <map>

namespace psm::server {

using model::Record;
namespace col = model::collection;
namespace schema = model::schema;

namespace {

// Who holds each rung of the ladder for one action.
std::vector<std::string> recipients_for(std::string_view rung, Store& store, const Record& action,
                                        const std::vector<Record>& people) {
  std::vector<std::string> out;
  auto meeting = store.get(col::kMeetings, action.value(schema::actions::meeting_id));
  auto placement = meeting ? store.get(col::kPlacements, meeting->value(schema::meetings::placement_id)) : std::nullopt;
  auto household =
      placement ? store.get(col::kHouseholds, placement->value(schema::placements::household_id)) : std::nullopt;
  if (rung == "supervising-social-worker" && household) out.push_back(household->value(schema::households::ssw_id));
  if (rung == "team-manager" && placement) out.push_back(placement->value(schema::placements::team_manager_id));
  for (const auto& p : people) {
    const auto role = p.get(schema::people::role);
    if (rung == "fostering-service-manager" && role == model::Role::service_manager &&
        p.value(schema::people::service) == "fostering") {
      out.push_back(p.id);
    }
    if (rung == "senior-manager" && role == model::Role::senior_manager) out.push_back(p.id);
  }
  std::erase(out, std::string());
  return out;
}

// A notification to `recipient` about `action`, stored: professionals-only
// when the action is (an overdue LADO task's, as the task is).
void notify_about(Store& store, const Record& action, std::string id, std::string recipient,
                  model::NotificationKind kind, std::string text, const model::Version& version, std::uint64_t now_ms,
                  EscalationResult& result) {
  ops::Notification n;
  n.id = std::move(id);
  n.recipient_id = std::move(recipient);
  n.kind = kind;
  n.about = ops::Notification::About::action;
  n.about_id = action.id;
  n.meeting_id = action.value(schema::actions::meeting_id);
  n.text = std::move(text);
  n.created_at_ms = now_ms;
  std::vector<Record> made{ops::make_notification(n, version, "system")};
  ops::inherit_professionals_only(made, store);
  store.put(made.front());
  result.changed_scopes.insert(made.front().scope);
  ++result.notifications;
}

}  // namespace

EscalationResult run_escalation_sweep(Store& store, model::HlcClock& clock, const policy::Date& today,
                                      std::uint64_t now_ms) {
  EscalationResult result;
  std::vector<policy::EscalationStep> ladder = policy::default_escalation_ladder();
  if (auto setting = store.get(col::kSettings, "escalation-ladder")) {
    if (auto parsed = policy::parse_escalation_ladder(setting->value(schema::settings::ladder))) ladder = *parsed;
  }
  const policy::WorkingDayCalendar calendar = ops::calendar_in_force(store);
  const auto people = store.all_in(col::kPeople);
  auto work = store.begin();
  for (auto action : store.all_in(col::kActions)) {
    const std::size_t reached = policy::escalation_level(action, today, ladder, calendar);
    const std::size_t recorded = action.get(schema::actions::escalation_level).value_or(0);
    if (reached <= recorded) continue;
    const model::Version version{clock.tick(), "server"};
    const std::string due_date = action.value(schema::actions::due_date);
    const auto due = policy::parse_date(due_date);
    const int overdue = due ? policy::working_days_overdue(*due, today, calendar) : 0;
    for (std::size_t level = recorded + 1; level <= reached; ++level) {
      const auto& step = ladder[level - 1];
      for (const auto& recipient : recipients_for(step.recipient, store, action, people)) {
        notify_about(store, action, action.id + ".esc" + std::to_string(level) + "." + recipient, recipient,
                     model::NotificationKind::action_overdue,
                     "Action overdue by " + std::to_string(overdue) + " working day" + (overdue == 1 ? "" : "s") +
                         ": \"" + action.value(schema::actions::text) + "\" (due " + due_date + ")",
                     version, now_ms, result);
      }
    }
    action.set(schema::actions::escalation_level, reached, version, "system");
    store.put(action);
    result.changed_scopes.insert(action.scope);
    ++result.actions_escalated;
  }
  // R6: the review of a plan is coming up; its arranger is reminded once.
  for (auto action : store.all_in(col::kActions)) {
    if (!policy::review_reminder_due(action, today, calendar)) continue;
    const model::Version version{clock.tick(), "server"};
    const auto due = policy::parse_date(action.value(schema::actions::due_date));
    const int left = policy::working_days_between(today, *due, calendar);
    notify_about(
        store, action, action.id + ".reminder", action.value(schema::actions::owner_id),
        model::NotificationKind::review_due,
        "Reminder: " + action.value(schema::actions::text) +
            (left == 0 ? " (today)"
                       : " (" + std::to_string(left) + " working day" + (left == 1 ? "" : "s") + " from today)"),
        version, now_ms, result);
    ++result.reviews_reminded;
    action.set(schema::actions::reminded_at_ms, now_ms, version, "system");
    store.put(action);
    result.changed_scopes.insert(action.scope);
  }
  work.commit();
  return result;
}

}  // namespace psm::server
