#include "server/store/server_store.hpp"

#include "common/crypto/hash.hpp"
#include "common/platform/platform.hpp"
#include "common/store/transaction.hpp"
#include "server/sync/sync_service.hpp"
#include "testing/expected.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <random>

namespace psm::server {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

model::Record rec(const std::string& id, const std::string& scope, bool professionals_only = false) {
  model::Record r;
  r.collection = "meetings";
  r.id = id;
  r.scope = scope;
  r.professionals_only = professionals_only;
  r.set("reason", "r-" + id, {model::Hlc::from(1, 0), "d"}, "p");
  return r;
}

TEST(ServerStore, Create_WritesKeyFileOwnerOnly_AndRefusesToOverwrite) {
  TempDir dir;
  DataPaths paths(dir.path);
  ASSERT_TRUE(psm::testing::succeeded(ServerStore::create(paths)));
  struct stat st {};
  ASSERT_EQ(::stat(paths.key().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = ServerStore::create(paths);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::already_exists);
}

TEST(ServerStore, Open_RefusesKeyFileReadableByOthers) {
  TempDir dir;
  DataPaths paths(dir.path);
  ASSERT_TRUE(ServerStore::create(paths));
  fs::permissions(paths.key(), fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read,
                  fs::perm_options::replace);
  auto opened = ServerStore::open(paths);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, Errc::permission_denied);
  EXPECT_NE(opened.error().message.find("chmod 600"), std::string::npos);
}

TEST(ServerStore, Pull_PagesThroughEveryRecordOnce_AcrossScopesAndBackfill) {
  TempDir dir;
  DataPaths paths(dir.path);
  auto store = ServerStore::create(paths);
  ASSERT_TRUE(store);
  auto& s = **store;
  {
    store::Transaction tx(s.database());
    for (int i = 0; i < 2500; ++i)
      s.put(rec("m" + std::to_string(i), i % 3 == 0 ? "placement:a" : i % 3 == 1 ? "placement:b" : "placement:c"));
    tx.commit();
  }
  // Known: a and b from cursor 0; then c appears as a new scope midway.
  std::set<std::string> seen;
  std::uint64_t cursor = 0;
  std::map<std::string, std::uint64_t> starts{{"placement:a", 0}, {"placement:b", 0}};
  int pages = 0;
  for (;;) {
    auto page = s.pull(starts, cursor, 1000, true);
    ++pages;
    for (auto& r : page.records) seen.insert(r.id);
    cursor = page.cursor;
    for (auto& [scope, start] : starts) start = cursor;
    if (!page.more) break;
  }
  EXPECT_EQ(seen.size(), 2500u - 833u);  // every record of a and b
  EXPECT_GE(pages, 2);
  // Scope c is new to the device: back-filled from the start.
  starts["placement:c"] = 0;
  std::set<std::string> c_seen;
  for (;;) {
    auto page = s.pull(starts, cursor, 1000, true);
    for (auto& r : page.records) c_seen.insert(r.id);
    cursor = page.cursor;
    for (auto& [scope, start] : starts) start = cursor;
    if (!page.more) break;
  }
  EXPECT_EQ(c_seen.size(), 833u);
  EXPECT_EQ(cursor, s.last_seq());
}

TEST(ServerStore, Pull_LeavesOutProfessionalsOnlyRecordsForCarers) {
  TempDir dir;
  DataPaths paths(dir.path);
  auto store = ServerStore::create(paths);
  ASSERT_TRUE(store);
  (*store)->put(rec("open", "placement:a"));
  (*store)->put(rec("private", "placement:a", true));
  auto carer = (*store)->pull({{"placement:a", 0}}, 0, 1000, false);
  ASSERT_EQ(carer.records.size(), 1u);
  EXPECT_EQ(carer.records[0].id, "open");
  EXPECT_EQ((*store)->pull({{"placement:a", 0}}, 0, 1000, true).records.size(), 2u);
}

TEST(ServerStore, Pull_SaysHowManyRecordsRemain_CountingOnlyWhatThePersonMayReceive) {
  TempDir dir;
  DataPaths paths(dir.path);
  auto store = ServerStore::create(paths);
  ASSERT_TRUE(store);
  auto& s = **store;
  {
    store::Transaction tx(s.database());
    // 1,500 in a, of which 300 professionals-only; 700 in b; 400 in a scope this person does not see.
    for (int i = 0; i < 1500; ++i) s.put(rec("a" + std::to_string(i), "placement:a", i % 5 == 0));
    for (int i = 0; i < 700; ++i) s.put(rec("b" + std::to_string(i), "placement:b"));
    for (int i = 0; i < 400; ++i) s.put(rec("x" + std::to_string(i), "placement:x"));
    tx.commit();
  }
  for (const bool professional : {true, false}) {
    const std::uint64_t total = professional ? 2200 : 1900;
    std::map<std::string, std::uint64_t> starts{{"placement:a", 0}, {"placement:b", 0}};
    std::uint64_t cursor = 0, received = 0;
    for (;;) {
      auto page = s.pull(starts, cursor, 500, professional);
      received += page.records.size();
      EXPECT_EQ(received + page.remaining, total) << "professional=" << professional << " after " << received;
      if (!page.more) {
        EXPECT_EQ(page.remaining, 0u);
        break;
      }
      cursor = page.cursor;
      for (auto& [scope, start] : starts) start = cursor;
    }
    EXPECT_EQ(received, total);
  }
}

TEST(ServerStore, CommitWithoutFsync_CommitsItsWork_AndLeavesLaterCommitsSynchronous) {
  TempDir dir;
  DataPaths paths(dir.path);
  auto store = ServerStore::create(paths);
  ASSERT_TRUE(store);
  auto& s = **store;
  ASSERT_FALSE(s.add_account({"jo", "carer-1", model::Role::foster_carer, "Jo", "hash"}));
  s.add_device({"device-1", "jo", "laptop", "token-hash", 1, 1, false});
  s.commit_without_fsync([&] { s.touch_device("device-1", 12345); });
  EXPECT_EQ(s.find_device("device-1")->last_seen_ms, 12345u);
  EXPECT_THROW(s.commit_without_fsync([] { throw StoreError(make_error_code(Errc::busy), "test"); }), StoreError);
  // Acknowledged operations must still survive power loss: FULL (2) again.
  auto pragma = s.database().prepare("PRAGMA synchronous");
  ASSERT_TRUE(pragma.step());
  EXPECT_EQ(pragma.column_int64(0), 2);
}

TEST(ServerStore, Reopen_KeepsRecordsAndSequence) {
  TempDir dir;
  DataPaths paths(dir.path);
  {
    auto store = ServerStore::create(paths);
    ASSERT_TRUE(store);
    (*store)->put(rec("m1", "placement:a"));
    (*store)->put(rec("m2", "placement:a"));
  }
  auto store = ServerStore::open(paths);
  ASSERT_TRUE(psm::testing::succeeded(store));
  EXPECT_EQ((*store)->last_seq(), 2u);
  (*store)->put(rec("m3", "placement:a"));
  EXPECT_EQ((*store)->last_seq(), 3u);
  EXPECT_EQ((*store)->get("meetings", "m1")->value("reason"), "r-m1");
}

std::string key_file(const DataPaths& paths) {
  std::ifstream in(paths.key());
  std::string hex;
  in >> hex;
  return hex;
}

TEST(ServerStore, RotateKey_ReEncryptsUnderANewKey_AndTheOldKeyNoLongerOpensIt) {
  TempDir dir;
  DataPaths paths(dir.path);
  {
    auto store = ServerStore::create(paths);
    ASSERT_TRUE(psm::testing::succeeded(store));
    (*store)->put(rec("m1", "placement:p1"));
  }
  const std::string old_key = key_file(paths);
  ASSERT_TRUE(psm::testing::succeeded(ServerStore::rotate_key(paths)));
  EXPECT_NE(key_file(paths), old_key);
  EXPECT_FALSE(fs::exists(paths.next_key()));
  struct stat st {};
  ASSERT_EQ(::stat(paths.key().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto reopened = ServerStore::open(paths);
  ASSERT_TRUE(psm::testing::succeeded(reopened));
  EXPECT_TRUE((*reopened)->get("meetings", "m1"));
  reopened->reset();
  // The old key file, put back, no longer opens the store.
  std::ofstream(paths.key()) << old_key << "\n";
  auto with_old = ServerStore::open(paths);
  ASSERT_FALSE(with_old);
  EXPECT_EQ(with_old.error().code, Errc::wrong_passphrase);
}

TEST(ServerStore, RotateKey_RefusedWhileAnotherConnectionHasTheStoreOpen) {
  TempDir dir;
  DataPaths paths(dir.path);
  auto serving = ServerStore::create(paths);
  ASSERT_TRUE(psm::testing::succeeded(serving));
  const std::string old_key = key_file(paths);
  auto rotated = ServerStore::rotate_key(paths);
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().code, Errc::busy) << rotated.error().message;
  EXPECT_EQ(key_file(paths), old_key);
  EXPECT_FALSE(fs::exists(paths.next_key()));
  (*serving)->put(rec("m1", "placement:p1"));  // the running store is unharmed
}

TEST(ServerStore, InterruptedRotation_IsFinishedOnOpen_WhicheverSideOfTheReEncryptionItStopped) {
  TempDir dir;
  DataPaths paths(dir.path);
  std::vector<std::uint8_t> next(32, 0x5a);
  {
    auto store = ServerStore::create(paths);
    ASSERT_TRUE(psm::testing::succeeded(store));
    (*store)->put(rec("m1", "placement:p1"));
  }
  // Stopped after writing the new key, before re-encrypting: the new key is dropped.
  std::string hex = crypto::to_hex(next);
  ASSERT_FALSE(platform::write_private_file(paths.next_key(), hex + "\n", true));
  {
    auto store = ServerStore::open(paths);
    ASSERT_TRUE(psm::testing::succeeded(store));
    EXPECT_FALSE(fs::exists(paths.next_key()));
    // Now stop after re-encrypting, before the key file was replaced.
    ASSERT_FALSE(platform::write_private_file(paths.next_key(), hex + "\n", true));
    ASSERT_TRUE((*store)->database().rekey(next));
  }
  auto store = ServerStore::open(paths);
  ASSERT_TRUE(psm::testing::succeeded(store));
  EXPECT_TRUE((*store)->get("meetings", "m1"));
  EXPECT_EQ(key_file(paths), hex);
  EXPECT_FALSE(fs::exists(paths.next_key()));
}

// psm-server import may commit while the server serves. A commit landing
// between two scopes' queries of one pull must not let the cursor pass a row
// the device never received.
TEST(ServerStore, Pull_ImportCommittedMidPull_SkipsNoRow) {
  TempDir dir;
  DataPaths paths(dir.path);
  auto serving = ServerStore::create(paths);
  ASSERT_TRUE(psm::testing::succeeded(serving));
  auto& s = **serving;
  s.put(rec("m1", "placement:a"));
  const std::uint64_t cursor = s.last_seq();

  // The import runs on its own connection, as the psm-server import process does.
  auto importer = ServerStore::open(paths);
  ASSERT_TRUE(psm::testing::succeeded(importer));
  bool imported = false;
  s.set_after_pull_scope_read_for_tests([&] {
    if (imported) return;
    imported = true;
    auto count = import_reference_data(**importer,
                                       R"({"people": [{"id": "csw-new", "name": "Sam Green",
                                                       "role": "child-social-worker"}]})");
    ASSERT_TRUE(psm::testing::succeeded(count));
    ASSERT_GE(*count, 1u);
  });
  // "directory" sorts before "placement:a": the import lands after the
  // directory was read and before placement:a is.
  const std::map<std::string, std::uint64_t> starts{{std::string(model::scope::kDirectory), cursor},
                                                    {"placement:a", cursor}};
  auto first = s.pull(starts, cursor, 1000, true);
  ASSERT_TRUE(imported);
  s.set_after_pull_scope_read_for_tests({});

  std::set<std::string> received;
  for (const auto& r : first.records) received.insert(r.id);
  std::map<std::string, std::uint64_t> next;
  for (const auto& [scope, start] : starts) next[scope] = first.cursor;
  for (const auto& r : s.pull(next, first.cursor, 1000, true).records) received.insert(r.id);
  EXPECT_EQ(received.count("csw-new"), 1u) << "the imported person was skipped by the cursor";
}

