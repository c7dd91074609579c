#include "harness.hpp"

#include "common/crypto/hash.hpp"
#include "common/crypto/kdf.hpp"
#include "common/crypto/random.hpp"
#include "common/limits.hpp"
#include "common/model/ids.hpp"
#include "common/protocol/codec.hpp"
#include "common/store/transaction.hpp"
#include "server/store/server_store.hpp"
#include "server/sync/sync_service.hpp"
#include "support/workload.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace psm::loadgen {

using namespace std::chrono_literals;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

namespace {

// Starts argv with stdout and stderr going to `log` (appended or truncated).
pid_t spawn(const std::vector<std::string>& argv, const fs::path& log, bool truncate) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | (truncate ? O_TRUNC : O_APPEND),
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

// Runs a command to completion with its output in `log`; throws when it fails.
void run_command(const std::vector<std::string>& argv, const fs::path& log) {
  const pid_t pid = spawn(argv, log, /*truncate=*/false);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(argv[0] + " " + argv[1] + " failed; see " + log.string());
  }
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

ServerProcess::ServerProcess(fs::path server_bin, fs::path data, std::size_t devices)
    : server_bin_(std::move(server_bin)), data_(std::move(data)) {
  run_command({server_bin_.string(), "init", "--data", data_.string(), "--hostname", "localhost"},
              data_.parent_path() / "server-admin.log");
  auto store = server::ServerStore::open(server::DataPaths(data_));
  if (!store) throw std::runtime_error("cannot open the new store: " + store.error().message);
  if (auto imported = server::import_reference_data(**store, bench::kReferenceJson); !imported) {
    throw std::runtime_error("import: " + imported.error().message);
  }
  // Real password hashing: the worker's device enrols with a real login.
  server::Account worker{
      std::string(kWorker), std::string(kWorker), model::Role::child_social_worker, "Priya Shah", {}};
  if (auto added = server::add_user(**store, worker, kPassword); !added) {
    throw std::runtime_error("user: " + added.error().message);
  }
  // Devices enrolled earlier: exactly the rows a login leaves (token stored as its SHA-256 only).
  const auto now = model::HlcClock::system_now_millis();
  store::Transaction tx((*store)->database());
  for (std::size_t i = 0; i < devices; ++i) {
    DeviceCredentials d{model::new_uuid_v7(), crypto::random_hex(32), std::string(kWorker)};
    server::Device row;
    row.device_id = d.device_id;
    row.username = d.username;
    row.name = "bench-device-" + std::to_string(i);
    row.token_hash = crypto::to_hex(crypto::sha256(d.token));
    row.enrolled_at_ms = row.last_seen_ms = now;
    (*store)->add_device(row);
    devices_.push_back(std::move(d));
  }
  tx.commit();
  const auto scopes =
      (*store)->load_reference_data().visible_scopes(std::string(kWorker), model::Role::child_social_worker);
  scopes_.assign(scopes.begin(), scopes.end());
}

ServerProcess::~ServerProcess() {
  if (running()) stop();
}

void ServerProcess::start(bool default_caps) {
  const fs::path log = data_.parent_path() / "server.log";
  fs::remove(log);
  // The push scenario is one device uploading 100,000 queued operations; the
  // default per-device rate limit (6,000 a minute) would make it a measure of
  // the limit, so the limit is raised to its maximum here.
  std::vector<std::string> argv{
      server_bin_.string(),   "serve",    "--data",           data_.string(), "--listen", "127.0.0.1:0",
      "--max-ops-per-minute", "10000000", "--metrics-listen", "off"};
  // Every simulated device comes from 127.0.0.1, and the reconnect storm signs
  // in storm_threads of them at once: more than one real address would.
  if (!default_caps) argv.insert(argv.end(), {"--max-signing-in-per-address", "1000000"});
  pid_ = spawn(argv, log, /*truncate=*/true);
  const auto deadline = Clock::now() + 30s;
  while (Clock::now() < deadline) {
    const auto text = read_all(log);
    constexpr std::string_view kReady = "listening on wss://";
    const auto at = text.find(kReady);
    if (at != std::string::npos) {
      const auto end = text.find('\n', at);
      if (end != std::string::npos) {
        url_ = text.substr(at + 13, end - at - 13);  // from "wss://"
        return;
      }
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("psm-server exited at start-up:\n" + text);
    }
    std::this_thread::sleep_for(20ms);
  }
  throw std::runtime_error("psm-server did not start listening in 30 s");
}

void ServerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 300; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(100ms);
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::uint64_t ServerProcess::rss_kib() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

void ServerProcess::add_unrelated_records(std::size_t count) {
  if (running()) throw std::logic_error("add_unrelated_records needs the server stopped");
  auto store = server::ServerStore::open(server::DataPaths(data_));
  if (!store) throw std::runtime_error("cannot open the store: " + store.error().message);
  constexpr std::size_t kBatch = 5000;
  for (std::size_t done = 0; done < count;) {
    store::Transaction tx((*store)->database());
    for (std::size_t i = 0; i < kBatch && done < count; ++i, ++done) {
      auto r = bench::view_record(done);
      r.scope = model::scope::placement("elsewhere-" + std::to_string(done % 500));
      (*store)->put(r);
    }
    tx.commit();
  }
}

std::unique_ptr<client::net::WebSocketClient> connect(const ServerProcess& server) {
  client::net::ClientTlsOptions tls;
  tls.ca_file = server.ca_file();
  auto socket = client::net::WebSocketClient::connect(server.url(), tls, protocol::kSubprotocol, 20s);
  if (!socket) throw std::runtime_error("connect: " + socket.error().code.message() + " " + socket.error().message);
  return std::move(*socket);
}

SimDevice SimDevice::create(const fs::path& home, const DeviceCredentials& credentials, crypto::ScryptParams params) {
  SimDevice d;
  auto replica = client::Replica::create(client::HomePaths(home), "bench passphrase", params);
  if (!replica) throw std::runtime_error("replica: " + replica.error().message());
  d.replica = std::move(*replica);
  if (!credentials.device_id.empty()) {
    d.replica->set_meta("device_id", credentials.device_id);
    d.replica->set_meta("device_token", credentials.token);
    d.replica->set_meta("person_id", credentials.username);
    d.replica->set_meta("role", "child-social-worker");
  }
  return d;
}

void SimDevice::connect_to(const ServerProcess& server) {
  transport.reset();
  socket = connect(server);
  transport = std::make_unique<client::net::WebSocketTransport>(*socket);
}

client::SyncReport SimDevice::sync(const std::function<void(const client::SyncReport&)>& progress) {
  client::SyncReport report;
  if (auto err = client::sync_once(*replica, *transport, report, progress)) {
    throw std::runtime_error("sync: " + err->message);
  }
  return report;
}

protocol::Message round_trip(client::net::WebSocketClient& socket, const protocol::Message& request) {
  if (auto ec = socket.send(protocol::encode(request), 30s)) throw std::runtime_error("send: " + ec.message());
  for (;;) {
    auto bytes = socket.receive(60s);
    if (!bytes) throw std::runtime_error("receive: " + bytes.error().message());
    auto message = protocol::decode(*bytes);
    if (!message) throw std::runtime_error("undecodable answer");
    if (std::holds_alternative<protocol::Poke>(*message)) continue;
    if (auto* e = std::get_if<protocol::ErrorMessage>(&*message)) throw std::runtime_error("server: " + e->message);
    return std::move(*message);
  }
}

double percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
  return samples[std::min(samples.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace psm::loadgen
