#include "common/policy/deadlines.hpp"

#include <gtest/gtest.h>

namespace psm::policy {
namespace {

std::uint64_t at(const char* local) { return *parse_local_datetime(local); }

TEST(Deadlines, SupportMeeting_EndOfFifthWorkingDayAfterTrigger) {
  // Thursday 2026-11-19 10:00 → Fri 20, Mon 23, Tue 24, Wed 25, Thu 26: end of Thu 26.
  auto d = meeting_deadline(model::MeetingType::support, at("2026-11-19T10:00"));
  EXPECT_EQ(format_local_datetime(d), "2026-11-26 23:59 GMT");
}

TEST(Deadlines, SupportMeeting_TriggerOnSaturday_CountsFromMonday) {
  auto d = meeting_deadline(model::MeetingType::support, at("2026-11-21T09:00"));
  EXPECT_EQ(format_local_datetime(d), "2026-11-27 23:59 GMT");
}

TEST(Deadlines, SupportMeeting_InSummerTime_EndsAtLocalMidnight) {
  auto d = meeting_deadline(model::MeetingType::support, at("2026-07-01T09:00"));  // Wednesday
  EXPECT_EQ(format_local_datetime(d), "2026-07-08 23:59 BST");
  EXPECT_EQ(format_utc(d), "2026-07-08T22:59:59Z");
}

TEST(Deadlines, PreDisruption_Is48ClockHours) {
  auto from = at("2026-11-20T16:30");  // a Friday: weekends count for clock hours
  EXPECT_EQ(meeting_deadline(model::MeetingType::pre_disruption, from) - from, 48ull * 3600 * 1000);
}

TEST(Calendar, ParseDate_RejectsImpossibleDates) {
  EXPECT_FALSE(parse_date("2026-02-30"));
  EXPECT_FALSE(parse_date("2026-13-01"));
  EXPECT_FALSE(parse_date("26-01-01"));
  EXPECT_TRUE(parse_date("2028-02-29"));
}

TEST(Calendar, UkOffset_SwitchesOnLastSundays) {
  EXPECT_EQ(uk_offset_at(*parse_local_datetime("2026-03-29T00:30:00Z")).count(), 0);
  EXPECT_EQ(uk_offset_at(*parse_local_datetime("2026-03-29T01:00:00Z")).count(), 60);
  EXPECT_EQ(uk_offset_at(*parse_local_datetime("2026-10-25T00:59:00Z")).count(), 60);
  EXPECT_EQ(uk_offset_at(*parse_local_datetime("2026-10-25T01:00:00Z")).count(), 0);
}

}  // namespace
}  // namespace psm::policy
