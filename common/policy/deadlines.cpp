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

std::uint64_t placement_planning_deadline(const Date& start, std::optional<std::uint64_t> emergency_made_at_ms) {
  if (emergency_made_at_ms) return *emergency_made_at_ms + kPlacementPlanningHours * kHourMs;
  return uk_end_of_day(Date{std::chrono::sys_days{start} - std::chrono::days{1}});
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

std::string_view to_string(DeadlineState s) {
  switch (s) {
    case DeadlineState::met:
      return "met";
    case DeadlineState::missed:
      return "missed";
    case DeadlineState::pending:
      return "pending";
  }
  return "pending";
}

std::optional<std::uint64_t> held_at(const model::Record& meeting, std::uint64_t /*now_ms*/) {
  const auto status = meeting.get(model::schema::meetings::status);
  if (!status) return std::nullopt;
  switch (*status) {
    case model::MeetingStatus::held:
    case model::MeetingStatus::minutes_finalised:
      // Minutes finalised before the held step existed: the booked time.
      if (const auto held = meeting.get(model::schema::meetings::held_at_ms)) return held;
      return meeting.get(model::schema::meetings::scheduled_for_ms);
    case model::MeetingStatus::scheduled:  // booked, not (yet) recorded as held
    case model::MeetingStatus::requested:
    case model::MeetingStatus::cancelled:
      return std::nullopt;
  }
  return std::nullopt;
}

DeadlineState deadline_state(const model::Record& meeting, std::uint64_t now_ms) {
  const auto deadline = meeting.get(model::schema::meetings::deadline_ms);
  if (!deadline) return DeadlineState::pending;
  if (const auto held = held_at(meeting, now_ms))
    return *held <= *deadline ? DeadlineState::met : DeadlineState::missed;
  return now_ms > *deadline ? DeadlineState::missed : DeadlineState::pending;
}

}  // namespace psm::policy
