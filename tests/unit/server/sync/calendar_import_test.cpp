#include "server/sync/calendar_import.hpp"

#include "common/ops/apply.hpp"
#include "testing/temp_dir.hpp"

#include "store_fixture.hpp"

#include <gtest/gtest.h>

namespace psm::server {
namespace {

using testing::TempDir;

constexpr const char* kEditionTwo =
    R"({"version": 2, "changes": [{"date": "2027-06-04", "kind": "holiday", "name": "An extra bank holiday"}]})";

class CalendarImportTest : public StoreFixture {};

TEST_F(CalendarImportTest, R16_NothingImported_ServerUsesTheBuiltInCalendar) {
  const auto in_force = calendar_in_store(*store_);
  EXPECT_FALSE(in_force.imported);
  EXPECT_EQ(in_force.calendar, policy::default_calendar());
  EXPECT_FALSE(store_->get(model::collection::kSettings, policy::kCalendarSettingId));
  const std::string shown = describe(in_force, false);
  EXPECT_NE(shown.find("calendar version 1 (built into psm)"), std::string::npos) << shown;
  EXPECT_NE(shown.find("2023-05-08  holiday      Bank holiday for the coronation"), std::string::npos) << shown;
  EXPECT_NE(describe(in_force, true).find(R"("source":"built-in")"), std::string::npos);
}

TEST_F(CalendarImportTest, R16_NewerEdition_IsStoredForEveryDevice_AndUsedByTheRules) {
  std::string detail;
  CalendarImport result;
  ASSERT_FALSE(import_calendar(*store_, kEditionTwo, &detail, &result)) << detail;
  EXPECT_EQ(result.version, 2);
  EXPECT_EQ(result.changes, 1u);
  EXPECT_FALSE(result.unchanged);
  const auto setting = store_->get(model::collection::kSettings, policy::kCalendarSettingId);
  ASSERT_TRUE(setting);
  EXPECT_EQ(setting->scope, "directory");
  // Pulled by a foster carer's device as well as a professional's.
  EXPECT_EQ(store_->pull({{"directory", 0}}, 0, 100, false).records.size(), 1u);
  EXPECT_FALSE(ops::calendar_in_force(*store_).is_working_day(*policy::parse_date("2027-06-04")));
  EXPECT_TRUE(calendar_in_store(*store_).imported);

  // The same edition again changes nothing.
  const auto seq = store_->last_seq();
  ASSERT_FALSE(import_calendar(*store_, kEditionTwo, &detail, &result)) << detail;
  EXPECT_TRUE(result.unchanged);
  EXPECT_EQ(store_->last_seq(), seq);
}

TEST_F(CalendarImportTest, R16_OlderOrConflictingEditions_AreRefused_AndChangeNothing) {
  std::string detail;
  ASSERT_FALSE(import_calendar(*store_, kEditionTwo, &detail));
  const auto seq = store_->last_seq();

  // Reusing version 2 for different dates.
  auto ec = import_calendar(
      *store_, R"({"version": 2, "changes": [{"date": "2027-06-07", "kind": "holiday", "name": "Another"}]})", &detail);
  EXPECT_EQ(ec, Errc::invalid_argument);
  EXPECT_NE(detail.find("higher version"), std::string::npos) << detail;

  // Older than what devices already have.
  ec = import_calendar(*store_, policy::default_calendar().to_json(), &detail);
  EXPECT_EQ(ec, Errc::invalid_argument);
  EXPECT_NE(detail.find("older than the one already sent"), std::string::npos) << detail;

  // Malformed: the parser's own detail is passed on.
  ec = import_calendar(
      *store_, R"({"version": 3, "changes": [{"date": "2027-06-05", "kind": "holiday", "name": "x"}]})", &detail);
  EXPECT_EQ(ec, Errc::invalid_argument);
  EXPECT_NE(detail.find("weekend"), std::string::npos) << detail;

  EXPECT_EQ(store_->last_seq(), seq);
  EXPECT_EQ(calendar_in_store(*store_).calendar.version(), 2);
}

TEST_F(CalendarImportTest, R16_TheBuiltInVersionWithOtherDates_OrAnOversizedDocument_IsRefused) {
  std::string detail;
  // Version 1 is the built-in edition: the same number with other dates would
  // silently give devices a different calendar under the same version.
  EXPECT_EQ(import_calendar(*store_, R"({"version": 1, "changes": []})", &detail), Errc::invalid_argument);
  EXPECT_NE(detail.find("built into psm"), std::string::npos) << detail;
  // The built-in edition itself may be sent as it is.
  EXPECT_FALSE(import_calendar(*store_, policy::default_calendar().to_json(), &detail)) << detail;

  std::string huge = R"({"version": 5, "changes": [], "padding": ")" + std::string(70 * 1024, 'x') + "\"}";
  EXPECT_EQ(import_calendar(*store_, huge, &detail), Errc::invalid_argument);
  EXPECT_NE(detail.find("larger than"), std::string::npos) << detail;
  EXPECT_EQ(calendar_in_store(*store_).calendar, policy::default_calendar());
}

}  // namespace
}  // namespace psm::server
