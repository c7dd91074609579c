// What `psm deadline` prints: when a meeting must be held by, and which bank
// holidays the count skipped. Pure functions of their arguments (no replica, no
// personal data), so tests call them directly.
#pragma once

#include "common/model/domain.hpp"
#include "common/policy/working_days.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace psm::client::views {

struct DeadlineReport {
  model::MeetingType type = model::MeetingType::support;
  std::uint64_t from_ms = 0;                      // when the need was identified (UTC ms)
  std::uint64_t deadline_ms = 0;                  // when the meeting must be held by (UTC ms)
  int working_days = 0;                           // 0 for the types counted in clock hours
  std::vector<policy::Holiday> holidays_skipped;  // bank holidays between the two, in date order
  int calendar_version = 0;                       // the edition of the calendar counted with (R16)
};

DeadlineReport make_deadline_report(model::MeetingType type, std::uint64_t from_ms,
                                    const policy::WorkingDayCalendar& calendar = policy::default_calendar());

// One line, e.g. "support meeting: to be held by Monday 4 January 2027, 23:59 GMT
// (5 working days after Wednesday 23 December 2026; skipped: Christmas Day, …)".
std::string format_deadline_text(const DeadlineReport& report);

// {"type","from","deadline","deadline_local","working_days","holidays_skipped":[{"date","name"}],"calendar_version"},
// documented in docs/cli.md.
boost::json::value deadline_to_json(const DeadlineReport& report);

}  // namespace psm::client::views
