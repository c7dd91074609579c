// Records read back (views/listings.hpp, views/meeting.hpp): short breaks with
// their nights, conduct concerns, a pre-disruption meeting's outcome, and
// notifications and conflicts saying what they are about in words. Over a real
// replica holding what a sync would bring.
#include "client/core/views/listings.hpp"
#include "client/core/views/meeting.hpp"
#include "common/model/hlc.hpp"
#include "common/policy/calendar.hpp"
#include "testing/local_replica.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>

namespace psm::client::views {
namespace {

namespace col = model::collection;

const model::Version kServer{model::Hlc::from(1, 0), "server"};

model::Record record(std::string_view collection, const std::string& id,
                     std::initializer_list<std::pair<const char*, const char*>> fields,
                     const std::string& scope = "placement:p1") {
  model::Record rec;
  rec.collection = std::string(collection);
  rec.id = id;
  rec.scope = scope;
  for (const auto& [k, v] : fields) rec.set(k, v, kServer);
  return rec;
}

class ReadBackTest : public ::testing::Test {
 protected:
  ReadBackTest() {
    replica_ = psm::testing::local_replica(dir_.path, "ssw-1", "supervising-social-worker");
    protocol::PullResponse page;
    page.records = {
        record(col::kPeople, "ssw-1", {{"name", "Alex Morgan"}, {"role", "supervising-social-worker"}}, "directory"),
        record(col::kChildren, "c1", {{"name", "Amelia Okafor"}}),
        record(col::kHouseholds, "h1", {{"name", "the Okafor household"}}),
        record(col::kPlacements, "p1", {{"child_id", "c1"}, {"household_id", "h1"}}),
        record(col::kMeetings, "m1",
               {{"placement_id", "p1"},
                {"type", "pre-disruption"},
                {"outcome", "planned-ending"},
                {"future_contact", "Monthly visits"},
                {"carers_support_move", "yes"},
                {"lessons", "Ask for respite sooner"}}),
        record(col::kConcerns, "k1",
               {{"meeting_id", "m1"}, {"placement_id", "p1"}, {"text", "Shouting reported"}, {"raised_by", "ssw-1"}}),
        record(col::kShortBreaks, "b1",
               {{"placement_id", "p1"},
                {"start_date", "2027-02-06"},
                {"end_date", "2027-02-20"},
                {"days", "15"},
                {"nights", "14"},
                {"with_whom", "the Reid household"},
                {"recorded_by", "ssw-1"},
                {"over_two_weeks", "no"}}),
        record(col::kNotifications, "n1",
               {{"recipient_id", "ssw-1"}, {"kind", "planned-ending"}, {"meeting_id", "m1"}, {"text", "An ending"}},
               "person:ssw-1"),
    };
    page.cursor = 1;
    page.scopes = {"placement:p1", "directory", "person:ssw-1"};
    replica_->apply_pull(page);
  }

  psm::testing::TempDir dir_;
  std::unique_ptr<Replica> replica_;
};

TEST_F(ReadBackTest, R15_ShortBreaks_ListedWithNightsWithWhomAndThePlacementInWords) {
  const auto breaks = short_breaks_json(*replica_);
  ASSERT_EQ(breaks.size(), 1U);
  EXPECT_EQ(breaks[0].at("nights").as_int64(), 14);
  EXPECT_EQ(breaks[0].at("with_whom"), "the Reid household");
  EXPECT_EQ(breaks[0].at("placement"), "Amelia Okafor with the Okafor household");
  EXPECT_EQ(breaks[0].at("recorded_by"), "Alex Morgan");
  EXPECT_FALSE(breaks[0].at("over_two_weeks").as_bool());
  EXPECT_TRUE(short_breaks_json(*replica_, "another-placement").empty());
}

TEST_F(ReadBackTest, R13_Concerns_ListedAndInTheirMeeting_WithWhoRaisedThem) {
  const auto concerns = concerns_json(*replica_);
  ASSERT_EQ(concerns.size(), 1U);
  EXPECT_EQ(concerns[0].at("text"), "Shouting reported");
  EXPECT_EQ(concerns[0].at("raised_by"), "Alex Morgan");
  const auto meeting = meeting_json(*replica_, "m1");
  ASSERT_TRUE(meeting);
  ASSERT_EQ(meeting->at("concerns").as_array().size(), 1U);
}

TEST_F(ReadBackTest, R12_PreDisruptionOutcome_IsInTheMeetingView) {
  const auto meeting = meeting_json(*replica_, "m1");
  ASSERT_TRUE(meeting);
  const auto& outcome = meeting->at("outcome").as_object();
  EXPECT_EQ(outcome.at("decision"), "planned-ending");
  EXPECT_EQ(outcome.at("future_contact"), "Monthly visits");
  EXPECT_EQ(outcome.at("carers_support_move"), "yes");
  EXPECT_EQ(outcome.at("lessons"), "Ask for respite sooner");
}

TEST_F(ReadBackTest, Notification_SaysWhatItIsAbout_TheMeetingKindAndTheChildInWords) {
  const auto list = notifications_json(*replica_);
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0].at("in_words"), "the Pre-disruption meeting for Amelia Okafor with the Okafor household");
}

TEST_F(ReadBackTest, R14_TwoOrMorePlacements_ListsTheChildWithEachPlacementOldestFirst) {
  EXPECT_TRUE(two_or_more_placements_json(*replica_).empty()) << "one placement is not two";
  // Within the 12 months up to today (R14's window): one ended 30 days ago, the next began then.
  const auto day_ms = std::uint64_t{24} * 3600 * 1000;
  const auto moved = policy::format_date(policy::uk_date_of(model::HlcClock::system_now_millis() - 30 * day_ms));
  protocol::PullResponse page;
  page.records = {
      record(col::kPlacements, "p0",
             {{"child_id", "c1"}, {"household_id", "h1"}, {"start_date", "2024-01-05"}, {"end_date", moved.c_str()}}),
      record(col::kPlacements, "p1", {{"child_id", "c1"}, {"household_id", "h1"}, {"start_date", moved.c_str()}})};
  page.cursor = 2;
  page.scopes = {"placement:p1", "directory", "person:ssw-1"};
  replica_->apply_pull(page);
  const auto children = two_or_more_placements_json(*replica_);
  ASSERT_EQ(children.size(), 1U);
  EXPECT_EQ(children[0].at("child"), "Amelia Okafor");
  const auto& placements = children[0].at("placements").as_array();
  ASSERT_EQ(placements.size(), 2U);
  EXPECT_EQ(placements[0].at("id"), "p0");
  EXPECT_EQ(placements[0].at("end_date").as_string(), moved);
  EXPECT_EQ(children[0].at("endings").as_uint64(), 1U);
}

}  // namespace
}  // namespace psm::client::views
