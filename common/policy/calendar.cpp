#include "common/policy/calendar.hpp"

#include <array>
#include <cstdio>

namespace psm::policy {
namespace {

using namespace std::chrono;

std::optional<int> digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

sys_days last_sunday(year y, month m) {
  const sys_days last{y / m / std::chrono::last};
  const weekday wd{last};
  return last - (wd - Sunday);
}

std::int64_t to_ms(sys_seconds t) { return duration_cast<milliseconds>(t.time_since_epoch()).count(); }

}  // namespace

std::optional<Date> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto y = digits(t.substr(0, 4));
  auto m = digits(t.substr(5, 2));
  auto d = digits(t.substr(8, 2));
  if (!y || !m || !d) return std::nullopt;
  Date date{year{*y}, month{static_cast<unsigned>(*m)}, day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_date(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

minutes uk_offset_at(std::uint64_t utc_ms) {
  const sys_time<milliseconds> t{milliseconds{static_cast<std::int64_t>(utc_ms)}};
  const year y = year_month_day{floor<days>(t)}.year();
  const auto start = sys_time<milliseconds>{last_sunday(y, March)} + hours{1};
  const auto end = sys_time<milliseconds>{last_sunday(y, October)} + hours{1};
  return (t >= start && t < end) ? minutes{60} : minutes{0};
}

Date uk_date_of(std::uint64_t utc_ms) {
  const sys_time<milliseconds> t{milliseconds{static_cast<std::int64_t>(utc_ms)}};
  return year_month_day{floor<days>(t + uk_offset_at(utc_ms))};
}

std::uint64_t uk_end_of_day(const Date& d) {
  // Local midnight of the next day, converted to UTC by the offset in force
  // then, minus one millisecond.
  const sys_days next = sys_days{d} + days{1};
  const auto naive_ms = static_cast<std::uint64_t>(to_ms(sys_seconds{next}));
  const auto offset = uk_offset_at(naive_ms - 3'600'000);  // an hour earlier: before any switch
  return naive_ms - static_cast<std::uint64_t>(duration_cast<milliseconds>(offset).count()) - 1;
}

std::optional<std::uint64_t> parse_local_datetime(std::string_view t) {
  bool utc = false;
  if (!t.empty() && (t.back() == 'Z' || t.back() == 'z')) {
    utc = true;
    t.remove_suffix(1);
  }
  if (t.size() != 16 && t.size() != 19) return std::nullopt;
  if (t[10] != 'T' && t[10] != ' ') return std::nullopt;
  auto date = parse_date(t.substr(0, 10));
  if (!date || t[13] != ':') return std::nullopt;
  auto hh = digits(t.substr(11, 2));
  auto mm = digits(t.substr(14, 2));
  std::optional<int> ss = 0;
  if (t.size() == 19) {
    if (t[16] != ':') return std::nullopt;
    ss = digits(t.substr(17, 2));
  }
  if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 59) return std::nullopt;
  const sys_seconds naive = sys_days{*date} + hours{*hh} + minutes{*mm} + seconds{*ss};
  auto ms = static_cast<std::uint64_t>(to_ms(naive));
  if (utc) return ms;
  // Local → UTC: subtract the offset in force at that local time. In the hour
  // that does not exist (spring forward) this lands an hour later, which is the
  // reading a person would mean.
  const auto offset = uk_offset_at(ms - static_cast<std::uint64_t>(duration_cast<milliseconds>(hours{1}).count()));
  return ms - static_cast<std::uint64_t>(duration_cast<milliseconds>(offset).count());
}

std::string format_local_datetime(std::uint64_t utc_ms) {
  const auto offset = uk_offset_at(utc_ms);
  const sys_time<milliseconds> local{milliseconds{static_cast<std::int64_t>(utc_ms)} + offset};
  const auto day_point = floor<days>(local);
  const hh_mm_ss<milliseconds> tod{local - day_point};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d %s", format_date(year_month_day{day_point}).c_str(),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                offset.count() ? "BST" : "GMT");
  return buf;
}

std::string format_long_date(const Date& d) {
  static constexpr std::array<std::string_view, 7> kWeekdays{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                             "Thursday", "Friday", "Saturday"};
  static constexpr std::array<std::string_view, 12> kMonths{"January",   "February", "March",    "April",
                                                            "May",       "June",     "July",     "August",
                                                            "September", "October",  "November", "December"};
  const weekday wd{sys_days{d}};
  std::string out(kWeekdays[wd.c_encoding()]);
  out += " " + std::to_string(static_cast<unsigned>(d.day())) + " ";
  out += kMonths[static_cast<unsigned>(d.month()) - 1];
  out += " " + std::to_string(static_cast<int>(d.year()));
  return out;
}

std::string format_long_local(std::uint64_t utc_ms) {
  // format_local_datetime's "YYYY-MM-DD HH:MM GMT": the time and zone follow the date.
  return format_long_date(uk_date_of(utc_ms)) + " at " + format_local_datetime(utc_ms).substr(11);
}

std::string format_utc(std::uint64_t utc_ms) {
  const sys_time<milliseconds> t{milliseconds{static_cast<std::int64_t>(utc_ms)}};
  const auto day_point = floor<days>(t);
  const hh_mm_ss<milliseconds> tod{t - day_point};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", format_date(year_month_day{day_point}).c_str(),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()));
  return buf;
}

bool is_weekend(const Date& d) {
  const weekday wd{sys_days{d}};
  return wd == Saturday || wd == Sunday;
}

}  // namespace psm::policy
