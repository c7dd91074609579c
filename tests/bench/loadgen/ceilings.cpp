// What the hardware allows, measured in the same run as the scenarios so that
// each result can be read as a ratio: the server's own encrypted store taking
// batched inserts with no sync around them, the server's own TLS WebSocket
// transport echoing messages with no protocol behind it, and scrypt alone.
#include "ceilings.hpp"

#include "common/crypto/kdf.hpp"
#include "common/crypto/random.hpp"
#include "common/store/transaction.hpp"
#include "server/net/listener.hpp"
#include "server/net/tls.hpp"
#include "server/store/server_store.hpp"
#include "support/workload.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <array>
#include <atomic>
#include <stdexcept>
#include <thread>

namespace psm::loadgen {

using namespace std::chrono_literals;

double store_insert_ceiling(const fs::path& scratch, std::size_t records, std::size_t batch) {
  auto store = server::ServerStore::create(server::DataPaths(scratch));
  if (!store) throw std::runtime_error("ceiling store: " + store.error().message);
  std::vector<model::Record> prepared;
  prepared.reserve(records);
  for (std::size_t i = 0; i < records; ++i) prepared.push_back(bench::view_record(i));
  const auto start = Clock::now();
  for (std::size_t done = 0; done < records;) {
    store::Transaction tx((*store)->database());
    for (std::size_t i = 0; i < batch && done < records; ++i) (*store)->put(prepared[done++]);
    tx.commit();
  }
  const double rate = static_cast<double>(records) / seconds_since(start);
  store->reset();
  std::error_code ec;
  fs::remove_all(scratch, ec);
  return rate;
}

namespace {

class Echo final : public server::net::ConnectionHandler {
 public:
  // The transport alone is measured: every peer counts as signed in.
  explicit Echo(std::shared_ptr<server::net::Connection> connection) : connection_(std::move(connection)) {
    connection_->signed_in();
  }
  void on_message(std::string message) override {
    const std::size_t bytes = message.size();
    connection_->send(std::move(message));
    connection_->message_handled(bytes);
  }
  void on_close() override {}

 private:
  std::shared_ptr<server::net::Connection> connection_;
};

}  // namespace

EchoCeiling websocket_echo_ceiling(const fs::path& tls_dir, std::size_t messages, std::size_t round_trips,
                                   std::size_t connections) {
  auto tls = server::net::make_server_tls_context(tls_dir / server::net::kServerCertFile,
                                                  tls_dir / server::net::kServerKeyFile);
  if (!tls) throw std::runtime_error("echo: cannot load TLS material");
  boost::asio::io_context io;
  server::net::ListenerOptions options;
  options.port = 0;
  server::net::Listener listener(
      io, *tls, options,
      [](std::shared_ptr<server::net::Connection> c) { return std::make_shared<Echo>(std::move(c)); },
      [](std::string_view, std::string_view) -> std::optional<server::net::HttpResponse> { return std::nullopt; });
  if (auto started = listener.start(); !started) {
    throw std::runtime_error("echo listener: " + started.error().message);
  }
  // Two I/O threads, as psm-server runs its listener.
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&io] { io.run(); });

  EchoCeiling result;
  {
    client::net::ClientTlsOptions client_tls;
    client_tls.ca_file = tls_dir / server::net::kCaCertFile;
    const std::string url = "wss://127.0.0.1:" + std::to_string(listener.local_endpoint().port());
    auto socket = client::net::WebSocketClient::connect(url, client_tls, "psm.v1", 20s);
    if (!socket) throw std::runtime_error("echo connect: " + socket.error().message);
    const std::string payload(500, 'x');
    std::vector<double> rtts;
    for (std::size_t i = 0; i < round_trips; ++i) {
      const auto t0 = Clock::now();
      if ((*socket)->send(payload, 10s)) throw std::runtime_error("echo send");
      if (!(*socket)->receive(10s)) throw std::runtime_error("echo receive");
      rtts.push_back(seconds_since(t0) * 1000);
    }
    result.rtt_p50_ms = percentile(rtts, 50);
    result.rtt_p99_ms = percentile(rtts, 99);
    // Pipelined: a window of messages in flight (below the server's per-connection queue bound).
    constexpr std::size_t kWindow = 32;
    const auto start = Clock::now();
    for (std::size_t done = 0; done < messages; done += kWindow) {
      for (std::size_t i = 0; i < kWindow; ++i) {
        if ((*socket)->send(payload, 10s)) throw std::runtime_error("echo send");
      }
      for (std::size_t i = 0; i < kWindow; ++i) {
        if (!(*socket)->receive(10s)) throw std::runtime_error("echo receive");
      }
    }
    const std::size_t sent = (messages + kWindow - 1) / kWindow * kWindow;
    result.messages_per_second = static_cast<double>(sent) / seconds_since(start);
    (*socket)->close();
    // Connections opened and closed as fast as 4 client threads can: the TLS
    // and WebSocket handshakes a reconnect storm is made of, with no sync.
    std::atomic<std::size_t> index{0};
    std::atomic<bool> failed{false};
    const auto connects_start = Clock::now();
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
      clients.emplace_back([&] {
        for (std::size_t i; (i = index++) < connections;) {
          auto c = client::net::WebSocketClient::connect(url, client_tls, "psm.v1", 20s);
          if (!c) failed = true;
        }
      });
    }
    for (auto& t : clients) t.join();
    if (failed) throw std::runtime_error("echo: a connection failed");
    result.connections_per_second = static_cast<double>(connections) / seconds_since(connects_start);
  }
  listener.stop();
  for (auto& t : threads) t.join();
  return result;
}

double scrypt_seconds(int repetitions) {
  std::vector<double> samples;
  std::array<std::uint8_t, 16> salt{};
  crypto::random_bytes(salt);
  for (int i = 0; i < repetitions; ++i) {
    const auto start = Clock::now();
    auto key = crypto::scrypt("bench passphrase", salt, crypto::kScryptReplica, 32);
    if (!key) throw std::runtime_error("scrypt failed");
    samples.push_back(seconds_since(start));
  }
  return percentile(samples, 50);
}

}  // namespace psm::loadgen
