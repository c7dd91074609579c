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

// S1 3.5 (R4): the booked minute taker sees the meeting they minute and what
// they record in it, with the names of the people, and nothing else of the placement.
TEST_F(AccessTest, MinuteTakerGrant_CoversTheBookedMeetingsRecords_NotAnotherMeetingOrAConcern) {
  namespace col = model::collection;
  ref_.upsert(rec(col::kPeople, "carer-1", {}));
  Grants grants;
  auto m1 = rec(col::kMeetings, "m1", {{"placement_id", "p1"}, {"minute_taker_id", "mt-1"}});
  auto m2 = rec(col::kMeetings, "m2", {{"placement_id", "p1"}});
  grants.observe(m1);
  grants.observe(m2);
  const auto held = grants.of("mt-1", false);
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].kind, Grant::Kind::minute_taker);
  GrantedAccess access(ref_, held, ref_.visible_scopes("mt-1", Role::minute_taker));
  EXPECT_EQ(access.scopes(), (std::set<std::string>{"meeting:m1", "granted:p1"}));
  EXPECT_TRUE(access.reads().count("placement:p1"));
  EXPECT_TRUE(access.reads().count("child:c1"));
  EXPECT_TRUE(access.reads().count("household:h1"));
  auto in_p1 = [](Record r) {
    r.scope = "placement:p1";
    return r;
  };
  EXPECT_EQ(access.scope_for(in_p1(m1)), "meeting:m1");
  EXPECT_EQ(access.scope_for(in_p1(m2)), std::nullopt);  // another meeting of the placement
  for (auto c :
       {col::kInvitations, col::kViews, col::kAgendaNotes, col::kActions, col::kSupportItems, col::kDecisions}) {
    EXPECT_EQ(access.scope_for(in_p1(rec(c, "x", {{"meeting_id", "m1"}}))), "meeting:m1") << c;
    EXPECT_EQ(access.scope_for(in_p1(rec(c, "y", {{"meeting_id", "m2"}}))), std::nullopt) << c;
  }
  // A concern raised at the meeting, and the LADO task derived from it, are not the minute taker's.
  EXPECT_EQ(access.scope_for(in_p1(rec(col::kConcerns, "k1", {{"meeting_id", "m1"}}))), std::nullopt);
  EXPECT_EQ(access.scope_for(in_p1(rec(col::kActions, "k1.lado", {{"meeting_id", "m1"}, {"concern_id", "k1"}}))),
            std::nullopt);
  // The names: the placement, the child, the household and its carers.
  auto p1 = *ref_.find(col::kPlacements, "p1");
  p1.scope = "placement:p1";
  EXPECT_EQ(access.scope_for(p1), "granted:p1");
  auto c1 = *ref_.find(col::kChildren, "c1");
  EXPECT_EQ(access.scope_for(c1), "granted:p1");
  EXPECT_EQ(access.scope_for(rec(col::kPeople, "carer-1", {})), "granted:p1");
  EXPECT_EQ(access.scope_for(rec(col::kPeople, "carer-2", {})), std::nullopt);
  EXPECT_EQ(access.scope_for(*ref_.find(col::kChildren, "c2")), std::nullopt);
}

TEST_F(AccessTest, MinuteTakerGrant_EndsWhenAnotherMinuteTakerIsBooked) {
  Grants grants;
  grants.observe(rec(model::collection::kMeetings, "m1", {{"placement_id", "p1"}, {"minute_taker_id", "mt-1"}}));
  grants.observe(rec(model::collection::kMeetings, "m1", {{"placement_id", "p1"}, {"minute_taker_id", "mt-2"}}));
  EXPECT_TRUE(grants.of("mt-1", false).empty());
  EXPECT_EQ(grants.of("mt-2", false).size(), 1u);
}

TEST_F(AccessTest, Grant_AddsNothing_WhenThePersonSeesThePlacementAlready) {
  Grants grants;
  grants.observe(rec(model::collection::kMeetings, "m1", {{"placement_id", "p1"}, {"minute_taker_id", "ssw-1"}}));
  GrantedAccess access(ref_, grants.of("ssw-1", false), ref_.visible_scopes("ssw-1", Role::supervising_social_worker));
  EXPECT_TRUE(access.empty());
  EXPECT_TRUE(access.scopes().empty());
}

// R9/R13: the LADO told of a concern sees the concern, its LADO task and the
// meeting it was raised at, and not the meeting's other records.
TEST_F(AccessTest, R13_LadoGrant_CoversTheConcern_ItsTask_AndTheMeeting_Only) {
  namespace col = model::collection;
  Grants grants;
  grants.observe(rec(col::kConcerns, "k1", {{"meeting_id", "m1"}, {"placement_id", "p1"}}));
  EXPECT_TRUE(grants.of("lado-1", false).empty());  // not one of the LADOs
  const auto held = grants.of("lado-1", true);
  ASSERT_EQ(held.size(), 1u);
  GrantedAccess access(ref_, held, ref_.visible_scopes("lado-1", Role::lado));
  EXPECT_EQ(access.scopes(), (std::set<std::string>{"concern:k1", "granted:p1"}));
  auto in = [](Record r, const char* scope) {
    r.scope = scope;
    return r;
  };
  EXPECT_EQ(access.scope_for(in(rec(col::kConcerns, "k1", {}), "placement:p1")), "concern:k1");
  EXPECT_EQ(
      access.scope_for(in(rec(col::kActions, "k1.lado", {{"concern_id", "k1"}, {"meeting_id", "m1"}}), "placement:p1")),
      "concern:k1");
  EXPECT_EQ(access.scope_for(in(rec(col::kMeetings, "m1", {}), "placement:p1")), "concern:k1");
  EXPECT_EQ(access.scope_for(in(rec(col::kViews, "v1", {{"meeting_id", "m1"}}), "placement:p1")), std::nullopt);
  // The same ids in another placement's scope are not covered.
  EXPECT_EQ(access.scope_for(in(rec(col::kMeetings, "m1", {}), "placement:p2")), std::nullopt);
  // The LADO acts on the concern and its task; the meeting and the names are shown only.
  EXPECT_TRUE(access.acts_on(in(rec(col::kConcerns, "k1", {}), "placement:p1")));
  EXPECT_TRUE(access.acts_on(in(rec(col::kActions, "k1.lado", {{"concern_id", "k1"}}), "placement:p1")));
  EXPECT_FALSE(access.acts_on(in(rec(col::kMeetings, "m1", {}), "placement:p1")));
  auto p1 = *ref_.find(col::kPlacements, "p1");
  p1.scope = "placement:p1";
  EXPECT_FALSE(access.acts_on(p1));
}

TEST_F(AccessTest, MinuteTakerGrant_ActsOnTheMeetingAndItsRecords_NotOnThePlacement) {
  namespace col = model::collection;
  Grants grants;
  grants.observe(rec(col::kMeetings, "m1", {{"placement_id", "p1"}, {"minute_taker_id", "mt-1"}}));
  GrantedAccess access(ref_, grants.of("mt-1", false), ref_.visible_scopes("mt-1", Role::minute_taker));
  auto in_p1 = [](Record r) {
    r.scope = "placement:p1";
    return r;
  };
  EXPECT_TRUE(access.acts_on(in_p1(rec(col::kMeetings, "m1", {}))));
  EXPECT_TRUE(access.acts_on(in_p1(rec(col::kInvitations, "m1.i1", {{"meeting_id", "m1"}}))));
  auto p1 = *ref_.find(col::kPlacements, "p1");
  p1.scope = "placement:p1";
  EXPECT_FALSE(access.acts_on(p1));  // no short break or request for the placement
}

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
