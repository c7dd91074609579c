#include "server/report/report.hpp"

#include "common/store/transaction.hpp"
#include "server/sync/calendar_import.hpp"
#include "testing/expected.hpp"
#include "testing/temp_dir.hpp"

#include "store_fixture.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <sstream>

namespace psm::server::report {
namespace {

namespace col = model::collection;
namespace json = boost::json;
using model::Record;
using testing::TempDir;

std::uint64_t at(const char* local) { return *policy::parse_local_datetime(local); }
policy::Date day(const char* text) { return *policy::parse_date(text); }

class ReportTest : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    put(col::kPeople, "ssw-1", {{"name", "Alex Morgan"}, {"role", "supervising-social-worker"}, {"team", "fostering"}});
    put(col::kPeople, "csw-1", {{"name", "Priya Shah"}, {"role", "child-social-worker"}, {"team", "cla-north"}});
    put(col::kPeople, "carer-1", {{"name", "Jo Okafor"}, {"role", "foster-carer"}});
    put(col::kChildren, "c1", {{"name", "Amelia Brooks"}});
    put(col::kChildren, "c2", {{"name", "Bilal Khan"}});
    put(col::kHouseholds, "h1", {{"name", "The Okafor household"}});
    put(col::kHouseholds, "h2", {{"name", "The Reid household"}});
  }

  void put(std::string_view collection, const std::string& id, std::map<std::string, std::string> fields) {
    Record r;
    r.collection = std::string(collection);
    r.id = id;
    r.scope = "test";
    for (auto& [k, v] : fields) r.set(k, v, {model::Hlc::from(1, 0), "server"});
    store::Transaction tx(store_->database());
    store_->put(r);
    tx.commit();
  }

  void meeting(const std::string& id, const std::string& child, const char* identified, const char* deadline,
               const std::string& status, const char* scheduled = nullptr) {
    std::map<std::string, std::string> f{{"placement_id", "p-" + child},
                                         {"child_id", child},
                                         {"type", "support"},
                                         {"status", status},
                                         {"identified_at_ms", std::to_string(at(identified))},
                                         {"deadline_ms", std::to_string(at(deadline))}};
    if (scheduled) f["scheduled_for_ms"] = std::to_string(at(scheduled));
    if (scheduled && status == "held") f["held_at_ms"] = std::to_string(at(scheduled));  // as booked
    put(col::kMeetings, id, f);
  }

  std::string write(ReportRequest request, std::uint64_t now_ms = 0) {
    std::ostringstream out;
    std::string error;
    EXPECT_TRUE(write_report(*store_, request, now_ms, out, error)) << error;
    return out.str();
  }
};

TEST_F(ReportTest, R2_Timeliness_EachRequestMetMissedOrPending) {
  meeting("m-met", "c1", "2026-11-02T09:00", "2026-11-09T23:59", "held", "2026-11-06T10:00");
  meeting("m-late", "c2", "2026-11-02T09:00", "2026-11-09T23:59", "minutes-finalised", "2026-11-12T10:00");
  meeting("m-never", "c1", "2026-11-10T09:00", "2026-11-17T23:59", "requested");
  meeting("m-ahead", "c2", "2026-11-23T09:00", "2026-11-30T23:59", "scheduled", "2026-11-27T10:00");

  const auto t = timeliness(*store_, at("2026-11-24T12:00"));
  EXPECT_EQ(t.met, 1u);
  EXPECT_EQ(t.missed, 2u);
  EXPECT_EQ(t.pending, 1u);
  std::map<std::string, policy::DeadlineState> state;
  for (const auto& m : t.meetings) state[m.meeting_id] = m.state;
  EXPECT_EQ(state["m-met"], policy::DeadlineState::met);
  EXPECT_EQ(state["m-late"], policy::DeadlineState::missed);
  EXPECT_EQ(state["m-never"], policy::DeadlineState::missed);
  EXPECT_EQ(state["m-ahead"], policy::DeadlineState::pending);
  EXPECT_EQ(t.meetings.back().meeting_id, "m-ahead");  // latest deadline last

  const auto doc = json::parse(write({"timeliness", "placement", day("2026-11-24"), true}));
  EXPECT_EQ(doc.at("met").as_int64(), 1);
  EXPECT_EQ(doc.at("missed").as_int64(), 2);
  const auto& rows = doc.at("meetings").as_array();
  ASSERT_EQ(rows.size(), 4u);
  // Earliest deadline first; the two due on 9 November in id order.
  EXPECT_EQ(rows[0].at("id").as_string(), "m-late");
  EXPECT_EQ(rows[0].at("child").as_string(), "Bilal Khan");
  EXPECT_EQ(rows[0].at("held_at").as_string(), "2026-11-12T10:00:00Z");
  EXPECT_EQ(rows[0].at("deadline_met").as_string(), "missed");
  EXPECT_EQ(rows[1].at("deadline_met").as_string(), "met");
  EXPECT_TRUE(rows[2].at("held_at").is_null());
  EXPECT_EQ(rows[2].at("deadline_met").as_string(), "missed");
  EXPECT_TRUE(rows[3].at("held_at").is_null());
  EXPECT_EQ(rows[3].at("scheduled_for").as_string(), "2026-11-27T10:00:00Z");
  EXPECT_EQ(rows[3].at("deadline_met").as_string(), "pending");

  const std::string text = write({"timeliness", "placement", day("2026-11-24"), false});
  EXPECT_NE(text.find("1 met, 2 missed, 1 pending"), std::string::npos) << text;
  EXPECT_NE(text.find("not yet (booked 2026-11-27 10:00 GMT)"), std::string::npos) << text;
}

