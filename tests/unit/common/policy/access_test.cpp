#include "common/policy/access.hpp"

#include <gtest/gtest.h>

#include <map>

namespace psm::policy {
namespace {

using model::Record;
using model::Role;

Record rec(std::string_view c, std::string id, std::initializer_list<std::pair<const char*, const char*>> fields) {
  Record r;
  r.collection = std::string(c);
  r.id = std::move(id);
  for (auto& [k, v] : fields) r.set(k, v, {});
  return r;
}

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    namespace col = model::collection;
    ref_.upsert(rec(col::kHouseholds, "h1", {{"carer_ids", "carer-1"}, {"ssw_id", "ssw-1"}}));
    ref_.upsert(rec(col::kHouseholds, "h2", {{"carer_ids", "carer-2"}, {"ssw_id", "ssw-2"}}));
    ref_.upsert(rec(col::kChildren, "c1", {{"social_worker_id", "csw-1"}, {"iro_id", "iro-1"}}));
    ref_.upsert(rec(col::kChildren, "c2", {{"social_worker_id", "csw-2"}, {"iro_id", "iro-1"}}));
    ref_.upsert(rec(col::kPlacements, "p1", {{"child_id", "c1"}, {"household_id", "h1"}}));
    ref_.upsert(rec(col::kPlacements, "p2", {{"child_id", "c2"}, {"household_id", "h2"}}));
  }
  ReferenceData ref_;
};

TEST_F(AccessTest, Carer_SeesOnlyOwnPlacement) {
  auto s = ref_.visible_scopes("carer-1", Role::foster_carer);
  EXPECT_TRUE(s.count("placement:p1"));
  EXPECT_FALSE(s.count("placement:p2"));
  EXPECT_FALSE(s.count("child:c2"));
}

TEST_F(AccessTest, Carer_LosesPlacementWhenItEnds) {
  auto p1 = *ref_.find(model::collection::kPlacements, "p1");
  p1.set("end_date", "2026-11-01", {});
  ref_.upsert(p1);
  auto s = ref_.visible_scopes("carer-1", Role::foster_carer);
  EXPECT_FALSE(s.count("placement:p1"));
  EXPECT_TRUE(s.count("household:h1"));  // their own household stays
}

TEST_F(AccessTest, SocialWorker_SeesAllocatedChildrenOnly) {
  auto s = ref_.visible_scopes("csw-2", Role::child_social_worker);
  EXPECT_TRUE(s.count("placement:p2"));
  EXPECT_FALSE(s.count("placement:p1"));
}

TEST_F(AccessTest, Iro_SeesTheirChildren_Ssw_TheirHouseholds) {
  EXPECT_EQ(ref_.placements_for("iro-1", Role::iro).size(), 2u);
  auto s = ref_.visible_scopes("ssw-1", Role::supervising_social_worker);
  EXPECT_TRUE(s.count("placement:p1"));
  EXPECT_FALSE(s.count("placement:p2"));
}

