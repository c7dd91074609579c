// The server's composition root: the one place that builds a serving
// psm-server out of its parts, used by `psm-server serve` and by every
// in-process test that stands a server up (tests/integration/support).
//
// It builds, in this order: the store (opened with its integrity check, under
// DATA/serve.lock), the receipt keys, the SyncService, the password-check pool
// and the SyncHub on the store thread's io_context, the periodic work (the
// escalation sweep at start-up and every limits::kEscalationInterval; the
// hub's own revocation check and refusal flush start with the first sign-in),
// the TLS context, the devices' listener and the loopback metrics listener.
// It stops them in the reverse order: listeners first (in-flight answers are
// sent), then the store thread finishes what is queued, the hub is stopped
// (the last minute's refused sign-ins are written) and shut down, and the
// store is closed, which writes its clean-close marker (DATA/store.closed).
#pragma once

#include "common/error.hpp"
#include "server/net/listener.hpp"
#include "server/net/metrics.hpp"
#include "server/store/server_store.hpp"
#include "server/sync/password_checks.hpp"
#include "server/sync/sync_service.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace psm::server {

class SyncHub;

// An exclusive flock on DATA/serve.lock, released when the process ends
// (however it ends: the kernel drops the lock with the descriptor). Held by a
// serving Server; `psm-server restore` takes it too.
class ServeLock {
 public:
  explicit ServeLock(const std::filesystem::path& path);
  ~ServeLock();
  ServeLock(const ServeLock&) = delete;
  ServeLock& operator=(const ServeLock&) = delete;
  bool held() const { return held_; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

struct ServerOptions {
  // The data directory psm-server init made: store, its key, DATA/tls, the
  // receipt key.
  std::filesystem::path data;
  // The devices' listener: address, port (0 = any free port), caps. The
  // subprotocol is always protocol::kSubprotocol.
  net::ListenerOptions listener;
  // The monitoring listener (plain HTTP, GET /metrics and /healthz); no
  // address = not served (--metrics-listen off).
  std::optional<std::string> metrics_address;
  std::uint16_t metrics_port = 0;
  // `serve --check-store`: check every page even after a clean stop.
  bool check_store = false;
  ServerPolicy policy;
  // `serve`: SIGINT and SIGTERM stop the server gracefully.
  bool stop_on_signals = false;

  // --- For tests -----------------------------------------------------------
  // Serve this already-open store instead of opening DATA's (no serve.lock,
  // no integrity check). `data` then only holds the receipt key.
  std::unique_ptr<ServerStore> store;
  // The TLS certificate and key; empty = DATA/tls.
  std::filesystem::path tls_dir;
  // The server's clock (a test clock moves time by hand).
  SyncService::Clock clock = model::HlcClock::system_now_millis;
  // The password-check pool; null = limits::kPasswordCheckThreads threads.
  std::shared_ptr<PasswordChecks> password_checks;
  // R8's sweep at start-up and every limits::kEscalationInterval, counted
  // against today's (system) date. A test whose store holds actions due on
  // fixed dates turns it off, so what devices see does not depend on the day
  // the test runs.
  bool escalation_sweeps = true;
  // false: no TLS context and no listeners; connections come only in process
  // (SyncHub::handler_factory(), e.g. the tests' loopback transport).
  bool network = true;
  // false: no store thread; the store work runs on the thread that calls
  // run_store_work() (and start(), which runs the start-up sweep), so a test
  // that drives it is deterministic and may use service() directly. Only
  // with network = false.
  bool store_thread = true;
};

// Why start() failed, for the operator: which step, the code, and the detail
// the step gave (cmd_serve turns each into its message and exit code).
struct StartFailure {
  enum class Step {
    already_serving,  // DATA/serve.lock is held by another psm-server
    store,            // the store could not be opened (missing, damaged, key...)
    tls_key,          // DATA/tls/server.key is readable by others
    receipt_key,      // the receipt key could not be read or made
    tls_context,      // the TLS certificate and key could not be loaded
    listen,           // the devices' address could not be bound
    metrics_listen,   // the monitoring address could not be bound
  };
  Step step;
  error_code code;
  std::string detail;
};

// Not copyable or movable. Every method is called from one controlling
// thread (main, or the test's), except stop(), which is thread-safe.
class Server {
 public:
  explicit Server(ServerOptions options);
  // Stops and shuts down whatever is still running, in order.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Builds everything and binds the listeners; starts no thread (the start-up
  // escalation sweep is queued on the store thread, or run now when there is
  // none). On failure nothing is left running.
  std::optional<StartFailure> start();

  // serve: runs the listener on this thread and one more, and the store
  // thread, until stop() (or a signal); then shuts everything down in order
  // and returns.
  void run();
  // Tests: the same threads, started in the background; the destructor (or
  // stop()) ends them.
  void run_in_background();
  // Graceful: stops accepting, ends connections after their queued answers.
  // Thread-safe; returns at once.
  void stop();

  // store_thread = false only: runs the store work that is ready, and, for
  // up to `wait`, work that becomes ready (a password check that finishes),
  // until `done()` says enough. Returns done().
  bool run_store_work(const std::function<bool()>& done, std::chrono::milliseconds wait);

  // After a successful start().
  SyncHub& hub() { return *hub_; }
  const std::shared_ptr<SyncHub>& shared_hub() { return hub_; }
  Metrics& metrics() { return metrics_; }
  net::Listener& listener() { return *listener_; }
  boost::asio::ip::tcp::endpoint endpoint() const;          // the devices' listener
  boost::asio::ip::tcp::endpoint metrics_endpoint() const;  // when served
  const std::filesystem::path& tls_dir() const { return tls_dir_; }
  // The sync service lives on the store thread: use it only there (with
  // store_thread = false, the caller's thread is that thread).
  SyncService& service();
  // Whether store work runs on a thread of its own (ServerOptions::store_thread).
  bool has_store_thread() const { return options_.store_thread; }

  // Runs `f(service)` on the store thread and returns its result (at once,
  // on this thread, when there is no store thread).
  template <class F>
  auto on_store_thread(F f) {
    if (!options_.store_thread) return f(service());
    std::packaged_task<decltype(f(std::declval<SyncService&>()))()> task([&] { return f(service()); });
    auto result = task.get_future();
    boost::asio::post(store_context_, [&task] { task(); });
    return result.get();
  }

 private:
  std::optional<StartFailure> open_store(std::unique_ptr<ServerStore>& store);
  void schedule_escalation();
  void start_threads(std::size_t io_threads_in_background);
  void shut_down();

  ServerOptions options_;
  std::filesystem::path tls_dir_;
  std::unique_ptr<ServeLock> lock_;
  // Destroyed last-but-one: the service, its sessions and timers refer to them.
  Metrics metrics_;
  boost::asio::io_context store_context_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> store_work_;
  boost::asio::io_context io_;
  std::shared_ptr<SyncHub> hub_;
  boost::asio::steady_timer escalation_timer_{store_context_};  // store thread
  std::unique_ptr<net::Listener> listener_;
  std::unique_ptr<net::HttpListener> metrics_listener_;
  struct Signals;
  std::unique_ptr<Signals> signals_;
  std::thread store_thread_;
  std::vector<std::thread> io_threads_;
  bool started_ = false, running_ = false, shut_down_ = false;
};

}  // namespace psm::server
