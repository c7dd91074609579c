// What every server store backend must do (server/store/store.hpp), as a
// typed GoogleTest suite over a backend factory. A backend passes it by
// defining a factory and instantiating the suite with it, e.g.
//
//   struct PostgresBackend {
//     // First call: a new, empty, initialised store (its epoch set). Later
//     // calls: another connection to that same store, as another process has.
//     std::unique_ptr<server::Store> open();
//   };
//   INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, StoreContract, ::testing::Types<PostgresBackend>);
//
// The factory is default-constructed once per test and destroyed after the
// test's stores. store_contract_test.cpp instantiates it for SQLCipher.
#pragma once

#include "common/error.hpp"
#include "common/model/record.hpp"
#include "common/ops/operation.hpp"
#include "common/store/database.hpp"
#include "server/store/store.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <stdexcept>
#include <string>

namespace psm::server::contract {

inline model::Record record(const std::string& id, const std::string& scope, bool professionals_only = false,
                            const std::string& collection = "meetings") {
  model::Record r;
  r.collection = collection;
  r.id = id;
  r.scope = scope;
  r.professionals_only = professionals_only;
  r.set("reason", "r-" + id, {model::Hlc::from(1, 0), "d"}, "p");
  return r;
}

inline ops::Operation operation(const std::string& op_id, const std::string& device_id, std::uint64_t seq) {
  ops::Operation op;
  op.op_id = op_id;
  op.device_id = device_id;
  op.seq = seq;
  return op;
}

inline Device device(const std::string& id, const std::string& username, std::uint64_t enrolled_at_ms) {
  Device d;
  d.device_id = id;
  d.username = username;
  d.name = "tablet " + id;
  d.token_hash = "hash-" + id;
  d.enrolled_at_ms = d.last_seen_ms = enrolled_at_ms;
  d.token_expires_at_ms = enrolled_at_ms + 1000;
  return d;
}

inline Account account(const std::string& username, const std::string& person_id) {
  return {username, person_id, model::Role::child_social_worker, "Name of " + username, "hash of " + username};
}

inline AuditEntry audit_entry(const std::string& username, const std::string& children, const std::string& detail) {
  AuditEntry e;
  e.server_time_ms = 1'700'000'000'000;
  e.kind = "operation";
  e.username = username;
  e.device_id = "dev-" + username;
  e.children = children;
  e.detail = detail;
  return e;
}

template <class Backend>
class StoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = backend_.open();
    ASSERT_TRUE(store_);
  }
  // Another connection to the same store, as another process has.
  std::unique_ptr<Store> another() {
    auto s = backend_.open();
    if (!s) throw std::runtime_error("the backend did not open a second connection");
    return s;
  }
  Store& store() { return *store_; }
  void put_committed(const model::Record& r) {
    auto work = store_->begin();
    store_->put(r);
    work.commit();
  }

  Backend backend_;  // destroyed after the stores below
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(StoreContract);

// --- records

TYPED_TEST_P(StoreContract, Get_ReturnsWhatWasPut_AndNothingForAnUnknownId) {
  this->put_committed(record("m1", "placement:a"));
  auto got = this->store().get("meetings", "m1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->scope, "placement:a");
  EXPECT_EQ(got->value("reason"), "r-m1");
  EXPECT_FALSE(this->store().get("meetings", "m2"));
  EXPECT_FALSE(this->store().get("actions", "m1"));
}

TYPED_TEST_P(StoreContract, Put_SameCollectionAndId_ReplacesTheRecord) {
  this->put_committed(record("m1", "placement:a"));
  auto changed = record("m1", "placement:a");
  changed.set("reason", "changed", {model::Hlc::from(2, 0), "d"}, "p");
  this->put_committed(changed);
  EXPECT_EQ(this->store().get("meetings", "m1")->value("reason"), "changed");
  EXPECT_EQ(this->store().all_in("meetings").size(), 1u);
}

TYPED_TEST_P(StoreContract, ListInScope_ReturnsThatCollectionInThatScope_ById) {
  {
    auto work = this->store().begin();
    this->store().put(record("m2", "placement:a"));
    this->store().put(record("m1", "placement:a"));
    this->store().put(record("m3", "placement:b"));
    this->store().put(record("x1", "placement:a", false, "actions"));
    work.commit();
  }
  auto in_a = this->store().list_in_scope("meetings", "placement:a");
  ASSERT_EQ(in_a.size(), 2u);
  EXPECT_EQ(in_a[0].id, "m1");
  EXPECT_EQ(in_a[1].id, "m2");
  EXPECT_TRUE(this->store().list_in_scope("meetings", "placement:c").empty());
  auto all = this->store().all_in("meetings");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "m1");
  EXPECT_EQ(all[2].id, "m3");
}

