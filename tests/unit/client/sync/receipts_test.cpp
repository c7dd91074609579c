#include "client/sync/receipts.hpp"

#include "client/core/views/receipts.hpp"
#include "common/crypto/hash.hpp"
#include "common/crypto/signature.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>

namespace psm::client {
namespace {

using testing::TempDir;

// A replica with two queued operations, and a server receipt key it was told of.
class ClientReceipts : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = Replica::create(HomePaths(dir_.path), "a passphrase", crypto::kScryptTest);
    ASSERT_TRUE(r);
    replica_ = std::move(*r);
    replica_->set_meta("device_id", "device-1");
    replica_->set_meta("person_id", "csw-1");
    replica_->set_meta("role", "child-social-worker");
    model::Record p;
    p.collection = model::collection::kPlacements;
    p.id = "p1";
    p.scope = "placement:p1";
    p.set("child_id", "c1", {model::Hlc::from(1, 0), "server"});
    protocol::PullResponse page;
    page.records.push_back(p);
    page.cursor = 1;
    page.scopes = {"placement:p1"};
    replica_->apply_pull(page);
    ASSERT_TRUE(replica_->submit(ops::RequestMeeting{"m1", "p1", model::MeetingType::support, "first", 0}).ok());
    ASSERT_TRUE(replica_->submit(ops::RequestMeeting{"m2", "p1", model::MeetingType::support, "second", 0}).ok());
    ops_ = replica_->pending_operations(10);
    ASSERT_EQ(ops_.size(), 2u);
    const auto& raw = key_.public_key();
    replica_->remember_receipt_keys(
        {{key_.key_id(), std::string(reinterpret_cast<const char*>(raw.data()), raw.size())}});
  }

  // The server's answer: both accepted, the receipt covering `covered` of them.
  protocol::PushResponse answer(std::size_t covered, const crypto::SigningKey& signer) {
    protocol::PushResponse response;
    protocol::ReceiptStatement s{signer.key_id(), 5000, "csw-1", "device-1", {}};
    for (const auto& op : ops_) response.results.push_back({op.op_id, 0, 0, ""});
    for (std::size_t i = 0; i < covered; ++i) s.entries.push_back(protocol::receipt_entry_for(ops_[i], "c1", 4000 + i));
    response.receipt.key_id = signer.key_id();
    response.receipt.statement = protocol::encode_receipt_statement(s).value();
    response.receipt.signature = signer.sign(response.receipt.statement);
    return response;
  }

  std::string error_of(const protocol::PushResponse& response) {
    auto checked = check_receipt(*replica_, response);
    auto* e = std::get_if<Error>(&checked);
    return e ? e->message : "";
  }

  TempDir dir_;
  std::unique_ptr<Replica> replica_;
  std::vector<ops::Operation> ops_;
  crypto::SigningKey key_ = crypto::SigningKey::generate();
};

TEST_F(ClientReceipts, GoodReceipt_IsKeptWithTheResults_AndVerifiesLater) {
  const auto response = answer(2, key_);
  auto checked = check_receipt(*replica_, response);
  ASSERT_TRUE(std::holds_alternative<std::vector<protocol::ReceiptEntry>>(checked)) << error_of(response);
  replica_->record_results(response.results, response.receipt, std::get<0>(checked));
  for (const auto& op : ops_) {
    auto kept = replica_->receipt_for(op.op_id);
    ASSERT_TRUE(kept) << op.op_id;
    EXPECT_EQ(verify_stored_receipt(*replica_, *kept), "");
    EXPECT_EQ(kept->entry.op_sha256, replica_->operation_sha256(op.op_id));
    EXPECT_EQ(kept->entry.subject, op.op_id == ops_[0].op_id ? "m1" : "m2");
  }
  // Newest received first; by record.
  auto all = replica_->receipts(0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].entry.op_id, ops_[1].op_id);
  EXPECT_EQ(replica_->receipts(1).size(), 1u);
  auto of_m1 = replica_->receipts(0, "m1");
  ASSERT_EQ(of_m1.size(), 1u);
  EXPECT_EQ(of_m1[0].entry.op_id, ops_[0].op_id);
  EXPECT_EQ(replica_->receipts(0, {}, "c1").size(), 2u);
  EXPECT_EQ(replica_->receipts(0, "m2", "c1").size(), 1u);
  EXPECT_TRUE(replica_->receipts(0, {}, "c").empty());  // a whole id, not a prefix
  EXPECT_TRUE(replica_->receipts(0, {}, "c2").empty());
}

