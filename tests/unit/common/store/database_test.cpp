#include "common/store/database.hpp"
#include "common/crypto/hash.hpp"
#include "common/crypto/key_wrap.hpp"
#include "common/store/transaction.hpp"
#include "unit/common/store/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

namespace psm::store {
namespace {

using crypto::new_data_key;
using crypto::SecureBytes;

constexpr std::string_view kChildName = "Amelia-Test-Child";
constexpr std::string_view kSchema =
    "CREATE TABLE child (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, notes BLOB, "
    "CHECK (length(name) > 0));";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every file in `dir`, by name, with its bytes.
std::map<std::string, std::string> snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    files[entry.path().filename().string()] = read_file(entry.path());
  }
  return files;
}

Database open_or_fail(const std::filesystem::path& path, const SecureBytes& key, const OpenOptions& options = {}) {
  auto db = Database::open(path, key.span(), options);
  if (!db) throw std::runtime_error("open failed: " + db.error().message());
  return std::move(*db);
}

void insert_child(Database& db, std::string_view name) {
  auto insert = db.prepare("INSERT INTO child (name) VALUES (?)");
  insert.bind(1, name);
  EXPECT_FALSE(insert.step());
}

std::int64_t count_children(Database& db) {
  auto count = db.prepare("SELECT count(*) FROM child");
  EXPECT_TRUE(count.step());
  return count.column_int64(0);
}

// Exit status of a shell command, or -1 if it did not run.
int run(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

TEST(Database_Open, CreatesInsertsAndReadsBack) {
  test::TempDir dir;
  const auto key = new_data_key();
  auto db = open_or_fail(dir / "replica.db", key);
  db.exec(kSchema);
  const std::vector<std::uint8_t> notes{0, 1, 2, 255};
  auto insert = db.prepare("INSERT INTO child (name, notes) VALUES (?, ?)");
  insert.bind_all(kChildName, notes);
  EXPECT_FALSE(insert.step());
  EXPECT_EQ(db.changes(), 1);
  const auto id = db.last_insert_rowid();
  insert.reset();
  insert.bind_all("Second", std::nullopt);
  EXPECT_FALSE(insert.step());
  EXPECT_EQ(db.last_insert_rowid(), id + 1);

  auto select = db.prepare("SELECT id, name, notes FROM child ORDER BY id");
  ASSERT_TRUE(select.step());
  EXPECT_EQ(select.column_int64(0), id);
  EXPECT_EQ(select.column_text(1), kChildName);
  EXPECT_EQ(select.column_blob(2), notes);
  EXPECT_FALSE(select.column_is_null(2));
  ASSERT_TRUE(select.step());
  EXPECT_EQ(select.column_text(1), "Second");
  EXPECT_TRUE(select.column_is_null(2));
  EXPECT_FALSE(select.step());
}

TEST(Database_Open, AppliesSafetyPragmas) {
  test::TempDir dir;
  auto db = open_or_fail(dir / "db", new_data_key());
  auto pragma = [&](const char* sql) {
    auto statement = db.prepare(sql);
    EXPECT_TRUE(statement.step()) << sql;
    return statement.column_text(0);
  };
  EXPECT_EQ(pragma("PRAGMA temp_store"), "2");  // MEMORY: no unencrypted temp files
  EXPECT_EQ(pragma("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma("PRAGMA foreign_keys"), "1");
  EXPECT_EQ(pragma("PRAGMA synchronous"), "1");  // NORMAL
  EXPECT_EQ(pragma("PRAGMA cipher_page_size"), "4096");
}

TEST(Database_Statement, ReusesAfterResetWithNewBindings) {
  test::TempDir dir;
  auto db = open_or_fail(dir / "db", new_data_key());
  db.exec(kSchema);
  auto insert = db.prepare("INSERT INTO child (name, notes) VALUES (?, ?)");
  for (const char* name : {"a", "b", "c"}) {
    insert.reset();
    insert.bind_all(name, std::optional<std::vector<std::uint8_t>>{});
    EXPECT_FALSE(insert.step());
  }
  EXPECT_EQ(count_children(db), 3);
  auto by_name = db.prepare("SELECT count(*) FROM child WHERE name = ? AND notes IS NULL");
  by_name.bind(1, "b");
  ASSERT_TRUE(by_name.step());
  EXPECT_EQ(by_name.column_int64(0), 1);
}

TEST(Database_Prepare, RejectsMultipleStatementsAndBadSql) {
  test::TempDir dir;
  auto db = open_or_fail(dir / "db", new_data_key());
  EXPECT_THROW(db.prepare("SELECT 1; SELECT 2"), StoreError);
  EXPECT_THROW(db.prepare("   "), StoreError);
  try {
    db.prepare("SELEKT 1");
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), make_error_code(Errc::internal));
  }
  EXPECT_NO_THROW(db.prepare("SELECT 1;"));
}

TEST(Database_Open, ReopensWithTheRightKey) {
  test::TempDir dir;
  const auto key = new_data_key();
  {
    auto db = open_or_fail(dir / "db", key);
    db.exec(kSchema);
    insert_child(db, kChildName);
  }
  auto db = open_or_fail(dir / "db", key, OpenOptions{.create = false});
  EXPECT_EQ(count_children(db), 1);
}

TEST(Database_Open, FailsWithWrongKeyAndLeavesFileUnchanged) {
  test::TempDir dir;
  const auto key = new_data_key();
  {
    auto db = open_or_fail(dir / "db", key);
    db.exec(kSchema);
    insert_child(db, kChildName);
  }
  const auto before = snapshot(dir.path());
  auto wrong = Database::open(dir / "db", new_data_key().span());
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error(), make_error_code(Errc::wrong_passphrase));
  EXPECT_EQ(snapshot(dir.path()), before);
  // And it still opens with the right key afterwards.
  auto db = open_or_fail(dir / "db", key);
  EXPECT_EQ(count_children(db), 1);
}

