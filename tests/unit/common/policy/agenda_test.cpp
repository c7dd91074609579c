#include "common/policy/agenda.hpp"
#include "common/policy/rules.hpp"

#include <gtest/gtest.h>

namespace psm::policy {
namespace {

TEST(Agenda, R7_SupportMeeting_HasTheUnionOfBothPoliciesItems) {
  for (auto key : {"purpose", "cultural-identity", "pep-cla-review", "camhs-adash", "respite", "practical-support",
                   "carer-support", "carer-training", "panel-referral", "child-views", "review-date",
                   "placement-history", "undermining-factors"}) {
    EXPECT_NE(find_agenda_item(model::MeetingType::support, key), nullptr) << key;
  }
}

TEST(Agenda, R7_PreDisruption_CoversPlannedEndingsAndLessons) {
  for (auto key : {"planned-ending", "future-contact", "transition-support", "lessons"}) {
    EXPECT_NE(find_agenda_item(model::MeetingType::pre_disruption, key), nullptr) << key;
  }
}

TEST(Rules, R6_ReviewInterval_SixWeeksToThreeMonths) {
  const auto meeting = *parse_date("2026-11-30");
  EXPECT_FALSE(is_usual_review_interval(meeting, *parse_date("2027-01-10")));  // 41 days
  EXPECT_TRUE(is_usual_review_interval(meeting, *parse_date("2027-01-11")));   // 42 days
  EXPECT_TRUE(is_usual_review_interval(meeting, *parse_date("2027-02-28")));   // 3 months (clamped)
  EXPECT_FALSE(is_usual_review_interval(meeting, *parse_date("2027-03-01")));
}

TEST(Rules, R4_WhoSchedules_DependsOnPlacementType) {
  using model::PlacementType;
  using model::Role;
  EXPECT_TRUE(may_schedule_meeting(Role::supervising_social_worker, PlacementType::in_house));
  EXPECT_FALSE(may_schedule_meeting(Role::cla_team_manager, PlacementType::in_house));
  EXPECT_TRUE(may_schedule_meeting(Role::cla_team_manager, PlacementType::ifa));
  EXPECT_FALSE(may_schedule_meeting(Role::supervising_social_worker, PlacementType::independent));
}

}  // namespace
}  // namespace psm::policy
