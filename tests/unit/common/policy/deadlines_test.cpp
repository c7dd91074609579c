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

TEST(Deadlines, R2_SupportMeeting_SpanningChristmas_SkipsBankHolidays) {
  // Wed 23 Dec 2026 → Thu 24, [Fri 25 Christmas, Sat, Sun, Mon 28 Boxing Day
  // substitute], Tue 29, Wed 30, Thu 31, [Fri 1 Jan New Year's Day, Sat, Sun], Mon 4 Jan.
  auto d = meeting_deadline(model::MeetingType::support, at("2026-12-23T10:00"));
  EXPECT_EQ(format_local_datetime(d), "2027-01-04 23:59 GMT");
}

TEST(Deadlines, R2_SupportMeeting_SpanningEaster2027_SkipsGoodFridayAndEasterMonday) {
  // Wed 24 Mar 2027 → Thu 25, [Fri 26 Good Friday, Sat, Sun, Mon 29 Easter Monday],
  // Tue 30, Wed 31 (BST from Sun 28), Thu 1 Apr, Fri 2 Apr.
  auto d = meeting_deadline(model::MeetingType::support, at("2027-03-24T15:00"));
  EXPECT_EQ(format_local_datetime(d), "2027-04-02 23:59 BST");
}

TEST(Deadlines, R2_SupportMeeting_WithRulesOnlyCalendar_Ignores2022StateFuneral) {
  // Thu 15 Sep 2022 → Fri 16, [Mon 19 State Funeral], Tue 20, Wed 21, Thu 22, Fri 23.
  auto with_funeral = meeting_deadline(model::MeetingType::support, at("2022-09-15T09:00"));
  EXPECT_EQ(format_local_datetime(with_funeral), "2022-09-23 23:59 BST");
  auto rules_only = meeting_deadline(model::MeetingType::support, at("2022-09-15T09:00"), WorkingDayCalendar{});
  EXPECT_EQ(format_local_datetime(rules_only), "2022-09-22 23:59 BST");
}

TEST(Deadlines, R2_PlacementPlanning_Is72ClockHoursEvenOverChristmas) {
  auto from = at("2026-12-24T09:00");
  EXPECT_EQ(meeting_deadline(model::MeetingType::placement_planning, from) - from, 72ull * 3600 * 1000);
}

TEST(Deadlines, R2_WorkingDaysBetween_CountsAfterFromUpToAndIncludingTo) {
  const Date wed{*parse_date("2026-12-23")};
  EXPECT_EQ(working_days_between(wed, *parse_date("2026-12-24")), 1);
  EXPECT_EQ(working_days_between(wed, *parse_date("2026-12-28")), 1);  // 25 and 28 are holidays
  EXPECT_EQ(working_days_between(wed, *parse_date("2027-01-04")), 5);
  EXPECT_EQ(working_days_between(wed, wed), 0);
  EXPECT_EQ(working_days_between(*parse_date("2027-01-04"), wed), 0);
}

TEST(Deadlines, R16_IsWorkingDay_UsesTheBuiltInCalendarByDefault) {
  EXPECT_FALSE(is_working_day(*parse_date("2026-12-25")));
  EXPECT_TRUE(is_working_day(*parse_date("2026-12-24")));
  EXPECT_TRUE(is_working_day(*parse_date("2022-09-19"), WorkingDayCalendar{}));
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

namespace psm::policy {
namespace {

model::Record meeting(const char* status, const char* deadline_local, const char* scheduled_local = nullptr) {
  model::Record m;
  m.collection = "meetings";
  m.id = "m1";
  m.set("status", status, {});
  m.set("deadline_ms", std::to_string(*parse_local_datetime(deadline_local)), {});
  if (scheduled_local) m.set("scheduled_for_ms", std::to_string(*parse_local_datetime(scheduled_local)), {});
  // Recorded as held at the booked time (record-held).
  if (scheduled_local && std::string_view(status) == "held") {
    m.set("held_at_ms", std::to_string(*parse_local_datetime(scheduled_local)), {});
  }
  return m;
}

std::uint64_t when(const char* local) { return *parse_local_datetime(local); }

TEST(DeadlineState, R2_NotYetHeldBeforeTheDeadline_IsPending) {
  EXPECT_EQ(deadline_state(meeting("requested", "2026-11-26T23:59"), when("2026-11-24T12:00")), DeadlineState::pending);
  // Booked for before the deadline, but that time has not come yet.
  EXPECT_EQ(deadline_state(meeting("scheduled", "2026-11-26T23:59", "2026-11-25T10:00"), when("2026-11-24T12:00")),
            DeadlineState::pending);
}

TEST(DeadlineState, R2_HeldByTheDeadline_IsMet_EvenWhenLookedAtLater) {
  const auto m = meeting("held", "2026-11-26T23:59", "2026-11-25T10:00");
  EXPECT_EQ(deadline_state(m, when("2026-11-25T11:00")), DeadlineState::met);
  EXPECT_EQ(deadline_state(m, when("2027-03-01T09:00")), DeadlineState::met);
  EXPECT_EQ(held_at(m, when("2026-11-25T11:00")), when("2026-11-25T10:00"));
  EXPECT_EQ(
      deadline_state(meeting("minutes-finalised", "2026-11-26T23:59", "2026-11-26T23:00"), when("2026-12-01T09:00")),
      DeadlineState::met);
}

TEST(DeadlineState, R2_HeldAfterTheDeadline_OrNotHeldWhenItPassed_IsMissed) {
  EXPECT_EQ(deadline_state(meeting("held", "2026-11-26T23:59", "2026-11-27T09:00"), when("2026-11-27T10:00")),
            DeadlineState::missed);
  EXPECT_EQ(deadline_state(meeting("requested", "2026-11-26T23:59"), when("2026-11-27T00:00")), DeadlineState::missed);
  // Booked for after the deadline: missed as soon as the deadline passes, before the meeting.
  EXPECT_EQ(deadline_state(meeting("scheduled", "2026-11-26T23:59", "2026-12-02T09:00"), when("2026-11-27T09:00")),
            DeadlineState::missed);
}

TEST(DeadlineState, R2_Spellings) {
  EXPECT_EQ(to_string(DeadlineState::met), "met");
  EXPECT_EQ(to_string(DeadlineState::missed), "missed");
  EXPECT_EQ(to_string(DeadlineState::pending), "pending");
}

}  // namespace
}  // namespace psm::policy

namespace psm::policy {
namespace {

TEST(Deadlines, R2_PlannedPlacement_PlanningMeetingBeforeItStarts) {
  // Starting Monday 7 December 2026: the meeting is due by the end of Sunday 6th.
  EXPECT_EQ(format_local_datetime(placement_planning_deadline(*parse_date("2026-12-07"), std::nullopt)),
            "2026-12-06 23:59 GMT");
}

TEST(Deadlines, R2_EmergencyPlacement_PlanningMeetingWithin72HoursOfBeingMade) {
  const auto made = *parse_local_datetime("2026-12-24T21:30");
  EXPECT_EQ(format_local_datetime(placement_planning_deadline(*parse_date("2026-12-24"), made)),
            "2026-12-27 21:30 GMT");  // clock hours: Christmas counts
}

}  // namespace
}  // namespace psm::policy
