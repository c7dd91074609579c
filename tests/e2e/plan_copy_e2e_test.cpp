// R10 through real processes: the carers' copy of the Placement Support Plan
// follows the plan after the minutes are finalised. The child is told of the
// plan afterwards (the natural order), the panel decides, an action is done:
// each reaches the carer's file on the carer's own device, minimised.
#include "support/e2e_fixture.hpp"

namespace psm::e2e {
namespace {

TEST_F(EndToEnd, R10_TheCarersCopyOfThePlan_FollowsThePlanAfterTheMinutes) {
  for (const char* who : {"alex", "priya", "jo", "sasha"}) enrol(who);
  ASSERT_EQ(psm("alex", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                         "Bedtimes are very hard"})
                .exit_code,
            0);
  const std::string id(json_of("alex", {"meetings"}).as_array()[0].at("id").as_string());
  ASSERT_EQ(psm("alex", {"schedule-meeting", id, "--at", "2026-12-01T10:00", "--location", "Family centre",
                         "--minute-taker", "ssw-morgan"})
                .exit_code,
            0);
  ASSERT_EQ(psm("alex", {"record-held", id, "--at", "2026-12-01 10:05"}).exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(attend_mandatory("alex", id));
  ASSERT_EQ(psm("alex", {"record-view", "--meeting", id, "--subject", "iro", "--sought-on", "2026-11-27"}).exit_code,
            0);
  ASSERT_EQ(psm("alex", {"record-view", "--meeting", id, "--subject", "child", "--text", "I like my room",
                         "--share-with-carers"})
                .exit_code,
            0);
  ASSERT_EQ(psm("alex", {"add-support-item", id, "--kind", "respite", "--text", "One weekend a month with the Reids",
                         "--provider", "Fostering service", "--frequency", "monthly", "--needs-panel"})
                .exit_code,
            0);
  ASSERT_EQ(psm("alex", {"add-action", "--meeting", id, "--owner", "carer-okafor", "--due", "2027-01-15", "--text",
                         "Book the respite weekend"})
                .exit_code,
            0);
  auto finalised = psm("alex", {"finalise-minutes", id, "--review-date", "2027-01-19"});
  ASSERT_EQ(finalised.exit_code, 0) << finalised.err;
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);

  auto copy_on_jos_device = [&] {
    EXPECT_EQ(psm("jo", {"sync"}).exit_code, 0);
    const auto copies = json_of("jo", {"plan"}).at("carer_copies").as_array();
    EXPECT_EQ(copies.size(), 1u);
    return copies.empty() ? json::object{} : copies.front().as_object();
  };
  auto before = copy_on_jos_device();
  EXPECT_NE(before.at("support_items").as_string().find("waiting for the Practice and Resources Panel"),
            std::string::npos)
      << before.at("support_items");
  EXPECT_NE(before.at("actions").as_string().find("(not started)"), std::string::npos) << before.at("actions");
  EXPECT_EQ(before.at("child_told_of_plan_on").as_string(), "");

  // Afterwards, each on its own device: the child is told, the panel
  // approves, the carer books the weekend.
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  ASSERT_EQ(psm("priya", {"child-told-of-plan", id, "--on", "2026-12-09"}).exit_code, 0);
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  ASSERT_EQ(psm("sasha", {"sync"}).exit_code, 0);
  const std::string request(json_of("sasha", {"panel-requests"}).as_array()[0].at("id").as_string());
  ASSERT_EQ(psm("sasha", {"panel-decision", request, "--approve"}).exit_code, 0);
  ASSERT_EQ(psm("sasha", {"sync"}).exit_code, 0);
  std::string action;
  const auto actions = json_of("jo", {"actions"});
  for (const auto& a : actions.as_array()) {
    if (a.at("text").as_string() == "Book the respite weekend") action = a.at("id").as_string();
  }
  ASSERT_FALSE(action.empty()) << actions;
  ASSERT_EQ(psm("jo", {"update-action", action, "--status", "done", "--note", "Booked for the 23rd"}).exit_code, 0);

  auto after = copy_on_jos_device();
  EXPECT_EQ(after.at("child_told_of_plan_on").as_string(), "2026-12-09");
  EXPECT_NE(after.at("support_items").as_string().find("approved by the Practice and Resources Panel"),
            std::string::npos)
      << after.at("support_items");
  EXPECT_NE(after.at("actions").as_string().find("Book the respite weekend"), std::string::npos);
  EXPECT_NE(after.at("actions").as_string().find("(done)"), std::string::npos) << after.at("actions");
  EXPECT_EQ(after.at("review_date").as_string(), "2027-01-19");
}

}  // namespace
}  // namespace psm::e2e