TEST(Database_Open, FailsWithDifferentPageSize) {
  test::TempDir dir;
  const auto key = new_data_key();
  {
    auto db = open_or_fail(dir / "db", key);
    db.exec(kSchema);
  }
  auto db = Database::open(dir / "db", key.span(), OpenOptions{.cipher_page_size = 1024});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error(), make_error_code(Errc::wrong_passphrase));
}

TEST(Database_Open, ReportsNotFoundWithoutCreate) {
  test::TempDir dir;
  auto db = Database::open(dir / "missing.db", new_data_key().span(), OpenOptions{.create = false});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error(), make_error_code(Errc::not_found));
  EXPECT_FALSE(std::filesystem::exists(dir / "missing.db"));
}

TEST(Database_Open, RejectsBadKeyLengthAndOptions) {
  test::TempDir dir;
  const std::vector<std::uint8_t> short_key(16);
  EXPECT_EQ(Database::open(dir / "db", short_key).error(), make_error_code(Errc::invalid_argument));
  const auto key = new_data_key();
  EXPECT_EQ(Database::open(dir / "db", key.span(), OpenOptions{.cipher_page_size = 1000}).error(),
            make_error_code(Errc::invalid_argument));
  EXPECT_EQ(Database::open(dir / "db", key.span(), OpenOptions{.synchronous = "NORMAL; DROP TABLE x"}).error(),
            make_error_code(Errc::invalid_argument));
}

TEST(Database_Open, RefusesAPlaintextSqliteFile) {
  test::TempDir dir;
  if (!std::filesystem::exists("/usr/bin/sqlite3")) GTEST_SKIP() << "sqlite3 CLI not installed";
  ASSERT_EQ(run("/usr/bin/sqlite3 '" + (dir / "plain.db").string() + "' 'CREATE TABLE t(x);'"), 0);
  auto db = Database::open(dir / "plain.db", new_data_key().span());
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error(), make_error_code(Errc::wrong_passphrase));
}

TEST(Database_Encryption, FileBytesDoNotContainInsertedText) {
  test::TempDir dir;
  const auto key = new_data_key();
  auto db = open_or_fail(dir / "db", key);
  db.exec(kSchema);
  for (int i = 0; i < 50; ++i) insert_child(db, std::string(kChildName) + "-" + std::to_string(i));
  {
    // A sort that needs a temporary b-tree: with temp_store=MEMORY no file appears.
    auto sorted = db.prepare("SELECT name, random() AS r FROM child ORDER BY r");
    while (sorted.step()) {
    }
  }
  // While open (data in the WAL) and after close (checkpointed into the main file).
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& [name, bytes] : snapshot(dir.path())) {
      EXPECT_EQ(bytes.find(kChildName), std::string::npos) << name << " pass " << pass;
      EXPECT_EQ(bytes.find("CREATE TABLE"), std::string::npos) << name << " pass " << pass;
    }
    db.close();
  }
  EXPECT_EQ(snapshot(dir.path()).size(), 1U);  // WAL and SHM removed on close
}

