// The whole server in one process — TLS listener on two I/O threads, sync
// sessions, the store thread — with devices connecting over real TLS
// WebSockets. Run under ThreadSanitizer in CI.
#include "client/net/websocket_client.hpp"
#include "client/net/websocket_transport.hpp"
#include "client/sync/receipts.hpp"
#include "common/model/ids.hpp"
#include "common/protocol/messages.hpp"
#include "server/net/listener.hpp"
#include "server/net/tls.hpp"
#include "server/sync/session.hpp"
#include "support/world.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace psm::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class ServerStack : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string detail;
    auto store = server::ServerStore::create(server::DataPaths(dir_.path / "data"), &detail);
    ASSERT_TRUE(store) << detail;
    ASSERT_FALSE(server::import_reference_data(**store, kReferenceJson, &detail)) << detail;
    for (auto [user, role] : {std::pair{"ssw-1", model::Role::supervising_social_worker},
                              std::pair{"csw-1", model::Role::child_social_worker}}) {
      ASSERT_FALSE(server::add_user(**store, {user, user, role, user, {}}, World::kPassword, &detail, crypto::kScryptTest));
    }
    auto service = std::make_unique<server::SyncService>(std::move(*store), metrics_);
    auto receipt_keys = server::ReceiptKeys::load_or_create(server::DataPaths(dir_.path / "data"), &detail);
    ASSERT_TRUE(receipt_keys) << detail;
    service->set_receipt_keys(*receipt_keys);
    hub_ = std::make_shared<server::SyncHub>(store_context_, std::move(service));
    ASSERT_FALSE(server::net::generate_tls_material(dir_.path / "tls", {"localhost"}));
    auto tls = server::net::make_server_tls_context(dir_.path / "tls/server.pem", dir_.path / "tls/server.key");
    ASSERT_TRUE(tls);
    server::net::ListenerOptions options;
    options.port = 0;
    options.subprotocol = std::string(protocol::kSubprotocol);
    listener_ = std::make_unique<server::net::Listener>(
        io_, *tls, options, hub_->handler_factory(),
        [](std::string_view, std::string_view) { return std::optional<server::net::HttpResponse>{}; });
    ASSERT_FALSE(listener_->start());
    store_thread_ = std::thread([this] { store_context_.run(); });
    for (auto& t : io_threads_) t = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (listener_) listener_->stop();
    for (auto& t : io_threads_) {
      if (t.joinable()) t.join();
    }
    work_.reset();
    if (store_thread_.joinable()) store_thread_.join();
  }

  struct Device {
    TempDir home;
    std::unique_ptr<client::Replica> replica;
    std::unique_ptr<client::net::WebSocketClient> socket;
    std::unique_ptr<client::net::WebSocketTransport> transport;
  };

  std::unique_ptr<Device> connect_and_enrol(const std::string& user) {
    auto d = std::make_unique<Device>();
    auto replica = client::Replica::create(client::HomePaths(d->home.path), "passphrase", crypto::kScryptTest);
    EXPECT_TRUE(replica);
    d->replica = std::move(*replica);
    client::net::ClientTlsOptions tls;
    tls.ca_file = dir_.path / "tls/ca.pem";
    const auto url = "wss://127.0.0.1:" + std::to_string(listener_->local_endpoint().port());
    std::string detail;
    auto socket = client::net::WebSocketClient::connect(url, tls, protocol::kSubprotocol, 10s, &detail);
    EXPECT_TRUE(socket) << detail;
    d->socket = std::move(*socket);
    d->transport = std::make_unique<client::net::WebSocketTransport>(*d->socket);
    auto err = client::enrol_device(*d->replica, *d->transport, user, std::string(World::kPassword), user);
    EXPECT_FALSE(err) << (err ? err->message : "");
    client::SyncReport report;
    EXPECT_FALSE(client::sync_once(*d->replica, *d->transport, report));
    return d;
  }

  // Read on the store thread, where the store lives.
  std::uint64_t applied_count() {
    std::promise<std::uint64_t> count;
    asio::post(store_context_, [&] { count.set_value(hub_->service().store().applied_count()); });
    return count.get_future().get();
  }

  TempDir dir_;
  server::Metrics metrics_;
  asio::io_context io_;
  asio::io_context store_context_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(store_context_);
  std::shared_ptr<server::SyncHub> hub_;
  std::unique_ptr<server::net::Listener> listener_;
  std::thread store_thread_;
  std::thread io_threads_[2];
};

TEST_F(ServerStack, ConnectedDevice_IsPoked_WhenAnotherDeviceChangesItsScope) {
  auto ssw = connect_and_enrol("ssw-1");
  auto csw = connect_and_enrol("csw-1");
  ops::RequestMeeting request{model::new_uuid_v7(), "p1", model::MeetingType::pre_disruption, "Imminent risk", 0};
  ASSERT_TRUE(ssw->replica->submit(request).ok());
  client::SyncReport report;
  ASSERT_FALSE(client::sync_once(*ssw->replica, *ssw->transport, report));
  EXPECT_EQ(report.accepted, 1u);

  auto poked = client::wait_for_poke(*csw->transport, 10s);
  ASSERT_TRUE(poked);
  EXPECT_TRUE(*poked);
  ASSERT_FALSE(client::sync_once(*csw->replica, *csw->transport, report));
  auto meeting = csw->replica->get(model::collection::kMeetings, request.meeting_id);
  ASSERT_TRUE(meeting);
  EXPECT_EQ(meeting->value("type"), "pre-disruption");
}

TEST_F(ServerStack, AcceptedOperation_ComesBackWithASignedReceiptOverRealTls) {
  auto ssw = connect_and_enrol("ssw-1");
  ops::RequestMeeting request{model::new_uuid_v7(), "p1", model::MeetingType::support, "Placement under strain", 0};
  ASSERT_TRUE(ssw->replica->submit(request).ok());
  const auto op_id = ssw->replica->outbox().back().op_id;
  client::SyncReport report;
  ASSERT_FALSE(client::sync_once(*ssw->replica, *ssw->transport, report));
  ASSERT_EQ(report.accepted, 1u);
  auto kept = ssw->replica->receipt_for(op_id);
  ASSERT_TRUE(kept);
  EXPECT_EQ(client::verify_stored_receipt(*ssw->replica, *kept), "");
  EXPECT_EQ(kept->entry.subject, request.meeting_id);
  EXPECT_EQ(kept->entry.op_sha256, ssw->replica->operation_sha256(op_id));
}

TEST_F(ServerStack, ManyDevicesPushingAtOnce_AllOperationsAppliedOnce) {
  constexpr int kDevices = 4;
  constexpr int kOpsEach = 60;
  std::vector<std::unique_ptr<Device>> devices;
  for (int i = 0; i < kDevices; ++i) devices.push_back(connect_and_enrol(i % 2 ? "ssw-1" : "csw-1"));
  for (auto& d : devices) {
    for (int i = 0; i < kOpsEach; ++i) {
      ASSERT_TRUE(d->replica->submit(ops::RequestMeeting{model::new_uuid_v7(), "p1", model::MeetingType::support,
                                                         "request " + std::to_string(i), 0})
                      .ok());
    }
  }
  const auto before = applied_count();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (auto& d : devices) {
    threads.emplace_back([&failures, dev = d.get()] {
      client::SyncReport report;
      if (client::sync_once(*dev->replica, *dev->transport, report) || report.accepted != kOpsEach) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(applied_count(), before + kDevices * kOpsEach);
  for (auto& d : devices) EXPECT_EQ(d->replica->pending_count(), 0u);
}

}  // namespace
}  // namespace psm::testing
