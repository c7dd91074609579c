// What a stranger who never signs in can make the server hold: the transport's
// bounds on read-but-not-handled messages (backpressure), the small message
// limit before sign-in, the sign-in timeout and the connection caps, each
// against a real Listener on loopback; then the whole server (TlsStack) under a
// flood of sign-ins while a real device syncs.
//
// Strangers use testing::HostileClient, which can connect from other loopback
// addresses (127.0.0.2, ...) so per-address caps can be shown on one machine.
// Every test is bounded to a few seconds.

#include "testing/hostile_client.hpp"
#include "client/net/websocket_client.hpp"
#include "common/protocol/codec.hpp"
#include "server/net/listener.hpp"
#include "server/net/metrics.hpp"
#include "server/net/tls.hpp"
#include "support/tls_stack.hpp"
#include "support/world.hpp"
#include "testing/expected.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

namespace psm {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using client::net::ClientTlsOptions;
using client::net::WebSocketClient;
using server::net::Connection;
using server::net::ConnectionHandler;
using server::net::HttpResponse;
using server::net::Listener;
using server::net::ListenerOptions;
using testing::HostileClient;
using namespace std::chrono_literals;

constexpr auto kTimeout = 10s;

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// What the handlers saw, and the messages a "slow" handler has not finished.
struct Handled {
  std::mutex mutex;
  bool hold = false;  // guarded by mutex: keep messages unfinished until release_all()
  std::vector<std::pair<std::shared_ptr<Connection>, std::size_t>> held;  // guarded by mutex
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> delivered_bytes{0};

  void hold_messages() {
    std::lock_guard lock(mutex);
    hold = true;
  }
  // The slow work is done: every held message is finished, and later ones at once.
  void release_all() {
    std::vector<std::pair<std::shared_ptr<Connection>, std::size_t>> finished;
    {
      std::lock_guard lock(mutex);
      hold = false;
      finished.swap(held);
    }
    for (auto& [connection, bytes] : finished) connection->message_handled(bytes);
  }
};

// "sign in" signs the peer in (and answers "signed in"); anything else is
// echoed when `echo`, and finished at once unless the test holds messages.
class Handler final : public ConnectionHandler {
 public:
  Handler(std::shared_ptr<Connection> connection, Handled& handled, bool echo)
      : connection_(std::move(connection)), handled_(handled), echo_(echo) {}
  void on_message(std::string message) override {
    handled_.delivered.fetch_add(1);
    handled_.delivered_bytes.fetch_add(message.size());
    const std::size_t bytes = message.size();
    if (message == "sign in") {
      connection_->signed_in();
      connection_->send("signed in");
    } else if (echo_) {
      connection_->send(std::move(message));
    }
    {
      std::lock_guard lock(handled_.mutex);
      if (handled_.hold) {
        handled_.held.emplace_back(connection_, bytes);
        return;
      }
    }
    connection_->message_handled(bytes);
  }
  void on_close() override {}

 private:
  std::shared_ptr<Connection> connection_;
  Handled& handled_;
  bool echo_;
};

class HostileClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(server::net::generate_tls_material(dir_.path, {"localhost"})); }
  void TearDown() override {
    if (listener_) listener_->stop();
    if (server_thread_.joinable()) server_thread_.join();
  }

  void start_server(ListenerOptions options = {}, bool echo = true) {
    options.port = 0;
    auto tls = server::net::make_server_tls_context(dir_.path / server::net::kServerCertFile,
                                                    dir_.path / server::net::kServerKeyFile);
    ASSERT_TRUE(psm::testing::succeeded(tls));
    listener_ = std::make_unique<Listener>(
        io_context_, *tls, options,
        [this, echo](std::shared_ptr<Connection> connection) {
          return std::make_shared<Handler>(std::move(connection), handled_, echo);
        },
        [](std::string_view, std::string_view) -> std::optional<HttpResponse> { return std::nullopt; });
    ASSERT_TRUE(psm::testing::succeeded(listener_->start()));
    server_thread_ = std::thread([this] { io_context_.run(); });
  }

  std::uint16_t port() const { return listener_->local_endpoint().port(); }

  // A device: the psm client's own WebSocket, from 127.0.0.1, signed in.
  std::unique_ptr<WebSocketClient> connect_device(bool sign_in = true) {
    auto client =
        WebSocketClient::connect("wss://127.0.0.1:" + std::to_string(port()),
                                 ClientTlsOptions{dir_.path / server::net::kCaCertFile, {}}, "psm.v1", kTimeout);
    EXPECT_TRUE(psm::testing::succeeded(client));
    if (!client) return nullptr;
    if (sign_in) {
      EXPECT_FALSE((*client)->send("sign in", kTimeout));
      auto reply = (*client)->receive(kTimeout);
      EXPECT_TRUE(reply && *reply == "signed in");
    }
    return std::move(*client);
  }

  testing::TempDir dir_;
  asio::io_context io_context_;
  std::unique_ptr<Listener> listener_;
  std::thread server_thread_;
  Handled handled_;
};

