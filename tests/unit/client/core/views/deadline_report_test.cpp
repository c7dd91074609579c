#include "client/core/views/deadline_report.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace psm::client::views {
namespace {

std::uint64_t at(const char* local) { return *policy::parse_local_datetime(local); }

TEST(DeadlineReport, R2_SupportOverChristmas_NamesTheSkippedBankHolidays) {
  auto r = make_deadline_report(model::MeetingType::support, at("2026-12-23T10:00"));
  EXPECT_EQ(format_deadline_text(r),
            "support meeting: to be held by Monday 4 January 2027, 23:59 GMT (5 working days after Wednesday 23 "
            "December 2026; skipped: Christmas Day, Boxing Day (substitute day), New Year's Day)");
}

TEST(DeadlineReport, R2_SupportWithNoHolidays_SaysNothingSkipped) {
  auto r = make_deadline_report(model::MeetingType::support, at("2026-11-19T10:00"));
  EXPECT_EQ(format_deadline_text(r),
            "support meeting: to be held by Thursday 26 November 2026, 23:59 GMT (5 working days after Thursday 19 "
            "November 2026)");
}

TEST(DeadlineReport, R2_PreDisruption_CountsClockHours) {
  auto r = make_deadline_report(model::MeetingType::pre_disruption, at("2026-12-24T16:30"));
  EXPECT_EQ(format_deadline_text(r),
            "pre-disruption meeting: to be held by Saturday 26 December 2026, 16:30 GMT (48 hours after Thursday 24 "
            "December 2026, 16:30 GMT)");
  EXPECT_TRUE(r.holidays_skipped.empty());
}

TEST(DeadlineReport, R2_Json_HasTheDocumentedFields) {
  auto r = make_deadline_report(model::MeetingType::support, at("2026-12-23T10:00"));
  EXPECT_EQ(boost::json::serialize(deadline_to_json(r)),
            R"j({"type":"support","from":"2026-12-23T10:00:00Z","deadline":"2027-01-04T23:59:59Z",)j"
            R"j("deadline_local":"2027-01-04 23:59 GMT","working_days":5,"holidays_skipped":[)j"
            R"j({"date":"2026-12-25","name":"Christmas Day"},)j"
            R"j({"date":"2026-12-28","name":"Boxing Day (substitute day)"},)j"
            R"j({"date":"2027-01-01","name":"New Year's Day"}],"calendar_version":1})j");
}

TEST(DeadlineReport, R16_SaysWhichEditionOfTheCalendarItCountedWith) {
  auto edition = policy::WorkingDayCalendar::from_json(
      R"({"version": 4, "changes": [{"date": "2027-01-04", "kind": "holiday", "name": "An extra bank holiday"}]})");
  ASSERT_TRUE(edition);
  auto r = make_deadline_report(model::MeetingType::support, at("2026-12-23T10:00"), *edition);
  auto v = deadline_to_json(r);
  EXPECT_EQ(v.at("calendar_version").as_int64(), 4);
  EXPECT_EQ(v.at("deadline").as_string(), "2027-01-05T23:59:59Z");
}

TEST(DeadlineReport, R2_JsonForPlacementPlanning_HasZeroWorkingDaysInSummerTime) {
  auto r = make_deadline_report(model::MeetingType::placement_planning, at("2026-07-01T09:00"));
  auto v = deadline_to_json(r);
  EXPECT_EQ(v.at("type").as_string(), "placement-planning");
  EXPECT_EQ(v.at("from").as_string(), "2026-07-01T08:00:00Z");
  EXPECT_EQ(v.at("deadline_local").as_string(), "2026-07-04 09:00 BST");
  EXPECT_EQ(v.at("working_days").as_int64(), 0);
  EXPECT_TRUE(v.at("holidays_skipped").as_array().empty());
}

TEST(DeadlineReport, FormatLongDate_SpellsWeekdayAndMonth) {
  EXPECT_EQ(policy::date_in_words(*policy::parse_date("2026-12-01")), "Tuesday 1 December 2026");
  EXPECT_EQ(policy::date_in_words(*policy::parse_date("2027-03-28")), "Sunday 28 March 2027");
}

}  // namespace
}  // namespace psm::client::views
