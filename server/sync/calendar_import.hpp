// R16 through sync: the authority's working-day calendar, held in the store as
// a settings record that every device receives (policy::kCalendarSettingId),
// so a device counting working days offline uses the same calendar as the
// server. `psm-server calendar import` replaces it; until then both sides use
// the calendar built into their release.
#pragma once

#include "common/error.hpp"
#include "common/policy/working_days.hpp"
#include "server/store/store.hpp"

#include <string>
#include <string_view>

namespace psm::server {

struct CalendarImport {
  int version = 0;
  std::size_t changes = 0;
  bool unchanged = false;  // the same edition was already distributed: nothing written
};

// Validates a calendar document (policy::WorkingDayCalendar::from_json) and
// stores it for every device; what was imported. Refused, with nothing
// written and the Error saying why (Errc::invalid_argument), when the document
// is malformed or over limits::kMaxTextBytes, older than the built-in calendar
// or than the edition already distributed, or reuses that edition's version
// with different dates.
Expected<CalendarImport> import_calendar(Store& store, std::string_view json);

// The calendar the server's rules use now, and whether it was imported.
struct CalendarInForce {
  policy::WorkingDayCalendar calendar;
  bool imported = false;
};
CalendarInForce calendar_in_store(Store& store);

// What `psm-server calendar import` and `calendar show` print: a line about
// the import; the edition in force as text, or as its JSON document with
// "source": "imported" | "built-in".
std::string describe(const CalendarImport& imported);
std::string describe(const CalendarInForce& in_force, bool as_json);

}  // namespace psm::server
