#include "common/policy/tracking.hpp"

#include <gtest/gtest.h>

namespace psm::policy {
namespace {

model::Record placement(const std::string& id, const std::string& child, const std::string& household,
                        const std::string& start, const std::string& end = "", const std::string& ending = "") {
  model::Record p;
  p.collection = "placements";
  p.id = id;
  p.set("child_id", child, {});
  p.set("household_id", household, {});
  p.set("start_date", start, {});
  if (!end.empty()) p.set("end_date", end, {});
  if (!ending.empty()) p.set("ending", ending, {});
  return p;
}

Date d(const char* text) { return *parse_date(text); }

TEST(Tracking, R14_WindowIsTheTwelveMonthsUpToAndIncludingToday) {
  EXPECT_EQ(format_date(tracking_window_start(d("2026-11-24"))), "2025-11-25");
  EXPECT_EQ(format_date(tracking_window_start(d("2028-02-29"))), "2027-03-01");  // no 29 February in 2027
}

TEST(Tracking, R14_ChildWithTwoPlacementsInTwelveMonths_IsFlagged_OneIsNot) {
  const std::vector<model::Record> placements{
      // Amelia moved once this year: the placement she left and the one she is in.
      placement("p1", "amelia", "h1", "2023-01-10", "2026-03-01", "unplanned"),
      placement("p2", "amelia", "h2", "2026-03-01"),
      // Bilal has been in one placement for years.
      placement("p3", "bilal", "h1", "2022-05-01"),
  };
  const auto t = track_placement_stability(placements, {}, d("2026-11-24"));
  ASSERT_EQ(t.children.size(), 1u);
  EXPECT_EQ(t.children[0].child_id, "amelia");
  ASSERT_EQ(t.children[0].placements.size(), 2u);
  EXPECT_EQ(t.children[0].placements[0].placement_id, "p1");  // by start date
  EXPECT_EQ(t.children[0].endings, 1u);
}

TEST(Tracking, R14_PlacementsEndedBeforeTheWindowOrStartingAfterToday_DoNotCount) {
  const std::vector<model::Record> placements{
      placement("p1", "amelia", "h1", "2020-01-10", "2025-11-24"),  // ended the day before the window
      placement("p2", "amelia", "h2", "2025-11-24"),
      placement("p3", "amelia", "h3", "2026-12-01"),  // planned for next month
  };
  EXPECT_TRUE(track_placement_stability(placements, {}, d("2026-11-24")).children.empty());
  // A day earlier, the first placement's last day is inside the window.
  EXPECT_EQ(track_placement_stability(placements, {}, d("2026-11-23")).children.size(), 1u);
}

TEST(Tracking, R14_CarersWithTwoUnplannedEndingsInTwelveMonths_AreFlagged) {
  const std::vector<model::Record> placements{
      placement("p1", "amelia", "h1", "2025-01-10", "2026-02-01", "unplanned"),
      placement("p2", "bilal", "h1", "2025-06-01", "2026-09-15", "unplanned"),
      placement("p3", "chloe", "h2", "2025-01-10", "2026-02-01", "unplanned"),
      placement("p4", "dan", "h2", "2025-06-01", "2026-09-15", "planned"),
  };
  const auto t = track_placement_stability(placements, {}, d("2026-11-24"));
  ASSERT_EQ(t.carers.size(), 1u);
  EXPECT_EQ(t.carers[0].household_id, "h1");
  ASSERT_EQ(t.carers[0].unplanned_endings.size(), 2u);
  EXPECT_EQ(t.carers[0].unplanned_endings[1].placement_id, "p2");  // by end date
  EXPECT_TRUE(t.carers[0].unplanned_endings[0].ending_recorded);
}

TEST(Tracking, R14_PlannedEndingAgreedAtAPreDisruptionMeeting_IsNotUnplanned) {
  const std::vector<model::Record> placements{
      placement("p1", "amelia", "h1", "2025-01-10", "2026-02-01"),
      placement("p2", "bilal", "h1", "2025-06-01", "2026-09-15"),
  };
  model::Record meeting;
  meeting.collection = "meetings";
  meeting.id = "m1";
  meeting.set("placement_id", "p2", {});
  meeting.set("outcome", "planned-ending", {});
  model::Record other = meeting;
  other.id = "m2";
  other.set("placement_id", "p1", {});
  other.set("outcome", "continue-with-support", {});

  // Nothing recorded about either ending: both count as unplanned, marked so.
  const auto unrecorded = track_placement_stability(placements, {}, d("2026-11-24"));
  ASSERT_EQ(unrecorded.carers.size(), 1u);
  EXPECT_FALSE(unrecorded.carers[0].unplanned_endings[0].ending_recorded);

  const auto planned = placements_with_planned_ending({meeting, other});
  EXPECT_EQ(planned, (std::set<std::string>{"p2"}));
  EXPECT_TRUE(track_placement_stability(placements, planned, d("2026-11-24")).carers.empty());
}

TEST(Tracking, R14_UnplannedEndingsOutsideTheWindow_DoNotCount) {
  const std::vector<model::Record> placements{
      placement("p1", "amelia", "h1", "2024-01-10", "2025-10-01", "unplanned"),
      placement("p2", "bilal", "h1", "2025-06-01", "2026-09-15", "unplanned"),
  };
  EXPECT_TRUE(track_placement_stability(placements, {}, d("2026-11-24")).carers.empty());
  EXPECT_EQ(track_placement_stability(placements, {}, d("2026-09-30")).carers.size(), 1u);
}

}  // namespace
}  // namespace psm::policy
