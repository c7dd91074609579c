#include "sign_in_attack.hpp"

#include "common/model/ids.hpp"
#include "common/protocol/codec.hpp"
#include "harness.hpp"
#include "server/sync/login_throttle.hpp"
#include "support/workload.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

namespace psm::loadgen {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

void say(const std::string& line) { std::cerr << "[loadgen] " << line << std::endl; }

std::string fmt(const char* format, double a, double b = 0, double c = 0, double d = 0) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, format, a, b, c, d);
  return buffer;
}

// A stranger's connection from a chosen loopback source address (the device
// client cannot choose its source address). Certificate not checked: it is
// the attacker, not a device.
class Stranger {
 public:
  Stranger(const std::string& source, std::uint16_t port) : tls_(asio::ssl::context::tls_client), ws_(io_, tls_) {
    tls_.set_verify_mode(asio::ssl::verify_none);
    auto& socket = beast::get_lowest_layer(ws_);
    socket.open(tcp::v4());
    socket.bind(tcp::endpoint(asio::ip::make_address(source), 0));
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws_.next_layer().handshake(asio::ssl::stream_base::client);
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::sec_websocket_protocol, std::string(protocol::kSubprotocol));
    }));
    ws_.handshake("localhost", "/");
    ws_.binary(true);
  }
  // One sign-in with a wrong password; the answer's error code.
  std::uint16_t try_password(const std::string& username, const std::string& password) {
    ws_.write(asio::buffer(protocol::encode(protocol::LoginRequest{username, password, "laptop", "", 0})));
    beast::flat_buffer buffer;
    ws_.read(buffer);
    auto message = protocol::decode(beast::buffers_to_string(buffer.data()));
    if (!message) throw std::runtime_error("undecodable answer");
    if (auto* r = std::get_if<protocol::AuthResult>(&*message)) return r->error;
    if (auto* e = std::get_if<protocol::ErrorMessage>(&*message)) return e->error;
    throw std::runtime_error("unexpected answer");
  }

 private:
  asio::io_context io_;
  asio::ssl::context tls_;
  websocket::stream<beast::ssl_stream<tcp::socket>> ws_;
};

std::uint16_t port_of(const std::string& url) {
  return static_cast<std::uint16_t>(std::stoul(url.substr(url.rfind(':') + 1)));
}

// Refused sign-ins in the audit trail (the server stopped), as `audit show` lists them.
std::size_t refusal_entries(const ServerProcess& server, const fs::path& server_bin) {
  const auto out = server.data().parent_path() / "audit-show.json";
  const std::string command = "'" + server_bin.string() + "' audit show --json --data '" + server.data().string() +
                              "' > '" + out.string() + "' 2>/dev/null";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("audit show failed");
  std::ifstream in(out);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  std::size_t n = 0;
  for (auto at = text.find("\"kind\":\"sign-in-refused\""); at != std::string::npos;
       at = text.find("\"kind\":\"sign-in-refused\"", at + 1)) {
    ++n;
  }
  return n;
}

}  // namespace

