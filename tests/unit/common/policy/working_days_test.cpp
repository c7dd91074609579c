#include "common/policy/working_days.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace psm::policy {
namespace {

using namespace std::chrono;

Date date(const char* text) { return *parse_date(text); }

std::string name_on(const char* text) { return default_calendar().holiday_name(date(text)).value_or(""); }

std::vector<std::string> dates_of(const std::vector<Holiday>& holidays) {
  std::vector<std::string> out;
  for (const auto& h : holidays) out.push_back(format_date(h.date));
  return out;
}

TEST(Calendar, R16_EasterSunday_MatchesKnownDates) {
  EXPECT_EQ(format_date(easter_sunday(year{2019})), "2019-04-21");
  EXPECT_EQ(format_date(easter_sunday(year{2024})), "2024-03-31");
  EXPECT_EQ(format_date(easter_sunday(year{2026})), "2026-04-05");
  EXPECT_EQ(format_date(easter_sunday(year{2027})), "2027-03-28");
  EXPECT_EQ(format_date(easter_sunday(year{2038})), "2038-04-25");  // the latest possible
  EXPECT_EQ(format_date(easter_sunday(year{2285})), "2285-03-22");  // the earliest possible
}

TEST(Calendar, R16_AllBankHolidaysIn2026) {
  EXPECT_EQ(dates_of(default_calendar().holidays_in(year{2026})),
            (std::vector<std::string>{"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
                                      "2026-08-31", "2026-12-25", "2026-12-28"}));
  EXPECT_EQ(name_on("2026-12-28"), "Boxing Day (substitute day)");
}

TEST(Calendar, R16_AllBankHolidaysIn2027) {
  EXPECT_EQ(dates_of(default_calendar().holidays_in(year{2027})),
            (std::vector<std::string>{"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
                                      "2027-08-30", "2027-12-27", "2027-12-28"}));
  EXPECT_EQ(name_on("2027-12-27"), "Christmas Day (substitute day)");
  EXPECT_EQ(name_on("2027-12-28"), "Boxing Day (substitute day)");
}

TEST(Calendar, R16_GoodFridayIsAHoliday) {
  EXPECT_EQ(name_on("2026-04-03"), "Good Friday");
  EXPECT_EQ(name_on("2027-03-26"), "Good Friday");
  EXPECT_FALSE(default_calendar().is_working_day(date("2026-04-03")));
}

TEST(Calendar, R16_EasterMondayIsAHoliday) {
  EXPECT_EQ(name_on("2026-04-06"), "Easter Monday");
  EXPECT_EQ(name_on("2027-03-29"), "Easter Monday");
}

TEST(Calendar, R16_MayAndAugustMondays) {
  EXPECT_EQ(name_on("2026-05-04"), "Early May bank holiday");
  EXPECT_EQ(name_on("2026-05-25"), "Spring bank holiday");
  EXPECT_EQ(name_on("2026-08-31"), "Summer bank holiday");
  EXPECT_EQ(name_on("2027-05-03"), "Early May bank holiday");
  EXPECT_EQ(name_on("2027-05-31"), "Spring bank holiday");
  EXPECT_EQ(name_on("2027-08-30"), "Summer bank holiday");
  EXPECT_TRUE(default_calendar().is_working_day(date("2026-05-11")));  // the second Monday
  EXPECT_TRUE(default_calendar().is_working_day(date("2026-05-18")));  // not the last
}

TEST(Calendar, R16_NewYearsDayOnAWeekend_MovesToMonday) {
  EXPECT_EQ(name_on("2022-01-03"), "New Year's Day (substitute day)");  // 1 Jan 2022: Saturday
  EXPECT_EQ(name_on("2023-01-02"), "New Year's Day (substitute day)");  // 1 Jan 2023: Sunday
  EXPECT_TRUE(default_calendar().is_working_day(date("2024-01-02")));   // 1 Jan 2024: Monday
}

TEST(Calendar, R16_ChristmasOnSaturday2021_SubstitutesOn27And28) {
  EXPECT_EQ(dates_of(default_calendar().holidays_between(date("2021-12-24"), date("2021-12-31"))),
            (std::vector<std::string>{"2021-12-27", "2021-12-28"}));
  EXPECT_EQ(name_on("2021-12-27"), "Christmas Day (substitute day)");
  EXPECT_EQ(name_on("2021-12-28"), "Boxing Day (substitute day)");
}

TEST(Calendar, R16_ChristmasOnSunday2022_BoxingDayMondayChristmasTuesday) {
  EXPECT_EQ(name_on("2022-12-26"), "Boxing Day");
  EXPECT_EQ(name_on("2022-12-27"), "Christmas Day (substitute day)");
  EXPECT_TRUE(default_calendar().is_working_day(date("2022-12-28")));
}

TEST(Calendar, R16_WeekendsAreNeverWorkingDays_NorNamedHolidays) {
  EXPECT_FALSE(default_calendar().is_working_day(date("2026-11-21")));
  EXPECT_FALSE(
      default_calendar().holiday_name(date("2027-12-25")));  // Christmas on a Saturday: the substitute is named
}

TEST(Calendar, R16_2020EarlyMayMovedToVeDay) {
  EXPECT_TRUE(default_calendar().is_working_day(date("2020-05-04")));
  EXPECT_FALSE(default_calendar().is_working_day(date("2020-05-08")));
  EXPECT_EQ(name_on("2020-05-08"), "Early May bank holiday (VE Day)");
}

TEST(Calendar, R16_2022SpringHolidayMovedForPlatinumJubilee) {
  EXPECT_TRUE(default_calendar().is_working_day(date("2022-05-30")));
  EXPECT_EQ(name_on("2022-06-02"), "Spring bank holiday");
  EXPECT_EQ(name_on("2022-06-03"), "Platinum Jubilee bank holiday");
}

TEST(Calendar, R16_2022StateFuneralIsAHoliday) {
  EXPECT_EQ(name_on("2022-09-19"), "Bank Holiday for the State Funeral of Queen Elizabeth II");
}

TEST(Calendar, R16_2023CoronationIsAHoliday) {
  EXPECT_EQ(name_on("2023-05-08"), "Bank holiday for the coronation of King Charles III");
  EXPECT_EQ(name_on("2023-05-01"), "Early May bank holiday");  // the rule still holds that year
}

TEST(Calendar, R16_RulesOnlyCalendar_KnowsNoOneOffChanges) {
  const WorkingDayCalendar rules_only;
  EXPECT_EQ(rules_only.version(), 0);
  EXPECT_FALSE(rules_only.is_working_day(date("2022-05-30")));
  EXPECT_TRUE(rules_only.is_working_day(date("2022-09-19")));
}

TEST(Calendar, R16_DefaultData_IsVersionOneAndParses) {
  auto parsed = WorkingDayCalendar::from_json(kDefaultCalendarJson);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->version(), 1);
  EXPECT_EQ(*parsed, default_calendar());
}

