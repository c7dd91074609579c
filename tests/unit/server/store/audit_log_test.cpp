#include "server/store/audit_log.hpp"
#include "server/store/server_store.hpp"

#include "common/store/transaction.hpp"

#include "store_fixture.hpp"

#include <gtest/gtest.h>

namespace psm::server {
namespace {

class AuditLogTest : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    for (int i = 1; i <= 5; ++i) {
      AuditEntry e;
      e.server_time_ms = 1'700'000'000'000 + static_cast<std::uint64_t>(i);
      e.kind = "operation";
      e.username = i % 2 ? "priya" : "jo";
      e.device_id = i % 2 ? "dev-priya" : "dev-jo";
      e.children = i == 3 ? "c1,c2" : "c1";
      e.detail = "RecordView op-" + std::to_string(i) + ": accepted";
      store_->audit().append(e);
    }
  }
  store::Database& db() { return store_->database(); }
};

TEST_F(AuditLogTest, IntactChain_Verifies_AndReportsItsHead) {
  auto v = store_->audit().verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.entries, 5u);
  EXPECT_EQ(v.head_hash, store_->audit().query({}).back().hash);
}

TEST_F(AuditLogTest, EditedEntry_IsDetectedAtThatEntry) {
  db().exec("UPDATE audit_log SET detail = 'RecordView op-3: rejected' WHERE seq = 3");
  auto v = store_->audit().verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad_seq, 3u);
  EXPECT_NE(v.problem.find("changed"), std::string::npos) << v.problem;
}

TEST_F(AuditLogTest, EditedEntryWithItsHashRecomputed_BreaksTheNextLink) {
  // Someone who knows the scheme rewrites entry 3 and its own hash: entry 4
  // still names the old hash.
  auto entries = store_->audit().query({});
  AuditEntry forged = entries[2];
  forged.username = "someone-else";
  forged.hash = AuditLog::hash_of(forged);
  auto s = db().prepare("UPDATE audit_log SET username = ?1, hash = ?2 WHERE seq = 3");
  s.bind(1, forged.username).bind(2, forged.hash);
  s.step();
  auto v = store_->audit().verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad_seq, 4u);
}

TEST_F(AuditLogTest, RemovedMiddleEntry_IsDetected) {
  db().exec("DELETE FROM audit_log WHERE seq = 2");
  auto v = store_->audit().verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad_seq, 2u);
  EXPECT_NE(v.problem.find("missing"), std::string::npos) << v.problem;
}

TEST_F(AuditLogTest, RemovedLastEntries_AreDetectedByTheRecordedHead) {
  db().exec("DELETE FROM audit_log WHERE seq >= 4");
  auto v = store_->audit().verify();
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find("removed from the end"), std::string::npos) << v.problem;
}

TEST_F(AuditLogTest, EmptiedTrail_WithItsRecordedHeadRemovedToo_IsNotIntact) {
  db().exec("DELETE FROM audit_log");
  db().exec("DELETE FROM meta WHERE key = 'audit_head'");
  auto v = store_->audit().verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.entries, 0u);
  EXPECT_NE(v.problem.find("every entry was removed"), std::string::npos) << v.problem;
}

TEST_F(AuditLogTest, AppendAfterReopen_ContinuesTheChain) {
  store_.reset();
  auto s = ServerStore::open(DataPaths(dir_.path));
  ASSERT_TRUE(psm::testing::succeeded(s));
  AuditEntry e;
  e.kind = "admin";
  e.detail = "revoked device dev-jo";
  (*s)->audit().append(e);
  auto v = (*s)->audit().verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.entries, 6u);
}

TEST_F(AuditLogTest, Query_FiltersByChildUserAndDevice_OldestFirst) {
  auto about_c2 = store_->audit().query({"c2", "", "", 0});
  ASSERT_EQ(about_c2.size(), 1u);
  EXPECT_EQ(about_c2[0].seq, 3u);
  // "c1" must not match "c10"-style prefixes: exact ids only.
  EXPECT_TRUE(store_->audit().query({"c", "", "", 0}).empty());
  auto jo = store_->audit().query({"", "jo", "", 0});
  ASSERT_EQ(jo.size(), 2u);
  EXPECT_LT(jo[0].seq, jo[1].seq);
  auto last = store_->audit().query({"", "", "dev-priya", 1});
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].seq, 5u);
}

TEST_F(AuditLogTest, RolledBackTransaction_LeavesNoEntryAndNoGap) {
  {
    store::Transaction tx(db());
    AuditEntry e;
    e.kind = "operation";
    e.detail = "never committed";
    store_->audit().append(e);
  }  // rolled back
  AuditEntry e;
  e.kind = "operation";
  e.detail = "committed";
  store_->audit().append(e);
  auto v = store_->audit().verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.entries, 6u);
  EXPECT_EQ(store_->audit().query({}).back().detail, "committed");
}

}  // namespace
}  // namespace psm::server
