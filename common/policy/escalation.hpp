// Rule R8: overdue actions climb a ladder of people, one step at a time, each
// step notified once. The ladder is configurable (a setting every device
// holds); the default follows the second policy: the supervising social worker
// monitors actions and escalates to the Fostering Team Manager and the
// Fostering Service Manager, who escalates to senior management.
#pragma once

#include "common/model/record.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/working_days.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace psm::policy {

struct EscalationStep {
  int working_days_overdue = 0;  // reached when the action is at least this many working days overdue
  std::string
      recipient;  // who: "supervising-social-worker", "team-manager", "fostering-service-manager", "senior-manager"
};

// Default: 1 → SSW; 5 → Fostering Team Manager; 10 → Fostering Service Manager; 15 → senior manager.
const std::vector<EscalationStep>& default_escalation_ladder();

// Reads a ladder from its setting text, "1:supervising-social-worker,5:team-manager,…"
// (thresholds strictly increasing, known recipients); nullopt if malformed.
std::optional<std::vector<EscalationStep>> parse_escalation_ladder(std::string_view text);
std::string format_escalation_ladder(const std::vector<EscalationStep>& ladder);

// Working days an action due on `due` is overdue on `today` (0 when not overdue).
int working_days_overdue(const Date& due, const Date& today, const WorkingDayCalendar& calendar = default_calendar());

// How many steps of the ladder an open action has reached on `today`.
// Done and cancelled actions never escalate.
std::size_t escalation_level(const model::Record& action, const Date& today, const std::vector<EscalationStep>& ladder,
                             const WorkingDayCalendar& calendar = default_calendar());

// R6: how many working days before a plan's review date the person who must
// arrange the review meeting is reminded. Two working weeks: time to find a day
// that suits the carers, the child's social worker and the IRO.
inline constexpr int kReviewReminderWorkingDays = 10;

// Whether the owner of an action to arrange a review due on `due` should be
// reminded on `today`: from kReviewReminderWorkingDays working days before the
// date, while the action is open or in progress (once overdue it escalates).
bool review_reminder_due(const model::Record& action, const Date& today,
                         const WorkingDayCalendar& calendar = default_calendar());

}  // namespace psm::policy
