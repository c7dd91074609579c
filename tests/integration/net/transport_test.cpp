// The TLS WebSocket transport end to end in one process: a real Listener on
// 127.0.0.1 (port 0) with its io_context on a background thread, real clients,
// and TLS material generated into a fresh directory per test.
//
// The plain-HTTPS and TLS 1.1 probes use raw Asio SSL streams rather than
// Beast, to keep Beast out of this translation unit.

#include "client/net/websocket_client.hpp"
#include "common/crypto/pin.hpp"
#include "server/net/listener.hpp"
#include "server/net/metrics.hpp"
#include "server/net/tls.hpp"
#include "testing/expected.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

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
using namespace std::chrono_literals;

constexpr auto kTimeout = 10s;

fs::path make_temp_dir() {
  std::random_device random;
  const fs::path dir =
      fs::temp_directory_path() / ("psm-net-test-" + std::to_string(random()) + std::to_string(random()));
  fs::create_directories(dir);
  return dir;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Records every connection the server accepts, and echoes when asked to.
struct ServerLog {
  std::mutex mutex;
  std::vector<std::shared_ptr<Connection>> connections;
  std::atomic<int> messages{0};
  std::atomic<int> closes{0};

  std::shared_ptr<Connection> connection(std::size_t index) {
    std::lock_guard lock(mutex);
    return index < connections.size() ? connections[index] : nullptr;
  }
};

class RecordingHandler final : public ConnectionHandler {
 public:
  // These tests are about the transport alone: every peer counts as signed in
  // (hostile_client_test.cpp covers strangers).
  RecordingHandler(std::shared_ptr<Connection> connection, ServerLog& log, bool echo)
      : connection_(std::move(connection)), log_(log), echo_(echo) {
    connection_->signed_in();
  }
  void on_message(std::string message) override {
    log_.messages.fetch_add(1);
    if (message == "throw") throw std::runtime_error("handler bug");
    const std::size_t bytes = message.size();
    if (echo_) connection_->send(std::move(message));
    connection_->message_handled(bytes);
  }
  void on_close() override { log_.closes.fetch_add(1); }

 private:
  std::shared_ptr<Connection> connection_;
  ServerLog& log_;
  bool echo_;
};

class TransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    ASSERT_FALSE(server::net::generate_tls_material(dir_, {"localhost"}));
  }

  void TearDown() override {
    stop_server();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void start_server(ListenerOptions options = {}, bool echo = true) {
    options.port = 0;
    auto tls =
        server::net::make_server_tls_context(dir_ / server::net::kServerCertFile, dir_ / server::net::kServerKeyFile);
    ASSERT_TRUE(psm::testing::succeeded(tls));
    listener_ = std::make_unique<Listener>(
        io_context_, *tls, options,
        [this, echo](std::shared_ptr<Connection> connection) {
          {
            std::lock_guard lock(log_.mutex);
            log_.connections.push_back(connection);
          }
          return std::make_shared<RecordingHandler>(std::move(connection), log_, echo);
        },
        [](std::string_view, std::string_view target) -> std::optional<HttpResponse> {
          if (target == "/healthz") return HttpResponse{200, "text/plain", "ok\n"};
          return std::nullopt;
        });
    ASSERT_TRUE(psm::testing::succeeded(listener_->start()));
    server_thread_ = std::thread([this] { io_context_.run(); });
  }

  void stop_server() {
    if (listener_) listener_->stop();
    if (server_thread_.joinable()) server_thread_.join();
  }

  std::string url() const { return "wss://127.0.0.1:" + std::to_string(listener_->local_endpoint().port()); }

  ClientTlsOptions trust() const { return ClientTlsOptions{dir_ / server::net::kCaCertFile, {}}; }

  std::unique_ptr<WebSocketClient> connect_client() {
    auto client = WebSocketClient::connect(url(), trust(), "psm.v1", kTimeout);
    EXPECT_TRUE(psm::testing::succeeded(client));
    return client ? std::move(*client) : nullptr;
  }

  fs::path dir_;
  asio::io_context io_context_;
  std::unique_ptr<Listener> listener_;
  std::thread server_thread_;
  ServerLog log_;
};

