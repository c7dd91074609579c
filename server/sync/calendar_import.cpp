#include "server/sync/calendar_import.hpp"

#include "common/limits.hpp"
#include "common/model/hlc.hpp"

#include <boost/json.hpp>

namespace psm::server {

namespace col = model::collection;

Expected<CalendarImport> import_calendar(Store& store, std::string_view json) {
  auto refuse = [](std::string why) -> Expected<CalendarImport> {
    return Error{make_error_code(Errc::invalid_argument), std::move(why)};
  };
  // Every device stores and parses this record; a calendar a person keeps is a
  // few kilobytes, so anything past the free-text limit is a wrong file.
  if (json.size() > limits::kMaxTextBytes) {
    return refuse("the calendar is larger than " + std::to_string(limits::kMaxTextBytes / 1024) + " KiB");
  }
  auto calendar = policy::WorkingDayCalendar::from_json(json);
  if (!calendar) return refuse(calendar.error().message);

  const auto& built_in = policy::default_calendar();
  if (calendar->version() < built_in.version()) {
    return refuse("the calendar is version " + std::to_string(calendar->version()) +
                  ", older than the one built into psm (version " + std::to_string(built_in.version()) + ")");
  }
  if (calendar->version() == built_in.version() && *calendar != built_in) {
    return refuse("version " + std::to_string(built_in.version()) +
                  " is the calendar built into psm, with different dates; give the new edition a higher version");
  }
  // The write lock is taken before reading the edition in the store, so two
  // imports at once cannot both pass the version check.
  auto work = store.begin();
  const auto existing = store.get(col::kSettings, policy::kCalendarSettingId);
  if (existing) {
    if (auto current = policy::WorkingDayCalendar::from_json(existing->value(model::schema::settings::calendar))) {
      if (calendar->version() < current->version()) {
        return refuse("the calendar is version " + std::to_string(calendar->version()) +
                      ", older than the one already sent to devices (version " + std::to_string(current->version()) +
                      ")");
      }
      if (calendar->version() == current->version()) {
        if (*calendar != *current) {
          return refuse("version " + std::to_string(current->version()) +
                        " was already sent to devices with different dates; give the new edition a higher version");
        }
        return CalendarImport{calendar->version(), calendar->changes().size(), true};
      }
    }
  }
  const model::Version version{model::HlcClock().tick(), "server"};
  store.put(policy::make_calendar_setting(*calendar, version, "import"));
  work.commit();
  return CalendarImport{calendar->version(), calendar->changes().size(), false};
}

CalendarInForce calendar_in_store(Store& store) {
  const auto setting = store.get(col::kSettings, policy::kCalendarSettingId);
  auto imported = setting ? policy::WorkingDayCalendar::from_json(setting->value(model::schema::settings::calendar))
                          : Expected<policy::WorkingDayCalendar>(Error{make_error_code(Errc::not_found), {}});
  // The same choice as policy::calendar_in_force, told apart for the admin.
  if (imported && imported->version() >= policy::default_calendar().version()) return {*std::move(imported), true};
  return {policy::default_calendar(), false};
}

std::string describe(const CalendarImport& imported) {
  const std::string version = std::to_string(imported.version);
  if (imported.unchanged) return "calendar version " + version + " is already in use\n";
  return "imported calendar version " + version + " (" + std::to_string(imported.changes) +
         " one-off changes); devices receive it when they next sync\n";
}

std::string describe(const CalendarInForce& in_force, bool as_json) {
  if (as_json) {
    auto doc = boost::json::parse(in_force.calendar.to_json()).as_object();
    doc["source"] = in_force.imported ? "imported" : "built-in";
    return boost::json::serialize(doc) + "\n";
  }
  std::string out = "calendar version " + std::to_string(in_force.calendar.version()) + " (" +
                    (in_force.imported ? "imported" : "built into psm") + "), one-off changes:\n";
  for (const auto& c : in_force.calendar.changes()) {
    out += "  " + policy::format_date(c.date) + "  " +
           (c.kind == policy::CalendarChange::Kind::holiday ? "holiday    " : "working day") + "  " + c.name + "\n";
  }
  return out;
}

}  // namespace psm::server
