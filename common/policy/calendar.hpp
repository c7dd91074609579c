// Civil dates and times for the rules. Deadlines are instants (UTC milliseconds)
// computed from the local time in England (GMT/BST), because "the end of the
// fifth working day" is a wall-clock moment in the office's time zone.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace psm::policy {

using Date = std::chrono::year_month_day;

// Parses YYYY-MM-DD, rejecting impossible dates (2025-02-30).
std::optional<Date> parse_date(std::string_view text);
std::string format_date(const Date& d);

// Parses "YYYY-MM-DDTHH:MM" or "YYYY-MM-DD HH:MM" (optionally ":SS") as UK local
// time, or an ISO 8601 instant ending in "Z", to UTC milliseconds.
std::optional<std::uint64_t> parse_local_datetime(std::string_view text);
// Formats UTC milliseconds as UK local "YYYY-MM-DD HH:MM" with its zone (GMT or BST).
std::string format_local_datetime(std::uint64_t utc_ms);
// A date in words, as people read it: "Tuesday 1 December 2026".
std::string format_long_date(const Date& d);
// An instant in words, UK local time: "Tuesday 1 December 2026 at 10:00 GMT".
std::string format_long_local(std::uint64_t utc_ms);
// RFC 3339 UTC, e.g. 2026-11-24T12:00:00Z, for JSON output.
std::string format_utc(std::uint64_t utc_ms);

// The UK's offset from UTC at an instant: +1h during British Summer Time (from
// 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October).
std::chrono::minutes uk_offset_at(std::uint64_t utc_ms);

// The local calendar date in England at an instant.
Date uk_date_of(std::uint64_t utc_ms);
// The instant at which a local date ends in England (23:59:59.999 local).
std::uint64_t uk_end_of_day(const Date& d);

bool is_weekend(const Date& d);

}  // namespace psm::policy
