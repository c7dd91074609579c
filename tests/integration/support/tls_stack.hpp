// The whole server in one process over real TLS: a listener on two I/O
// threads, sync sessions, and the store on its own thread, serving a store
// the test prepared. Devices are real encrypted replicas that connect as the
// psm client does (TLS WebSocket, certificate checked against the CA).
#pragma once

#include "client/net/websocket_client.hpp"
#include "client/net/websocket_transport.hpp"
#include "client/replica/replica.hpp"
#include "client/sync/sync_engine.hpp"
#include "common/protocol/messages.hpp"
#include "server/net/listener.hpp"
#include "server/net/tls.hpp"
#include "server/store/server_store.hpp"
#include "server/sync/receipts.hpp"
#include "server/sync/session.hpp"
#include "server/sync/sync_service.hpp"
#include "testing/temp_dir.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>

namespace psm::testing {

struct TlsDevice {
  TempDir home;
  std::unique_ptr<client::Replica> replica;
  std::unique_ptr<client::net::WebSocketClient> socket;
  std::unique_ptr<client::net::WebSocketTransport> transport;
};

class TlsStack {
 public:
  // Serves `store`; `tls_dir` holds (or receives) the CA and server certificate.
  // `options` (port and subprotocol are set here) lets a test use small caps.
  TlsStack(std::unique_ptr<server::ServerStore> store, const std::filesystem::path& tls_dir,
           server::net::ListenerOptions options = {})
      : tls_dir_(tls_dir) {
    auto service = std::make_unique<server::SyncService>(std::move(store), metrics_);
    // Receipts are signed as a served store signs them (psm-server init makes the key).
    std::string detail;
    std::filesystem::create_directories(tls_dir / "receipt-keys");
    auto receipt_keys = server::ReceiptKeys::load_or_create(server::DataPaths(tls_dir / "receipt-keys"), &detail);
    EXPECT_TRUE(receipt_keys) << detail;
    if (receipt_keys) service->set_receipt_keys(*receipt_keys);
    hub_ = std::make_shared<server::SyncHub>(store_context_, std::move(service));
    if (!std::filesystem::exists(tls_dir / "server.pem")) {
      EXPECT_FALSE(server::net::generate_tls_material(tls_dir, {"localhost"}));
    }
    auto tls = server::net::make_server_tls_context(tls_dir / "server.pem", tls_dir / "server.key");
    EXPECT_TRUE(tls);
    if (!tls) return;
    options.port = 0;
    options.subprotocol = std::string(protocol::kSubprotocol);
    listener_ = std::make_unique<server::net::Listener>(
        io_, *tls, options, hub_->handler_factory(),
        [](std::string_view, std::string_view) { return std::optional<server::net::HttpResponse>{}; });
    EXPECT_FALSE(listener_->start());
    store_thread_ = std::thread([this] { store_context_.run(); });
    for (auto& t : io_threads_) t = std::thread([this] { io_.run(); });
  }

  ~TlsStack() {
    if (listener_) listener_->stop();
    for (auto& t : io_threads_) {
      if (t.joinable()) t.join();
    }
    if (hub_) boost::asio::post(store_context_, [hub = hub_] { hub->stop(); });
    work_.reset();
    if (store_thread_.joinable()) store_thread_.join();
    if (hub_) hub_->shutdown();
  }

  TlsStack(const TlsStack&) = delete;
  TlsStack& operator=(const TlsStack&) = delete;

  // A new device for `user`: a fresh replica, a TLS WebSocket to the server,
  // enrolment with the password, and a first sync.
  std::unique_ptr<TlsDevice> connect_and_enrol(const std::string& user, const std::string& password) {
    auto d = std::make_unique<TlsDevice>();
    auto replica = client::Replica::create(client::HomePaths(d->home.path), "passphrase", crypto::kScryptTest);
    EXPECT_TRUE(replica);
    if (!replica) return d;
    d->replica = std::move(*replica);
    client::net::ClientTlsOptions tls;
    tls.ca_file = tls_dir_ / "ca.pem";
    const auto url = "wss://127.0.0.1:" + std::to_string(listener_->local_endpoint().port());
    std::string detail;
    auto socket = client::net::WebSocketClient::connect(url, tls, protocol::kSubprotocol,
                                                        std::chrono::seconds(10), &detail);
    EXPECT_TRUE(socket) << detail;
    if (!socket) return d;
    d->socket = std::move(*socket);
    d->transport = std::make_unique<client::net::WebSocketTransport>(*d->socket);
    auto err = client::enrol_device(*d->replica, *d->transport, user, password, user);
    EXPECT_FALSE(err) << (err ? err->message : "");
    client::SyncReport report;
    auto synced = client::sync_once(*d->replica, *d->transport, report);
    EXPECT_FALSE(synced) << (synced ? synced->message : "");
    return d;
  }

  // Where devices connect, and how they check the server's certificate.
  std::string url() const { return "wss://127.0.0.1:" + std::to_string(listener_->local_endpoint().port()); }
  client::net::ClientTlsOptions device_tls() const {
    client::net::ClientTlsOptions tls;
    tls.ca_file = tls_dir_ / "ca.pem";
    return tls;
  }
  server::net::Listener& listener() { return *listener_; }
  std::uint16_t port() const { return listener_->local_endpoint().port(); }

  // Runs `f(service)` on the store thread, where the service lives, and returns its result.
  template <class F>
  auto on_store_thread(F f) {
    std::packaged_task<decltype(f(std::declval<server::SyncService&>()))()> task([&] { return f(hub_->service()); });
    auto result = task.get_future();
    boost::asio::post(store_context_, [&task] { task(); });
    return result.get();
  }

 private:
  std::filesystem::path tls_dir_;
  server::Metrics metrics_;
  boost::asio::io_context io_;
  boost::asio::io_context store_context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(store_context_);
  std::shared_ptr<server::SyncHub> hub_;
  std::unique_ptr<server::net::Listener> listener_;
  std::thread store_thread_;
  std::thread io_threads_[2];
};

}  // namespace psm::testing