TEST_F(HostileClientTest, Backpressure_StopsReadingAStranger_WhileItsMessagesAreNotHandled) {
  start_server({}, /*echo=*/false);
  handled_.hold_messages();  // as if every message waited behind a slow password check
  const std::string message(8 * 1024, 'x');
  std::atomic<std::uint64_t> delivered_while_held{0};
  server::TransportGauges held_gauges;
  std::thread slow_work([&] {
    std::this_thread::sleep_for(1000ms);
    delivered_while_held = handled_.delivered.load();
    held_gauges = listener_->gauges();
    handled_.release_all();
  });
  HostileClient stranger;
  ASSERT_TRUE(stranger.connect(port()));
  const auto flood = stranger.flood(message, 2000ms);
  slow_work.join();

  // While nothing was finished, the server read at most its per-connection
  // bound; the rest waited in the peer's socket.
  EXPECT_LE(delivered_while_held.load(), limits::kMaxMessagesInHandPerConnection);
  EXPECT_LE(held_gauges.messages_in_hand, limits::kMaxMessagesInHandPerConnection);
  EXPECT_LE(held_gauges.bytes_in_hand, limits::kMaxMessagesInHandPerConnection * message.size());
  EXPECT_GE(held_gauges.bytes_in_hand, message.size());  // the gauge counts what is held
  // Nothing is dropped: once the work is done, every message sent arrives.
  EXPECT_FALSE(flood.closed_by_server);
  EXPECT_GT(flood.messages, delivered_while_held.load());
  EXPECT_TRUE(eventually([&] { return handled_.delivered.load() == flood.messages; }))
      << handled_.delivered.load() << " of " << flood.messages;
  EXPECT_TRUE(eventually([&] { return listener_->gauges().bytes_in_hand == 0; }));
}

TEST_F(HostileClientTest, Backpressure_BoundsTheServersTotal_AcrossConnections) {
  ListenerOptions options;
  options.max_bytes_in_hand_total = 32 * 1024;
  start_server(options, /*echo=*/false);
  handled_.hold_messages();
  const std::string message(8 * 1024, 'y');
  constexpr std::size_t kStrangers = 4;
  std::vector<HostileClient> strangers(kStrangers);
  for (auto& stranger : strangers) ASSERT_TRUE(stranger.connect(port()));
  std::atomic<std::uint64_t> bytes_while_held{0};
  server::TransportGauges held_gauges;
  std::thread slow_work([&] {
    std::this_thread::sleep_for(1000ms);
    bytes_while_held = handled_.delivered_bytes.load();
    held_gauges = listener_->gauges();
    handled_.release_all();
  });
  std::vector<HostileClient::FloodResult> floods(kStrangers);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < kStrangers; ++i) {
    threads.emplace_back([&, i] { floods[i] = strangers[i].flood(message, 2000ms); });
  }
  for (auto& t : threads) t.join();
  slow_work.join();

  // The total, plus at most the one message each connection was reading when
  // the total was reached; each connection alone could have held four.
  const std::size_t bound = options.max_bytes_in_hand_total + kStrangers * message.size();
  EXPECT_LE(bytes_while_held.load(), bound);
  EXPECT_LE(held_gauges.bytes_in_hand, bound);
  std::uint64_t sent = 0;
  for (const auto& flood : floods) sent += flood.messages;
  EXPECT_TRUE(eventually([&] { return handled_.delivered.load() == sent; }))
      << handled_.delivered.load() << " of " << sent;
}

TEST_F(HostileClientTest, BeforeSignIn_MessageOverTheSmallLimit_ClosesTheConnection) {
  start_server();
  auto stranger = connect_device(/*sign_in=*/false);
  ASSERT_TRUE(stranger);
  (void)stranger->send(std::string(limits::kMaxMessageBytesBeforeSignIn + 1, 's'), kTimeout);
  auto reply = stranger->receive(kTimeout);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error(), Errc::unavailable);
  // The server sends 1009 (too big) and closes with the payload unread, so
  // the peer's kernel may see a reset before the close frame.
  if (stranger->peer_close()) {
    EXPECT_EQ(stranger->peer_close()->code, 1009);
  }
  EXPECT_EQ(stranger->send("after", kTimeout), Errc::unavailable);
  EXPECT_EQ(handled_.delivered.load(), 0u);  // never reached (nor was buffered for) the handler

  // Exactly the limit is fine, and after sign-in the normal limit applies.
  auto device = connect_device(/*sign_in=*/false);
  ASSERT_TRUE(device);
  ASSERT_FALSE(device->send(std::string(limits::kMaxMessageBytesBeforeSignIn, 'd'), kTimeout));
  auto echo = device->receive(kTimeout);
  ASSERT_TRUE(echo) << echo.error().message();
  ASSERT_FALSE(device->send("sign in", kTimeout));
  auto signed_in = device->receive(kTimeout);
  ASSERT_TRUE(signed_in && *signed_in == "signed in");
  ASSERT_FALSE(device->send(std::string(256 * 1024, 'p'), kTimeout));
  auto push = device->receive(kTimeout);
  ASSERT_TRUE(push) << push.error().message();
  EXPECT_EQ(push->size(), 256u * 1024u);
}

