// Bad input with real processes: a damaged replica file, a disk that refuses
// writes, and invalid arguments each get a clear error and a documented exit
// code, and lose nothing.
#include "support/proxied_fixture.hpp"

#include <fstream>

namespace psm::e2e {
namespace {

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

class BadInput : public ProxiedEndToEnd {
 protected:
  // An enrolled device with some queued work, every process closed (so the
  // replica's write-ahead log has been folded into the file).
  fs::path replica_with_work() {
    enrol("jo");
    queue(200, "work");
    EXPECT_FALSE(fs::exists(home("jo") / "replica.db-wal"));
    return home("jo") / "replica.db";
  }

  // Every command that opens the damaged replica says so, exits 10, and leaves
  // the file byte for byte as it was.
  void expect_refused_and_untouched(const fs::path& db) {
    const auto before = read_bytes(db);
    for (auto args : {std::vector<std::string>{"status"}, std::vector<std::string>{"sync"},
                      std::vector<std::string>{"request-meeting", "--placement", kPlacement, "--type", "support",
                                               "--reason", "one more"}}) {
      auto r = psm("jo", args);
      EXPECT_EQ(r.exit_code, 10) << args[0] << ": " << r.err;
      EXPECT_NE(r.err.find("damaged"), std::string::npos) << r.err;
    }
    EXPECT_EQ(read_bytes(db), before);
    EXPECT_FALSE(fs::exists(db.string() + "-wal") && fs::file_size(db.string() + "-wal") > 0);
  }
};

TEST_F(BadInput, TruncatedReplica_ClearErrorExit10_FileLeftAsItIs) {
  const auto db = replica_with_work();
  const auto size = fs::file_size(db);
  ASSERT_GT(size, 16384u);
  fs::resize_file(db, size / 2);
  expect_refused_and_untouched(db);
}

TEST_F(BadInput, CorruptedReplica_ClearErrorExit10_FileLeftAsItIs) {
  const auto db = replica_with_work();
  auto bytes = read_bytes(db);
  // Damage one page in the middle (SQLCipher's per-page MAC no longer matches).
  for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 64; ++i) bytes[i] = static_cast<char>(~bytes[i]);
  write_bytes(db, bytes);
  expect_refused_and_untouched(db);
}

TEST_F(BadInput, DiskFullDuringSync_UserToldExit11_WorkStaysQueued_LaterSyncedExactlyOnce) {
  enrol("jo");
  enrol("priya");
  queue(300, "full");
  // A file size limit stands in for a full disk: every write past it fails
  // (EFBIG), as writes on a full disk fail (ENOSPC), and it needs no
  // privileges. 40 KiB leaves room for SQLite's 32 KiB shared-memory index
  // but not for the write-ahead log of marking 300 operations as sent.
  std::vector<std::string> argv{"/usr/bin/prlimit", "--fsize=40960", "--"};
  for (auto& a : psm_argv("jo", {"sync"})) argv.push_back(a);
  if (!fs::exists(argv[0])) GTEST_SKIP() << "prlimit (util-linux) not installed";
  auto full = run(argv, {{"PSM_PASSPHRASE", kPassphrase}});
  EXPECT_EQ(full.exit_code, 11) << full.out << full.err;
  EXPECT_NE(full.err.find("disk is full"), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("nothing that was already saved is lost"), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("stay queued"), std::string::npos) << full.err;

  // Space again: everything is still there and goes exactly once.
  auto sync = psm("jo", {"sync"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  expect_applied_exactly_once("full", 300);
}

TEST_F(BadInput, DiskFullWhenOpening_SaysTheDiskIsFull_NotInputOutputError_Exit11) {
  enrol("jo");
  queue(5, "kept");
  // No room even for the replica's shared-memory index: the open itself fails.
  // 8 KiB: room for the message on standard error (a file here), not for the
  // 32 KiB the replica's shared-memory index needs.
  std::vector<std::string> argv{"/usr/bin/prlimit", "--fsize=8192", "--"};
  for (auto& a :
       psm_argv("jo", {"request-meeting", "--placement", kPlacement, "--type", "support", "--reason", "one more"})) {
    argv.push_back(a);
  }
  if (!fs::exists(argv[0])) GTEST_SKIP() << "prlimit (util-linux) not installed";
  auto full = run(argv, {{"PSM_PASSPHRASE", kPassphrase}});
  EXPECT_EQ(full.exit_code, 11) << full.out << full.err;
  EXPECT_NE(full.err.find("disk is full"), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("nothing that was already saved is lost"), std::string::npos) << full.err;
  EXPECT_EQ(full.err.find("input/output error"), std::string::npos) << full.err;
  EXPECT_EQ(waiting("jo"), 5u);
}

TEST_F(BadInput, DamagedKeyFile_SaysTheKeyFileIsDamaged_NotWrongPassphrase_Exit10) {
  enrol("jo");
  const auto key_file = home("jo") / "replica.key";
  const auto original = read_bytes(key_file);
  // One character of the wrapped key changed, as a bad sector or a bad copy would.
  auto changed = original;
  const auto at = changed.find("\"wrapped_key\":\"") + 20;
  changed[at] = changed[at] == '0' ? '1' : '0';
  // And the file cut short, as an interrupted copy would leave it.
  for (const auto& damaged : {changed, original.substr(0, original.size() / 2)}) {
    write_bytes(key_file, damaged);
    auto r = psm("jo", {"status"});
    EXPECT_EQ(r.exit_code, 10) << r.err;
    EXPECT_NE(r.err.find("key file"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("damaged"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("wrong passphrase"), std::string::npos) << r.err;
    EXPECT_EQ(read_bytes(key_file), damaged);
  }
  // The right file back: the same passphrase opens it, and a wrong one is still called wrong.
  write_bytes(key_file, original);
  EXPECT_EQ(psm("jo", {"status"}).exit_code, 0);
  auto wrong = run(psm_argv("jo", {"status"}), {{"PSM_PASSPHRASE", "not my passphrase"}});
  EXPECT_EQ(wrong.exit_code, 3) << wrong.err;
  EXPECT_NE(wrong.err.find("wrong passphrase"), std::string::npos) << wrong.err;
}

// The server's store, lost or damaged while the server was stopped.
class ServerStoreLost : public BadInput {
 protected:
  fs::path store() { return data_ / "store.db"; }
  RunResult serve() {
    return run({server_bin().string(), "serve", "--data", data_.string(), "--listen", "127.0.0.1:0"}, {}, "",
               std::chrono::seconds(30));
  }
  RunResult admin(std::vector<std::string> args) {
    std::vector<std::string> argv{server_bin().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--data", data_.string()});
    return run(argv);
  }
  // Refused, with the store named, what to do, and exit code `code`; nothing
  // new made in the store's place.
  void expect_refused(int code, const std::string& says) {
    for (auto r : {serve(), admin({"audit", "verify"}), admin({"device", "list"})}) {
      EXPECT_EQ(r.exit_code, code) << r.out << r.err;
      EXPECT_NE(r.err.find(store().string()), std::string::npos) << r.err;
      EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("psm-server restore"), std::string::npos) << r.err;
      EXPECT_EQ(r.out.find("listening"), std::string::npos) << r.out;
      EXPECT_EQ(r.out.find("intact"), std::string::npos) << r.out;
    }
  }
};

TEST_F(ServerStoreLost, EmptiedOrDeletedStore_IsNeverReplaced_ServeAndCommandsRefuseWithExit4) {
  enrol("jo");
  const auto backup = dir_.path / "backup.db";
  ASSERT_EQ(admin({"backup", "--to", backup.string()}).exit_code, 0);
  const auto port = server_->port();
  ASSERT_EQ(server_->stop(), 0);
  fs::resize_file(store(), 0);
  expect_refused(4, "is empty (0 bytes)");
  EXPECT_EQ(fs::file_size(store()), 0u);
  auto init = admin({"init"});
  EXPECT_EQ(init.exit_code, 3) << init.err;  // init does not make a new one either

  fs::remove(store());
  expect_refused(4, "is missing");
  EXPECT_FALSE(fs::exists(store()));

  // What the message says to do works: restore, then serve.
  auto restore = admin({"restore", "--from", backup.string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  start_server(port);
  EXPECT_EQ(psm("jo", {"sync"}).exit_code, 0);
}

TEST_F(ServerStoreLost, StoreWithADamagedPage_ServeRefusesAtStartWithExit5_FileLeftAsItIs) {
  enrol("jo");
  queue(200, "work");
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  ASSERT_EQ(server_->stop(), 0);
  // A clean stop leaves the store as it was, so the next start may skip the check.
  ASSERT_TRUE(fs::exists(data_ / "store.closed"));
  auto bytes = read_bytes(store());
  ASSERT_GT(bytes.size(), 16u * 4096u);
  for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 64; ++i) bytes[i] = static_cast<char>(~bytes[i]);
  write_bytes(store(), bytes);

  auto r = serve();
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.err.find("is damaged"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(store().string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("psm-server restore"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("listening"), std::string::npos) << r.out;
  EXPECT_EQ(read_bytes(store()), bytes);
  // Still refused the next time (the failed start recorded nothing as clean).
  EXPECT_EQ(serve().exit_code, 5);
}

TEST_F(BadInput, InvalidArguments_UsageExitCode2_ClearMessage_NothingChanged) {
  enrol("jo");
  const auto before = status("jo").at("waiting_to_send").as_int64();
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const auto& c : std::vector<Case>{
           {{"sync", "--retry-for", "-1"}, "--retry-for"},
           {{"sync", "--retry-for", "soon"}, "--retry-for"},
           {{"request-meeting", "--placement", kPlacement, "--type", "support"}, "--reason"},
           {{"request-meeting", "--placement", kPlacement, "--type", "picnic", "--reason", "x"}, "--type"},
           {{"status", "--colour"}, "--colour"}}) {
    auto r = psm("jo", c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << ": " << r.err;
    EXPECT_NE((r.out + r.err).find(c.says), std::string::npos) << r.out << r.err;
  }
  EXPECT_EQ(status("jo").at("waiting_to_send").as_int64(), before);

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"serve", "--data", data_.string(), "--listen", "nowhere"},
           {"user", "add", "--data", data_.string(), "--username", "x", "--role", "wizard", "--name", "X"},
           {"frobnicate"}}) {
    std::vector<std::string> argv{server_bin().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run(argv, {{"PSM_PASSWORD", kPassword}});
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_FALSE(r.err.empty());
  }
}

}  // namespace
}  // namespace psm::e2e
