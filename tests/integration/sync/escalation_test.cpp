#include "server/sync/escalation.hpp"

#include "common/model/ids.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"
#include "support/world.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace psm::testing {
namespace {

namespace col = model::collection;

TEST(EscalationSweep, R8_OverdueAction_ClimbsTheLadder_EachStepNotifiedOnce) {
  World w;
  auto ssw = w.enrol("ssw-1");
  ops::RequestMeeting request{model::new_uuid_v7(), "p1", model::MeetingType::support, "Support", 0};
  ASSERT_TRUE(ssw->replica->submit(request).ok());
  ops::AddAction add{model::new_uuid_v7(), request.meeting_id, "carer-1", "2026-11-06", "Book respite"};
  ASSERT_TRUE(ssw->replica->submit(add).ok());
  ASSERT_FALSE(w.sync(*ssw));

  auto sweep = [&](const char* today) { return w.service().escalate(*policy::parse_date(today)).notifications; };
  EXPECT_EQ(sweep("2026-11-06"), 0u);
  EXPECT_EQ(sweep("2026-11-09"), 1u);  // 1 working day: the SSW
  EXPECT_EQ(sweep("2026-11-09"), 0u);  // again the same day: nothing new
  EXPECT_EQ(sweep("2026-11-13"), 1u);  // 5: the Fostering Team Manager
  EXPECT_EQ(sweep("2026-11-20"), 1u);  // 10: the Fostering Service Manager (sm-1)
  EXPECT_EQ(sweep("2026-11-27"), 0u);  // 15: no senior manager in this authority's data

  ASSERT_FALSE(w.sync(*ssw));
  auto inbox = ssw->replica->list_in_scope(col::kNotifications, "person:ssw-1");
  std::size_t overdue = 0;
  for (const auto& n : inbox) overdue += n.value("kind") == "action-overdue" ? 1u : 0u;
  EXPECT_EQ(overdue, 1u);
  EXPECT_EQ(ssw->replica->get(col::kActions, add.action_id)->value("escalation_level"), "4");
  auto ftm = w.enrol("ftm-1");
  std::size_t ftm_overdue = 0;
  for (const auto& n : ftm->replica->list_in_scope(col::kNotifications, "person:ftm-1")) {
    ftm_overdue += n.value("kind") == "action-overdue" ? 1u : 0u;
  }
  EXPECT_EQ(ftm_overdue, 1u);
}

TEST(EscalationSweep, R8_R13_AnOverdueLadoTasksNotifications_AreProfessionalsOnly_AsTheTaskIs) {
  World w;
  auto ssw = w.enrol("ssw-1");
  ops::RequestMeeting request{model::new_uuid_v7(), "p1", model::MeetingType::support, "Support", 0};
  ASSERT_TRUE(ssw->replica->submit(request).ok());
  ops::RaiseConductConcern concern{model::new_uuid_v7(), request.meeting_id, "Shouted at the child"};
  ASSERT_TRUE(ssw->replica->submit(concern).ok());
  ASSERT_FALSE(w.sync(*ssw));
  auto task = w.service().backend().get(col::kActions, concern.concern_id + ".lado");
  ASSERT_TRUE(task);
  ASSERT_TRUE(task->professionals_only);
  // Every rung of the ladder at once: 20 working days late.
  const auto due = policy::parse_date(task->value("due_date"));
  ASSERT_TRUE(due);
  const auto late = policy::uk_date_of(policy::end_of_nth_working_day_after(policy::uk_end_of_day(*due), 20));
  ASSERT_GT(w.service().escalate(late).notifications, 0u);
  std::size_t about_task = 0;
  for (const auto& n : w.service().backend().all_in(col::kNotifications)) {
    if (n.value("action_id") != task->id) continue;
    ++about_task;
    EXPECT_TRUE(n.professionals_only) << n.id;
  }
  EXPECT_GT(about_task, 0u);
}

TEST(EscalationSweep, R8_DoneActionStopsEscalating) {
  World w;
  auto ssw = w.enrol("ssw-1");
  ops::RequestMeeting request{model::new_uuid_v7(), "p1", model::MeetingType::support, "Support", 0};
  ASSERT_TRUE(ssw->replica->submit(request).ok());
  ops::AddAction add{model::new_uuid_v7(), request.meeting_id, "carer-1", "2026-11-06", "Book respite"};
  ASSERT_TRUE(ssw->replica->submit(add).ok());
  ASSERT_TRUE(ssw->replica
                  ->submit(ops::UpdateActionStatus{add.action_id, model::new_uuid_v7(), model::ActionStatus::open,
                                                   model::ActionStatus::done, "Booked"})
                  .ok());
  ASSERT_FALSE(w.sync(*ssw));
  EXPECT_EQ(w.service().escalate(*policy::parse_date("2026-11-30")).notifications, 0u);
}

TEST(EscalationSweep, R6_AReviewToArrange_IsRemindedOnceBeforeTheDate_ThenChasedWhenMissed) {
  World w;
  auto ssw = w.enrol("ssw-1");
  ops::RequestMeeting request{model::new_uuid_v7(), "p1", model::MeetingType::support, "Review", 0};
  ASSERT_TRUE(ssw->replica->submit(request).ok());
  ASSERT_FALSE(w.sync(*ssw));
  // What finalising a plan with a review date on Tuesday 19 January 2027 leaves.
  model::Record arrange;
  arrange.collection = col::kActions;
  arrange.id = request.meeting_id + ".arrange";
  arrange.scope = "placement:p1";
  const model::Version v{model::Hlc::from(model::HlcClock::system_now_millis(), 0), "server"};
  arrange.set(model::schema::actions::meeting_id, request.meeting_id, v, "ssw-1");
  arrange.set(model::schema::actions::owner_id, "ssw-1", v, "ssw-1");
  arrange.set(model::schema::actions::due_date, "2027-01-19", v, "ssw-1");
  arrange.set(model::schema::actions::text, "Arrange and hold the review", v, "ssw-1");
  arrange.set(model::schema::actions::status, model::ActionStatus::open, v, "ssw-1");
  arrange.set(model::schema::actions::arranges_meeting_id, request.meeting_id, v, "ssw-1");
  {
    auto work = w.store().begin();
    w.store().put(arrange);
    work.commit();
  }
  auto sweep = [&](const char* today) { return w.service().escalate(*policy::parse_date(today)).notifications; };
  EXPECT_EQ(sweep("2027-01-04"), 0u);
  EXPECT_EQ(sweep("2027-01-05"), 1u);  // ten working days before: the reminder
  EXPECT_EQ(sweep("2027-01-12"), 0u);  // once
  EXPECT_EQ(sweep("2027-01-20"), 1u);  // missed: the ladder's first step, as any action

  ASSERT_FALSE(w.sync(*ssw));
  std::vector<std::string> kinds;
  for (const auto& n : ssw->replica->list_in_scope(col::kNotifications, "person:ssw-1")) {
    if (n.value("action_id") != arrange.id) continue;
    kinds.push_back(n.value("kind"));
    if (n.value("kind") == "review-due") {
      EXPECT_EQ(n.value("text"), "Reminder: Arrange and hold the review (10 working days from today)");
    }
  }
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, (std::vector<std::string>{"action-overdue", "review-due"}));
}

}  // namespace
}  // namespace psm::testing
