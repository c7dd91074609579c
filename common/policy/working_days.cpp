#include "common/policy/working_days.hpp"

#include "common/limits.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>

namespace psm::policy {

// Dates and names as GOV.UK publishes them (www.gov.uk/bank-holidays), so a
// manager can check them against the source. A moved holiday appears twice:
// the date it left (working-day) and the date it went to (holiday).
const std::string_view kDefaultCalendarJson = R"json({
  "version": 1,
  "changes": [
    {"date": "1995-05-01", "kind": "working-day", "name": "Early May bank holiday moved to 8 May (VE Day 50th anniversary)"},
    {"date": "1995-05-08", "kind": "holiday", "name": "Early May bank holiday (VE Day)"},
    {"date": "1999-12-31", "kind": "holiday", "name": "Millennium Celebrations"},
    {"date": "2002-05-27", "kind": "working-day", "name": "Spring bank holiday moved to 4 June (Golden Jubilee)"},
    {"date": "2002-06-03", "kind": "holiday", "name": "Queen's Golden Jubilee"},
    {"date": "2002-06-04", "kind": "holiday", "name": "Spring bank holiday"},
    {"date": "2011-04-29", "kind": "holiday", "name": "Royal wedding"},
    {"date": "2012-05-28", "kind": "working-day", "name": "Spring bank holiday moved to 4 June (Diamond Jubilee)"},
    {"date": "2012-06-04", "kind": "holiday", "name": "Spring bank holiday"},
    {"date": "2012-06-05", "kind": "holiday", "name": "Queen's Diamond Jubilee"},
    {"date": "2020-05-04", "kind": "working-day", "name": "Early May bank holiday moved to 8 May (VE Day 75th anniversary)"},
    {"date": "2020-05-08", "kind": "holiday", "name": "Early May bank holiday (VE Day)"},
    {"date": "2022-05-30", "kind": "working-day", "name": "Spring bank holiday moved to 2 June (Platinum Jubilee)"},
    {"date": "2022-06-02", "kind": "holiday", "name": "Spring bank holiday"},
    {"date": "2022-06-03", "kind": "holiday", "name": "Platinum Jubilee bank holiday"},
    {"date": "2022-09-19", "kind": "holiday", "name": "Bank Holiday for the State Funeral of Queen Elizabeth II"},
    {"date": "2023-05-08", "kind": "holiday", "name": "Bank holiday for the coronation of King Charles III"}
  ]
})json";

namespace {

using namespace std::chrono;
namespace json = boost::json;

constexpr std::string_view kHolidayKind = "holiday";
constexpr std::string_view kWorkingDayKind = "working-day";

bool same_day(const Date& a, sys_days b) { return sys_days{a} == b; }

const CalendarChange* find_change(const std::vector<CalendarChange>& changes, const Date& d) {
  auto it = std::lower_bound(changes.begin(), changes.end(), sys_days{d},
                             [](const CalendarChange& c, sys_days key) { return sys_days{c.date} < key; });
  return (it != changes.end() && same_day(it->date, sys_days{d})) ? &*it : nullptr;
}

std::string_view kind_name(CalendarChange::Kind k) {
  return k == CalendarChange::Kind::holiday ? kHolidayKind : kWorkingDayKind;
}

// Reads one member of a change as a string; on failure says which and why.
const json::string* string_member(const json::object& o, std::string_view key, const std::string& where,
                                  std::string& why) {
  const json::value* v = o.if_contains(key);
  if (!v) {
    why = where + ": \"" + std::string(key) + "\" is missing";
    return nullptr;
  }
  if (!v->is_string()) {
    why = where + ": \"" + std::string(key) + "\" must be a string";
    return nullptr;
  }
  return &v->get_string();
}

}  // namespace

Date easter_sunday(year y) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher). Every intermediate
  // value is small and non-negative, so plain int arithmetic is exact.
  const int Y = static_cast<int>(y);
  const int a = Y % 19;
  const int b = Y / 100;
  const int c = Y % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month_number = (h + l - 7 * m + 114) / 31;
  const int day_number = (h + l - 7 * m + 114) % 31 + 1;
  return Date{y, month{static_cast<unsigned>(month_number)}, day{static_cast<unsigned>(day_number)}};
}

