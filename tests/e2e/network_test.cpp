// Network faults with real processes: a fault proxy between psm and
// psm-server (real TLS through it) cuts, resets, stalls and slows the
// connection, or plays a server that is down. Sync finishes once the network
// returns, everything exactly once, and a client retrying a down server backs
// off instead of hammering it. Attempts are counted by the proxy; no assertion
// depends on how fast this machine is.
#include "support/proxied_fixture.hpp"

namespace psm::e2e {
namespace {

class Network : public ProxiedEndToEnd {
 protected:
  // Connection attempts the client may have made by `elapsed` after it
  // started, under the backoff schedule (each wait at least half of 0.5 s,
  // 1 s, 2 s, … — limits::kRetryFirstDelay): attempts at no earlier than
  // 0, 0.25, 0.75, 1.75, 3.75, 7.75 s.
  static std::size_t max_attempts_by(std::chrono::milliseconds elapsed) {
    std::size_t attempts = 1;
    std::chrono::milliseconds at{0}, wait{250};
    while (at + wait <= elapsed) {
      at += wait;
      wait *= 2;
      ++attempts;
    }
    return attempts;
  }
};

TEST_F(Network, ServerDown_ClientBacksOffWithoutHammering_ThenSyncsWhenItReturns) {
  enrol("jo");
  ASSERT_EQ(
      psm("jo", {"request-meeting", "--placement", kPlacement, "--type", "support", "--reason", "Written on the train"})
          .exit_code,
      0);
  proxy_->set_down(true);
  const auto before = proxy_->connections();
  const auto started = std::chrono::steady_clock::now();
  Background sync(psm_argv("jo", {"sync", "--retry-for", "120"}), {{"PSM_PASSPHRASE", kPassphrase}});

  // Let it fail a few times, then check it has not tried more often than the
  // backoff allows in the time that has passed.
  const auto until = started + 30s;
  while (proxy_->connections() - before < 4 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  const auto attempts = proxy_->connections() - before;
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  ASSERT_GE(attempts, 4u) << "the client stopped retrying";
  EXPECT_LE(attempts, max_attempts_by(elapsed)) << attempts << " attempts in " << elapsed.count() << " ms";
  EXPECT_EQ(waiting("jo"), 1u);

  proxy_->set_down(false);
  EXPECT_EQ(sync.wait(60s), 0) << sync.output();
  EXPECT_NE(sync.output().find("1 accepted"), std::string::npos) << sync.output();
  EXPECT_EQ(waiting("jo"), 0u);
}

TEST_F(Network, ServerDown_WithoutRetry_OneAttemptOnly_WorkKept) {
  enrol("jo");
  ASSERT_EQ(psm("jo", {"request-meeting", "--placement", kPlacement, "--type", "support", "--reason", "x y"}).exit_code,
            0);
  proxy_->set_down(true);
  const auto before = proxy_->connections();
  auto r = psm("jo", {"sync"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("1 change(s) are kept on this device"), std::string::npos) << r.err;
  EXPECT_EQ(proxy_->connections() - before, 1u);
}

TEST_F(Network, ConnectionCutMidPush_AndResetMidPull_SyncRetriesAndFinishes_ExactlyOnce) {
  enrol("jo");
  enrol("priya");
  queue(1200, "cut");
  // The upload is cut part-way through its second batch.
  proxy_->fault_next({FaultProxy::Direction::to_server, 200 * 1024, FaultProxy::Action::cut});
  const auto before = proxy_->connections();
  auto r = psm("jo", {"sync", "--retry-for", "60"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(proxy_->faults_fired(), 1u);
  EXPECT_GE(proxy_->connections() - before, 2u);
  EXPECT_NE(r.err.find("trying again"), std::string::npos) << r.err;

  // The other device's download is reset (RST) part-way through.
  proxy_->fault_next({FaultProxy::Direction::to_client, 150 * 1024, FaultProxy::Action::reset});
  expect_applied_exactly_once("cut", 1200, {"sync", "--retry-for", "60"});
  EXPECT_EQ(proxy_->faults_fired(), 2u);
}

TEST_F(Network, StalledThenSlowConnection_SyncFinishesWhenTheNetworkComesBack) {
  enrol("jo");
  enrol("priya");
  queue(600, "slow");
  proxy_->fault_next({FaultProxy::Direction::to_server, 40 * 1024, FaultProxy::Action::stall});
  proxy_->set_slow(2ms, 8 * 1024);
  Background sync(psm_argv("jo", {"sync"}), {{"PSM_PASSPHRASE", kPassphrase}});
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (proxy_->faults_fired() == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(proxy_->faults_fired(), 1u);
  std::this_thread::sleep_for(1s);  // nothing moves while the link is held
  proxy_->release_stalls();
  EXPECT_EQ(sync.wait(60s), 0) << sync.output();
  proxy_->set_slow(0ms);
  expect_applied_exactly_once("slow", 600);
}

TEST_F(Network, LiveSync_ConnectionDropped_ReconnectsWithBackoff_AndKeepsReceiving) {
  enrol("jo");
  enrol("priya");
  Background live(psm_argv("priya", {"sync", "--live", "--live-seconds", "40", "--retry-for", "30"}),
                  {{"PSM_PASSPHRASE", kPassphrase}});
  ASSERT_TRUE(live.wait_for_output("live: waiting for changes", 1, 30s)) << live.output();
  proxy_->cut_all();
  ASSERT_EQ(psm("jo", {"request-meeting", "--placement", kPlacement, "--type", "support", "--reason", "After the drop"})
                .exit_code,
            0);
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  // The live device notices the drop, reconnects and catches up.
  EXPECT_TRUE(live.wait_for_output("synced:", 2, 30s)) << live.output();
  const auto until = std::chrono::steady_clock::now() + 30s;
  bool received = false;
  while (!received && std::chrono::steady_clock::now() < until) {
    received = meeting_reasons("priya").count("After the drop") == 1;
    if (!received) std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(received) << live.output();
  EXPECT_GE(proxy_->connections(), 2u);
}

}  // namespace
}  // namespace psm::e2e