TEST_F(HostileClientTest, Stranger_IsClosedAtTheSignInTimeout_WhileASignedInDeviceStays) {
  ListenerOptions options;
  options.sign_in_timeout = 500ms;
  start_server(options);
  auto device = connect_device();
  ASSERT_TRUE(device);
  // Reads (so it answers pings) but never signs in.
  auto stranger = connect_device(/*sign_in=*/false);
  ASSERT_TRUE(stranger);
  // Sends all the time but never signs in.
  HostileClient busy;
  ASSERT_TRUE(busy.connect(port()));
  // TCP only: no TLS at all.
  asio::io_context io_context;
  asio::ip::tcp::socket silent(io_context);
  silent.connect({asio::ip::make_address("127.0.0.1"), port()});

  auto end = stranger->receive(kTimeout);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error(), Errc::unavailable);
  ASSERT_TRUE(stranger->peer_close());
  EXPECT_EQ(stranger->peer_close()->code, 1008);
  EXPECT_EQ(stranger->peer_close()->reason, "sign in took too long");
  EXPECT_TRUE(busy.flood("not a sign-in", 5000ms).closed_by_server);
  char byte = 0;
  boost::system::error_code ec;
  asio::read(silent, asio::buffer(&byte, 1), ec);  // returns when the server closes
  EXPECT_TRUE(ec);
  EXPECT_GE(listener_->gauges().sign_in_timeouts, 3u);

  // The signed-in device, connected for longer than the timeout, still works.
  ASSERT_FALSE(device->send("still here", kTimeout));
  auto echo = device->receive(kTimeout);
  ASSERT_TRUE(echo) << echo.error().message();
  EXPECT_EQ(*echo, "still here");
}

TEST_F(HostileClientTest, Caps_RefuseTheNextStrangerFromAnAddress_WhileADeviceStillConnects) {
  ListenerOptions options;
  options.max_connections_before_sign_in_per_address = 2;
  start_server(options);
  HostileClient first, second, third;
  ASSERT_TRUE(first.connect(port(), "127.0.0.2"));
  ASSERT_TRUE(second.connect(port(), "127.0.0.2"));
  EXPECT_FALSE(third.connect(port(), "127.0.0.2", 3000ms));  // closed at accept, no TLS
  EXPECT_TRUE(eventually([&] { return listener_->gauges().connections_refused >= 1; }));

  // Another address is not affected, and signs in.
  auto device = connect_device();
  ASSERT_TRUE(device);
  ASSERT_FALSE(device->send("hello", kTimeout));
  auto echo = device->receive(kTimeout);
  ASSERT_TRUE(echo);
  EXPECT_EQ(listener_->gauges().connections_before_sign_in, 2u);

  // A stranger that leaves makes room for another from its address.
  first.abandon();
  ASSERT_TRUE(eventually([&] { return listener_->gauges().connections_before_sign_in == 1; }));
  HostileClient fourth;
  EXPECT_TRUE(fourth.connect(port(), "127.0.0.2"));
}

TEST_F(HostileClientTest, Caps_KeepRoomForSignedInDevices_WhenStrangersFillTheirShare) {
  ListenerOptions options;
  options.max_connections = 4;
  options.max_connections_before_sign_in = 2;
  start_server(options);
  auto device = connect_device();
  ASSERT_TRUE(device);
  HostileClient a, b, c;
  ASSERT_TRUE(a.connect(port(), "127.0.0.2"));
  ASSERT_TRUE(b.connect(port(), "127.0.0.3"));
  EXPECT_FALSE(c.connect(port(), "127.0.0.4", 3000ms));  // strangers' share is full
  // A stranger leaves: a device can come in through its place and sign in.
  a.abandon();
  ASSERT_TRUE(eventually([&] { return listener_->gauges().connections_before_sign_in == 1; }));
  auto second_device = connect_device();
  ASSERT_TRUE(second_device);
  HostileClient d, e;
  ASSERT_TRUE(d.connect(port(), "127.0.0.5"));
  EXPECT_EQ(listener_->gauges().connections, 4u);
  EXPECT_FALSE(e.connect(port(), "127.0.0.6", 3000ms));  // the total is reached
  // Both devices still work.
  for (auto* client : {device.get(), second_device.get()}) {
    ASSERT_FALSE(client->send("ping", kTimeout));
    auto echo = client->receive(kTimeout);
    ASSERT_TRUE(echo);
  }
}

