#include "server/server.hpp"

#include "common/limits.hpp"
#include "common/platform/platform.hpp"
#include "common/protocol/messages.hpp"
#include "server/admin_commands.hpp"
#include "server/net/tls.hpp"
#include "server/sync/receipts.hpp"
#include "server/sync/session.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/signal_set.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <ctime>

namespace psm::server {

namespace fs = std::filesystem;
namespace asio = boost::asio;

ServeLock::ServeLock(const fs::path& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  held_ = fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
}

ServeLock::~ServeLock() {
  if (fd_ >= 0) ::close(fd_);
}

struct Server::Signals {
  explicit Signals(asio::io_context& io) : set(io, SIGINT, SIGTERM) {}
  asio::signal_set set;
};

Server::Server(ServerOptions options) : options_(std::move(options)) {
  tls_dir_ = options_.tls_dir.empty() ? DataPaths(options_.data).tls_dir() : options_.tls_dir;
  store_work_.emplace(asio::make_work_guard(store_context_));
}

Server::~Server() { shut_down(); }

SyncService& Server::service() { return hub_->service(); }

asio::ip::tcp::endpoint Server::endpoint() const { return listener_->local_endpoint(); }

asio::ip::tcp::endpoint Server::metrics_endpoint() const { return metrics_listener_->local_endpoint(); }

std::optional<StartFailure> Server::open_store(std::unique_ptr<ServerStore>& store) {
  DataPaths paths(options_.data);
  lock_ = std::make_unique<ServeLock>(paths.serve_lock());
  if (!lock_->held() && fs::exists(paths.root)) return StartFailure{StartFailure::Step::already_serving, {}, {}};
  // Every page is checked before a device is served, unless the store is as
  // the last clean stop left it (docs/operations.md, "Starting"): a damaged
  // store is refused here, with its exit code, rather than found later by
  // devices that would be told to retry for ever.
  const auto check_started = std::chrono::steady_clock::now();
  bool checked = false;
  auto opened =
      ServerStore::open(paths, options_.check_store ? StoreCheck::full : StoreCheck::unless_closed_clean, &checked);
  if (!opened) return StartFailure{StartFailure::Step::store, opened.error().code, opened.error().message};
  if (checked) {
    spdlog::info("store integrity check passed in {} ms",
                 std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - check_started)
                     .count());
  } else {
    spdlog::info("store integrity check skipped: the store is as the last clean stop left it");
  }
  store = std::move(*opened);
  return std::nullopt;
}

