// Backup and restore with real processes: a backup taken while the server
// serves, a restore to it after more work was accepted, and devices that
// notice the server's new epoch and re-send what the backup lacks, exactly
// once, without losing unsent work.
#include "support/proxied_fixture.hpp"

#include <sys/stat.h>

#include <fstream>

namespace psm::e2e {
namespace {

class Backup : public ProxiedEndToEnd {
 protected:
  RunResult admin(std::vector<std::string> args) {
    std::vector<std::string> argv{server_bin().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
  }
  void request(const std::string& reason) {
    auto r = psm("jo", {"request-meeting", "--placement", kPlacement, "--type", "support", "--reason", reason});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
};

TEST_F(Backup, RestoredFromAnOlderBackup_DevicesResendWhatItLacks_ExactlyOnce_UnsentWorkKept) {
  enrol("jo");
  enrol("priya");
  request("r 0");
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);

  // A backup while the server serves: encrypted, owner-only.
  const auto file = dir_.path / "store-backup.db";
  auto backup = admin({"backup", "--data", data_.string(), "--to", file.string()});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
  const auto bytes = read_bytes(file);
  EXPECT_EQ(bytes.find("Amelia"), std::string::npos);
  EXPECT_EQ(bytes.find("SQLite format"), std::string::npos);

  // Work the backup will not have: two accepted requests, one still unsent.
  request("r 1");
  request("r 2");
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  EXPECT_EQ(meeting_reasons("priya").size(), 3u);
  request("r 3");

  // Not while serving.
  auto refused = admin({"restore", "--data", data_.string(), "--from", file.string()});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("stop it"), std::string::npos) << refused.err;

  const auto port = server_->port();
  ASSERT_EQ(server_->stop(), 0);
  auto restore = admin({"restore", "--data", data_.string(), "--from", file.string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_EQ(read_bytes(file), bytes);  // the backup itself is left as it was
  start_server(port);

  // The other device syncs first: it starts afresh and sees only what the
  // restored server has.
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  EXPECT_EQ(meeting_reasons("priya").size(), 1u);

  auto sync = psm("jo", {"sync"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_NE(sync.out.find("restored from a backup"), std::string::npos) << sync.out;
  auto again = psm("jo", {"sync"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.find("restored from a backup"), std::string::npos) << again.out;
  expect_applied_exactly_once("r", 4);
  auto mine = meeting_reasons("jo");
  EXPECT_EQ(mine.size(), 4u);
}

TEST_F(Backup, RestoreRefusesABackupOfAnotherStore_AndADamagedOne_StoreUnchanged) {
  enrol("jo");
  TempDir other;
  const auto other_data = other.path / "d";
  ASSERT_EQ(admin({"init", "--data", other_data.string()}).exit_code, 0);
  const auto foreign = other.path / "foreign.db";
  ASSERT_EQ(admin({"backup", "--data", other_data.string(), "--to", foreign.string()}).exit_code, 0);
  const auto own = dir_.path / "own.db";
  ASSERT_EQ(admin({"backup", "--data", data_.string(), "--to", own.string()}).exit_code, 0);
  auto damaged = read_bytes(own);
  damaged.resize(damaged.size() / 2);
  const auto truncated = dir_.path / "truncated.db";
  std::ofstream(truncated, std::ios::binary) << damaged;

  const auto port = server_->port();
  ASSERT_EQ(server_->stop(), 0);
  const auto store_before = read_bytes(data_ / "store.db");
  for (const auto& bad : {foreign, truncated, dir_.path / "missing.db"}) {
    auto r = admin({"restore", "--data", data_.string(), "--from", bad.string()});
    EXPECT_EQ(r.exit_code, 3) << bad << ": " << r.err;
    EXPECT_FALSE(r.err.empty());
    EXPECT_EQ(read_bytes(data_ / "store.db"), store_before) << bad;
  }
  start_server(port);
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
}

}  // namespace
}  // namespace psm::e2e