Report run_sign_in_attack(const AttackOptions& o) {
  Report report;
  say("sign-in attack: creating the server's data directory");
  ServerProcess server(o.server_bin, o.work_dir / "server", 1);
  server.start();
  SimDevice worker = SimDevice::create(o.work_dir / "worker", {});
  worker.connect_to(server);
  if (auto e = client::enrol_device(*worker.replica, *worker.transport, std::string(kWorker), std::string(kPassword),
                                    "worker-laptop")) {
    throw std::runtime_error("enrol: " + e->message);
  }
  worker.sync();
  const std::string meeting_id = model::new_uuid_v7();
  if (!worker.replica
           ->submit(
               ops::RequestMeeting{meeting_id, std::string(bench::kPlacement), model::MeetingType::support, "bench", 0})
           .ok()) {
    throw std::runtime_error("request meeting refused");
  }
  worker.sync();
  SimDevice holder = SimDevice::create(o.work_dir / "holder", server.devices().at(0));
  holder.connect_to(server);
  holder.sync();

  std::uint64_t salt = 0;
  // One delta: the worker sends 10 views, the holder's sync (its own
  // connection, token sign-in, pull) is timed.
  auto delta_ms = [&] {
    for (int i = 0; i < 10; ++i) {
      ops::RecordView v;
      v.view_id = model::new_uuid_v7();
      v.meeting_id = meeting_id;
      v.subject = model::ViewSubject::child;
      v.text = bench::filler_text(bench::kTypicalTextBytes, salt++);
      if (!worker.replica->submit(v).ok()) throw std::runtime_error("view refused");
    }
    worker.sync();
    holder.socket.reset();
    holder.transport.reset();
    const auto t0 = Clock::now();
    holder.connect_to(server);
    const auto pulled = holder.sync().pulled;
    const double ms = seconds_since(t0) * 1000;
    if (pulled < 10) throw std::runtime_error("delta received too few records");
    return ms;
  };

  say("quiet: " + std::to_string(o.delta_repetitions) + " delta syncs");
  std::vector<double> quiet;
  for (std::size_t i = 0; i < o.delta_repetitions; ++i) quiet.push_back(delta_ms());

  server.stop();
  const std::size_t audit_before = refusal_entries(server, o.server_bin);
  server.start();
  holder.socket.reset();
  holder.transport.reset();
  worker.socket.reset();
  worker.transport.reset();
  worker.connect_to(server);

  say("attack: " + std::to_string(o.passwords) + " wrong passwords from " + std::to_string(o.addresses) +
      " addresses, while the device syncs");
  std::atomic<std::size_t> tried{0}, refused{0}, busy{0}, locked{0}, dropped{0};
  std::atomic<bool> attack_done{false};
  const auto port = port_of(server.url());
  const auto attack_start = Clock::now();
  std::vector<std::thread> strangers;
  const std::size_t per_address = (o.passwords + o.addresses - 1) / o.addresses;
  for (std::size_t a = 0; a < o.addresses; ++a) {
    strangers.emplace_back([&, a] {
      const std::string source = "127.0.0." + std::to_string(a + 2);
      std::unique_ptr<Stranger> connection;
      for (std::size_t i = 0; i < per_address && tried < o.passwords; ++i) {
        ++tried;
        try {
          if (!connection) connection = std::make_unique<Stranger>(source, port);
          // A different name each time, so each costs a real scrypt check
          // (a repeated name is locked after 5 and costs nothing).
          const auto code = connection->try_password("guess-" + std::to_string(a) + "-" + std::to_string(i),
                                                     "wrong password " + std::to_string(i));
          if (code == static_cast<std::uint16_t>(Errc::busy)) {
            ++busy;
          } else if (code == static_cast<std::uint16_t>(Errc::locked_out)) {
            ++locked;
          } else {
            ++refused;
          }
        } catch (const std::exception&) {
          ++dropped;  // closed by the server (e.g. a stranger's time limit): reconnect
          connection.reset();
        }
      }
    });
  }
  std::vector<double> attacked;
  std::thread measuring([&] {
    while (!attack_done && attacked.size() < 100) attacked.push_back(delta_ms());
  });
  for (auto& t : strangers) t.join();
  const double attack_seconds = seconds_since(attack_start);
  attack_done = true;
  measuring.join();
  holder.socket.reset();
  holder.transport.reset();
  worker.socket.reset();
  worker.transport.reset();
  server.stop();
  const std::size_t audit_after = refusal_entries(server, o.server_bin);

  const double quiet_median = percentile(quiet, 50), quiet_worst = *std::max_element(quiet.begin(), quiet.end());
  const double attack_median = attacked.empty() ? 0 : percentile(attacked, 50);
  const double attack_worst = attacked.empty() ? 0 : *std::max_element(attacked.begin(), attacked.end());
  report.results.push_back({"delta sync, quiet", "10 changes; token sign-in and pull on a new connection", quiet_median,
                            "ms", std::nullopt, "", "", true, false,
                            fmt("worst of %.0f: %.1f ms", static_cast<double>(quiet.size()), quiet_worst)});
  report.results.push_back({"delta sync, during the attack",
                            "same, " + std::to_string(o.passwords) + " wrong passwords from " +
                                std::to_string(o.addresses) + " addresses under way",
                            attack_median, "ms", quiet_median, "quiet", "within a few times the quiet figure",
                            attack_median <= 5 * quiet_median, false,
                            fmt("worst of %.0f: %.1f ms; the attack took %.1f s", static_cast<double>(attacked.size()),
                                attack_worst, attack_seconds)});
  report.results.push_back(
      {"sign-in attack, answers", std::to_string(tried.load()) + " tried", static_cast<double>(refused.load()),
       "refused", std::nullopt, "", "", true, true,
       fmt("busy (pool full) %.0f, locked out %.0f, connection closed %.0f", static_cast<double>(busy.load()),
           static_cast<double>(locked.load()), static_cast<double>(dropped.load()))});
  report.results.push_back(
      {"audit growth under the attack", std::to_string(tried.load()) + " sign-ins tried",
       static_cast<double>(audit_after - audit_before), "entries", std::nullopt, "", "bounded", true, false,
       "sign-in-refused entries written during the attack (3 per address per minute in full, then one count)"});
  // The throttle's bound, in process: every kind full of the longest keys.
  {
    server::LoginThrottle throttle({});
    for (std::size_t i = 0; i < 4 * server::LoginThrottle::kMaxTrackedPerKind; ++i) {
      const auto n = std::to_string(i);
      throttle.password_failed(std::string(100 - n.size(), 'u') + n, "2001:db8:ffff:ffff:ffff:ffff:" + n, i);
      throttle.device_failed(model::new_uuid_v7(i), i);
    }
    report.results.push_back({"sign-in throttle, full", std::to_string(throttle.tracked_keys()) + " keys",
                              static_cast<double>(throttle.approximate_bytes()) / (1024.0 * 1024.0), "MiB",
                              std::nullopt, "", "bounded", true, false,
                              "4 kinds × 10,000 keys, the longest usernames and IPv6 addresses; more keys drop the "
                              "oldest"});
  }
  return report;
}

}  // namespace psm::loadgen
