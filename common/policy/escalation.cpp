#include "common/policy/escalation.hpp"

#include "common/policy/access.hpp"
#include "common/policy/deadlines.hpp"

#include <array>
#include <charconv>
#include <chrono>

namespace psm::policy {
namespace {

constexpr std::array<std::string_view, 4> kRecipients{"supervising-social-worker", "team-manager",
                                                      "fostering-service-manager", "senior-manager"};

}  // namespace

const std::vector<EscalationStep>& default_escalation_ladder() {
  static const std::vector<EscalationStep> ladder{
      {1, "supervising-social-worker"}, {5, "team-manager"}, {10, "fostering-service-manager"}, {15, "senior-manager"}};
  return ladder;
}

std::optional<std::vector<EscalationStep>> parse_escalation_ladder(std::string_view text) {
  std::vector<EscalationStep> out;
  for (const auto& part : split_ids(text)) {
    const auto colon = part.find(':');
    if (colon == std::string::npos) return std::nullopt;
    int days = 0;
    const auto* first = part.data();
    auto [ptr, ec] = std::from_chars(first, first + colon, days);
    if (ec != std::errc{} || ptr != first + colon || days < 1 || days > 365) return std::nullopt;
    const std::string recipient = part.substr(colon + 1);
    bool known = false;
    for (auto r : kRecipients) known |= r == recipient;
    if (!known) return std::nullopt;
    if (!out.empty() && out.back().working_days_overdue >= days) return std::nullopt;
    out.push_back({days, recipient});
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string format_escalation_ladder(const std::vector<EscalationStep>& ladder) {
  std::string out;
  for (const auto& step : ladder) {
    if (!out.empty()) out += ",";
    out += std::to_string(step.working_days_overdue) + ":" + step.recipient;
  }
  return out;
}

int working_days_overdue(const Date& due, const Date& today, const WorkingDayCalendar& calendar) {
  return working_days_between(due, today, calendar);
}

std::size_t escalation_level(const model::Record& action, const Date& today, const std::vector<EscalationStep>& ladder,
                             const WorkingDayCalendar& calendar) {
  const auto status = action.get(model::schema::actions::status);
  if (status == model::ActionStatus::done || status == model::ActionStatus::cancelled) return 0;
  const auto due = parse_date(action.value(model::schema::actions::due_date));
  if (!due) return 0;
  const int overdue = working_days_overdue(*due, today, calendar);
  std::size_t level = 0;
  while (level < ladder.size() && overdue >= ladder[level].working_days_overdue) ++level;
  return level;
}

bool review_reminder_due(const model::Record& action, const Date& today, const WorkingDayCalendar& calendar) {
  namespace f = model::schema::actions;
  const auto status = action.get(f::status);
  if (status != model::ActionStatus::open && status != model::ActionStatus::in_progress) return false;
  if (action.value(f::arranges_meeting_id).empty() || action.get(f::reminded_at_ms)) return false;
  const auto due = parse_date(action.value(f::due_date));
  if (!due) return false;
  return std::chrono::sys_days{today} <= std::chrono::sys_days{*due} &&
         working_days_between(today, *due, calendar) <= kReviewReminderWorkingDays;
}

}  // namespace psm::policy
