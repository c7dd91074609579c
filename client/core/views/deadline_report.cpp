#include "client/core/views/deadline_report.hpp"

#include "common/policy/deadlines.hpp"

#include <boost/json.hpp>

namespace psm::client::views {
namespace {

namespace json = boost::json;
using namespace std::chrono;

constexpr std::uint64_t kHourMs = 3'600'000;

std::string_view meeting_name(model::MeetingType type) {
  switch (type) {
    case model::MeetingType::support:
      return "support meeting";
    case model::MeetingType::pre_disruption:
      return "pre-disruption meeting";
    case model::MeetingType::placement_planning:
      return "placement planning meeting";
  }
  return "meeting";
}

// "23:59 GMT": the time-and-zone part of format_local_datetime's "YYYY-MM-DD HH:MM GMT".
std::string local_time_of(std::uint64_t utc_ms) { return policy::format_local_datetime(utc_ms).substr(11); }

std::string long_local(std::uint64_t utc_ms) {
  return policy::date_in_words(policy::uk_date_of(utc_ms)) + ", " + local_time_of(utc_ms);
}

}  // namespace

DeadlineReport make_deadline_report(model::MeetingType type, std::uint64_t from_ms,
                                    const policy::WorkingDayCalendar& calendar) {
  DeadlineReport r;
  r.type = type;
  r.from_ms = from_ms;
  r.deadline_ms = policy::meeting_deadline(type, from_ms, calendar);
  r.working_days = policy::working_days_for(type);
  r.calendar_version = calendar.version();
  // Clock-hour timescales run through bank holidays, so nothing is skipped.
  if (r.working_days > 0) {
    r.holidays_skipped = calendar.holidays_between(policy::uk_date_of(from_ms), policy::uk_date_of(r.deadline_ms));
  }
  return r;
}

std::string format_deadline_text(const DeadlineReport& r) {
  std::string out(meeting_name(r.type));
  out += ": to be held by " + long_local(r.deadline_ms) + " (";
  if (r.working_days > 0) {
    out +=
        std::to_string(r.working_days) + " working days after " + policy::date_in_words(policy::uk_date_of(r.from_ms));
    if (!r.holidays_skipped.empty()) {
      out += "; skipped: ";
      for (std::size_t i = 0; i < r.holidays_skipped.size(); ++i) {
        if (i > 0) out += ", ";
        out += r.holidays_skipped[i].name;
      }
    }
  } else {
    out += std::to_string((r.deadline_ms - r.from_ms) / kHourMs) + " hours after " + long_local(r.from_ms);
  }
  out += ")";
  return out;
}

json::value deadline_to_json(const DeadlineReport& r) {
  json::array skipped;
  for (const auto& h : r.holidays_skipped) {
    skipped.push_back(json::object{{"date", policy::format_date(h.date)}, {"name", h.name}});
  }
  return json::object{{"type", model::to_string(r.type)},
                      {"from", policy::format_utc(r.from_ms)},
                      {"deadline", policy::format_utc(r.deadline_ms)},
                      {"deadline_local", policy::format_local_datetime(r.deadline_ms)},
                      {"working_days", r.working_days},
                      {"holidays_skipped", std::move(skipped)},
                      {"calendar_version", r.calendar_version}};
}

}  // namespace psm::client::views
