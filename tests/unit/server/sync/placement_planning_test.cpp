#include "server/sync/placement_planning.hpp"

#include "common/model/hlc.hpp"
#include "common/policy/deadlines.hpp"
#include "server/sync/sync_service.hpp"
#include "testing/expected.hpp"
#include "testing/temp_dir.hpp"

#include "store_fixture.hpp"

#include <gtest/gtest.h>

namespace psm::server {
namespace {

namespace col = model::collection;
using testing::TempDir;

// Dates relative to today, so the tests hold whenever they run.
std::string days_from_today(int n) {
  const auto today = policy::uk_date_of(model::HlcClock::system_now_millis());
  return policy::format_date(policy::Date{std::chrono::sys_days{today} + std::chrono::days{n}});
}

std::string reference_with(const std::string& placement_fields) {
  return R"({"people": [
      {"id": "ssw-1", "name": "S", "role": "supervising-social-worker"},
      {"id": "csw-1", "name": "C", "role": "child-social-worker"},
      {"id": "ftm-1", "name": "F", "role": "fostering-team-manager"},
      {"id": "carer-1", "name": "K", "role": "foster-carer"}],
    "households": [{"id": "h1", "name": "H", "carer_type": "foster", "carer_ids": ["carer-1"], "ssw_id": "ssw-1"}],
    "children": [{"id": "c1", "name": "Child", "social_worker_id": "csw-1"}],
    "placements": [{"id": "p1", "child_id": "c1", "household_id": "h1", "type": "in-house",
                    "team_manager_id": "ftm-1", )" +
         placement_fields + "}]}";
}

class PlacementPlanningTest : public StoreFixture {
 protected:
  void SetUp() override { StoreFixture::SetUp(); }
  std::vector<model::Record> planning_meetings() {
    std::vector<model::Record> out;
    for (auto& m : store_->all_in(col::kMeetings)) {
      if (m.value("type") == "placement-planning") out.push_back(std::move(m));
    }
    return out;
  }
};

TEST_F(PlacementPlanningTest, R2_NewPlacement_GetsAPlanningMeetingDueBeforeItStarts_AndTheManagerIsTold) {
  const std::string start = days_from_today(14);
  const std::string json = reference_with(R"("start_date": ")" + start + R"(")");
  ASSERT_TRUE(psm::testing::succeeded(import_reference_data(*store_, json)));
  auto meetings = planning_meetings();
  ASSERT_EQ(meetings.size(), 1u);
  const auto& m = meetings[0];
  EXPECT_EQ(m.value("status"), "requested");
  EXPECT_EQ(m.value("placement_id"), "p1");
  EXPECT_EQ(m.value("chair_id"), "ftm-1");
  EXPECT_EQ(m.scope, "placement:p1");
  EXPECT_EQ(std::stoull(m.value("deadline_ms")),
            policy::placement_planning_deadline(*policy::parse_date(start), std::nullopt));
  EXPECT_EQ(policy::format_date(policy::uk_date_of(std::stoull(m.value("deadline_ms")))), days_from_today(13));
  const auto told = store_->list_in_scope(col::kNotifications, "person:ftm-1");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].value("meeting_id"), m.id);

  // Importing the placement again (say, to correct a field) arranges nothing more.
  ASSERT_TRUE(psm::testing::succeeded(import_reference_data(*store_, json)));
  EXPECT_EQ(planning_meetings().size(), 1u);
}

TEST_F(PlacementPlanningTest, R2_EmergencyPlacement_MeetingDue72HoursAfterItWasMade) {
  const std::string start = days_from_today(-1);
  ASSERT_TRUE(psm::testing::succeeded(import_reference_data(
      *store_,
      reference_with(R"("start_date": ")" + start + R"(", "emergency": "yes", "made_at": ")" + start + R"(T21:30")"))));
  auto meetings = planning_meetings();
  ASSERT_EQ(meetings.size(), 1u);
  const auto made = *policy::parse_local_datetime(start + "T21:30");
  EXPECT_EQ(std::stoull(meetings[0].value("deadline_ms")), made + 72ull * 3600 * 1000);
}

TEST_F(PlacementPlanningTest, R2_PlacementsLongUnderWayOrEnded_GetNone) {
  ASSERT_TRUE(psm::testing::succeeded(
      import_reference_data(*store_, reference_with(R"("start_date": ")" + days_from_today(-400) + R"(")"))));
  EXPECT_TRUE(planning_meetings().empty());
  TempDir other;
  auto fresh = ServerStore::create(DataPaths(other.path));
  ASSERT_TRUE(fresh);
  ASSERT_TRUE(psm::testing::succeeded(
      import_reference_data(**fresh, reference_with(R"("start_date": ")" + days_from_today(-1) + R"(", "end_date": ")" +
                                                    days_from_today(0) + R"(")"))));
  EXPECT_TRUE((*fresh)->all_in(col::kMeetings).empty());
}

TEST_F(PlacementPlanningTest, R2_BadEmergencyFields_AreRefusedAndNothingIsImported) {
  auto r = import_reference_data(*store_, reference_with(R"("start_date": "2030-01-01", "emergency": "maybe")"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("emergency must be yes or no"), std::string::npos) << r.error().message;
  r = import_reference_data(*store_, reference_with(R"("start_date": "2030-01-01", "made_at": "2030-01-01T10:00")"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("made_at"), std::string::npos) << r.error().message;
  EXPECT_TRUE(store_->all_in(col::kPlacements).empty());
  EXPECT_TRUE(store_->all_in(col::kMeetings).empty());
}

}  // namespace
}  // namespace psm::server