TEST_F(ReportTest, R2_Timeliness_ABookedMeetingNotHeldIsNotMet_ACancelledOneShowsItsReason) {
  meeting("m-booked", "c1", "2026-11-02T09:00", "2026-11-09T23:59", "scheduled", "2026-11-06T10:00");
  meeting("m-off", "c2", "2026-11-02T09:00", "2026-11-09T23:59", "cancelled", "2026-11-06T10:00");
  put(col::kMeetings, "m-off",
      {{"placement_id", "p-c2"},
       {"child_id", "c2"},
       {"type", "support"},
       {"status", "cancelled"},
       {"identified_at_ms", std::to_string(at("2026-11-02T09:00"))},
       {"deadline_ms", std::to_string(at("2026-11-09T23:59"))},
       {"cancelled_reason", "The placement ended"}});
  const auto t = timeliness(*store_, at("2026-11-24T12:00"));
  EXPECT_EQ(t.met, 0u);
  const std::string text = write({"timeliness", "placement", day("2026-11-24"), false});
  EXPECT_NE(text.find("not yet (booked 2026-11-06 10:00 GMT)"), std::string::npos) << text;
  EXPECT_NE(text.find("cancelled: The placement ended"), std::string::npos) << text;
}

TEST_F(ReportTest, R8_Actions_OpenOnesByPlacementOrTeam_OverdueInWorkingDays) {
  meeting("m1", "c1", "2026-11-02T09:00", "2026-11-09T23:59", "scheduled", "2026-11-06T10:00");
  put(col::kActions, "a-overdue",
      {{"meeting_id", "m1"},
       {"owner_id", "ssw-1"},
       {"due_date", "2026-11-20"},
       {"status", "in-progress"},
       {"text", "Book respite"},
       {"escalation_level", "1"}});
  put(col::kActions, "a-later",
      {{"meeting_id", "m1"},
       {"owner_id", "carer-1"},
       {"due_date", "2026-12-18"},
       {"status", "open"},
       {"text", "Keep a sleep diary"}});
  put(col::kActions, "a-done",
      {{"meeting_id", "m1"},
       {"owner_id", "csw-1"},
       {"due_date", "2026-11-10"},
       {"status", "done"},
       {"text", "Talk to school"}});

  // Tuesday 24 November: due Friday 20th → Monday and Tuesday: 2 working days overdue.
  const auto by_placement = open_actions(*store_, day("2026-11-24"), ActionGrouping::placement);
  EXPECT_EQ(by_placement.open, 2u);
  EXPECT_EQ(by_placement.overdue, 1u);
  ASSERT_EQ(by_placement.groups.size(), 1u);
  EXPECT_EQ(by_placement.groups[0].key, "p-c1");
  ASSERT_EQ(by_placement.groups[0].actions.size(), 2u);
  EXPECT_EQ(by_placement.groups[0].actions[0].action_id, "a-overdue");  // earliest due first
  EXPECT_EQ(by_placement.groups[0].actions[0].working_days_overdue, 2);
  EXPECT_EQ(by_placement.groups[0].actions[0].owner, "Alex Morgan");
  EXPECT_EQ(by_placement.groups[0].actions[1].working_days_overdue, 0);

  const auto doc = json::parse(write({"actions", "team", day("2026-11-24"), true}));
  EXPECT_EQ(doc.at("by").as_string(), "team");
  const auto& groups = doc.at("groups").as_array();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].at("key").as_string(), "fostering");
  EXPECT_EQ(groups[1].at("key").as_string(), "no team (foster-carer)");
  const auto& first = groups[0].at("actions").as_array()[0];
  EXPECT_TRUE(first.at("overdue").as_bool());
  EXPECT_EQ(first.at("escalation_level").as_int64(), 1);
  EXPECT_EQ(first.at("due_date").as_string(), "2026-11-20");

  const std::string by_team = write({"actions", "team", day("2026-11-24"), false});
  EXPECT_NE(by_team.find("Team fostering\n"), std::string::npos) << by_team;
  EXPECT_NE(by_team.find("No team (foster-carer)\n"), std::string::npos) << by_team;

  const std::string text = write({"actions", "placement", day("2026-11-24"), false});
  EXPECT_NE(text.find("2 open, 1 overdue"), std::string::npos) << text;
  EXPECT_NE(text.find("Placement p-c1 (Amelia Brooks)"), std::string::npos) << text;
  EXPECT_NE(text.find("2 working days"), std::string::npos) << text;
  EXPECT_EQ(text.find("Talk to school"), std::string::npos) << text;  // done actions are not listed
}

