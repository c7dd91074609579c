// The whole server in one process over real TLS: the server::Server that
// psm-server serve runs (a listener on two I/O threads, sync sessions, the
// store on its own thread), serving a store the test prepared. Devices are real encrypted replicas that connect as the
// psm client does (TLS WebSocket, certificate checked against the CA).
#pragma once

#include "client/net/websocket_client.hpp"
#include "client/net/websocket_transport.hpp"
#include "client/replica/replica.hpp"
#include "client/sync/sync_engine.hpp"
#include "common/protocol/messages.hpp"
#include "server/net/listener.hpp"
#include "server/net/tls.hpp"
#include "server/server.hpp"
#include "server/store/server_store.hpp"
#include "server/sync/sync_service.hpp"
#include "testing/expected.hpp"
#include "testing/temp_dir.hpp"

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
    if (!std::filesystem::exists(tls_dir / "server.pem")) {
      EXPECT_FALSE(server::net::generate_tls_material(tls_dir, {"localhost"}));
    }
    // The server psm-server serve builds, on any free port, serving `store`.
    server::ServerOptions server_options;
    // Receipts are signed as a served store signs them; the key is made
    // beside the TLS material (a test may share that directory between stores).
    std::filesystem::create_directories(tls_dir / "receipt-keys");
    server_options.data = tls_dir / "receipt-keys";
    server_options.tls_dir = tls_dir;
    server_options.store = std::move(store);
    server_options.listener = options;
    server_options.listener.port = 0;
    // The stores tests prepare hold actions due on fixed dates: what devices
    // see must not depend on the day the test runs.
    server_options.escalation_sweeps = false;
    server_ = std::make_unique<server::Server>(std::move(server_options));
    auto failure = server_->start();
    EXPECT_FALSE(failure) << (failure ? failure->detail : "");
    if (failure) return;
    server_->run_in_background();
  }

  // Stops the listener (queued answers are sent), then the store thread, as
  // psm-server serve stops.
  ~TlsStack() { server_.reset(); }

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
    const auto url = "wss://127.0.0.1:" + std::to_string(server_->endpoint().port());
    auto socket = client::net::WebSocketClient::connect(url, tls, protocol::kSubprotocol, std::chrono::seconds(10));
    EXPECT_TRUE(psm::testing::succeeded(socket));
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
  std::string url() const { return "wss://127.0.0.1:" + std::to_string(server_->endpoint().port()); }
  client::net::ClientTlsOptions device_tls() const {
    client::net::ClientTlsOptions tls;
    tls.ca_file = tls_dir_ / "ca.pem";
    return tls;
  }
  server::net::Listener& listener() { return server_->listener(); }
  std::uint16_t port() const { return server_->endpoint().port(); }
  server::Server& server() { return *server_; }

  // Runs `f(service)` on the store thread, where the service lives, and returns its result.
  template <class F>
  auto on_store_thread(F f) {
    return server_->on_store_thread(std::move(f));
  }

 private:
  std::filesystem::path tls_dir_;
  std::unique_ptr<server::Server> server_;
};

}  // namespace psm::testing
