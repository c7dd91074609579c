#include "common/store/migrate.hpp"
#include "common/crypto/key_wrap.hpp"
#include "unit/common/store/temp_dir.hpp"

#include <gtest/gtest.h>

#include <array>

namespace psm::store {
namespace {

using crypto::new_data_key;

constexpr std::array<std::string_view, 2> kStepsV2{
    "CREATE TABLE child (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
    "ALTER TABLE child ADD COLUMN placement TEXT; CREATE INDEX child_name ON child(name);",
};
constexpr std::array<std::string_view, 3> kStepsV3{
    kStepsV2[0],
    kStepsV2[1],
    "CREATE TABLE meeting (id INTEGER PRIMARY KEY, child_id INTEGER REFERENCES child(id));",
};

Database open_db(const std::filesystem::path& path, const crypto::SecureBytes& key) {
  auto db = Database::open(path, key.span());
  if (!db) throw std::runtime_error(db.error().message());
  return std::move(*db);
}

bool has_table(Database& db, std::string_view name) {
  auto query = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
  query.bind(1, name);
  query.step();
  return query.column_int64(0) == 1;
}

TEST(Migrate_Migrate, AppliesAllStepsToANewDatabase) {
  test::TempDir dir;
  auto db = open_db(dir / "db", new_data_key());
  migrate(db, kStepsV2);
  EXPECT_EQ(db.user_version(), 2);
  EXPECT_NO_THROW(db.exec("INSERT INTO child (name, placement) VALUES ('x', 'y')"));
}

TEST(Migrate_Migrate, IsIdempotentOnReopen) {
  test::TempDir dir;
  const auto key = new_data_key();
  {
    auto db = open_db(dir / "db", key);
    migrate(db, kStepsV2);
    db.exec("INSERT INTO child (name) VALUES ('kept')");
  }
  auto db = open_db(dir / "db", key);
  // Re-running step 0 would fail with "table child already exists".
  EXPECT_NO_THROW(migrate(db, kStepsV2));
  EXPECT_NO_THROW(migrate(db, kStepsV2));
  EXPECT_EQ(db.user_version(), 2);
  auto count = db.prepare("SELECT count(*) FROM child");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.column_int64(0), 1);
}

TEST(Migrate_Migrate, AppliesOnlyMissingSteps) {
  test::TempDir dir;
  const auto key = new_data_key();
  auto db = open_db(dir / "db", key);
  migrate(db, kStepsV2);
  EXPECT_FALSE(has_table(db, "meeting"));
  migrate(db, kStepsV3);
  EXPECT_TRUE(has_table(db, "meeting"));
  EXPECT_EQ(db.user_version(), 3);
}

TEST(Migrate_Migrate, RefusesDatabaseFromNewerVersion) {
  test::TempDir dir;
  auto db = open_db(dir / "db", new_data_key());
  migrate(db, kStepsV3);
  try {
    migrate(db, kStepsV2);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), make_error_code(Errc::unsupported_version));
    EXPECT_NE(std::string(e.what()).find("newer psm"), std::string::npos);
  }
  EXPECT_EQ(db.user_version(), 3);
}

TEST(Migrate_Migrate, FailedStepIsRolledBackAndEarlierStepsKept) {
  test::TempDir dir;
  auto db = open_db(dir / "db", new_data_key());
  constexpr std::array<std::string_view, 2> broken{
      kStepsV2[0],
      "CREATE TABLE half_done (x); THIS IS NOT SQL;",
  };
  EXPECT_THROW(migrate(db, broken), StoreError);
  EXPECT_EQ(db.user_version(), 1);
  EXPECT_TRUE(has_table(db, "child"));
  EXPECT_FALSE(has_table(db, "half_done"));
  // The fixed step then applies.
  migrate(db, kStepsV2);
  EXPECT_EQ(db.user_version(), 2);
}

TEST(Migrate_Migrate, EmptyStepListOnNewDatabaseIsANoOp) {
  test::TempDir dir;
  auto db = open_db(dir / "db", new_data_key());
  migrate(db, {});
  EXPECT_EQ(db.user_version(), 0);
}

}  // namespace
}  // namespace psm::store