TEST(Database_Encryption, SqliteCliCannotReadSchema) {
  test::TempDir dir;
  if (!std::filesystem::exists("/usr/bin/sqlite3")) GTEST_SKIP() << "sqlite3 CLI not installed";
  {
    auto db = open_or_fail(dir / "db", new_data_key());
    db.exec(kSchema);
    insert_child(db, kChildName);
  }
  EXPECT_NE(
      run("/usr/bin/sqlite3 '" + (dir / "db").string() + "' 'SELECT count(*) FROM sqlite_master;' >/dev/null 2>&1"), 0);
}

TEST(Database_Encryption, SqlcipherCliWithoutKeyCannotReadSchema) {
  test::TempDir dir;
  if (!std::filesystem::exists("/usr/bin/sqlcipher")) GTEST_SKIP() << "sqlcipher CLI not installed";
  {
    auto db = open_or_fail(dir / "db", new_data_key());
    db.exec(kSchema);
    insert_child(db, kChildName);
  }
  EXPECT_NE(
      run("/usr/bin/sqlcipher '" + (dir / "db").string() + "' 'SELECT count(*) FROM sqlite_master;' >/dev/null 2>&1"),
      0);
}

TEST(Database_Encryption, SqlcipherCliWithRawKeyCanRead) {
  // The positive control for the test above: the file is a real SQLCipher
  // database, readable with the same raw key and page size.
  test::TempDir dir;
  if (!std::filesystem::exists("/usr/bin/sqlcipher")) GTEST_SKIP() << "sqlcipher CLI not installed";
  const auto key = new_data_key();
  {
    auto db = open_or_fail(dir / "db", key);
    db.exec(kSchema);
    insert_child(db, kChildName);
  }
  const std::string script = "PRAGMA key = \"x'" + crypto::to_hex(key.span()) +
                             "'\";\nPRAGMA cipher_page_size = 4096;\nSELECT name FROM child;\n";
  const auto script_path = dir / "script.sql";
  std::ofstream(script_path) << script;
  const auto out_path = dir / "out.txt";
  EXPECT_EQ(run("/usr/bin/sqlcipher '" + (dir / "db").string() + "' < '" + script_path.string() + "' > '" +
                out_path.string() + "' 2>&1"),
            0);
  EXPECT_NE(read_file(out_path).find(kChildName), std::string::npos) << read_file(out_path);
}

TEST(Database_Transaction, RollsBackOnDestruction) {
  test::TempDir dir;
  auto db = open_or_fail(dir / "db", new_data_key());
  db.exec(kSchema);
  {
    Transaction transaction(db);
    insert_child(db, "uncommitted");
  }
  EXPECT_EQ(count_children(db), 0);
  {
    Transaction transaction(db, TransactionMode::deferred);
    insert_child(db, "committed");
    transaction.commit();
  }
  EXPECT_EQ(count_children(db), 1);
  {
    Transaction transaction(db);
    insert_child(db, "rolled back");
    transaction.rollback();
  }
  EXPECT_EQ(count_children(db), 1);
}

TEST(Database_Transaction, RollsBackWhenAnExceptionUnwinds) {
  test::TempDir dir;
  auto db = open_or_fail(dir / "db", new_data_key());
  db.exec(kSchema);
  insert_child(db, "existing");
  try {
    Transaction transaction(db);
    insert_child(db, "first");
    insert_child(db, "existing");  // throws: duplicate
    transaction.commit();
  } catch (const StoreError&) {
  }
  EXPECT_EQ(count_children(db), 1);
}

TEST(Database_Transaction, SecondWriterIsBusy) {
  test::TempDir dir;
  const auto key = new_data_key();
  auto first = open_or_fail(dir / "db", key);
  first.exec(kSchema);
  auto second = open_or_fail(dir / "db", key, OpenOptions{.busy_timeout = std::chrono::milliseconds(50)});
  Transaction holding(first);
  try {
    Transaction blocked(second);
    FAIL() << "expected busy";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), make_error_code(Errc::busy));
  }
}

