// Meeting timescales from the seeds (DESIGN.md §6).
#pragma once

#include "common/model/domain.hpp"
#include "common/policy/calendar.hpp"

#include <cstdint>

namespace psm::policy {

// Working days in England: not a weekend. Bank holidays and one-off changes
// arrive with the workflow rules (the calendar data file); until then only
// weekends are excluded, which can make a deadline early, never late.
bool is_working_day(const Date& d);

// The end of the Nth working day after the day of `from_ms` (the trigger day
// itself never counts).
std::uint64_t end_of_nth_working_day_after(std::uint64_t from_ms, int n);

// When a meeting of this type must be held by, given when the need was identified:
// support → end of the 5th working day after; pre-disruption → 48 clock hours;
// placement planning (emergency placement) → 72 clock hours.
std::uint64_t meeting_deadline(model::MeetingType type, std::uint64_t identified_at_ms);

}  // namespace psm::policy