// A plain HTTPS GET over raw Asio SSL: status code and body.
std::pair<unsigned, std::string> https_get(std::uint16_t port, const fs::path& ca_file, const std::string& target) {
  asio::io_context io_context;
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.load_verify_file(ca_file.string());
  context.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<asio::ip::tcp::socket> stream(io_context, context);
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  stream.handshake(asio::ssl::stream_base::client);
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  asio::write(stream, asio::buffer(request));
  std::string response;
  boost::system::error_code ec;
  asio::read(stream, asio::dynamic_buffer(response), ec);  // until the server closes
  const auto space = response.find(' ');
  const auto header_end = response.find("\r\n\r\n");
  if (space == std::string::npos || header_end == std::string::npos) return {0, response};
  return {static_cast<unsigned>(std::stoul(response.substr(space + 1, 3))), response.substr(header_end + 4)};
}

TEST_F(TransportTest, GenerateTlsMaterial_WritesKeysWithOwnerOnlyPermissions) {
  for (const char* name :
       {server::net::kCaCertFile, server::net::kCaKeyFile, server::net::kServerCertFile, server::net::kServerKeyFile}) {
    EXPECT_TRUE(fs::exists(dir_ / name)) << name;
    EXPECT_FALSE(fs::exists(dir_ / (std::string(name) + ".tmp"))) << name;
  }
  for (const char* name : {server::net::kCaKeyFile, server::net::kServerKeyFile}) {
    struct stat info {};
    ASSERT_EQ(::stat((dir_ / name).c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u) << name;
  }
  // The server file is a chain: its certificate, then the CA's.
  const std::string chain = read_file(dir_ / server::net::kServerCertFile);
  std::size_t certificates = 0;
  for (auto at = chain.find("BEGIN CERTIFICATE"); at != std::string::npos;
       at = chain.find("BEGIN CERTIFICATE", at + 1)) {
    ++certificates;
  }
  EXPECT_EQ(certificates, 2u);
  EXPECT_NE(chain.find(read_file(dir_ / server::net::kCaCertFile)), std::string::npos);
  // Never silently replaces a CA that devices already trust.
  EXPECT_EQ(server::net::generate_tls_material(dir_, {"localhost"}), Errc::already_exists);
}

TEST_F(TransportTest, Echo_ReturnsMessagesInOrder_WhenClientSendsThree) {
  start_server();
  auto client = connect_client();
  ASSERT_TRUE(client);
  for (const char* message : {"one", "two", "three"}) {
    ASSERT_FALSE(client->send(message, kTimeout));
  }
  for (const char* message : {"one", "two", "three"}) {
    auto received = client->receive(kTimeout);
    ASSERT_TRUE(received) << received.error().message();
    EXPECT_EQ(*received, message);
  }
  EXPECT_EQ(listener_->connection_count(), 1u);
  client->close();
  EXPECT_TRUE(eventually([&] { return log_.closes.load() == 1; }));
  EXPECT_TRUE(eventually([&] { return listener_->connection_count() == 0; }));
}

TEST_F(TransportTest, Echo_DeliversAllMessagesInOrder_WhenTwoThousandSent) {
  start_server();
  auto client = connect_client();
  ASSERT_TRUE(client);
  constexpr int kCount = 2000;
  constexpr int kWindow = 32;  // well under the server's per-connection queue bound
  auto message_for = [](int i) {
    // Varying sizes, content that identifies the message, binary bytes included.
    std::string message = std::to_string(i) + ":";
    message.append(static_cast<std::size_t>(i % 1500), static_cast<char>(i % 256));
    return message;
  };
  int sent = 0;
  int received = 0;
  while (received < kCount) {
    while (sent < kCount && sent - received < kWindow) {
      ASSERT_FALSE(client->send(message_for(sent), kTimeout));
      ++sent;
    }
    auto message = client->receive(kTimeout);
    ASSERT_TRUE(message) << "after " << received << ": " << message.error().message();
    ASSERT_EQ(*message, message_for(received));
    ++received;
  }
  EXPECT_EQ(log_.messages.load(), kCount);
}

TEST_F(TransportTest, Https_AnswersHealthzAnd404) {
  start_server();
  const auto port = listener_->local_endpoint().port();
  const auto [status, body] = https_get(port, dir_ / server::net::kCaCertFile, "/healthz");
  EXPECT_EQ(status, 200u);
  EXPECT_EQ(body, "ok\n");
  EXPECT_EQ(https_get(port, dir_ / server::net::kCaCertFile, "/nope").first, 404u);
}

TEST_F(TransportTest, Connect_FailsUntrusted_WhenCaIsAnother_AndServerKeepsServing) {
  start_server();
  const fs::path other_dir = make_temp_dir();
  ASSERT_FALSE(server::net::generate_tls_material(other_dir, {"localhost"}));
  auto bad =
      WebSocketClient::connect(url(), ClientTlsOptions{other_dir / server::net::kCaCertFile, {}}, "psm.v1", kTimeout);
  fs::remove_all(other_dir);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::untrusted_server);
  EXPECT_NE(bad.error().message.find("not signed by the CA"), std::string::npos) << bad.error().message;

  auto good = connect_client();
  ASSERT_TRUE(good);
  ASSERT_FALSE(good->send("still here", kTimeout));
  auto echo = good->receive(kTimeout);
  ASSERT_TRUE(echo);
  EXPECT_EQ(*echo, "still here");
}

