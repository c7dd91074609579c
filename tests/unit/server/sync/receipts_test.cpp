#include "server/sync/receipts.hpp"

#include "common/platform/platform.hpp"
#include "store_fixture.hpp"
#include "testing/expected.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace psm::server {
namespace {

namespace fs = std::filesystem;

TEST(ReceiptKeys, LoadOrCreate_MakesAnOwnerOnlyKeyOnce_AndLoadsTheSameKeyAfter) {
  testing::TempDir dir;
  DataPaths paths(dir.path);
  bool created = false;
  auto first = ReceiptKeys::load_or_create(paths, &created);
  ASSERT_TRUE(psm::testing::succeeded(first));
  EXPECT_TRUE(created);
  EXPECT_EQ(fs::status(paths.receipt_key()).permissions() & fs::perms::mask,
            fs::perms::owner_read | fs::perms::owner_write);
  auto second = ReceiptKeys::load_or_create(paths, &created);
  ASSERT_TRUE(psm::testing::succeeded(second));
  EXPECT_FALSE(created);
  EXPECT_EQ((*second)->signing_key().key_id(), (*first)->signing_key().key_id());
  ASSERT_EQ((*second)->public_keys().size(), 1u);
  EXPECT_EQ((*second)->public_keys()[0].key_id, (*first)->signing_key().key_id());
}

TEST(ReceiptKeys, KeyFileReadableByGroupOrOthers_IsRefused) {
  testing::TempDir dir;
  DataPaths paths(dir.path);
  ASSERT_TRUE(ReceiptKeys::load_or_create(paths));
  for (auto mode : {0640, 0604}) {
    ASSERT_EQ(::chmod(paths.receipt_key().c_str(), static_cast<mode_t>(mode)), 0);
    auto keys = ReceiptKeys::load_or_create(paths);
    ASSERT_FALSE(keys);
    EXPECT_EQ(keys.error().code, Errc::permission_denied);
    EXPECT_NE(keys.error().message.find("readable by group or others"), std::string::npos) << keys.error().message;
  }
}

TEST(ReceiptKeys, NotAnEd25519Key_IsCorruptData) {
  testing::TempDir dir;
  DataPaths paths(dir.path);
  ASSERT_FALSE(platform::write_private_file(paths.receipt_key(), "hello\n"));
  auto keys = ReceiptKeys::load_or_create(paths);
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code, Errc::corrupt_data);
}

TEST(ReceiptKeys, Rotate_SignsWithANewKey_AndKeepsTheOldPublicKey) {
  testing::TempDir dir;
  DataPaths paths(dir.path);
  auto before = ReceiptKeys::load_or_create(paths);
  ASSERT_TRUE(before);
  const std::string old_id = (*before)->signing_key().key_id();
  auto rotated = ReceiptKeys::rotate(paths);
  ASSERT_TRUE(psm::testing::succeeded(rotated));
  const std::string new_id = *rotated;
  auto after = ReceiptKeys::load_or_create(paths);
  ASSERT_TRUE(psm::testing::succeeded(after));
  EXPECT_EQ((*after)->signing_key().key_id(), new_id);
  EXPECT_NE(new_id, old_id);
  ASSERT_EQ((*after)->public_keys().size(), 2u);
  EXPECT_EQ((*after)->public_keys()[0].key_id, new_id);
  EXPECT_EQ((*after)->public_keys()[1].key_id, old_id);
  // A receipt signed before the rotation still verifies under the kept key.
  const std::string message = "signed before";
  const std::string signature = (*before)->signing_key().sign(message);
  const auto& kept = (*after)->public_keys()[1].public_key;
  EXPECT_TRUE(crypto::verify_signature(std::span(reinterpret_cast<const std::uint8_t*>(kept.data()), kept.size()),
                                       message, signature));
}

TEST(ReceiptKeys, Sign_GivesACanonicalStatementThatVerifies) {
  testing::TempDir dir;
  auto keys = ReceiptKeys::load_or_create(DataPaths(dir.path));
  ASSERT_TRUE(keys);
  protocol::ReceiptEntry e{"op-1", "add-action", "act-1", "c1", 10, 20, std::string(64, 'f')};
  auto receipt = (*keys)->sign("carer-1", "dev-1", {e}, 30);
  ASSERT_TRUE(receipt);
  EXPECT_EQ(receipt->key_id, (*keys)->signing_key().key_id());
  EXPECT_TRUE(crypto::verify_signature((*keys)->signing_key().public_key(), receipt->statement, receipt->signature));
  auto parsed = protocol::parse_receipt_statement(receipt->statement);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->person_id, "carer-1");
  EXPECT_EQ(parsed->signed_at_ms, 30u);
  ASSERT_EQ(parsed->entries.size(), 1u);
  EXPECT_EQ(parsed->entries[0], e);
  e.subject = "has space";
  EXPECT_FALSE((*keys)->sign("carer-1", "dev-1", {e}, 30));
}

using LedgerReceipts = StoreFixture;

TEST_F(LedgerReceipts, KeepsTheReceiptLineAndTheDeviceWithTheEntry) {
  ops::Operation op;
  op.op_id = "op-1";
  op.device_id = "dev-1";
  op.seq = 1;
  store_->record_applied(op, {"op-1", 0, 0, ""}, 1234,
                         "op op-1 add-action act-1 - 1 1234 " + std::string(64, 'a') + "\n");
  std::string line, device;
  auto found = store_->find_applied("op-1", &line, &device);
  ASSERT_TRUE(found);
  EXPECT_EQ(line, "op op-1 add-action act-1 - 1 1234 " + std::string(64, 'a') + "\n");
  EXPECT_EQ(device, "dev-1");
}

TEST_F(LedgerReceipts, EntryWithoutAReceiptLine_IsKeptWithAnEmptyOne) {
  ops::Operation op;
  op.op_id = "op-2";
  op.device_id = "dev-1";
  op.seq = 2;
  store_->record_applied(op, {"op-2", 2, 7, "refused"}, 1234);
  std::string line = "unset";
  ASSERT_TRUE(store_->find_applied("op-2", &line));
  EXPECT_EQ(line, "");
}

}  // namespace
}  // namespace psm::server