TEST(TransportGauges, Render_AddsConnectionsBeforeSignInAndBytesNotHandled) {
  server::Metrics metrics;
  server::TransportGauges gauges;
  gauges.connections = 7;
  gauges.connections_before_sign_in = 3;
  gauges.bytes_in_hand = 4096;
  gauges.connections_refused = 2;
  const std::string text = metrics.render(gauges);
  EXPECT_NE(text.find("# TYPE psm_connections_before_sign_in gauge\npsm_connections_before_sign_in 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("psm_bytes_read_not_handled 4096\n"), std::string::npos);
  EXPECT_NE(text.find("psm_transport_connections 7\n"), std::string::npos);
  EXPECT_NE(text.find("psm_connections_refused_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("psm_pulls_total 0\n"), std::string::npos);  // the rest is still there
}

// The whole server: strangers flood sign-ins (each refused) while the store
// thread is busy (as with a slow password check); what the server holds stays
// under its bound, and a real device signs in and syncs meanwhile.
TEST(HostileSignIns, Flood_WhileTheStoreIsBusy_StaysUnderTheBound_AndADeviceStillSyncs) {
  testing::TempDir dir;
  auto store = server::ServerStore::create(server::DataPaths(dir.path / "data"));
  ASSERT_TRUE(psm::testing::succeeded(store));
  ASSERT_TRUE(psm::testing::succeeded(server::import_reference_data(**store, testing::kReferenceJson)));
  ASSERT_TRUE(psm::testing::succeeded(server::add_user(**store,
                                                       {"carer-1", "carer-1", model::Role::foster_carer, "carer-1", {}},
                                                       testing::World::kPassword, crypto::kScryptTest)));
  ListenerOptions options;
  options.sign_in_timeout = 60s;  // longer than this test: only backpressure bounds it
  testing::TlsStack stack(std::move(*store), dir.path / "tls", options);

  protocol::LoginRequest login;
  login.username = std::string(300, 'u');  // refused without a password check
  login.password = "wrong";
  login.device_name = "stranger";
  const std::string message = protocol::encode(protocol::Message{login});
  ASSERT_LE(message.size(), limits::kMaxMessageBytesBeforeSignIn);

  constexpr std::size_t kStrangers = 4;
  std::vector<HostileClient> strangers(kStrangers);
  for (auto& stranger : strangers) ASSERT_TRUE(stranger.connect(stack.port()));

  // The store thread is busy for a second and a half while the strangers send.
  std::atomic<std::size_t> most_in_hand{0};
  std::atomic<bool> busy{true};
  std::thread store_work([&] {
    stack.on_store_thread([&](server::SyncService&) {
      const auto until = std::chrono::steady_clock::now() + 1500ms;
      while (std::chrono::steady_clock::now() < until) {
        most_in_hand = std::max(most_in_hand.load(), stack.listener().gauges().bytes_in_hand);
        std::this_thread::sleep_for(10ms);
      }
      busy = false;
      return 0;
    });
  });
  std::vector<HostileClient::FloodResult> floods(kStrangers);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < kStrangers; ++i) {
    threads.emplace_back([&, i] { floods[i] = strangers[i].flood(message, 3000ms); });
  }
  std::this_thread::sleep_for(200ms);
  // A device signs in and syncs while they flood.
  auto device = stack.connect_and_enrol("carer-1", std::string(testing::World::kPassword));
  ASSERT_TRUE(device->replica);
  EXPECT_FALSE(busy.load());
  client::SyncReport report;
  auto synced = client::sync_once(*device->replica, *device->transport, report);
  EXPECT_FALSE(synced) << (synced ? synced->message : "");
  for (auto& t : threads) t.join();
  store_work.join();

  // Per connection: four messages before sign-in (strangers never sign in;
  // the device's sign-in waited for the store thread too).
  EXPECT_LE(most_in_hand.load(), limits::kMaxMessagesInHandPerConnection *
                                     (kStrangers * message.size() + limits::kMaxMessageBytesBeforeSignIn));
  std::uint64_t sent = 0;
  for (const auto& flood : floods) sent += flood.bytes;
  EXPECT_GT(sent, 0u);
}

}  // namespace
}  // namespace psm