TEST_F(TransportTest, Connect_FailsUntrusted_WhenHostNameIsNotInCertificate) {
  // Certificate names localhost, 127.0.0.1 and ::1 only; 127.0.0.2 reaches the
  // same listener (bound to 0.0.0.0 here) under a name it was not issued for.
  ListenerOptions options;
  options.address = "0.0.0.0";
  start_server(options);
  auto client = WebSocketClient::connect("wss://127.0.0.2:" + std::to_string(listener_->local_endpoint().port()),
                                         trust(), "psm.v1", kTimeout);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, Errc::untrusted_server);
  EXPECT_NE(client.error().message.find("not valid for 127.0.0.2"), std::string::npos) << client.error().message;
}

TEST_F(TransportTest, Connect_Succeeds_OverIpv6Loopback) {
  ListenerOptions options;
  options.address = "::1";
  options.port = 0;
  auto tls =
      server::net::make_server_tls_context(dir_ / server::net::kServerCertFile, dir_ / server::net::kServerKeyFile);
  ASSERT_TRUE(tls);
  Listener probe(io_context_, *tls, options, nullptr, nullptr);
  if (!probe.start()) GTEST_SKIP() << "no IPv6 loopback here";
  probe.stop();
  start_server(options);
  auto client = WebSocketClient::connect("wss://[::1]:" + std::to_string(listener_->local_endpoint().port()), trust(),
                                         "psm.v1", kTimeout);
  ASSERT_TRUE(psm::testing::succeeded(client));
  ASSERT_FALSE((*client)->send("v6", kTimeout));
  auto echo = (*client)->receive(kTimeout);
  ASSERT_TRUE(echo);
  EXPECT_EQ(*echo, "v6");
}