TEST(ServerStore, Open_InAnInitialisedDirectory_RefusesAMissingOrEmptyStore_AndMakesNoNewOne) {
  TempDir dir;
  DataPaths paths(dir.path);
  {
    auto store = ServerStore::create(paths);
    ASSERT_TRUE(psm::testing::succeeded(store));
    (*store)->put(rec("m1", "placement:p1"));
  }
  fs::resize_file(paths.store(), 0);
  auto emptied = ServerStore::open(paths, StoreCheck::unless_closed_clean);
  ASSERT_FALSE(emptied);
  EXPECT_EQ(emptied.error().code, StoreErrc::store_missing);
  EXPECT_NE(emptied.error().message.find("is empty (0 bytes)"), std::string::npos) << emptied.error().message;
  EXPECT_NE(emptied.error().message.find("psm-server restore"), std::string::npos) << emptied.error().message;
  EXPECT_EQ(fs::file_size(paths.store()), 0u);

  fs::remove(paths.store());
  auto removed = ServerStore::open(paths);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, StoreErrc::store_missing);
  EXPECT_NE(removed.error().message.find("is missing"), std::string::npos) << removed.error().message;
  EXPECT_FALSE(fs::exists(paths.store()));

  // A directory that was never initialised is another matter.
  TempDir other;
  auto never = ServerStore::open(DataPaths(other.path));
  ASSERT_FALSE(never);
  EXPECT_EQ(never.error().code, Errc::not_found);
}