TEST_F(ClientReceipts, TamperedStatement_IsAProtocolError) {
  auto response = answer(2, key_);
  auto at = response.receipt.statement.find(" 4000 ");
  ASSERT_NE(at, std::string::npos);
  response.receipt.statement.replace(at, 6, " 4999 ");
  EXPECT_NE(error_of(response).find("signature that does not verify"), std::string::npos) << error_of(response);
}

TEST_F(ClientReceipts, KeyTheServerNeverGave_IsAProtocolError) {
  const auto other = crypto::SigningKey::generate();
  EXPECT_NE(error_of(answer(2, other)).find("never gave this device"), std::string::npos);
}

TEST_F(ClientReceipts, ReceiptCoveringARejectedOperation_IsAProtocolError) {
  auto response = answer(2, key_);
  response.results[1].kind = static_cast<std::uint8_t>(ops::OutcomeKind::rejected);
  EXPECT_NE(error_of(response).find("did not accept"), std::string::npos) << error_of(response);
}

TEST_F(ClientReceipts, ReceiptForAnotherDevice_IsAProtocolError) {
  replica_->set_meta("device_id", "device-2");
  EXPECT_NE(error_of(answer(2, key_)).find("another key, device or person"), std::string::npos);
}

TEST_F(ClientReceipts, NoReceipt_CoversNothing_AndStoresNothing) {
  protocol::PushResponse response;
  for (const auto& op : ops_) response.results.push_back({op.op_id, 0, 0, ""});
  auto checked = check_receipt(*replica_, response);
  ASSERT_TRUE(std::holds_alternative<std::vector<protocol::ReceiptEntry>>(checked));
  EXPECT_TRUE(std::get<0>(checked).empty());
  replica_->record_results(response.results, response.receipt, std::get<0>(checked));
  EXPECT_FALSE(replica_->receipt_for(ops_[0].op_id));
}

TEST_F(ClientReceipts, SignedHashThatIsNotTheLocalOperation_IsShownAsNotVerified) {
  protocol::PushResponse response;
  response.results.push_back({ops_[0].op_id, 0, 0, ""});
  auto entry = protocol::receipt_entry_for(ops_[0], "c1", 4000);
  entry.op_sha256 = protocol::operation_sha256(ops_[1]);  // the server signed something else
  protocol::ReceiptStatement s{key_.key_id(), 5000, "csw-1", "device-1", {entry}};
  response.receipt = {key_.key_id(), protocol::encode_receipt_statement(s).value(), {}};
  response.receipt.signature = key_.sign(response.receipt.statement);
  auto checked = check_receipt(*replica_, response);
  ASSERT_TRUE(std::holds_alternative<std::vector<protocol::ReceiptEntry>>(checked));
  replica_->record_results(response.results, response.receipt, std::get<0>(checked));

  auto shown = views::receipt_json(*replica_, ops_[0].op_id, /*evidence=*/true);
  ASSERT_TRUE(shown);
  EXPECT_FALSE(shown->at("verified").as_bool());
  ASSERT_EQ(shown->at("problems").as_array().size(), 1u);
  EXPECT_NE(std::string(shown->at("problems").as_array()[0].as_string()).find("differs"), std::string::npos);

  // The honest one verifies, and carries what an outsider needs to check it.
  auto good = answer(2, key_);
  replica_->record_results(good.results, good.receipt, std::get<0>(check_receipt(*replica_, good)));
  auto fine = views::receipt_json(*replica_, ops_[1].op_id, /*evidence=*/true);
  ASSERT_TRUE(fine);
  EXPECT_TRUE(fine->at("verified").as_bool());
  EXPECT_EQ(fine->at("signature_base64").as_string(), crypto::to_base64(good.receipt.signature));
  EXPECT_EQ(fine->at("public_key_pem").as_string(), key_.public_pem());
}

}  // namespace
}  // namespace psm::client
