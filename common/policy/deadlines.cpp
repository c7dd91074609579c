#include "common/policy/deadlines.hpp"

namespace psm::policy {

bool is_working_day(const Date& d) { return !is_weekend(d); }

std::uint64_t end_of_nth_working_day_after(std::uint64_t from_ms, int n) {
  std::chrono::sys_days day{uk_date_of(from_ms)};
  int counted = 0;
  while (counted < n) {
    day += std::chrono::days{1};
    if (is_working_day(Date{day})) ++counted;
  }
  return uk_end_of_day(Date{day});
}

std::uint64_t meeting_deadline(model::MeetingType type, std::uint64_t identified_at_ms) {
  constexpr std::uint64_t kHourMs = 3'600'000;
  switch (type) {
    case model::MeetingType::support: return end_of_nth_working_day_after(identified_at_ms, 5);
    case model::MeetingType::pre_disruption: return identified_at_ms + 48 * kHourMs;
    case model::MeetingType::placement_planning: return identified_at_ms + 72 * kHourMs;
  }
  return identified_at_ms;
}

}  // namespace psm::policy