TYPED_TEST_P(StoreContract, LastSeq_IncreasesStrictlyWithEveryPut_AcrossCommits) {
  EXPECT_EQ(this->store().last_seq(), 0u);
  std::uint64_t before = 0;
  for (int i = 0; i < 3; ++i) {
    this->put_committed(record("m" + std::to_string(i), "placement:a"));
    const auto now = this->store().last_seq();
    EXPECT_GT(now, before);
    before = now;
  }
  this->put_committed(record("m0", "placement:a"));  // a replaced record gets a new number too
  EXPECT_GT(this->store().last_seq(), before);
}

TYPED_TEST_P(StoreContract, Put_NumbersFollowAnotherConnectionsCommits) {
  auto other = this->another();
  this->put_committed(record("m1", "placement:a"));
  {
    auto work = other->begin();
    other->put(record("m2", "placement:a"));
    work.commit();
  }
  const auto after_other = this->store().last_seq();
  this->put_committed(record("m3", "placement:a"));
  EXPECT_GT(this->store().last_seq(), after_other);
  auto page = this->store().pull({{"placement:a", 0}}, 0, 10, true);
  ASSERT_EQ(page.records.size(), 3u);
  EXPECT_EQ(page.records[0].id, "m1");
  EXPECT_EQ(page.records[1].id, "m2");
  EXPECT_EQ(page.records[2].id, "m3");
}

TYPED_TEST_P(StoreContract, Pull_ReturnsChangesAfterEachScopesStart_InSequenceOrder) {
  this->put_committed(record("a1", "placement:a"));
  this->put_committed(record("b1", "placement:b"));
  const auto cursor = this->store().last_seq();
  this->put_committed(record("a2", "placement:a"));
  this->put_committed(record("b2", "placement:b"));
  this->put_committed(record("c1", "placement:c"));
  // a is known up to the cursor; b is new to the device (from 0); c is not its scope.
  auto page = this->store().pull({{"placement:a", cursor}, {"placement:b", 0}}, cursor, 10, true);
  ASSERT_EQ(page.records.size(), 3u);
  EXPECT_EQ(page.records[0].id, "b1");
  EXPECT_EQ(page.records[1].id, "a2");
  EXPECT_EQ(page.records[2].id, "b2");
  EXPECT_FALSE(page.more);
  EXPECT_EQ(page.cursor, this->store().last_seq());
  EXPECT_EQ(page.remaining, 0u);
}

TYPED_TEST_P(StoreContract, Pull_LeavesOutProfessionalsOnlyRecords_ForCarers) {
  this->put_committed(record("open", "placement:a"));
  this->put_committed(record("closed", "placement:a", /*professionals_only=*/true));
  auto carer = this->store().pull({{"placement:a", 0}}, 0, 10, false);
  ASSERT_EQ(carer.records.size(), 1u);
  EXPECT_EQ(carer.records[0].id, "open");
  EXPECT_EQ(carer.cursor, this->store().last_seq());  // past what it may not see, too
  EXPECT_EQ(this->store().pull({{"placement:a", 0}}, 0, 10, true).records.size(), 2u);
}

TYPED_TEST_P(StoreContract, Pull_StopsAtTheLimit_SayingMoreAndHowManyRemain) {
  for (int i = 0; i < 5; ++i) this->put_committed(record("m" + std::to_string(i), "placement:a"));
  auto first = this->store().pull({{"placement:a", 0}}, 0, 2, true);
  ASSERT_EQ(first.records.size(), 2u);
  EXPECT_TRUE(first.more);
  EXPECT_EQ(first.remaining, 3u);
  std::set<std::string> seen;
  for (const auto& r : first.records) seen.insert(r.id);
  auto cursor = first.cursor;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = this->store().pull({{"placement:a", cursor}}, cursor, 2, true);
    for (const auto& r : page.records) EXPECT_TRUE(seen.insert(r.id).second) << r.id << " twice";
    cursor = page.cursor;
    if (!page.more) break;
  }
  EXPECT_EQ(seen.size(), 5u);
}