TEST(ServerStore, OpenWithCheck_RefusesADamagedPage_AndSkipsTheCheckOnlyAfterACleanClose) {
  TempDir dir;
  DataPaths paths(dir.path);
  {
    auto store = ServerStore::create(paths);
    ASSERT_TRUE(psm::testing::succeeded(store));
    store::Transaction tx((*store)->database());
    for (int i = 0; i < 2000; ++i) (*store)->put(rec("m" + std::to_string(i), "placement:p1"));
    tx.commit();
  }
  ASSERT_TRUE(fs::exists(paths.closed_clean()));
  bool checked = true;
  ASSERT_TRUE(psm::testing::succeeded(ServerStore::open(paths, StoreCheck::unless_closed_clean, &checked)));
  EXPECT_FALSE(checked) << "as the clean close left it";
  ASSERT_TRUE(psm::testing::succeeded(ServerStore::open(paths, StoreCheck::full, &checked)));
  EXPECT_TRUE(checked);

  auto bytes = platform::read_file(paths.store()).value();
  ASSERT_GT(bytes.size(), 16u * 4096u);
  for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 64; ++i) bytes[i] = static_cast<char>(~bytes[i]);
  {
    std::ofstream out(paths.store(), std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  auto damaged = ServerStore::open(paths, StoreCheck::unless_closed_clean, &checked);
  ASSERT_FALSE(damaged);
  EXPECT_TRUE(checked);
  EXPECT_EQ(damaged.error().code, StoreErrc::store_damaged);
  EXPECT_NE(damaged.error().message.find("is damaged"), std::string::npos) << damaged.error().message;
  EXPECT_EQ(platform::read_file(paths.store()).value(), bytes);
  EXPECT_FALSE(ServerStore::open(paths, StoreCheck::unless_closed_clean));
}

TEST(ServerStore, StoreFileAndBackup_AreCreatedOwnerOnly) {
  TempDir dir;
  DataPaths paths(dir.path);
  ASSERT_TRUE(psm::testing::succeeded(ServerStore::create(paths)));
  ASSERT_TRUE(psm::testing::succeeded(ServerStore::backup(paths, dir.path / "backup.db")));
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    struct stat st {};
    ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u) << entry.path();
  }
}

}  // namespace
}  // namespace psm::server