TEST(Database_Errors, ConstraintViolationsMapToCodes) {
  test::TempDir dir;
  auto db = open_or_fail(dir / "db", new_data_key());
  db.exec(kSchema);
  insert_child(db, kChildName);
  auto insert = db.prepare("INSERT INTO child (name) VALUES (?)");
  insert.bind(1, kChildName);
  try {
    insert.step();
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), make_error_code(Errc::already_exists));
    // The message names the constraint, never the value.
    EXPECT_EQ(std::string(e.what()).find(kChildName), std::string::npos) << e.what();
  }
  insert.reset();
  insert.bind(1, "");
  try {
    insert.step();
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), make_error_code(Errc::invalid_argument));  // CHECK constraint
  }
  insert.reset();
  insert.bind_null(1);
  EXPECT_THROW(insert.step(), StoreError);  // NOT NULL
}

TEST(Database_Errors, ForeignKeysAreEnforced) {
  test::TempDir dir;
  auto db = open_or_fail(dir / "db", new_data_key());
  db.exec(std::string(kSchema) +
          "CREATE TABLE meeting (id INTEGER PRIMARY KEY, child_id INTEGER NOT NULL REFERENCES child(id));");
  try {
    db.exec("INSERT INTO meeting (child_id) VALUES (42)");
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), make_error_code(Errc::invalid_argument));
  }
}

TEST(Database_Errors, MapsSqliteCodes) {
  EXPECT_EQ(error_from_sqlite(0), error_code{});
  EXPECT_EQ(error_from_sqlite(5), make_error_code(Errc::busy));             // SQLITE_BUSY
  EXPECT_EQ(error_from_sqlite(6), make_error_code(Errc::busy));             // SQLITE_LOCKED
  EXPECT_EQ(error_from_sqlite(13), make_error_code(Errc::io_error));        // SQLITE_FULL
  EXPECT_EQ(error_from_sqlite(10), make_error_code(Errc::io_error));        // SQLITE_IOERR
  EXPECT_EQ(error_from_sqlite(14), make_error_code(Errc::io_error));        // SQLITE_CANTOPEN
  EXPECT_EQ(error_from_sqlite(26), make_error_code(Errc::corrupt_data));    // SQLITE_NOTADB
  EXPECT_EQ(error_from_sqlite(11), make_error_code(Errc::corrupt_data));    // SQLITE_CORRUPT
  EXPECT_EQ(error_from_sqlite(19), make_error_code(Errc::already_exists));  // SQLITE_CONSTRAINT
  EXPECT_EQ(error_from_sqlite(1), make_error_code(Errc::internal));         // SQLITE_ERROR
}

TEST(Database_UserVersion, RoundTrips) {
  test::TempDir dir;
  auto db = open_or_fail(dir / "db", new_data_key());
  EXPECT_EQ(db.user_version(), 0);
  db.set_user_version(7);
  EXPECT_EQ(db.user_version(), 7);
}

TEST(Database_Backup, CopyOpensWithKeyAndHoldsRows) {
  test::TempDir dir;
  const auto key = new_data_key();
  auto db = open_or_fail(dir / "db", key);
  db.exec(kSchema);
  for (int i = 0; i < 200; ++i) insert_child(db, std::string(kChildName) + std::to_string(i));
  db.set_user_version(3);
  ASSERT_FALSE(db.backup_to(dir / "backup.db", key.span()));
  EXPECT_FALSE(std::filesystem::exists(dir / "backup.db.partial"));

  auto copy = open_or_fail(dir / "backup.db", key, OpenOptions{.create = false});
  EXPECT_EQ(count_children(copy), 200);
  EXPECT_EQ(copy.user_version(), 3);
  copy.close();
  EXPECT_EQ(read_file(dir / "backup.db").find(kChildName), std::string::npos);

  auto without_key = Database::open(dir / "backup.db", new_data_key().span(), OpenOptions{.create = false});
  ASSERT_FALSE(without_key);
  EXPECT_EQ(without_key.error(), make_error_code(Errc::wrong_passphrase));
  if (std::filesystem::exists("/usr/bin/sqlite3")) {
    EXPECT_NE(run("/usr/bin/sqlite3 '" + (dir / "backup.db").string() +
                  "' 'SELECT count(*) FROM sqlite_master;' >/dev/null 2>&1"),
              0);
  }
}

TEST(Database_Backup, CanUseADifferentKeyAndReplaceAnOldBackup) {
  test::TempDir dir;
  const auto key = new_data_key();
  const auto backup_key = new_data_key();
  auto db = open_or_fail(dir / "db", key);
  db.exec(kSchema);
  insert_child(db, "one");
  ASSERT_FALSE(db.backup_to(dir / "backup.db", backup_key.span()));
  insert_child(db, "two");
  ASSERT_FALSE(db.backup_to(dir / "backup.db", backup_key.span()));
  auto copy = open_or_fail(dir / "backup.db", backup_key);
  EXPECT_EQ(count_children(copy), 2);
  EXPECT_FALSE(Database::open(dir / "backup.db", key.span()));
}

