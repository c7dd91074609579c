// Rule R2: meeting timescales from the seeds (DESIGN.md §6), counted in working
// days of the England and Wales calendar (rule R16, working_days.hpp) or in
// clock hours.
#pragma once

#include "common/model/domain.hpp"
#include "common/model/record.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/working_days.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

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

// R2, placement planning. The first policy: "A Placement Agreement Meeting
// should be carried out prior to placement or in an emergency within 72 hours
// of the placement being made." A planned placement's meeting is due before it
// starts: by the end of the day before `start`. An emergency placement's is due
// 72 clock hours after it was made (`emergency_made_at_ms`).
std::uint64_t placement_planning_deadline(const Date& start, std::optional<std::uint64_t> emergency_made_at_ms);

// The number of working days in a meeting type's timescale: 5 for support, 0
// for the types counted in clock hours.
int working_days_for(model::MeetingType type);

// Whether a meeting request's deadline was met: `met` when the meeting was held
// by its deadline, `missed` when it was held later or the deadline passed with
// no meeting held, `pending` while the deadline is still ahead and no meeting
// has been held yet (one may be scheduled).
enum class DeadlineState { met, missed, pending };
std::string_view to_string(DeadlineState);

// When a meeting was held: the time recorded with record-held (a meeting
// finalised before that step existed: its booked time); nothing for a meeting
// booked but not recorded as held, never scheduled, or cancelled. `now_ms` is
// unused: being booked for a time that has passed is not being held.
std::optional<std::uint64_t> held_at(const model::Record& meeting, std::uint64_t now_ms);

// R2: the state of a meeting record's deadline ("deadline_ms") at `now_ms`.
// A meeting without a recorded deadline is pending.
DeadlineState deadline_state(const model::Record& meeting, std::uint64_t now_ms);

}  // namespace psm::policy
