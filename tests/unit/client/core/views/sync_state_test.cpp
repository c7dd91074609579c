// The one sync-state rule both front ends show next to a record: the CLI's
// words in its listings (and their --json `sync_state`), the app's `sync`
// object. Over a real replica, with the server's answers recorded as a sync
// would record them.
#include "client/core/views/sync_state.hpp"

#include "client/core/views/listings.hpp"
#include "testing/local_replica.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>

namespace psm::client::views {
namespace {

namespace col = model::collection;
namespace json = boost::json;

const model::Version kServer{model::Hlc::from(1, 0), "server"};

class SyncStateTest : public ::testing::Test {
 protected:
  SyncStateTest() {
    replica_ = psm::testing::local_replica(dir_.path, "ssw-1", "supervising-social-worker");
    model::Record p;
    p.collection = col::kPlacements;
    p.id = "p1";
    p.scope = "placement:p1";
    p.set("child_id", "c1", kServer);
    p.set("household_id", "h1", kServer);
    model::Record me;
    me.collection = col::kPeople;
    me.id = "ssw-1";
    me.scope = "directory";
    me.set("name", "Sam Supervising", kServer);
    me.set("role", "supervising-social-worker", kServer);
    pull({p, me});
  }

  void pull(std::vector<model::Record> records) {
    protocol::PullResponse page;
    page.records = std::move(records);
    page.cursor = ++cursor_;
    page.scopes = {"placement:p1", "directory"};
    replica_->apply_pull(page);
  }
  // Submits, and returns the new operation's id.
  std::string submit(ops::Payload payload) {
    EXPECT_TRUE(replica_->submit(std::move(payload)).ok());
    return replica_->outbox().back().op_id;
  }
  // The server's answer, as a sync records it.
  void answer(const std::string& op_id, ops::OutcomeKind kind, const std::string& reason = {}) {
    replica_->mark_sent({op_id});
    protocol::OpResult result;
    result.op_id = op_id;
    result.kind = static_cast<std::uint8_t>(kind);
    result.error = kind == ops::OutcomeKind::rejected ? static_cast<std::uint16_t>(Errc::rule_violation) : 0;
    result.reason = reason;
    replica_->record_results({result});
  }
  RecordSync of(std::string_view collection, std::string_view id) { return SyncStates(*replica_).of(collection, id); }
  std::string listed_state(const json::array& listing, std::string_view id) {
    for (const auto& v : listing) {
      if (v.at("id").as_string() == id) return std::string(v.at("sync_state").as_string());
    }
    return "not listed";
  }

  psm::testing::TempDir dir_;
  std::unique_ptr<Replica> replica_;
  std::uint64_t cursor_ = 0;
};

TEST_F(SyncStateTest, Record_WithNoWorkOfThisDevice_IsAccepted_AndSyncedInTheCliWords) {
  EXPECT_EQ(of(col::kPlacements, "p1").state, SyncState::accepted);
  EXPECT_EQ(sync_state_words(SyncState::accepted), "synced");
  EXPECT_EQ(sync_json(of(col::kPlacements, "p1")), (json::object{{"state", "accepted"}, {"reason", ""}}));
}

TEST_F(SyncStateTest, NewestOperation_Decides_WaitingThenSentThenAccepted) {
  const auto op = submit(ops::RequestMeeting{"m1", "p1", model::MeetingType::support, "help", 0});
  EXPECT_EQ(of(col::kMeetings, "m1").state, SyncState::waiting);
  EXPECT_EQ(listed_state(meetings_json(*replica_), "m1"), "waiting to send");
  EXPECT_EQ(sync_json(of(col::kMeetings, "m1")).at("state"), "waiting");

  replica_->mark_sent({op});
  EXPECT_EQ(of(col::kMeetings, "m1").state, SyncState::sent);
  EXPECT_EQ(listed_state(meetings_json(*replica_), "m1"), "sent");

  answer(op, ops::OutcomeKind::accepted);
  EXPECT_EQ(of(col::kMeetings, "m1").state, SyncState::accepted);
  EXPECT_EQ(listed_state(meetings_json(*replica_), "m1"), "synced");
}

TEST_F(SyncStateTest, MeetingScheduledOnThisDevice_IsWaitingToSend_InBothFrontEnds) {
  answer(submit(ops::RequestMeeting{"m1", "p1", model::MeetingType::support, "help", 0}), ops::OutcomeKind::accepted);
  submit(ops::ScheduleMeeting{"m1", *policy::parse_local_datetime("2026-12-10T10:00"), "the carers' home", ""});
  EXPECT_EQ(of(col::kMeetings, "m1").state, SyncState::waiting);
  EXPECT_EQ(listed_state(meetings_json(*replica_), "m1"), "waiting to send");
}

TEST_F(SyncStateTest, RefusedChange_NeedsAttention_WithTheServersReason) {
  answer(submit(ops::RequestMeeting{"m1", "p1", model::MeetingType::support, "help", 0}), ops::OutcomeKind::accepted);
  const auto op = submit(ops::AddAction{"a1", "m1", "ssw-1", "2026-12-18", "Arrange respite"});
  answer(op, ops::OutcomeKind::rejected, "the owner is not a known person");
  const auto sync = of(col::kActions, "a1");
  EXPECT_EQ(sync.state, SyncState::attention);
  EXPECT_EQ(sync.reason, "the owner is not a known person");
  EXPECT_EQ(sync_state_words(sync.state), "needs attention");
  EXPECT_EQ(sync_json(sync).at("state"), "attention");
  EXPECT_EQ(needs_attention_count(*replica_), 1u);
}

TEST_F(SyncStateTest, OpenConflict_NeedsAttention_AndNotOnceResolved) {
  answer(submit(ops::RequestMeeting{"m1", "p1", model::MeetingType::support, "help", 0}), ops::OutcomeKind::accepted);
  model::Record action;
  action.collection = col::kActions;
  action.id = "a2";
  action.scope = "placement:p1";
  action.set("meeting_id", "m1", kServer);
  action.set("text", "Arrange respite", kServer);
  model::Record conflict;
  conflict.collection = col::kConflicts;
  conflict.id = "c1";
  conflict.scope = "placement:p1";
  conflict.set("status", "open", kServer);
  conflict.set("target_collection", std::string(col::kActions), kServer);
  conflict.set("target_id", "a2", kServer);
  pull({action, conflict});
  EXPECT_EQ(of(col::kActions, "a2").state, SyncState::attention);
  EXPECT_EQ(of(col::kActions, "a2").reason, "changed on two devices at the same time: choose which to keep");
  EXPECT_EQ(listed_state(actions_json(*replica_), "a2"), "needs attention");
  EXPECT_EQ(needs_attention_count(*replica_), 1u);

  conflict.set("status", "resolved", {model::Hlc::from(2, 0), "server"});
  pull({conflict});
  EXPECT_EQ(of(col::kActions, "a2").state, SyncState::accepted);
  EXPECT_EQ(needs_attention_count(*replica_), 0u);
}

}  // namespace
}  // namespace psm::client::views