// --- units of work

TYPED_TEST_P(StoreContract, UnitOfWork_Commit_MakesEverythingVisibleToAnotherConnection) {
  auto other = this->another();
  {
    auto work = this->store().begin();
    this->store().put(record("m1", "placement:a"));
    this->store().set_meta("colour", "blue");
    this->store().record_applied(operation("op-1", "dev-1", 1), {"op-1", 0, 0, ""}, 1000);
    work.commit();
  }
  EXPECT_TRUE(other->get("meetings", "m1"));
  EXPECT_EQ(other->meta("colour"), "blue");
  EXPECT_TRUE(other->find_applied("op-1"));
}

TYPED_TEST_P(StoreContract, UnitOfWork_Rollback_DiscardsRecordsLedgerMetaAndAudit) {
  this->put_committed(record("kept", "placement:a"));
  const auto seq = this->store().last_seq();
  {
    auto work = this->store().begin();
    this->store().put(record("m1", "placement:a"));
    this->store().set_meta("colour", "blue");
    this->store().record_applied(operation("op-1", "dev-1", 1), {"op-1", 0, 0, ""}, 1000);
    this->store().audit().append(audit_entry("priya", "c1", "RecordView op-1: accepted"));
    work.rollback();
  }
  EXPECT_FALSE(this->store().get("meetings", "m1"));
  EXPECT_EQ(this->store().meta("colour"), "");
  EXPECT_FALSE(this->store().find_applied("op-1"));
  EXPECT_EQ(this->store().applied_count(), 0u);
  EXPECT_TRUE(this->store().audit().query({}).empty());
  EXPECT_EQ(this->store().last_seq(), seq);
  EXPECT_TRUE(this->store().get("meetings", "kept"));
}

