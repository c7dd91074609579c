#include "server/sync/calendar_import.hpp"

#include "common/ops/apply.hpp"
#include "testing/expected.hpp"
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
  auto imported = import_calendar(*store_, kEditionTwo);
  ASSERT_TRUE(psm::testing::succeeded(imported));
  CalendarImport result = *imported;
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
  imported = import_calendar(*store_, kEditionTwo);
  ASSERT_TRUE(psm::testing::succeeded(imported));
  result = *imported;
  EXPECT_TRUE(result.unchanged);
  EXPECT_EQ(store_->last_seq(), seq);
}

TEST_F(CalendarImportTest, R16_OlderOrConflictingEditions_AreRefused_AndChangeNothing) {
  ASSERT_TRUE(psm::testing::succeeded(import_calendar(*store_, kEditionTwo)));
  const auto seq = store_->last_seq();

  // Reusing version 2 for different dates.
  auto r = import_calendar(
      *store_, R"({"version": 2, "changes": [{"date": "2027-06-07", "kind": "holiday", "name": "Another"}]})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("higher version"), std::string::npos) << r.error().message;

  // Older than what devices already have.
  r = import_calendar(*store_, policy::default_calendar().to_json());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("older than the one already sent"), std::string::npos) << r.error().message;

  // Malformed: the parser's own detail is passed on.
  r = import_calendar(*store_,
                      R"({"version": 3, "changes": [{"date": "2027-06-05", "kind": "holiday", "name": "x"}]})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("weekend"), std::string::npos) << r.error().message;

  EXPECT_EQ(store_->last_seq(), seq);
  EXPECT_EQ(calendar_in_store(*store_).calendar.version(), 2);
}

TEST_F(CalendarImportTest, R16_TheBuiltInVersionWithOtherDates_OrAnOversizedDocument_IsRefused) {
  // Version 1 is the built-in edition: the same number with other dates would
  // silently give devices a different calendar under the same version.
  auto r = import_calendar(*store_, R"({"version": 1, "changes": []})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("built into psm"), std::string::npos) << r.error().message;
  // The built-in edition itself may be sent as it is.
  EXPECT_TRUE(psm::testing::succeeded(import_calendar(*store_, policy::default_calendar().to_json())));

  std::string huge = R"({"version": 5, "changes": [], "padding": ")" + std::string(70 * 1024, 'x') + "\"}";
  r = import_calendar(*store_, huge);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("larger than"), std::string::npos) << r.error().message;
  EXPECT_EQ(calendar_in_store(*store_).calendar, policy::default_calendar());
}

}  // namespace
}  // namespace psm::server
