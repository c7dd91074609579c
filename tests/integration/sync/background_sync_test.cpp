// The app's background sync (client/app/sync_worker) against the whole server
// over real TLS: a failure that retrying cannot mend (psm::is_transient says
// so) stops the automatic attempts until the person asks again; a server that
// is away is tried again after the backoff.
#include "client/app/app_state.hpp"
#include "client/app/sync_worker.hpp"
#include "support/tls_stack.hpp"
#include "support/world.hpp"
#include "testing/expected.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <functional>
#include <thread>

namespace psm::testing {
namespace {

using namespace std::chrono_literals;

// Polls `done` until it holds or `limit` has passed; whether it held.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

void write_config(const client::HomePaths& home, const std::string& url) {
  std::ofstream(home.config()) << boost::json::serialize(boost::json::object{{"server_url", url}}) << "\n";
}

class BackgroundSync : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = server::ServerStore::create(server::DataPaths(dir_.path / "data"));
    ASSERT_TRUE(psm::testing::succeeded(store));
    ASSERT_TRUE(psm::testing::succeeded(server::import_reference_data(**store, kReferenceJson)));
    ASSERT_TRUE(psm::testing::succeeded(
        server::add_user(**store, {"ssw-1", "ssw-1", model::Role::supervising_social_worker, "ssw-1", {}},
                         World::kPassword, crypto::kScryptTest)));
    stack_ = std::make_unique<TlsStack>(std::move(*store), dir_.path / "tls");
  }

  // Failed logins and device authentications the server has counted.
  std::uint64_t refused_sign_ins() {
    const std::string metrics = stack_->server().metrics().render();
    const std::string name = "\npsm_auth_failures_total ";
    const auto at = metrics.find(name);
    if (at == std::string::npos) return 0;
    return std::stoull(metrics.substr(at + name.size()));
  }

  TempDir dir_;
  std::unique_ptr<TlsStack> stack_;
};

TEST_F(BackgroundSync, RefusedSignIn_IsTriedOnce_ThenAgainOnlyWhenThePersonAsks) {
  auto device = stack_->connect_and_enrol("ssw-1", std::string(World::kPassword));
  ASSERT_TRUE(device->replica);
  const client::HomePaths home(device->home.path);
  write_config(home, stack_->url());
  std::filesystem::copy_file(dir_.path / "tls" / "ca.pem", home.ca());
  // The server no longer knows this device's token (as after a reinstall of
  // the server's accounts): every sign-in with it is refused.
  device->replica->set_meta("device_token", std::string(64, '0'));
  device->transport.reset();
  device->socket.reset();
  device->replica.reset();
  ASSERT_EQ(refused_sign_ins(), 0u);

  // As in `psm app`: the worker runs from the start, and the person unlocks.
  client::app::AppState state(home, std::chrono::seconds(3600));
  client::app::SyncWorker worker(state, std::chrono::seconds(1));
  ASSERT_FALSE(state.unlock("passphrase"));

  ASSERT_TRUE(wait_until([&] { return !state.sync_status().last_error.empty(); }, 30s));
  // Retrying with backoff would try again after 2 seconds, then 4; a
  // permanent refusal is not tried again by itself.
  EXPECT_FALSE(wait_until([&] { return refused_sign_ins() > 1; }, 5s));
  EXPECT_EQ(refused_sign_ins(), 1u);
  const auto status = state.sync_status();
  EXPECT_EQ(status.last_error, "this device is not recognised; enrol it again");
  EXPECT_FALSE(status.online);
  EXPECT_EQ(status.next_attempt_ms, 0u);  // no automatic try to show

  // "Sync now": the person asks, and the worker tries once more.
  state.request_sync();
  EXPECT_TRUE(wait_until([&] { return refused_sign_ins() == 2; }, 30s));
  EXPECT_FALSE(wait_until([&] { return refused_sign_ins() > 2; }, 3s));
}

TEST_F(BackgroundSync, ServerAway_IsTriedAgainAfterTheBackoff) {
  TempDir home_dir;
  const client::HomePaths home(home_dir.path);
  ASSERT_TRUE(client::Replica::create(home, "passphrase", crypto::kScryptTest));
  // A port nothing listens on: the server is away, which passes by itself.
  write_config(home, "wss://127.0.0.1:1");
  std::filesystem::copy_file(dir_.path / "tls" / "ca.pem", home.ca());

  client::app::AppState state(home, std::chrono::seconds(3600));
  client::app::SyncWorker worker(state, std::chrono::seconds(1));
  ASSERT_FALSE(state.unlock("passphrase"));

  ASSERT_TRUE(wait_until([&] { return !state.sync_status().last_error.empty(); }, 30s));
  const auto status = state.sync_status();
  EXPECT_FALSE(status.online);
  EXPECT_NE(status.next_attempt_ms, 0u);  // the next automatic try
}

}  // namespace
}  // namespace psm::testing