std::optional<StartFailure> Server::start() {
  started_ = true;
  DataPaths paths(options_.data);
  std::unique_ptr<ServerStore> store = std::move(options_.store);
  if (!store) {
    if (auto failure = open_store(store)) return failure;
  }
  if (options_.network) {
    if (auto owned = platform::check_owner_only(tls_dir_ / net::kServerKeyFile, "TLS key"); !owned) {
      return StartFailure{StartFailure::Step::tls_key, owned.error().code, owned.error().message};
    }
  }
  // Made on first start of a data directory from before receipts.
  bool receipt_key_created = false;
  auto receipt_keys = ReceiptKeys::load_or_create(paths, &receipt_key_created);
  if (!receipt_keys) {
    return StartFailure{StartFailure::Step::receipt_key, receipt_keys.error().code, receipt_keys.error().message};
  }
  if (receipt_key_created) {
    audit_admin_action(*store, "created receipt key " + (*receipt_keys)->signing_key().key_id());
  }

  std::shared_ptr<asio::ssl::context> tls;
  if (options_.network) {
    auto made = net::make_server_tls_context(tls_dir_ / net::kServerCertFile, tls_dir_ / net::kServerKeyFile);
    if (!made) return StartFailure{StartFailure::Step::tls_context, made.error().code, {}};
    tls = std::move(*made);
    if (auto cert = net::read_certificate_info(tls_dir_ / net::kServerCertFile)) {
      metrics_.set_tls_certificate_expiry(cert->not_after);
      const auto days_left = (cert->not_after - static_cast<std::int64_t>(std::time(nullptr))) / 86400;
      if (days_left < 30) {
        spdlog::warn("the server certificate expires in {} day(s): run psm-server cert renew --data {} and restart",
                     days_left, options_.data.string());
      }
    }
  }

  auto service = std::make_unique<SyncService>(std::move(store), metrics_, options_.clock, options_.policy);
  service->set_receipt_keys(*receipt_keys);
  hub_ = std::make_shared<SyncHub>(store_context_, std::move(service), std::move(options_.password_checks));

  if (options_.network) {
    // The devices' port answers only /healthz: /metrics has its own listener,
    // on loopback unless the operator says otherwise.
    auto health = [](std::string_view method, std::string_view target) -> std::optional<net::HttpResponse> {
      if (method != "GET") return std::nullopt;
      if (target == "/healthz") return net::HttpResponse{200, "text/plain; charset=utf-8", "ok\n"};
      return std::nullopt;
    };
    // Strangers are capped by the open-file limit, so take all the kernel allows.
    net::raise_open_file_limit();
    auto listener_options = options_.listener;
    listener_options.subprotocol = std::string(protocol::kSubprotocol);
    listener_ = std::make_unique<net::Listener>(io_, tls, listener_options, hub_->handler_factory(), health);
    if (auto listening = listener_->start(); !listening) {
      return StartFailure{StartFailure::Step::listen, listening.error().code, listening.error().message};
    }
    if (options_.metrics_address) {
      auto monitoring = [this, health](std::string_view method,
                                       std::string_view target) -> std::optional<net::HttpResponse> {
        if (method == "GET" && target == "/metrics") {
          return net::HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8",
                                   metrics_.render(listener_->gauges())};
        }
        return health(method, target);
      };
      metrics_listener_ =
          std::make_unique<net::HttpListener>(io_, *options_.metrics_address, options_.metrics_port, monitoring);
      if (auto listening = metrics_listener_->start(); !listening) {
        listener_->stop();
        return StartFailure{StartFailure::Step::metrics_listen, listening.error().code, listening.error().message};
      }
    }
    if (options_.stop_on_signals) {
      signals_ = std::make_unique<Signals>(io_);
      signals_->set.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec) return;
        spdlog::info("shutting down: no new connections; finishing in-flight work");
        stop();
      });
    }
  }

  // R8: escalate overdue actions at start-up and then every few minutes, on
  // the store thread like all other store work.
  if (options_.escalation_sweeps) asio::post(store_context_, [this] { schedule_escalation(); });
  if (!options_.store_thread) store_context_.poll();
  return std::nullopt;
}

void Server::schedule_escalation() {
  hub_->escalate_now();
  escalation_timer_.expires_after(limits::kEscalationInterval);
  // The timer is cancelled on the store thread before the Server goes.
  escalation_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) schedule_escalation();
  });
}

void Server::start_threads(std::size_t io_threads) {
  running_ = true;
  if (options_.store_thread) store_thread_ = std::thread([this] { store_context_.run(); });
  if (!options_.network) return;
  for (std::size_t i = 0; i < io_threads; ++i) io_threads_.emplace_back([this] { io_.run(); });
}

void Server::run() {
  start_threads(1);
  io_.run();
  shut_down();
}

void Server::run_in_background() { start_threads(2); }

void Server::stop() {
  if (listener_) listener_->stop();
  if (metrics_listener_) metrics_listener_->stop();
  // A signal wait keeps the I/O threads running; only the I/O threads touch it.
  if (signals_) asio::post(io_, [this] { signals_->set.cancel(); });
}

bool Server::run_store_work(const std::function<bool()>& done, std::chrono::milliseconds wait) {
  store_context_.poll();
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    store_context_.run_one_for(deadline - now);
  }
  return done();
}

void Server::shut_down() {
  if (shut_down_ || !started_) return;
  shut_down_ = true;
  // The transport first: no new connections, queued answers sent.
  if (running_) stop();
  for (auto& t : io_threads_) {
    if (t.joinable()) t.join();
  }
  if (!hub_) return;
  // The transport is gone; let the store thread finish anything already
  // queued (a committed batch whose answer could not be sent is re-sent by the
  // device and recognised as a duplicate), then stop the hub's sweeps.
  auto stop_store_work = [this] {
    escalation_timer_.cancel();
    hub_->stop();
  };
  if (store_thread_.joinable()) {
    asio::post(store_context_, stop_store_work);
    store_work_.reset();
    store_thread_.join();
  } else {
    store_context_.poll();
    stop_store_work();
    store_work_.reset();
    store_context_.restart();
    store_context_.poll();
  }
  hub_->shutdown();
}

}  // namespace psm::server