TEST_F(AccessTest, TeamManager_SeesThePlacementsTheyManage_AndTheirTeamsCases_NotOthers) {
  namespace col = model::collection;
  ref_.upsert(rec(col::kPeople, "ftm-1", {{"team", "fostering"}}));
  ref_.upsert(rec(col::kPeople, "clatm-1", {{"team", "cla-north"}}));
  ref_.upsert(rec(col::kPeople, "ssw-1", {{"team", "fostering"}}));
  ref_.upsert(rec(col::kPeople, "ssw-2", {{"team", "agency"}}));
  ref_.upsert(rec(col::kPeople, "csw-1", {{"team", "cla-south"}}));
  ref_.upsert(rec(col::kPeople, "csw-2", {{"team", "cla-north"}}));
  ref_.upsert(rec(col::kPlacements, "p1", {{"child_id", "c1"}, {"household_id", "h1"}, {"team_manager_id", "ftm-1"}}));
  ref_.upsert(
      rec(col::kPlacements, "p2", {{"child_id", "c2"}, {"household_id", "h2"}, {"team_manager_id", "clatm-1"}}));
  ref_.upsert(rec(col::kChildren, "c3", {{"social_worker_id", "csw-2"}}));
  ref_.upsert(rec(col::kPlacements, "p3", {{"child_id", "c3"}, {"household_id", "h1"}, {"team_manager_id", "ftm-1"}}));

  auto fostering = ref_.visible_scopes("ftm-1", Role::fostering_team_manager);
  EXPECT_TRUE(fostering.count("placement:p1"));  // manages it
  EXPECT_TRUE(fostering.count("placement:p3"));
  EXPECT_FALSE(fostering.count("placement:p2"));  // another team's child, an agency household
  EXPECT_FALSE(fostering.count("child:c2"));

  auto cla = ref_.visible_scopes("clatm-1", Role::cla_team_manager);
  EXPECT_TRUE(cla.count("placement:p2"));   // manages it
  EXPECT_TRUE(cla.count("placement:p3"));   // the child's social worker is in cla-north
  EXPECT_FALSE(cla.count("placement:p1"));  // neither the child's worker nor the SSW is in the team
}

TEST_F(AccessTest, ServiceManager_SeesEveryPlacement) {
  // R9: every support meeting is their concern, across the services.
  EXPECT_EQ(ref_.placements_for("sm-1", Role::service_manager).size(), 2u);
}

// --- the invariant: what derives from a professionals-only record is professionals-only

TEST(InheritProfessionalsOnly, FollowsEveryLink_ThroughOtherWritesAndTheStore_AndNeverClears) {
  namespace col = model::collection;
  Record stored_action = rec(col::kActions, "lado-task", {{"meeting_id", "m1"}});
  stored_action.professionals_only = true;
  int reads = 0;
  const FindRecord find = [&](std::string_view c, std::string_view id) -> std::optional<Record> {
    ++reads;
    if (c == col::kActions && id == "lado-task") return stored_action;
    if (c == col::kMeetings && id == "m1") return rec(col::kMeetings, "m1", {});
    return std::nullopt;
  };
  Record concern = rec(col::kConcerns, "c2", {{"meeting_id", "m1"}});
  concern.professionals_only = true;
  Record kept = rec(col::kViews, "kept", {{"meeting_id", "m1"}});
  kept.professionals_only = true;
  std::vector<Record> writes{
      rec(col::kNotifications, "about-task", {{"action_id", "c2.lado"}, {"meeting_id", "m1"}}),  // → a write → a write
      rec(col::kActions, "c2.lado", {{"concern_id", "c2"}, {"meeting_id", "m1"}}),
      concern,
      rec(col::kActionUpdates, "u1", {{"action_id", "lado-task"}}),  // → the store
      rec(col::kActionUpdates, "u2", {{"action_id", "lado-task"}}),  // read once
      rec(col::kConflicts, "k1", {{"target_collection", "actions"}, {"target_id", "lado-task"}}),
      rec(col::kViews, "open", {{"meeting_id", "m1"}}),
      kept,
      rec(col::kPlacements, "p1", {{"meeting_id", "lado-task"}}),  // reference data derives from nothing
  };
  inherit_professionals_only(writes, find);
  std::map<std::string, bool> flags;
  for (const auto& w : writes) flags[w.id] = w.professionals_only;
  EXPECT_TRUE(flags["about-task"]);
  EXPECT_TRUE(flags["c2.lado"]);
  EXPECT_TRUE(flags["u1"]);
  EXPECT_TRUE(flags["u2"]);
  EXPECT_TRUE(flags["k1"]);
  EXPECT_FALSE(flags["open"]);
  EXPECT_TRUE(flags["kept"]);
  EXPECT_FALSE(flags["p1"]);
  EXPECT_EQ(reads, 2);  // the stored action and the meeting, each once
}

}  // namespace
}  // namespace psm::policy