TEST_F(ReportTest, R8_R16_Actions_CountOverdueDaysWithTheImportedCalendar) {
  meeting("m1", "c1", "2026-11-02T09:00", "2026-11-09T23:59", "requested");
  put(col::kActions, "a1",
      {{"meeting_id", "m1"}, {"owner_id", "ssw-1"}, {"due_date", "2027-06-03"}, {"status", "open"}, {"text", "Visit"}});
  EXPECT_EQ(
      open_actions(*store_, day("2027-06-07"), ActionGrouping::placement).groups[0].actions[0].working_days_overdue, 2);
  std::string detail;
  ASSERT_TRUE(psm::testing::succeeded(import_calendar(
      *store_, R"({"version": 2, "changes": [{"date": "2027-06-04", "kind": "holiday", "name": "Extra"}]})")));
  EXPECT_EQ(
      open_actions(*store_, day("2027-06-07"), ActionGrouping::placement).groups[0].actions[0].working_days_overdue, 1);
}

TEST_F(ReportTest, R14_Tracking_FlagsChildrenAndCarers_WithNames) {
  put(col::kPlacements, "p1",
      {{"child_id", "c1"},
       {"household_id", "h1"},
       {"start_date", "2024-01-10"},
       {"end_date", "2026-03-01"},
       {"ending", "unplanned"}});
  put(col::kPlacements, "p2", {{"child_id", "c1"}, {"household_id", "h2"}, {"start_date", "2026-03-01"}});
  put(col::kPlacements, "p3",
      {{"child_id", "c2"}, {"household_id", "h1"}, {"start_date", "2024-05-01"}, {"end_date", "2026-08-01"}});
  put(col::kPlacements, "p4", {{"child_id", "c2"}, {"household_id", "h2"}, {"start_date", "2026-08-01"}});

  const auto doc = json::parse(write({"tracking", "placement", day("2026-11-24"), true}));
  EXPECT_EQ(doc.at("from").as_string(), "2025-11-25");
  EXPECT_EQ(doc.at("to").as_string(), "2026-11-24");
  ASSERT_EQ(doc.at("children").as_array().size(), 2u);
  EXPECT_EQ(doc.at("children").as_array()[0].at("child").as_string(), "Amelia Brooks");
  const auto& carers = doc.at("carers").as_array();
  ASSERT_EQ(carers.size(), 1u);
  EXPECT_EQ(carers[0].at("household").as_string(), "The Okafor household");
  const auto& endings = carers[0].at("unplanned_endings").as_array();
  ASSERT_EQ(endings.size(), 2u);
  EXPECT_TRUE(endings[0].at("ending_recorded").as_bool());
  EXPECT_FALSE(endings[1].at("ending_recorded").as_bool());

  const std::string text = write({"tracking", "placement", day("2026-11-24"), false});
  EXPECT_NE(text.find("Children with 2 or more placements: 2"), std::string::npos) << text;
  EXPECT_NE(text.find("Carers with 2 or more unplanned endings: 1"), std::string::npos) << text;
  EXPECT_NE(text.find("not recorded"), std::string::npos) << text;
}

TEST_F(ReportTest, UnknownReportOrGrouping_IsRefusedWithNothingWritten) {
  std::ostringstream out;
  std::string error;
  EXPECT_FALSE(write_report(*store_, {"everything", "placement", std::nullopt, false}, 0, out, error));
  EXPECT_NE(error.find("timeliness, actions or tracking"), std::string::npos);
  EXPECT_FALSE(write_report(*store_, {"actions", "colour", std::nullopt, false}, 0, out, error));
  EXPECT_NE(error.find("--by"), std::string::npos);
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace psm::server::report
