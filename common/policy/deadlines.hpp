// Rule R2: meeting timescales from the seeds (DESIGN.md §6), counted in working
// days of the England and Wales calendar (rule R16, working_days.hpp) or in
// clock hours.
#pragma once

#include "common/model/domain.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/working_days.hpp"

#include <cstdint>

namespace psm::policy {

// Working days in England and Wales: not a weekend and not a bank holiday,
// including substitute days and the one-off changes in the calendar's data.
// Every function here takes the calendar to use; the default is the built-in
// one (default_calendar()), which a newer edition from the server may replace.
bool is_working_day(const Date& d, const WorkingDayCalendar& calendar = default_calendar());

// The end (23:59:59.999 UK local time) of the Nth working day after the day of
// `from_ms` (the trigger day itself never counts, whatever time or day it is).
// n <= 0 gives the end of the trigger day.
std::uint64_t end_of_nth_working_day_after(std::uint64_t from_ms, int n,
                                           const WorkingDayCalendar& calendar = default_calendar());

// The number of working days after `from` up to and including `to`; 0 when `to`
// is not after `from`. For "N working days overdue": a deadline at the end of
// `from`, checked on `to`.
int working_days_between(const Date& from, const Date& to, const WorkingDayCalendar& calendar = default_calendar());

// When a meeting of this type must be held by, given when the need was identified:
// support → end of the 5th working day after; pre-disruption → 48 clock hours;
// placement planning (emergency placement) → 72 clock hours.
std::uint64_t meeting_deadline(model::MeetingType type, std::uint64_t identified_at_ms,
                               const WorkingDayCalendar& calendar = default_calendar());

// The number of working days in a meeting type's timescale: 5 for support, 0
// for the types counted in clock hours.
int working_days_for(model::MeetingType type);

}  // namespace psm::policy