std::optional<std::string> rule_holiday_name(const Date& d) {
  // Every rule lands on a weekday (substitutes exist precisely to move weekend
  // holidays onto one), so weekends are settled first.
  const weekday wd{sys_days{d}};
  if (wd == Saturday || wd == Sunday) return std::nullopt;
  const unsigned dd = static_cast<unsigned>(d.day());
  const month mm = d.month();

  if (mm == January) {
    if (dd == 1) return "New Year's Day";
    // 1 January on a Sunday → Monday 2nd; on a Saturday → Monday 3rd.
    if (wd == Monday && (dd == 2 || dd == 3)) return "New Year's Day (substitute day)";
    return std::nullopt;
  }
  if (mm == March || mm == April) {
    const sys_days easter{easter_sunday(d.year())};
    if (same_day(d, easter - days{2})) return "Good Friday";
    if (same_day(d, easter + days{1})) return "Easter Monday";
    return std::nullopt;
  }
  if (mm == May && wd == Monday) {
    if (dd <= 7) return "Early May bank holiday";
    if (dd + 7 > 31) return "Spring bank holiday";
    return std::nullopt;
  }
  if (mm == August && wd == Monday && dd + 7 > 31) return "Summer bank holiday";
  if (mm == December) {
    if (dd == 25) return "Christmas Day";
    if (dd == 26) return "Boxing Day";
    // 25th on a Saturday → Monday 27th; on a Sunday (Boxing Day then takes
    // Monday 26th) → Tuesday 27th.
    if (dd == 27 && (wd == Monday || wd == Tuesday)) return "Christmas Day (substitute day)";
    // 26th on a Saturday → Monday 28th; on a Sunday (Christmas substitute on
    // Monday 27th) → Tuesday 28th.
    if (dd == 28 && (wd == Monday || wd == Tuesday)) return "Boxing Day (substitute day)";
  }
  return std::nullopt;
}

Expected<WorkingDayCalendar> WorkingDayCalendar::from_json(std::string_view text) {
  auto refuse = [](std::string why) -> Expected<WorkingDayCalendar> {
    return Error{make_error_code(Errc::invalid_argument), std::move(why)};
  };

  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec) return refuse("the calendar is not JSON: " + ec.message());
  if (!doc.is_object()) return refuse("the calendar must be a JSON object");
  const json::object& top = doc.get_object();

  const json::value* version = top.if_contains("version");
  if (!version) return refuse("\"version\" is missing");
  if (!version->is_int64() || version->get_int64() < 1 || version->get_int64() > 1'000'000'000) {
    return refuse("\"version\" must be a positive integer");
  }

  const json::value* changes = top.if_contains("changes");
  if (!changes) return refuse("\"changes\" is missing");
  if (!changes->is_array()) return refuse("\"changes\" must be an array");

  WorkingDayCalendar calendar;
  calendar.version_ = static_cast<int>(version->get_int64());
  std::set<sys_days> seen;
  std::size_t index = 0;
  for (const json::value& entry : changes->get_array()) {
    std::string where = "changes[" + std::to_string(index++) + "]";
    if (!entry.is_object()) return refuse(where + ": must be an object");
    const json::object& o = entry.get_object();
    std::string why;

    const json::string* date_text = string_member(o, "date", where, why);
    if (!date_text) return refuse(why);
    where += " (" + std::string(std::string_view(*date_text).substr(0, 16)) + ")";
    const auto date = parse_date(*date_text);
    if (!date) return refuse(where + ": \"date\" must be a real date written YYYY-MM-DD");
    if (is_weekend(*date)) {
      return refuse(where + ": falls on a weekend, which is never a working day or a bank holiday");
    }
    if (!seen.insert(sys_days{*date}).second) return refuse(where + ": the date appears more than once");

    const json::string* kind_text = string_member(o, "kind", where, why);
    if (!kind_text) return refuse(why);
    CalendarChange change{*date, CalendarChange::Kind::holiday, {}};
    if (*kind_text == kHolidayKind) {
      change.kind = CalendarChange::Kind::holiday;
    } else if (*kind_text == kWorkingDayKind) {
      change.kind = CalendarChange::Kind::working_day;
      // A working-day change only makes sense where a rule gives a holiday;
      // anywhere else it is a mistyped date that would otherwise go unnoticed.
      if (!rule_holiday_name(*date)) {
        return refuse(where + ": is not a bank holiday by the rules, so cannot be made a working day");
      }
    } else {
      return refuse(where + ": \"kind\" must be \"holiday\" or \"working-day\"");
    }

    const json::string* name = string_member(o, "name", where, why);
    if (!name) return refuse(why);
    if (name->empty() || name->size() > limits::kMaxShortStringBytes) {
      return refuse(where + ": \"name\" must be 1 to " + std::to_string(limits::kMaxShortStringBytes) + " bytes");
    }
    change.name = std::string(*name);
    calendar.changes_.push_back(std::move(change));
  }
  std::sort(calendar.changes_.begin(), calendar.changes_.end(),
            [](const CalendarChange& a, const CalendarChange& b) { return sys_days{a.date} < sys_days{b.date}; });
  return calendar;
}