TEST_F(TransportTest, Connect_Succeeds_WithHostNameAndPin) {
  start_server();
  // The pin is the SHA-256 of the server key's SubjectPublicKeyInfo, pasted
  // in the upper-case, colon-separated form some tools print.
  auto pin_of_key = psm::crypto::public_key_pin_of_pem_file(dir_ / server::net::kServerCertFile);
  ASSERT_TRUE(pin_of_key);
  std::string pin = "sha256:";
  for (std::size_t i = 0; i < pin_of_key->size(); i += 2) {
    pin += (i ? ":" : "") + pin_of_key->substr(i, 2);
  }
  for (auto& c : pin) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  pin.replace(0, 7, "sha256:");
  const std::string by_name = "wss://localhost:" + std::to_string(listener_->local_endpoint().port());
  auto pinned = WebSocketClient::connect(by_name, ClientTlsOptions{trust().ca_file, pin}, "psm.v1", kTimeout);
  EXPECT_TRUE(psm::testing::succeeded(pinned));
  auto wrong =
      WebSocketClient::connect(by_name, ClientTlsOptions{trust().ca_file, std::string(64, '0')}, "psm.v1", kTimeout);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::untrusted_server);
}

TEST_F(TransportTest, Connect_FailsUnsupportedVersion_WhenClientOffersOldProtocol) {
  start_server();
  auto client = WebSocketClient::connect(url(), trust(), "psm.v0", kTimeout);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, Errc::unsupported_version);
  EXPECT_NE(client.error().message.find("client offered \"psm.v0\""), std::string::npos) << client.error().message;
  EXPECT_NE(client.error().message.find("this server speaks psm.v1"), std::string::npos) << client.error().message;
}

TEST_F(TransportTest, Connect_FailsInvalidArgument_WhenUrlIsNotWss) {
  for (const char* bad : {"ws://127.0.0.1:1", "wss://127.0.0.1", "wss://127.0.0.1:0", "wss://127.0.0.1:70000",
                          "wss://host:1/path", "https://host:1", "wss://:443", "wss://user@host:443"}) {
    auto client = WebSocketClient::connect(bad, ClientTlsOptions{"/nonexistent", {}}, "psm.v1", kTimeout);
    ASSERT_FALSE(client) << bad;
    EXPECT_EQ(client.error().code, Errc::invalid_argument) << bad;
  }
}

TEST_F(TransportTest, OversizedMessage_ClosesThatConnectionOnly) {
  ListenerOptions options;
  options.max_message_bytes = 64 * 1024;
  start_server(options);
  auto big = connect_client();
  auto small = connect_client();
  ASSERT_TRUE(big && small);
  // The server may close before the whole message is even read.
  (void)big->send(std::string(64 * 1024 + 1, 'x'), kTimeout);
  auto reply = big->receive(kTimeout);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error(), Errc::unavailable);
  EXPECT_EQ(big->send("after", kTimeout), Errc::unavailable);

  ASSERT_FALSE(small->send(std::string(64 * 1024, 'y'), kTimeout));  // exactly the limit
  auto echo = small->receive(kTimeout);
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->size(), 64u * 1024u);
}

