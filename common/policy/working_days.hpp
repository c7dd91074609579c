// Rule R16: the working-day calendar of England and Wales.
//
// A day is a working day unless it is a Saturday, a Sunday or a bank holiday.
// Bank holidays come from two sources:
//   - the standing rules (Banking and Financial Dealings Act 1971 and the
//     proclamations since): New Year's Day, Good Friday, Easter Monday, the early
//     May, spring and summer bank holidays, Christmas Day and Boxing Day, with
//     substitute days when one falls on a weekend;
//   - one-off changes made by proclamation (a holiday moved, an extra one for a
//     jubilee or a state funeral), which are data: a versioned JSON document, so
//     a newer calendar can replace the built-in one without a new release.
//
// Supported range: the rules are right for every year from 1978 (the first
// early May bank holiday); the built-in changes cover 1995 onwards. Earlier
// dates get the modern rules, which history does not always match.
#pragma once

#include "common/error.hpp"
#include "common/model/record.hpp"
#include "common/policy/calendar.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace psm::policy {

// A one-off change to the rules on one date. `holiday` makes a weekday a bank
// holiday; `working_day` cancels a bank holiday the rules would give (when a
// holiday is moved, both appear: the old date as working_day, the new as holiday).
struct CalendarChange {
  enum class Kind { holiday, working_day };
  Date date;
  Kind kind = Kind::holiday;
  std::string name;  // why: "Bank holiday for the coronation of King Charles III"

  bool operator==(const CalendarChange&) const = default;
};

struct Holiday {
  Date date;
  std::string name;

  bool operator==(const Holiday&) const = default;
};

// The name of the bank holiday the standing rules give on `d` ("Good Friday",
// "Christmas Day (substitute day)"), or nothing. Ignores one-off changes.
std::optional<std::string> rule_holiday_name(const Date& d);

// Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm).
Date easter_sunday(std::chrono::year y);

// The built-in calendar data: version 1, every one-off change from 1995 to the
// latest announced. Parsed by default_calendar().
extern const std::string_view kDefaultCalendarJson;

// The rules plus a set of one-off changes, with the version of the data they
// came from. Immutable once built, so it may be shared between threads freely.
class WorkingDayCalendar {
 public:
  // Rules only, version 0 (for tests and as a floor: any published data is newer).
  WorkingDayCalendar() = default;

  // Parses a calendar document:
  //   {"version": 2, "changes": [{"date": "2023-05-08", "kind": "holiday",
  //                               "name": "Coronation of King Charles III"}, …]}
  // `version` is a positive integer that grows with each published edition;
  // `kind` is "holiday" or "working-day". Unknown members are ignored so that a
  // later edition can add some. Fails with Errc::invalid_argument when the text
  // is not JSON, a member is missing or of the wrong type, a date is impossible or
  // falls on a weekend (weekends are never working days nor bank holidays here),
  // or a date appears twice; the Error's message then names the bad entry.
  static Expected<WorkingDayCalendar> from_json(std::string_view text);

  // The document from_json accepts, changes in date order; from_json(to_json())
  // gives an equal calendar.
  std::string to_json() const;

  int version() const { return version_; }
  const std::vector<CalendarChange>& changes() const { return changes_; }

  bool is_working_day(const Date& d) const;
  // The bank holiday on `d`, after one-off changes; nothing for an ordinary
  // weekday or a weekend.
  std::optional<std::string> holiday_name(const Date& d) const;
  // Bank holidays after `from` up to and including `to`, in date order.
  std::vector<Holiday> holidays_between(const Date& from, const Date& to) const;
  // Bank holidays in a calendar year, in date order.
  std::vector<Holiday> holidays_in(std::chrono::year y) const;

  bool operator==(const WorkingDayCalendar&) const = default;

 private:
  int version_ = 0;
  std::vector<CalendarChange> changes_;  // sorted by date, one per date
};

// The calendar built from kDefaultCalendarJson, parsed once on first use.
const WorkingDayCalendar& default_calendar();

// R16 through sync: the server holds the authority's calendar as a settings
// record (collection "settings", this id, scope "directory") that every device
// receives. Its fields: "calendar" (the document from_json reads) and "version".
inline constexpr std::string_view kCalendarSettingId = "working-day-calendar";

// The calendar the rules use, on the server and on a device alike: the edition
// in `setting` when there is one that parses and is at least as new as the
// built-in one, else the built-in calendar. A setting that does not parse is
// ignored (the server's import never stores one), so a damaged record can
// never stop deadlines being worked out.
WorkingDayCalendar calendar_in_force(const std::optional<model::Record>& setting);

// The settings record that distributes `calendar` (see kCalendarSettingId).
model::Record make_calendar_setting(const WorkingDayCalendar& calendar, const model::Version& version,
                                    std::string_view author);

}  // namespace psm::policy