TYPED_TEST_P(StoreContract, UnitOfWork_NotCommitted_LeavesNothing_WhenItGoesOutOfScope) {
  try {
    auto work = this->store().begin();
    this->store().put(record("m1", "placement:a"));
    this->store().record_applied(operation("op-1", "dev-1", 1), {"op-1", 0, 0, ""}, 1000);
    throw std::runtime_error("the batch failed half-way");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(this->store().get("meetings", "m1"));
  EXPECT_FALSE(this->store().find_applied("op-1"));
  // The store is usable afterwards.
  this->put_committed(record("m2", "placement:a"));
  EXPECT_TRUE(this->store().get("meetings", "m2"));
}

TYPED_TEST_P(StoreContract, UnitOfWork_Begin_ThrowsStoreError_InsideAnotherUnit) {
  auto work = this->store().begin();
  this->store().put(record("m1", "placement:a"));
  EXPECT_THROW((void)this->store().begin(), StoreError);
  work.commit();  // the outer unit is unharmed
  EXPECT_TRUE(this->store().get("meetings", "m1"));
}

TYPED_TEST_P(StoreContract, UnitOfWork_Snapshot_DoesNotSeeACommitMadeDuringIt) {
  this->put_committed(record("m1", "placement:a"));
  auto other = this->another();
  {
    auto snapshot = this->store().begin(WorkKind::snapshot);
    EXPECT_EQ(this->store().all_in("meetings").size(), 1u);  // the snapshot starts at its first read
    {
      auto work = other->begin();
      other->put(record("m2", "placement:a"));
      work.commit();
    }
    EXPECT_EQ(this->store().all_in("meetings").size(), 1u);
    snapshot.commit();
  }
  EXPECT_EQ(this->store().all_in("meetings").size(), 2u);
}

TYPED_TEST_P(StoreContract, CommitWithoutFsync_CommitsItsWork_AndLaterUnitsStillWork) {
  this->store().commit_without_fsync([&] { this->store().put(record("m1", "placement:a")); });
  EXPECT_TRUE(this->store().get("meetings", "m1"));
  EXPECT_THROW(this->store().commit_without_fsync([&] {
    this->store().put(record("m2", "placement:a"));
    throw StoreError(make_error_code(Errc::io_error), "disk gone");
  }),
               StoreError);
  EXPECT_FALSE(this->store().get("meetings", "m2"));
  this->put_committed(record("m3", "placement:a"));
  EXPECT_TRUE(this->another()->get("meetings", "m3"));
}

// --- exactly-once ledger

TYPED_TEST_P(StoreContract, Ledger_FindsAnAppliedOperation_WithItsResultReceiptLineAndDevice) {
  {
    auto work = this->store().begin();
    this->store().record_applied(operation("op-1", "dev-1", 7), {"op-1", 2, 7, "not allowed"}, 1000, "line-1");
    work.commit();
  }
  std::string line, device_id;
  auto found = this->store().find_applied("op-1", &line, &device_id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->op_id, "op-1");
  EXPECT_EQ(found->kind, 2u);
  EXPECT_EQ(found->error, 7u);
  EXPECT_EQ(found->reason, "not allowed");
  EXPECT_EQ(line, "line-1");
  EXPECT_EQ(device_id, "dev-1");
  EXPECT_EQ(this->store().op_at_device_seq("dev-1", 7), std::optional<std::string>("op-1"));
  EXPECT_FALSE(this->store().op_at_device_seq("dev-1", 8));
  EXPECT_FALSE(this->store().op_at_device_seq("dev-2", 7));
  EXPECT_FALSE(this->store().find_applied("op-2"));
  EXPECT_EQ(this->store().applied_count(), 1u);
}

TYPED_TEST_P(StoreContract, Ledger_RecordApplied_Throws_WhenTheOpIdOrTheDeviceSequenceIsTaken) {
  {
    auto work = this->store().begin();
    this->store().record_applied(operation("op-1", "dev-1", 1), {"op-1", 0, 0, ""}, 1000);
    work.commit();
  }
  {
    auto work = this->store().begin();
    EXPECT_THROW(this->store().record_applied(operation("op-1", "dev-1", 2), {"op-1", 0, 0, ""}, 1000), StoreError);
  }
  {
    auto work = this->store().begin();
    EXPECT_THROW(this->store().record_applied(operation("op-2", "dev-1", 1), {"op-2", 0, 0, ""}, 1000), StoreError);
  }
  EXPECT_EQ(this->store().applied_count(), 1u);
  std::string line;
  ASSERT_TRUE(this->store().find_applied("op-1", &line));
  EXPECT_EQ(line, "");  // kept without a receipt line
}

// --- accounts and devices

TYPED_TEST_P(StoreContract, Accounts_AreFoundByUsernameAndPerson_AndNeitherMayBeTakenTwice) {
  ASSERT_FALSE(this->store().add_account(account("priya", "sw-1")));
  auto by_name = this->store().find_account("priya");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->person_id, "sw-1");
  EXPECT_EQ(by_name->role, model::Role::child_social_worker);
  EXPECT_EQ(by_name->display_name, "Name of priya");
  EXPECT_EQ(by_name->password_hash, "hash of priya");
  EXPECT_EQ(this->store().find_account_by_person("sw-1")->username, "priya");
  EXPECT_FALSE(this->store().find_account("jo"));
  EXPECT_FALSE(this->store().find_account_by_person("sw-2"));
  EXPECT_EQ(this->store().add_account(account("priya", "sw-2")), Errc::already_exists);
  EXPECT_EQ(this->store().add_account(account("jo", "sw-1")), Errc::already_exists);
}

TYPED_TEST_P(StoreContract, Devices_AreEnrolledListedTouchedAndRevoked) {
  ASSERT_FALSE(this->store().add_account(account("priya", "sw-1")));
  this->store().add_device(device("d2", "priya", 200));
  this->store().add_device(device("d1", "priya", 100));
  auto listed = this->store().list_devices();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].device_id, "d1");  // oldest enrolment first
  EXPECT_EQ(listed[1].device_id, "d2");
  auto d1 = this->store().find_device("d1");
  ASSERT_TRUE(d1);
  EXPECT_EQ(d1->username, "priya");
  EXPECT_EQ(d1->name, "tablet d1");
  EXPECT_EQ(d1->token_hash, "hash-d1");
  EXPECT_EQ(d1->token_expires_at_ms, 1100u);
  EXPECT_FALSE(d1->revoked);
  this->store().commit_without_fsync([&] { this->store().touch_device("d1", 500); });
  EXPECT_EQ(this->store().find_device("d1")->last_seen_ms, 500u);
  EXPECT_TRUE(this->store().revoke_device("d1"));
  EXPECT_TRUE(this->store().find_device("d1")->revoked);
  EXPECT_FALSE(this->store().find_device("d2")->revoked);
  EXPECT_FALSE(this->store().revoke_device("no-such-device"));
  EXPECT_FALSE(this->store().find_device("no-such-device"));
}

