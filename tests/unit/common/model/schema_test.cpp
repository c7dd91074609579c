#include "common/model/schema.hpp"
#include "common/model/record.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace psm::model {
namespace {

TEST(Schema, EveryCollection_HasANounAndDistinctFieldNames) {
  std::set<std::string_view> collections;
  for (const schema::Collection* c : schema::kAll) {
    EXPECT_TRUE(collections.insert(c->name).second) << c->name;
    EXPECT_FALSE(c->noun.empty()) << c->name;
    EXPECT_FALSE(c->fields.empty()) << c->name;
    std::set<std::string_view> names;
    for (const auto& f : c->fields) EXPECT_TRUE(names.insert(f.name).second) << c->name << "." << f.name;
  }
  EXPECT_EQ(collections.size(), 20u);  // csw_reports joined (S1 3.3)
}

TEST(Schema, CollectionNames_AreTheStoredNamesTheOldConstantsSpell) {
  // The names are on the wire and in both stores: they never change.
  EXPECT_EQ(collection::kPeople, "people");
  EXPECT_EQ(collection::kHouseholds, "households");
  EXPECT_EQ(collection::kChildren, "children");
  EXPECT_EQ(collection::kPlacements, "placements");
  EXPECT_EQ(collection::kMeetings, "meetings");
  EXPECT_EQ(collection::kViews, "views");
  EXPECT_EQ(collection::kActions, "actions");
  EXPECT_EQ(collection::kActionUpdates, "action_updates");
  EXPECT_EQ(collection::kConflicts, "conflicts");
  EXPECT_EQ(collection::kInvitations, "invitations");
  EXPECT_EQ(collection::kDecisions, "decisions");
  EXPECT_EQ(collection::kAgendaNotes, "agenda_notes");
  EXPECT_EQ(collection::kNotifications, "notifications");
  EXPECT_EQ(collection::kConcerns, "concerns");
  EXPECT_EQ(collection::kShortBreaks, "short_breaks");
  EXPECT_EQ(collection::kSupportItems, "support_items");
  EXPECT_EQ(collection::kPanelRequests, "panel_requests");
  EXPECT_EQ(collection::kPlanCopies, "plan_copies");
  EXPECT_EQ(collection::kSettings, "settings");
  ASSERT_NE(schema::find("meetings"), nullptr);
  EXPECT_EQ(schema::find("meetings")->noun, "meeting");
  EXPECT_EQ(schema::find("nothing"), nullptr);
}

TEST(Schema, AppendOnlyCollections_AreTheWrittenOnceOnes) {
  std::set<std::string_view> append_only;
  for (const schema::Collection* c : schema::kAll) {
    if (c->append_only) append_only.insert(c->name);
  }
  EXPECT_EQ(append_only,
            (std::set<std::string_view>{"views", "agenda_notes", "decisions", "action_updates", "csw_reports"}));
}

TEST(Field, TypedValues_RoundTripThroughTheirSpelling) {
  const Version v{Hlc::from(1, 0), "d1"};
  Record r;
  set(r, schema::actions::status, ActionStatus::in_progress, v, "p1");
  set(r, schema::actions::created_at_ms, std::uint64_t{1'700'000'000'123}, v, "p1");
  set(r, schema::actions::urgent, true, v, "p1");
  set(r, schema::actions::text, std::string("Book the respite"), v, "p1");
  // Stored as the spellings every replica already holds.
  EXPECT_EQ(r.fields.at("status").value, "in-progress");
  EXPECT_EQ(r.fields.at("created_at_ms").value, "1700000000123");
  EXPECT_EQ(r.fields.at("urgent").value, "yes");
  EXPECT_EQ(r.fields.at("status").author, "p1");
  EXPECT_EQ(r.get(schema::actions::status), ActionStatus::in_progress);
  EXPECT_EQ(r.get(schema::actions::created_at_ms), 1'700'000'000'123u);
  EXPECT_EQ(r.get(schema::actions::urgent), true);
  EXPECT_EQ(r.value(schema::actions::text), "Book the respite");
  EXPECT_EQ(r.value(schema::actions::owner_id), "");
  EXPECT_FALSE(r.get(schema::actions::escalation_level));
}

TEST(Field, UnparseableValues_ReadAsAbsentAndKeepTheirSpelling) {
  const Version v{Hlc::from(1, 0), "d1"};
  Record r;
  r.set("status", "someday", v);
  r.set("deadline_ms", "12x", v);
  EXPECT_FALSE(r.get(schema::meetings::status));
  EXPECT_EQ(r.spelling(schema::meetings::status), "someday");
  EXPECT_FALSE(r.get(schema::meetings::deadline_ms));
}

TEST(Field, Has_TellsAGivenFieldFromAnAbsentOne_WhateverItsValue) {
  const Version v{Hlc::from(1, 0), "d1"};
  Record r;
  set(r, schema::placements::end_date, std::string(), v);
  r.set("emergency", "maybe", v);
  EXPECT_TRUE(r.has(schema::placements::end_date));
  EXPECT_TRUE(r.has(schema::placements::emergency));
  EXPECT_FALSE(r.get(schema::placements::emergency));
  EXPECT_FALSE(r.has(schema::placements::ending));
}

template <class E>
void expect_round_trip(std::initializer_list<E> values) {
  for (E e : values) EXPECT_EQ(parse_as<E>(to_string(e)), e) << to_string(e);
}

TEST(Field, EveryEnumValue_ParsesBackFromItsSpelling) {
  expect_round_trip({MeetingStatus::requested, MeetingStatus::scheduled, MeetingStatus::held,
                     MeetingStatus::minutes_finalised, MeetingStatus::cancelled});
  expect_round_trip({ActionStatus::open, ActionStatus::in_progress, ActionStatus::done, ActionStatus::cancelled});
  expect_round_trip({PanelStatus::pending, PanelStatus::approved, PanelStatus::declined});
  expect_round_trip({ConflictStatus::open, ConflictStatus::resolved});
  expect_round_trip({ConflictKept::kept, ConflictKept::other});
  expect_round_trip({MeetingOutcome::planned_ending, MeetingOutcome::continue_with_support});
  expect_round_trip({PlacementEnding::planned, PlacementEnding::unplanned});
  expect_round_trip({InvitationKind::carer, InvitationKind::child_social_worker, InvitationKind::team_manager,
                     InvitationKind::supervising_social_worker, InvitationKind::iro, InvitationKind::child,
                     InvitationKind::other});
  expect_round_trip({NotificationKind::meeting_requested, NotificationKind::support_meeting,
                     NotificationKind::minutes_finalised, NotificationKind::lado_referral,
                     NotificationKind::resource_request, NotificationKind::panel_decision,
                     NotificationKind::planned_ending, NotificationKind::action_overdue});
  expect_round_trip({DecisionKind::child_not_invited});
}

}  // namespace
}  // namespace psm::model
