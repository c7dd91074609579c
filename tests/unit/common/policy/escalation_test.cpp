#include "common/policy/escalation.hpp"

#include <gtest/gtest.h>

namespace psm::policy {
namespace {

model::Record action(const std::string& due, const std::string& status = "open") {
  model::Record a;
  a.collection = "actions";
  a.id = "a1";
  a.set("due_date", due, {});
  a.set("status", status, {});
  return a;
}

Date d(const char* text) { return *parse_date(text); }

TEST(Escalation, R8_DefaultLadder_StepsAt1_5_10_15WorkingDays) {
  const auto& ladder = default_escalation_ladder();
  // Due Friday 6 November 2026.
  EXPECT_EQ(escalation_level(action("2026-11-06"), d("2026-11-06"), ladder), 0u);  // due today: not overdue
  EXPECT_EQ(escalation_level(action("2026-11-06"), d("2026-11-08"), ladder), 0u);  // the weekend does not count
  EXPECT_EQ(escalation_level(action("2026-11-06"), d("2026-11-09"), ladder), 1u);  // Monday: 1 → SSW
  EXPECT_EQ(escalation_level(action("2026-11-06"), d("2026-11-13"), ladder), 2u);  // 5 → team manager
  EXPECT_EQ(escalation_level(action("2026-11-06"), d("2026-11-20"), ladder), 3u);  // 10 → service manager
  EXPECT_EQ(escalation_level(action("2026-11-06"), d("2026-11-27"), ladder), 4u);  // 15 → senior manager
}

TEST(Escalation, R8_BankHolidaysDoNotCount) {
  // Due Wednesday 23 December 2026; 24 Dec is 1; 25, 28 Dec are holidays.
  EXPECT_EQ(working_days_overdue(d("2026-12-23"), d("2026-12-28")), 1);
  EXPECT_EQ(working_days_overdue(d("2026-12-23"), d("2026-12-31")), 4);
}

TEST(Escalation, R8_DoneOrCancelledActionsNeverEscalate) {
  const auto& ladder = default_escalation_ladder();
  EXPECT_EQ(escalation_level(action("2026-01-05", "done"), d("2026-11-27"), ladder), 0u);
  EXPECT_EQ(escalation_level(action("2026-01-05", "cancelled"), d("2026-11-27"), ladder), 0u);
  EXPECT_EQ(escalation_level(action("2026-01-05", "in-progress"), d("2026-11-27"), ladder), 4u);
}

TEST(Escalation, R8_LadderIsConfigurable_AndMalformedLaddersAreRefused) {
  auto ladder = parse_escalation_ladder("2:supervising-social-worker,3:team-manager");
  ASSERT_TRUE(ladder);
  EXPECT_EQ(format_escalation_ladder(*ladder), "2:supervising-social-worker,3:team-manager");
  EXPECT_EQ(escalation_level(action("2026-11-06"), d("2026-11-10"), *ladder), 1u);
  EXPECT_FALSE(parse_escalation_ladder("5:team-manager,1:supervising-social-worker"));  // not increasing
  EXPECT_FALSE(parse_escalation_ladder("1:the-mayor"));
  EXPECT_FALSE(parse_escalation_ladder("x:team-manager"));
  EXPECT_FALSE(parse_escalation_ladder(""));
}

model::Record review_action(const std::string& due, const std::string& status = "open") {
  auto a = action(due, status);
  a.set("arranges_meeting_id", "m1.review", {});
  return a;
}

TEST(Escalation, R6_ReviewReminder_IsDueFromTenWorkingDaysBefore_WhileTheReviewIsStillToArrange) {
  // Review date Tuesday 19 January 2027: ten working days before is Tuesday 5 January.
  EXPECT_FALSE(review_reminder_due(review_action("2027-01-19"), d("2027-01-04")));
  EXPECT_TRUE(review_reminder_due(review_action("2027-01-19"), d("2027-01-05")));
  EXPECT_TRUE(review_reminder_due(review_action("2027-01-19"), d("2027-01-19")));  // the day itself
  EXPECT_FALSE(review_reminder_due(review_action("2027-01-19"), d("2027-01-20")))
      << "once missed, it is chased by the ladder instead";
  EXPECT_FALSE(review_reminder_due(review_action("2027-01-19", "done"), d("2027-01-11")));
  EXPECT_FALSE(review_reminder_due(action("2027-01-19"), d("2027-01-11"))) << "an ordinary action has no reminder";
  auto reminded = review_action("2027-01-19");
  reminded.set("reminded_at_ms", "1", {});
  EXPECT_FALSE(review_reminder_due(reminded, d("2027-01-11"))) << "reminded once";
}

TEST(Escalation, R6_R16_ReviewReminder_CountsWorkingDays_SkippingChristmas) {
  // Review date Monday 11 January 2027: back over 8, 7, 6, 5, 4 January, 31,
  // 30, 29 December, then (Christmas, Boxing Day's substitute) 24 and 23.
  EXPECT_FALSE(review_reminder_due(review_action("2027-01-11"), d("2026-12-22")));
  EXPECT_TRUE(review_reminder_due(review_action("2027-01-11"), d("2026-12-23")));
}

}  // namespace
}  // namespace psm::policy