TYPED_TEST_P(StoreContract, DeviceTokens_RenewKeepingThePrevious_UntilItIsForgotten) {
  ASSERT_FALSE(this->store().add_account(account("priya", "sw-1")));
  this->store().add_device(device("d1", "priya", 100));
  {
    auto work = this->store().begin();
    this->store().set_device_token("d1", "new-hash", "hash-d1", 9000);
    work.commit();
  }
  auto d = this->store().find_device("d1");
  EXPECT_EQ(d->token_hash, "new-hash");
  EXPECT_EQ(d->previous_token_hash, "hash-d1");
  EXPECT_EQ(d->token_expires_at_ms, 9000u);
  this->store().forget_previous_token("d1");
  d = this->store().find_device("d1");
  EXPECT_EQ(d->token_hash, "new-hash");
  EXPECT_EQ(d->previous_token_hash, "");
}

// --- the audit trail

TYPED_TEST_P(StoreContract, Audit_AppendChainsEachEntry_AndVerifyReportsTheHead) {
  this->store().audit().append(audit_entry("priya", "c1", "RecordView op-1: accepted"));
  {
    auto work = this->store().begin();  // joins a unit of work
    this->store().audit().append(audit_entry("jo", "c1,c2", "RecordView op-2: accepted"));
    work.commit();
  }
  this->store().audit().append(audit_entry("priya", "c3", "RecordView op-3: accepted"));
  auto all = this->store().audit().query({});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].seq, 1u);
  EXPECT_EQ(all[0].prev_hash, std::string(64, '0'));
  EXPECT_EQ(all[1].seq, 2u);
  EXPECT_EQ(all[1].prev_hash, all[0].hash);
  EXPECT_EQ(all[2].prev_hash, all[1].hash);
  EXPECT_EQ(all[1].detail, "RecordView op-2: accepted");
  auto v = this->store().audit().verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.entries, 3u);
  EXPECT_EQ(v.head_hash, all[2].hash);
  EXPECT_EQ(this->another()->audit().verify().head_hash, all[2].hash);
}

TYPED_TEST_P(StoreContract, Audit_Query_FiltersByChildPersonAndDevice_NewestWithALimit) {
  this->store().audit().append(audit_entry("priya", "c1", "one"));
  this->store().audit().append(audit_entry("jo", "c1,c2", "two"));
  this->store().audit().append(audit_entry("priya", "c12", "three"));
  AuditFilter child;
  child.child_id = "c1";
  auto for_child = this->store().audit().query(child);
  ASSERT_EQ(for_child.size(), 2u);  // not c12
  EXPECT_EQ(for_child[0].detail, "one");
  EXPECT_EQ(for_child[1].detail, "two");
  AuditFilter person;
  person.username = "priya";
  EXPECT_EQ(this->store().audit().query(person).size(), 2u);
  AuditFilter dev;
  dev.device_id = "dev-jo";
  EXPECT_EQ(this->store().audit().query(dev).size(), 1u);
  AuditFilter newest;
  newest.limit = 2;
  auto last_two = this->store().audit().query(newest);
  ASSERT_EQ(last_two.size(), 2u);
  EXPECT_EQ(last_two[0].detail, "two");
  EXPECT_EQ(last_two[1].detail, "three");
}

TYPED_TEST_P(StoreContract, Audit_VerifyOfAnEmptyTrail_IsNotIntact) { EXPECT_FALSE(this->store().audit().verify().ok); }

// --- small named values, the epoch, changes elsewhere

TYPED_TEST_P(StoreContract, Meta_IsEmptyUntilSet_ThenReadsBackAndIsReplaced) {
  EXPECT_EQ(this->store().meta("colour"), "");
  this->store().set_meta("colour", "blue");
  EXPECT_EQ(this->store().meta("colour"), "blue");
  this->store().set_meta("colour", "green");
  EXPECT_EQ(this->store().meta("colour"), "green");
  EXPECT_EQ(this->another()->meta("colour"), "green");
}

