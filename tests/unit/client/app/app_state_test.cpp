// AppState: the launch secret and the tabs' session tokens, and what an
// unlocked app holds and drops when it locks.
#include "client/app/app_state.hpp"

#include "common/store/database.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace psm::client::app {
namespace {

namespace fs = std::filesystem;

// Files this process has open (its descriptors' targets).
std::vector<fs::path> open_files() {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd", ec)) {
    auto target = fs::read_symlink(entry.path(), ec);
    if (!ec) out.push_back(target);
  }
  return out;
}

bool has_open(const fs::path& file) {
  const auto wanted = fs::weakly_canonical(file);
  for (const auto& f : open_files()) {
    if (f == wanted || f.string().starts_with(wanted.string() + "-")) return true;  // the file, its -wal or -shm
  }
  return false;
}

class AppStateTest : public ::testing::Test {
 protected:
  AppStateTest() : home_(dir_.path), state_(home_, std::chrono::seconds(600)) {
    auto r = Replica::create(home_, "the right passphrase", crypto::kScryptTest);
    EXPECT_TRUE(r.has_value());
  }
  psm::testing::TempDir dir_;
  HomePaths home_;
  AppState state_;
};

TEST_F(AppStateTest, LaunchSecret_WorksOnce_AndANewOneSpendsTheUnusedOneBefore) {
  const auto first = state_.new_launch_secret();
  const auto second = state_.new_launch_secret();
  EXPECT_NE(first, second);
  EXPECT_FALSE(state_.exchange_launch_secret(first).has_value());  // replaced before it was used
  const auto token = state_.exchange_launch_secret(second);
  ASSERT_TRUE(token.has_value());
  EXPECT_TRUE(state_.session_valid(*token));
  EXPECT_FALSE(state_.exchange_launch_secret(second).has_value());  // spent
  EXPECT_FALSE(state_.session_valid(second));
  EXPECT_FALSE(state_.session_valid(""));
  EXPECT_FALSE(state_.exchange_launch_secret("").has_value());  // nothing left to exchange
}

TEST_F(AppStateTest, Sessions_AreBounded_TheOldestTabIsDroppedFirst) {
  std::vector<std::string> tokens;
  for (int i = 0; i < 17; ++i) tokens.push_back(*state_.exchange_launch_secret(state_.new_launch_secret()));
  EXPECT_FALSE(state_.session_valid(tokens.front()));
  for (std::size_t i = 1; i < tokens.size(); ++i) EXPECT_TRUE(state_.session_valid(tokens[i])) << i;
}

TEST_F(AppStateTest, Lock_ClosesTheReplicaFile_AndTheSessionStays) {
  const auto token = *state_.exchange_launch_secret(state_.new_launch_secret());
  ASSERT_FALSE(state_.unlock("the right passphrase"));
  ASSERT_TRUE(has_open(home_.replica()));
  state_.lock();
  EXPECT_TRUE(state_.locked());
  // The replica's connection, and with it SQLCipher's copy of the data key and
  // the cache of decrypted pages, is gone; nothing can read through it.
  EXPECT_FALSE(has_open(home_.replica()));
  EXPECT_FALSE(state_.with_replica([](Replica&) { return 1; }).has_value());
  // The clean-close record is written only once the last connection is closed.
  EXPECT_TRUE(fs::exists(home_.closed_clean()));
  EXPECT_TRUE(state_.session_valid(token));  // the tab shows the unlock screen, not "open the address"
}

// SQLCipher 3.4 wipes only its key material when a connection closes; the
// app makes SQLite wipe everything it frees, so the decrypted pages of the
// replica's cache go too.
TEST_F(AppStateTest, Lock_WipesThePagesTheReplicaDecrypted_WhenTheAppWipesFreedMemory) {
  ASSERT_FALSE(store::wipe_memory_when_freed());  // as psm app does before anything is opened
  ASSERT_FALSE(state_.unlock("the right passphrase"));
  auto read = state_.with_replica([](Replica& r) { return r.record_count() + r.list("meetings").size(); });
  ASSERT_TRUE(read.has_value());
  const auto before = store::memory_wiped_bytes();
  state_.lock();
  // At least one 4 KiB page of the cache; the closed connection's blocks, all of them.
  EXPECT_GE(store::memory_wiped_bytes() - before, 4096u);
  RecordProperty("bytes_wiped_on_lock", std::to_string(store::memory_wiped_bytes() - before));
}

}  // namespace
}  // namespace psm::client::app
