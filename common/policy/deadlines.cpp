#include "common/policy/deadlines.hpp"

namespace psm::policy {
namespace {

constexpr int kSupportMeetingWorkingDays = 5;
constexpr std::uint64_t kHourMs = 3'600'000;
constexpr std::uint64_t kPreDisruptionHours = 48;
constexpr std::uint64_t kPlacementPlanningHours = 72;

}  // namespace

bool is_working_day(const Date& d, const WorkingDayCalendar& calendar) { return calendar.is_working_day(d); }

std::uint64_t end_of_nth_working_day_after(std::uint64_t from_ms, int n, const WorkingDayCalendar& calendar) {
  std::chrono::sys_days day{uk_date_of(from_ms)};
  int counted = 0;
  while (counted < n) {
    day += std::chrono::days{1};
    if (calendar.is_working_day(Date{day})) ++counted;
  }
  return uk_end_of_day(Date{day});
}

int working_days_between(const Date& from, const Date& to, const WorkingDayCalendar& calendar) {
  int count = 0;
  for (std::chrono::sys_days day = std::chrono::sys_days{from} + std::chrono::days{1}; day <= std::chrono::sys_days{to};
       day += std::chrono::days{1}) {
    if (calendar.is_working_day(Date{day})) ++count;
  }
  return count;
}

int working_days_for(model::MeetingType type) {
  return type == model::MeetingType::support ? kSupportMeetingWorkingDays : 0;
}

std::uint64_t meeting_deadline(model::MeetingType type, std::uint64_t identified_at_ms,
                               const WorkingDayCalendar& calendar) {
  switch (type) {
    case model::MeetingType::support:
      return end_of_nth_working_day_after(identified_at_ms, kSupportMeetingWorkingDays, calendar);
    case model::MeetingType::pre_disruption:
      return identified_at_ms + kPreDisruptionHours * kHourMs;
    case model::MeetingType::placement_planning:
      return identified_at_ms + kPlacementPlanningHours * kHourMs;
  }
  return identified_at_ms;
}

}  // namespace psm::policy