TYPED_TEST_P(StoreContract, Epoch_IsSetWhenTheStoreIsCreated_AndEveryConnectionSeesTheSame) {
  const auto epoch = this->store().epoch();
  EXPECT_FALSE(epoch.empty());
  EXPECT_EQ(this->store().meta(Store::kEpoch), epoch);
  EXPECT_EQ(this->another()->epoch(), epoch);
}

TYPED_TEST_P(StoreContract, DataVersion_StaysAcrossOwnCommits_AndChangesWhenAnotherConnectionCommits) {
  const auto start = this->store().data_version();
  this->put_committed(record("m1", "placement:a"));
  this->store().set_meta("colour", "blue");
  EXPECT_EQ(this->store().data_version(), start);
  auto other = this->another();
  other->set_meta("colour", "green");
  EXPECT_NE(this->store().data_version(), start);
}

TYPED_TEST_P(StoreContract, LoadReferenceData_HoldsPeopleHouseholdsChildrenAndPlacements) {
  {
    auto work = this->store().begin();
    this->store().put(record("sw-1", "directory", false, "people"));
    this->store().put(record("h1", "household:h1", false, "households"));
    this->store().put(record("c1", "child:c1", false, "children"));
    this->store().put(record("p1", "placement:p1", false, "placements"));
    this->store().put(record("m1", "placement:p1"));
    work.commit();
  }
  auto ref = this->store().load_reference_data();
  EXPECT_TRUE(ref.find("people", "sw-1"));
  EXPECT_TRUE(ref.find("households", "h1"));
  EXPECT_TRUE(ref.find("children", "c1"));
  EXPECT_TRUE(ref.find("placements", "p1"));
  EXPECT_FALSE(ref.find("meetings", "m1"));
}

REGISTER_TYPED_TEST_SUITE_P(
    StoreContract, Get_ReturnsWhatWasPut_AndNothingForAnUnknownId, Put_SameCollectionAndId_ReplacesTheRecord,
    ListInScope_ReturnsThatCollectionInThatScope_ById, LastSeq_IncreasesStrictlyWithEveryPut_AcrossCommits,
    Put_NumbersFollowAnotherConnectionsCommits, Pull_ReturnsChangesAfterEachScopesStart_InSequenceOrder,
    Pull_LeavesOutProfessionalsOnlyRecords_ForCarers, Pull_StopsAtTheLimit_SayingMoreAndHowManyRemain,
    UnitOfWork_Commit_MakesEverythingVisibleToAnotherConnection, UnitOfWork_Rollback_DiscardsRecordsLedgerMetaAndAudit,
    UnitOfWork_NotCommitted_LeavesNothing_WhenItGoesOutOfScope, UnitOfWork_Begin_ThrowsStoreError_InsideAnotherUnit,
    UnitOfWork_Snapshot_DoesNotSeeACommitMadeDuringIt, CommitWithoutFsync_CommitsItsWork_AndLaterUnitsStillWork,
    Ledger_FindsAnAppliedOperation_WithItsResultReceiptLineAndDevice,
    Ledger_RecordApplied_Throws_WhenTheOpIdOrTheDeviceSequenceIsTaken,
    Accounts_AreFoundByUsernameAndPerson_AndNeitherMayBeTakenTwice, Devices_AreEnrolledListedTouchedAndRevoked,
    DeviceTokens_RenewKeepingThePrevious_UntilItIsForgotten, Audit_AppendChainsEachEntry_AndVerifyReportsTheHead,
    Audit_Query_FiltersByChildPersonAndDevice_NewestWithALimit, Audit_VerifyOfAnEmptyTrail_IsNotIntact,
    Meta_IsEmptyUntilSet_ThenReadsBackAndIsReplaced, Epoch_IsSetWhenTheStoreIsCreated_AndEveryConnectionSeesTheSame,
    DataVersion_StaysAcrossOwnCommits_AndChangesWhenAnotherConnectionCommits,
    LoadReferenceData_HoldsPeopleHouseholdsChildrenAndPlacements);

}  // namespace psm::server::contract
