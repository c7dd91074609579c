// Signed receipts end to end within one process: the real sync service signs,
// the real sync engine checks and keeps them in the encrypted replica.
#include "client/sync/receipts.hpp"
#include "common/crypto/signature.hpp"
#include "common/model/ids.hpp"
#include "common/protocol/codec.hpp"
#include "support/world.hpp"

#include <gtest/gtest.h>

namespace psm::testing {
namespace {

namespace col = model::collection;
using client::OpState;

struct Clock {
  std::shared_ptr<std::uint64_t> now = std::make_shared<std::uint64_t>(model::HlcClock::system_now_millis());
  server::SyncService::Clock fn() const {
    return [n = now] { return *n; };
  }
};

std::string request_meeting(client::Replica& r, const std::string& placement) {
  ops::RequestMeeting p{model::new_uuid_v7(), placement, model::MeetingType::support, "Bedtimes are hard", 0};
  auto o = r.submit(p);
  EXPECT_TRUE(o.ok()) << o.reason;
  return p.meeting_id;
}

std::string op_id_for(client::Replica& r, const std::string& subject) {
  for (const auto& e : r.outbox()) {
    if (protocol::subject_of(e.op.payload) == subject) return e.op_id;
  }
  return {};
}

TEST(Receipts, EveryAcceptedOperationHasAReceiptThatVerifies_ARejectedOneHasNone) {
  Clock clock;
  World w(clock.fn());
  auto carer = w.enrol("carer-1");
  // The server learns placement p3 ended; the carer, offline, does not know yet.
  auto p3 = *w.store().get(col::kPlacements, "p3");
  p3.set("end_date", "2026-11-20", {model::Hlc::from(5, 0), "server"}, "import");
  w.store().put(p3);
  w.service().reload_reference_data();

  const auto accepted_meeting = request_meeting(*carer->replica, "p1");
  const auto rejected_meeting = request_meeting(*carer->replica, "p3");
  ops::RecordView view{model::new_uuid_v7(), accepted_meeting, model::ViewSubject::carer, "We need respite", false};
  ASSERT_TRUE(carer->replica->submit(view).ok());
  *clock.now += 1000;
  const std::uint64_t received = *clock.now;

  client::SyncReport report;
  ASSERT_FALSE(w.sync(*carer, &report));
  ASSERT_EQ(report.accepted, 2u);
  ASSERT_EQ(report.rejected, 1u);

  for (const auto& subject : {accepted_meeting, view.view_id}) {
    const auto op_id = op_id_for(*carer->replica, subject);
    auto kept = carer->replica->receipt_for(op_id);
    ASSERT_TRUE(kept) << subject;
    EXPECT_EQ(client::verify_stored_receipt(*carer->replica, *kept), "");
    EXPECT_EQ(kept->entry.subject, subject);
    EXPECT_EQ(kept->entry.children, "c1");
    EXPECT_EQ(kept->entry.received_at_ms, received);
    EXPECT_EQ(kept->entry.op_sha256, carer->replica->operation_sha256(op_id));
    // Signed by the server's own key, which the device was told of.
    EXPECT_EQ(kept->key_id, w.receipt_keys().signing_key().key_id());
    EXPECT_TRUE(
        crypto::verify_signature(w.receipt_keys().signing_key().public_key(), kept->statement, kept->signature));
  }
  const auto rejected_op = op_id_for(*carer->replica, rejected_meeting);
  ASSERT_FALSE(rejected_op.empty());
  EXPECT_EQ(carer->replica->outbox(OpState::rejected).at(0).op_id, rejected_op);
  EXPECT_FALSE(carer->replica->receipt_for(rejected_op));
  // One statement for the batch, covering exactly the two accepted operations.
  auto statement = protocol::parse_receipt_statement(
      carer->replica->receipt_for(op_id_for(*carer->replica, accepted_meeting))->statement);
  ASSERT_TRUE(statement);
  EXPECT_EQ(statement->entries.size(), 2u);
  EXPECT_EQ(statement->person_id, "carer-1");
  EXPECT_EQ(statement->device_id, carer->replica->meta("device_id").value());
}

TEST(Receipts, ReSentBatchAfterALostAnswer_GetsReceiptsWithTheFirstReceivedTime) {
  Clock clock;
  World w(clock.fn());
  auto carer = w.enrol("carer-1");
  const auto meeting = request_meeting(*carer->replica, "p1");
  const auto op_id = op_id_for(*carer->replica, meeting);
  *clock.now += 1000;
  const std::uint64_t first_received = *clock.now;
  {
    LoopbackTransport t(w.server());
    t.lose_answer_if = [](std::size_t i) { return i == 1; };  // the push's answer (0 is the sign-in)
    client::SyncReport report;
    ASSERT_TRUE(client::sync_once(*carer->replica, t, report));  // the connection "drops"
  }
  EXPECT_EQ(carer->replica->outbox(OpState::sent).size(), 1u);
  EXPECT_FALSE(carer->replica->receipt_for(op_id));

  *clock.now += 60'000;
  client::SyncReport report;
  ASSERT_FALSE(w.sync(*carer, &report));
  EXPECT_EQ(report.accepted, 1u);
  auto kept = carer->replica->receipt_for(op_id);
  ASSERT_TRUE(kept);
  EXPECT_EQ(client::verify_stored_receipt(*carer->replica, *kept), "");
  EXPECT_EQ(kept->entry.received_at_ms, first_received);
  auto statement = protocol::parse_receipt_statement(kept->statement);
  ASSERT_TRUE(statement);
  EXPECT_EQ(statement->signed_at_ms, first_received + 60'000);
  EXPECT_EQ(w.store().applied_count(), 1u);
}

// A receipt names records and children; a carer's device must never get one
// about a professionals-only record that is not its own work. A modified
// client that re-sends the op id of a professional's update on the LADO task
// (R13) is answered from the ledger without a receipt, and nothing of the
// task reaches it.
TEST(Receipts, OperationIdOfAnotherDevicesWork_GetsNoReceipt_EvenForAProfessionalsOnlyRecord) {
  World w;
  auto csw = w.enrol("csw-1");
  auto carer = w.enrol("carer-1");
  const auto meeting = request_meeting(*csw->replica, "p1");
  ops::RaiseConductConcern concern{model::new_uuid_v7(), meeting, "Shouted at the child"};
  ASSERT_TRUE(csw->replica->submit(concern).ok());
  ops::UpdateActionStatus update{concern.concern_id + ".lado", model::new_uuid_v7(), model::ActionStatus::open,
                                 model::ActionStatus::in_progress, "Spoke to the LADO"};
  ASSERT_TRUE(csw->replica->submit(update).ok());
  ASSERT_FALSE(w.sync(*csw));
  const auto update_op = op_id_for(*csw->replica, update.action_id);
  ASSERT_FALSE(update_op.empty());

  const std::string carer_device = carer->replica->meta("device_id").value();
  ops::Operation replay;
  replay.op_id = update_op;  // someone else's operation id
  replay.device_id = carer_device;
  replay.seq = 1;
  replay.payload = update;
  std::set<std::string> changed;
  const server::Identity who{carer_device, "carer-1", "carer-1", model::Role::foster_carer, "192.0.2.7"};
  const auto answer = w.service().push(who, protocol::PushRequest{{replay}}, changed);
  EXPECT_TRUE(answer.receipt.empty()) << answer.receipt.statement;
  ASSERT_FALSE(w.sync(*carer));
  EXPECT_FALSE(carer->replica->get(col::kActions, update.action_id));
  EXPECT_FALSE(carer->replica->get(col::kActionUpdates, update.update_id));
}

// A transport that changes one byte of every push answer's receipt statement.
class TamperingTransport final : public client::Transport {
 public:
  explicit TamperingTransport(server::Server& server) : inner_(server) {}
  error_code send(std::string_view bytes) override { return inner_.send(bytes); }
  Result<std::string> receive(std::chrono::milliseconds timeout) override {
    auto bytes = inner_.receive(timeout);
    if (!bytes) return bytes;
    auto message = protocol::decode(*bytes);
    if (auto* push = message ? std::get_if<protocol::PushResponse>(&*message) : nullptr) {
      auto& text = push->receipt.statement;
      const auto at = text.find("\nop ");
      if (at != std::string::npos) text[at + 5] = text[at + 5] == 'a' ? 'b' : 'a';
      return protocol::encode(*message);
    }
    return bytes;
  }

 private:
  LoopbackTransport inner_;
};

TEST(Receipts, ReceiptWithABadSignature_IsAProtocolError_AndNothingIsMarkedAnswered) {
  World w;
  auto carer = w.enrol("carer-1");
  const auto meeting = request_meeting(*carer->replica, "p1");
  const auto op_id = op_id_for(*carer->replica, meeting);
  TamperingTransport t(w.server());
  client::SyncReport report;
  auto err = client::sync_once(*carer->replica, t, report);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, Errc::malformed_message);
  EXPECT_NE(err->message.find("receipt"), std::string::npos) << err->message;
  EXPECT_EQ(carer->replica->pending_count(), 1u);  // still to be answered: sent again next time
  EXPECT_FALSE(carer->replica->receipt_for(op_id));

  ASSERT_FALSE(w.sync(*carer));
  EXPECT_EQ(carer->replica->pending_count(), 0u);
  auto kept = carer->replica->receipt_for(op_id);
  ASSERT_TRUE(kept);
  EXPECT_EQ(client::verify_stored_receipt(*carer->replica, *kept), "");
}

TEST(Receipts, LedgerEntryFromBeforeReceipts_GetsNone_TheRestOfTheBatchDoes) {
  World w;
  auto carer = w.enrol("carer-1");
  const auto old_meeting = request_meeting(*carer->replica, "p1");
  const auto new_meeting = request_meeting(*carer->replica, "p1");
  // The first was applied by a server from before receipts (its ledger entry has
  // no receipt line) and the answer never arrived.
  const auto old_op = carer->replica->outbox().front().op;
  w.store().record_applied(old_op, {old_op.op_id, 0, 0, ""}, 1'000);
  client::SyncReport report;
  ASSERT_FALSE(w.sync(*carer, &report));
  EXPECT_EQ(report.accepted, 2u);
  EXPECT_FALSE(carer->replica->receipt_for(op_id_for(*carer->replica, old_meeting)));
  auto kept = carer->replica->receipt_for(op_id_for(*carer->replica, new_meeting));
  ASSERT_TRUE(kept);
  EXPECT_EQ(client::verify_stored_receipt(*carer->replica, *kept), "");
  EXPECT_EQ(protocol::parse_receipt_statement(kept->statement)->entries.size(), 1u);
}

TEST(Receipts, ServerWithoutReceiptKeys_StillSyncs_AndGivesNoReceipt) {
  World w;
  w.service().set_receipt_keys(nullptr);
  auto carer = w.enrol("carer-1");
  const auto meeting = request_meeting(*carer->replica, "p1");
  ASSERT_FALSE(w.sync(*carer));
  EXPECT_EQ(carer->replica->pending_count(), 0u);
  EXPECT_FALSE(carer->replica->receipt_for(op_id_for(*carer->replica, meeting)));
}

}  // namespace
}  // namespace psm::testing