TEST(Calendar, R16_ToJsonThenFromJson_GivesTheSameCalendar) {
  const auto& original = default_calendar();
  auto again = WorkingDayCalendar::from_json(original.to_json());
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, original);
  EXPECT_EQ(again->to_json(), original.to_json());
  for (int y = 1995; y <= 2030; ++y) {
    EXPECT_EQ(again->holidays_in(year{y}), original.holidays_in(year{y})) << y;
  }
}

TEST(Calendar, R16_FromJson_AcceptsANewerVersionWithMoreChanges) {
  auto newer = WorkingDayCalendar::from_json(R"({"version": 7, "source": "gov.uk", "changes": [
      {"date": "2027-06-04", "kind": "holiday", "name": "An extra bank holiday", "note": "ignored"}]})");
  ASSERT_TRUE(newer);
  EXPECT_EQ(newer->version(), 7);
  EXPECT_GT(newer->version(), default_calendar().version());
  EXPECT_FALSE(newer->is_working_day(date("2027-06-04")));
  EXPECT_TRUE(default_calendar().is_working_day(date("2027-06-04")));
}

struct Malformed {
  const char* label;
  const char* json;
  const char* detail_contains;
};

class CalendarFromJsonRejects : public ::testing::TestWithParam<Malformed> {};