TEST_F(TransportTest, Tls11Client_FailsHandshake) {
  start_server();
  asio::io_context io_context;
  asio::ssl::context context(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_max_proto_version(context.native_handle(), TLS1_1_VERSION);
  // Security level 0 so that this OpenSSL really offers TLS 1.1: the server,
  // not the client's own policy, must be what refuses it.
  SSL_CTX_set_cipher_list(context.native_handle(), "DEFAULT:@SECLEVEL=0");
  context.set_verify_mode(asio::ssl::verify_none);
  asio::ssl::stream<asio::ip::tcp::socket> stream(io_context, context);
  stream.next_layer().connect(listener_->local_endpoint());
  boost::system::error_code ec;
  stream.handshake(asio::ssl::stream_base::client, ec);
  EXPECT_TRUE(ec);
}

TEST_F(TransportTest, Connect_FailsUnavailableQuickly_WhenPortIsClosed) {
  std::uint16_t port = 0;
  {
    asio::io_context io_context;
    asio::ip::tcp::acceptor probe(io_context, {asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed again: nothing listens there now
  const auto started = std::chrono::steady_clock::now();
  auto client = WebSocketClient::connect("wss://127.0.0.1:" + std::to_string(port), trust(), "psm.v1", kTimeout);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, Errc::unavailable) << client.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(TransportTest, Start_FailsIoError_WhenPortIsTaken) {
  start_server();
  auto tls =
      server::net::make_server_tls_context(dir_ / server::net::kServerCertFile, dir_ / server::net::kServerKeyFile);
  ASSERT_TRUE(tls);
  ListenerOptions options;
  options.port = listener_->local_endpoint().port();
  Listener second(io_context_, *tls, options, nullptr, nullptr);
  auto started = second.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, Errc::io_error);
  EXPECT_NE(started.error().message.find("cannot listen on 127.0.0.1:"), std::string::npos) << started.error().message;
  EXPECT_NE(started.error().message.find("in use"), std::string::npos) << started.error().message;
}

TEST_F(TransportTest, Receive_TimesOutAndStaysUsable_WhenNothingArrives) {
  start_server();
  auto client = connect_client();
  ASSERT_TRUE(client);
  auto nothing = client->receive(50ms);
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error(), Errc::timeout);
  ASSERT_FALSE(client->send("later", kTimeout));
  auto echo = client->receive(kTimeout);
  ASSERT_TRUE(echo);
  EXPECT_EQ(*echo, "later");
}

TEST_F(TransportTest, Stop_DeliversQueuedMessagesThenClosesCleanly) {
  start_server({}, /*echo=*/false);
  auto client = connect_client();
  ASSERT_TRUE(client);
  ASSERT_TRUE(eventually([&] { return log_.connection(0) != nullptr; }));
  auto connection = log_.connection(0);
  connection->send("last words 1");
  connection->send("last words 2");
  listener_->stop();

  for (const char* expected : {"last words 1", "last words 2"}) {
    auto message = client->receive(kTimeout);
    ASSERT_TRUE(message) << message.error().message();
    EXPECT_EQ(*message, expected);
  }
  auto end = client->receive(kTimeout);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error(), Errc::unavailable);
  ASSERT_TRUE(client->peer_close());
  EXPECT_EQ(client->peer_close()->code, 1001);  // going away
  EXPECT_EQ(client->peer_close()->reason, "server shutting down");

  // The io_context runs out of work once every session has finished.
  server_thread_.join();
  EXPECT_EQ(log_.closes.load(), 1);
  EXPECT_EQ(listener_->connection_count(), 0u);
  connection->send("ignored after close");  // must not crash or block
}

TEST_F(TransportTest, Close_SendsQueuedMessagesThenPolicyCloseWithReason) {
  start_server({}, /*echo=*/false);
  auto client = connect_client();
  ASSERT_TRUE(client);
  ASSERT_TRUE(eventually([&] { return log_.connection(0) != nullptr; }));
  auto connection = log_.connection(0);
  connection->send("you are revoked");
  connection->close("device revoked");
  auto message = client->receive(kTimeout);
  ASSERT_TRUE(message);
  EXPECT_EQ(*message, "you are revoked");
  auto end = client->receive(kTimeout);
  ASSERT_FALSE(end);
  ASSERT_TRUE(client->peer_close());
  EXPECT_EQ(client->peer_close()->code, 1008);
  EXPECT_EQ(client->peer_close()->reason, "device revoked");
  EXPECT_TRUE(eventually([&] { return log_.closes.load() == 1; }));
}

TEST_F(TransportTest, HandlerException_ClosesThatConnection_AndServerKeepsServing) {
  start_server();
  auto failing = connect_client();
  ASSERT_TRUE(failing);
  ASSERT_FALSE(failing->send("throw", kTimeout));
  auto end = failing->receive(kTimeout);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error(), Errc::unavailable);
  ASSERT_TRUE(failing->peer_close());
  EXPECT_EQ(failing->peer_close()->code, 1011);  // internal error
  EXPECT_TRUE(eventually([&] { return log_.closes.load() == 1; }));

  auto good = connect_client();
  ASSERT_TRUE(good);
  ASSERT_FALSE(good->send("fine", kTimeout));
  auto echo = good->receive(kTimeout);
  ASSERT_TRUE(echo);
  EXPECT_EQ(*echo, "fine");
}

