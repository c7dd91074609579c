// Crash safety with real processes: kill -9 the server in the middle of a
// large upload, and the client in the middle of a sync and of a local write;
// after a restart every operation is applied exactly once and both sides open
// cleanly. A fault proxy between the two (real TLS runs through it) holds the
// connection at a chosen byte so the kill lands where the test means it to.
#include "support/proxied_fixture.hpp"

namespace psm::e2e {
namespace {

// Three push batches (limits::kMaxOpsPerPush is 500).
constexpr int kUploadOps = 1200;
// Bytes from device to server (TLS included) from the start of a sync to the
// middle of the second push batch. A batch of 500 meeting requests is about
// 115 KB on the wire (measured), so this is past the first batch by about half
// a batch either way; the test checks that the kill really landed part-way
// (the first batch answered, the rest not).
constexpr std::uint64_t kUploadBytesMidSecondBatch = 170 * 1024;
// Bytes from server to device from the start of a sync to inside the answer
// to the first push batch: past the TLS handshake, the WebSocket upgrade and
// the AuthResult (about 4 KB), short of the end of the answer (about 27 KB).
constexpr std::uint64_t kBytesIntoFirstPushAnswer = 10 * 1024;

class Crash : public ProxiedEndToEnd {};

TEST_F(Crash, ServerKilledMidUpload_RestartedSyncAppliesEveryOperationOnce) {
  enrol("jo");
  enrol("priya");
  queue(kUploadOps, "upload");

  // Hold the upload part-way through its second batch: the server has
  // committed and answered the first and is reading the second when it dies.
  proxy_->fault_next({FaultProxy::Direction::to_server, kUploadBytesMidSecondBatch, FaultProxy::Action::stall});
  Background sync(psm_argv("jo", {"sync"}), {{"PSM_PASSPHRASE", kPassphrase}});
  ASSERT_TRUE(wait_for_fault());
  server_->kill_hard();
  proxy_->release_stalls();
  EXPECT_EQ(sync.wait(60s), 4) << sync.output();  // unreachable: work kept

  // The first batch was answered before the kill, the rest was not.
  EXPECT_EQ(waiting("jo"), static_cast<std::size_t>(kUploadOps) - 500u);

  const auto port = server_->port();
  start_server(port);
  auto again = psm("jo", {"sync"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  expect_applied_exactly_once("upload", kUploadOps);
}

TEST_F(Crash, ClientKilledAfterServerCommittedButBeforeTheAnswer_ResyncAppliesEveryOperationOnce) {
  enrol("jo");
  enrol("priya");
  queue(kUploadOps, "answer");

  // Hold the server's answer to the first push batch inside the proxy: the
  // server has committed those operations, the device has not heard so and
  // holds them as sent. Then the device dies.
  proxy_->fault_next({FaultProxy::Direction::to_client, kBytesIntoFirstPushAnswer, FaultProxy::Action::stall});
  Background sync(psm_argv("jo", {"sync"}), {{"PSM_PASSPHRASE", kPassphrase}});
  ASSERT_TRUE(wait_for_fault());
  sync.kill_hard();
  proxy_->release_stalls();

  // Nothing was answered, so nothing is settled on the device.
  EXPECT_EQ(waiting("jo"), static_cast<std::size_t>(kUploadOps));
  auto again = psm("jo", {"sync"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  expect_applied_exactly_once("answer", kUploadOps);
}

TEST_F(Crash, ClientKilledMidLocalWrites_ReplicaOpensWithEveryCommittedOperation_AndSyncsThemOnce) {
  enrol("jo");
  enrol("priya");
  Background writer({queue_bin().string(), home("jo").string(), kPlacement, "100000", "local"},
                    {{"PSM_PASSPHRASE", kPassphrase}});
  ASSERT_TRUE(writer.wait_for_output("queued 300", 1, 60s)) << writer.output();
  writer.kill_hard();

  // Each request committed before the kill is in the outbox and on screen, in
  // one piece: the meeting and its queued operation were written together.
  const auto queued = waiting("jo");
  EXPECT_GE(queued, 301u);
  EXPECT_LT(queued, 100000u);
  auto local = meeting_reasons("jo");
  EXPECT_EQ(local.size(), queued);
  for (std::size_t i = 0; i < queued; ++i) {
    EXPECT_EQ(local.count("local " + std::to_string(i)), 1u) << "local " << i;
  }

  auto sync = psm("jo", {"sync"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  expect_applied_exactly_once("local", static_cast<int>(queued));
}

}  // namespace
}  // namespace psm::e2e
