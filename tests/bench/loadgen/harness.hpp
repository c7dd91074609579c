// The load generator's world: a real psm-server process on a data directory
// made the way an operator makes one (psm-server init, reference data, accounts,
// enrolled devices), and simulated devices that talk to it through the client
// library (client/sync over client/net's TLS WebSocket transport).
#pragma once

#include "common/crypto/kdf.hpp"

#include "client/net/websocket_client.hpp"
#include "client/net/websocket_transport.hpp"
#include "client/replica/replica.hpp"
#include "client/sync/sync_engine.hpp"
#include "common/protocol/messages.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace psm::loadgen {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start);

// A device the server already knows (as `psm enrol` would have left it).
struct DeviceCredentials {
  std::string device_id;
  std::string token;
  std::string username;
};

// The accounts every simulated device belongs to; all of them see placement p1.
inline constexpr std::string_view kWorker = "csw-1";  // the child's social worker
inline constexpr std::string_view kPassword = "bench-password-2026";

class ServerProcess {
 public:
  // Creates DATA with `psm-server init`, imports the reference data, adds the
  // accounts and `devices` enrolled devices (tokens returned by devices()).
  ServerProcess(fs::path server_bin, fs::path data, std::size_t devices);
  ~ServerProcess();

  // Starts `psm-server serve` on a free loopback port and waits until it listens.
  // Unless `default_caps`, 127.0.0.1 may have any number of connections
  // signing in at once (every simulated device comes from there).
  void start(bool default_caps = false);
  int pid() const { return pid_; }
  // SIGTERM and wait.
  void stop();
  bool running() const { return pid_ > 0; }

  const std::string& url() const { return url_; }
  fs::path ca_file() const { return data_ / "tls" / "ca.pem"; }
  const fs::path& data() const { return data_; }
  const std::vector<DeviceCredentials>& devices() const { return devices_; }
  // The scopes every simulated device (all professionals around p1) holds.
  const std::vector<std::string>& scopes() const { return scopes_; }
  // VmRSS of the server process, in KiB.
  std::uint64_t rss_kib() const;
  // Server stopped: inserts `count` records into a scope no device sees, in
  // batches, straight into the store (how a large authority's store looks).
  void add_unrelated_records(std::size_t count);

 private:
  fs::path server_bin_;
  fs::path data_;
  std::vector<DeviceCredentials> devices_;
  std::vector<std::string> scopes_;
  int pid_ = -1;
  std::string url_;
};

// Opens a TLS WebSocket to the server as a device does.
std::unique_ptr<client::net::WebSocketClient> connect(const ServerProcess& server);

// A device with its own encrypted replica and connection.
struct SimDevice {
  std::unique_ptr<client::Replica> replica;
  std::unique_ptr<client::net::WebSocketClient> socket;
  std::unique_ptr<client::net::WebSocketTransport> transport;

  // A fresh replica in `home` for an enrolled device (replica passphrase KDF
  // at test strength: unlock is measured on its own).
  static SimDevice create(const fs::path& home, const DeviceCredentials& credentials,
                          crypto::ScryptParams params = crypto::kScryptTest);
  void connect_to(const ServerProcess& server);
  // One sync (auth, push the outbox, pull until up to date); throws on failure.
  client::SyncReport sync(const std::function<void(const client::SyncReport&)>& progress = {});
};

// Sends one request and waits for its answer, setting pokes aside. Throws on failure.
protocol::Message round_trip(client::net::WebSocketClient& socket, const protocol::Message& request);

// Percentile of `samples` (sorted in place), p in [0, 100].
double percentile(std::vector<double>& samples, double p);

}  // namespace psm::loadgen