TEST_F(TransportTest, Send_FromAnotherThread_ReachesClient) {
  start_server({}, /*echo=*/false);
  auto client = connect_client();
  ASSERT_TRUE(client);
  ASSERT_TRUE(eventually([&] { return log_.connection(0) != nullptr; }));
  std::thread poker([connection = log_.connection(0)] { connection->send("poke"); });
  poker.join();
  auto message = client->receive(kTimeout);
  ASSERT_TRUE(message);
  EXPECT_EQ(*message, "poke");
  EXPECT_EQ(log_.connection(0)->remote_address().rfind("127.0.0.1:", 0), 0u);
}

TEST_F(TransportTest, SlowConsumer_IsClosed_WhenQueueOverflows) {
  start_server({}, /*echo=*/false);
  auto client = connect_client();
  ASSERT_TRUE(client);
  ASSERT_TRUE(eventually([&] { return log_.connection(0) != nullptr; }));
  auto connection = log_.connection(0);
  // The client reads nothing while these are posted (it only does I/O inside
  // its calls), so once the socket buffers are full the queue bound trips.
  const std::string message(256 * 1024, 'p');
  for (std::size_t i = 0; i < 4 * limits::kMaxQueuedMessagesPerConnection; ++i) {
    connection->send(message);
  }
  std::this_thread::sleep_for(300ms);
  bool closed = false;
  for (std::size_t i = 0; i < 4 * limits::kMaxQueuedMessagesPerConnection; ++i) {
    auto received = client->receive(kTimeout);
    if (!received) {
      EXPECT_EQ(received.error(), Errc::unavailable);
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed);
  EXPECT_TRUE(eventually([&] { return log_.closes.load() == 1; }));
}

TEST(Metrics, Render_IsPrometheusTextWithHistograms) {
  server::Metrics metrics;
  const std::string empty = metrics.render();
  EXPECT_NE(empty.find("# TYPE psm_connections_open gauge\n"), std::string::npos);
  EXPECT_NE(empty.find("# HELP psm_connections_total "), std::string::npos);
  EXPECT_NE(empty.find("# TYPE psm_push_seconds histogram\n"), std::string::npos);
  EXPECT_NE(empty.find("psm_push_seconds_bucket{le=\"+Inf\"} 0\n"), std::string::npos);
  EXPECT_NE(empty.find("psm_pull_seconds_count 0\n"), std::string::npos);

  metrics.connection_opened();
  metrics.ops_applied(3);
  metrics.observe_push(3ms);
  metrics.observe_push(2s);
  metrics.observe_pull(7s);
  const std::string text = metrics.render();
  EXPECT_NE(text.find("psm_connections_open 1\n"), std::string::npos);
  EXPECT_NE(text.find("psm_connections_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("psm_ops_applied_total 3\n"), std::string::npos);
  EXPECT_NE(text.find("psm_push_seconds_bucket{le=\"0.001\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("psm_push_seconds_bucket{le=\"0.005\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("psm_push_seconds_bucket{le=\"2.5\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("psm_push_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("psm_push_seconds_count 2\n"), std::string::npos);
  EXPECT_NE(text.find("psm_push_seconds_sum 2.003\n"), std::string::npos);
  EXPECT_NE(text.find("psm_pull_seconds_bucket{le=\"5\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("psm_pull_seconds_bucket{le=\"+Inf\"} 1\n"), std::string::npos);
  // Every line is a comment or `name[{labels}] value`.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    ASSERT_FALSE(line.empty());
    if (line[0] == '#') continue;
    EXPECT_EQ(line.rfind("psm_", 0), 0u) << line;
    EXPECT_EQ(std::count(line.begin(), line.end(), ' '), 1) << line;
  }
}

}  // namespace
}  // namespace psm