std::string WorkingDayCalendar::to_json() const {
  json::array changes;
  for (const CalendarChange& c : changes_) {
    changes.push_back(json::object{{"date", format_date(c.date)}, {"kind", kind_name(c.kind)}, {"name", c.name}});
  }
  return json::serialize(json::object{{"version", version_}, {"changes", std::move(changes)}});
}

std::optional<std::string> WorkingDayCalendar::holiday_name(const Date& d) const {
  if (is_weekend(d)) return std::nullopt;
  if (const CalendarChange* c = find_change(changes_, d)) {
    if (c->kind == CalendarChange::Kind::working_day) return std::nullopt;
    return c->name;
  }
  return rule_holiday_name(d);
}

bool WorkingDayCalendar::is_working_day(const Date& d) const { return !is_weekend(d) && !holiday_name(d); }

std::vector<Holiday> WorkingDayCalendar::holidays_between(const Date& from, const Date& to) const {
  std::vector<Holiday> out;
  for (sys_days day = sys_days{from} + days{1}; day <= sys_days{to}; day += days{1}) {
    if (auto name = holiday_name(Date{day})) out.push_back({Date{day}, std::move(*name)});
  }
  return out;
}

std::vector<Holiday> WorkingDayCalendar::holidays_in(year y) const {
  return holidays_between(Date{y - years{1}, December, day{31}}, Date{y, December, day{31}});
}

const WorkingDayCalendar& default_calendar() {
  // The built-in data is a constant checked by the unit tests; failing to parse
  // it is a build defect, and carrying on with rules only would make deadlines
  // silently wrong, so stop instead.
  static const WorkingDayCalendar calendar = [] {
    auto parsed = WorkingDayCalendar::from_json(kDefaultCalendarJson);
    if (!parsed) std::abort();
    return *std::move(parsed);
  }();
  return calendar;
}

WorkingDayCalendar calendar_in_force(const std::optional<model::Record>& setting) {
  const WorkingDayCalendar& built_in = default_calendar();
  if (!setting) return built_in;
  auto synced = WorkingDayCalendar::from_json(setting->value(model::schema::settings::calendar));
  if (!synced || synced->version() < built_in.version()) return built_in;
  return *std::move(synced);
}

model::Record make_calendar_setting(const WorkingDayCalendar& calendar, const model::Version& version,
                                    std::string_view author) {
  model::Record r;
  r.collection = std::string(model::collection::kSettings);
  r.id = std::string(kCalendarSettingId);
  r.scope = std::string(model::scope::kDirectory);
  r.set(model::schema::settings::calendar, calendar.to_json(), version, author);
  r.set(model::schema::settings::version, static_cast<std::uint64_t>(calendar.version()), version, author);
  return r;
}

}  // namespace psm::policy
