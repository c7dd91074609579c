// What the CLI and the local app share for turning a request into an
// operation: malformed words and dates are refused with a message before
// anything reaches the replica; good ones become the expected operation.
#include "client/core/intents/intents.hpp"

#include "client/core/exit_codes.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>

namespace psm::client::intents {
namespace {

const InvalidRequest* invalid(const Prepared& p) { return std::get_if<InvalidRequest>(&p); }

TEST(CliOperations, RequestMeeting_WithAKnownType_BecomesARequestWithANewId) {
  auto first = prepare_request_meeting("pl-1", "pre-disruption", "at risk", "");
  auto second = prepare_request_meeting("pl-1", "support", "help", "2026-11-23T16:00");
  ASSERT_EQ(invalid(first), nullptr);
  ASSERT_EQ(invalid(second), nullptr);
  const auto& op = std::get<PreparedOperation>(first);
  const auto* request = std::get_if<ops::RequestMeeting>(&op.payload);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->type, model::MeetingType::pre_disruption);
  EXPECT_EQ(request->placement_id, "pl-1");
  EXPECT_EQ(op.id, request->meeting_id);
  EXPECT_NE(op.id, std::get<PreparedOperation>(second).id);
  EXPECT_NE(std::get<ops::RequestMeeting>(std::get<PreparedOperation>(second).payload).identified_at_ms, 0u);
}

TEST(CliOperations, MalformedWordsOrDates_AreRefusedAsUsageErrors) {
  for (const auto& p : {prepare_request_meeting("pl-1", "picnic", "r", ""),
                        prepare_request_meeting("pl-1", "support", "r", "next tuesday"),
                        prepare_record_view("m-1", "neighbour", "text", false, false, ""),
                        prepare_record_view("m-1", "child", "text", true, true, ""),
                        prepare_agenda_note("m-1", "child-views", "text", true, true),
                        prepare_schedule_meeting("m-1", "soon", "", ""), prepare_record_attendance("i-1", "maybe")}) {
    ASSERT_NE(invalid(p), nullptr);
    EXPECT_EQ(invalid(p)->exit_code, kExitUsage);
    EXPECT_FALSE(invalid(p)->message.empty());
  }
}

TEST(CliOperations, ChangesToRecordsNobodyCanSee_AreRefused_AndTheReplicaKeepsNothing) {
  psm::testing::TempDir dir;
  HomePaths home(dir.path);
  auto replica = Replica::create(home, "a passphrase", crypto::kScryptTest);
  ASSERT_TRUE(replica.has_value());
  auto& r = **replica;
  for (const auto& p : {prepare_update_action(r, "a-404", "done", ""),
                        prepare_edit_action(r, "a-404", std::string("new text"), std::nullopt, std::nullopt),
                        prepare_resolve_conflict(r, "c-404", "mine")}) {
    ASSERT_NE(invalid(p), nullptr);
    EXPECT_EQ(invalid(p)->exit_code, kExitRefused);
  }
  EXPECT_EQ(invalid(prepare_update_action(r, "a-404", "finished", ""))->exit_code, kExitUsage);
  EXPECT_EQ(r.pending_count(), 0u);
}

}  // namespace
}  // namespace psm::client::intents