TEST(Database_Rekey, OldKeyFailsAndNewKeyWorks) {
  test::TempDir dir;
  const auto old_key = new_data_key();
  const auto new_key = new_data_key();
  {
    auto db = open_or_fail(dir / "db", old_key);
    db.exec(kSchema);
    for (int i = 0; i < 100; ++i) insert_child(db, std::string(kChildName) + std::to_string(i));
    ASSERT_TRUE(db.rekey(new_key.span()));
    // Still usable on the same connection.
    insert_child(db, "after rekey");
    EXPECT_EQ(count_children(db), 101);
    auto mode = db.prepare("PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.column_text(0), "wal");
  }
  auto with_old = Database::open(dir / "db", old_key.span());
  ASSERT_FALSE(with_old);
  EXPECT_EQ(with_old.error(), make_error_code(Errc::wrong_passphrase));
  auto db = open_or_fail(dir / "db", new_key);
  EXPECT_EQ(count_children(db), 101);
  EXPECT_EQ(db.rekey(std::vector<std::uint8_t>(8)).error(), make_error_code(Errc::invalid_argument));
}

TEST(Database_Rekey, RefusesWhileAnotherConnectionIsOpen) {
  test::TempDir dir;
  const auto key = new_data_key();
  auto db = open_or_fail(dir / "db", key);
  db.exec(kSchema);
  insert_child(db, kChildName);
  auto other = open_or_fail(dir / "db", key, OpenOptions{.busy_timeout = std::chrono::milliseconds(50)});
  EXPECT_EQ(count_children(other), 1);
  auto result = db.rekey(new_data_key().span());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), make_error_code(Errc::busy));
  // Nothing changed: both connections still work with the old key.
  insert_child(db, "second");
  EXPECT_EQ(count_children(other), 2);
}

TEST(Database_Move, MovedFromIsClosedAndMovedToWorks) {
  test::TempDir dir;
  auto db = open_or_fail(dir / "db", new_data_key());
  Database other = std::move(db);
  EXPECT_FALSE(db.is_open());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_TRUE(other.is_open());
  other.exec(kSchema);
  auto statement = other.prepare("SELECT count(*) FROM child");
  other.close();  // statement keeps the connection alive until finalized
  EXPECT_TRUE(statement.step());
}

// store::Upsert writes a record whether or not it exists yet, and a write that
// breaks a constraint fails without changing the row it aimed at.
TEST(Database_Upsert, InsertsThenUpdates_AndAConstraintFailureChangesNothing) {
  test::TempDir dir;
  auto db = open_or_fail(dir / "db", new_data_key());
  db.exec(
      "CREATE TABLE records (collection TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL UNIQUE, "
      "body BLOB NOT NULL, PRIMARY KEY (collection, id))");
  Upsert put(db, "records", {"collection", "id"}, {"seq", "body"});
  auto write = [&](std::string_view id, std::int64_t seq, std::string_view body) {
    put.run([&](Statement& s) { s.bind(1, "views").bind(2, id).bind(3, seq).bind_bytes(4, body); });
  };
  auto read = [&](std::string_view id) {
    auto s = db.prepare("SELECT seq, body FROM records WHERE collection = 'views' AND id = ?1");
    s.bind(1, id);
    return s.step() ? std::to_string(s.column_int64(0)) + ":" + s.column_bytes(1) : std::string("absent");
  };
  write("a", 1, "first");
  write("b", 2, "second");
  EXPECT_EQ(read("a"), "1:first");
  write("a", 3, "first, edited");
  EXPECT_EQ(read("a"), "3:first, edited");
  EXPECT_EQ(read("b"), "2:second");

  // seq 2 belongs to b: neither the update of a nor an insert of c may take it.
  {
    Transaction tx(db);
    EXPECT_THROW(write("a", 2, "stolen"), StoreError);
  }
  {
    Transaction tx(db);
    EXPECT_THROW(write("c", 2, "stolen"), StoreError);
  }
  EXPECT_EQ(read("a"), "3:first, edited");
  EXPECT_EQ(read("b"), "2:second");
  EXPECT_EQ(read("c"), "absent");
  // The statements are ready for the next use after a failure.
  write("c", 4, "third");
  EXPECT_EQ(read("c"), "4:third");
}

}  // namespace
}  // namespace psm::store