TEST_P(CalendarFromJsonRejects, R16_WithInvalidArgumentAndADetail) {
  auto r = WorkingDayCalendar::from_json(GetParam().json);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find(GetParam().detail_contains), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Calendar, CalendarFromJsonRejects,
    ::testing::Values(
        Malformed{"NotJson", "{version: 1", "not JSON"}, Malformed{"NotAnObject", "[1, 2]", "must be a JSON object"},
        Malformed{"MissingVersion", R"({"changes": []})", "\"version\" is missing"},
        Malformed{"VersionNotAnInteger", R"({"version": "2", "changes": []})", "positive integer"},
        Malformed{"VersionZero", R"({"version": 0, "changes": []})", "positive integer"},
        Malformed{"MissingChanges", R"({"version": 2})", "\"changes\" is missing"},
        Malformed{"MissingDate", R"({"version": 2, "changes": [{"kind": "holiday", "name": "x"}]})",
                  "changes[0]: \"date\" is missing"},
        Malformed{"ImpossibleDate",
                  R"({"version": 2, "changes": [{"date": "2027-02-30", "kind": "holiday", "name": "x"}]})",
                  "changes[0] (2027-02-30): \"date\" must be a real date"},
        Malformed{"BadKind", R"({"version": 2, "changes": [{"date": "2027-06-04", "kind": "day-off", "name": "x"}]})",
                  "changes[0] (2027-06-04): \"kind\" must be"},
        Malformed{"MissingName", R"({"version": 2, "changes": [{"date": "2027-06-04", "kind": "holiday"}]})",
                  "\"name\" is missing"},
        Malformed{"Weekend", R"({"version": 2, "changes": [{"date": "2027-06-05", "kind": "holiday", "name": "x"}]})",
                  "weekend"},
        Malformed{"WorkingDayThatIsNoHoliday",
                  R"({"version": 2, "changes": [{"date": "2027-06-04", "kind": "working-day", "name": "x"}]})",
                  "not a bank holiday by the rules"},
        Malformed{"DuplicateDate", R"({"version": 2, "changes": [
                      {"date": "2027-06-04", "kind": "holiday", "name": "x"},
                      {"date": "2027-06-04", "kind": "holiday", "name": "y"}]})",
                  "changes[1] (2027-06-04): the date appears more than once"}),
    [](const ::testing::TestParamInfo<Malformed>& param_info) { return std::string(param_info.param.label); });

}  // namespace
}  // namespace psm::policy

namespace psm::policy {
namespace {

// A calendar two editions on, with one extra bank holiday on Friday 4 June 2027.
constexpr const char* kEditionThree =
    R"({"version": 3, "changes": [{"date": "2027-06-04", "kind": "holiday", "name": "An extra bank holiday"}]})";

model::Record setting_with(const std::string& json) {
  model::Record r;
  r.collection = std::string(model::collection::kSettings);
  r.id = std::string(kCalendarSettingId);
  r.scope = "directory";
  r.set("calendar", json, {});
  return r;
}

TEST(CalendarInForce, R16_NoSetting_IsTheBuiltInCalendar) {
  EXPECT_EQ(calendar_in_force(std::nullopt), default_calendar());
}

TEST(CalendarInForce, R16_ANewerSyncedEdition_ReplacesTheBuiltInOne) {
  const auto calendar = calendar_in_force(setting_with(kEditionThree));
  EXPECT_EQ(calendar.version(), 3);
  EXPECT_FALSE(calendar.is_working_day(*parse_date("2027-06-04")));
}

TEST(CalendarInForce, R16_AnOlderOrUnreadableSetting_FallsBackToTheBuiltInCalendar) {
  // Version 0 does not parse (versions start at 1); garbage does not parse.
  EXPECT_EQ(calendar_in_force(setting_with(R"({"version": 0, "changes": []})")), default_calendar());
  EXPECT_EQ(calendar_in_force(setting_with("not json")), default_calendar());
  EXPECT_EQ(calendar_in_force(setting_with("")), default_calendar());
}

TEST(CalendarInForce, R16_SettingRecord_CarriesTheDocumentAndVersion_InTheDirectory) {
  const auto edition = *WorkingDayCalendar::from_json(kEditionThree);
  const auto record = make_calendar_setting(edition, {model::Hlc::from(5, 0), "server"}, "import");
  EXPECT_EQ(record.collection, "settings");
  EXPECT_EQ(record.id, kCalendarSettingId);
  EXPECT_EQ(record.scope, "directory");  // every device receives the directory, carers' too
  EXPECT_FALSE(record.professionals_only);
  EXPECT_EQ(record.value("version"), "3");
  EXPECT_EQ(calendar_in_force(record), edition);
}

}  // namespace
}  // namespace psm::policy
