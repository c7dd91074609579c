#include "testing/fault_proxy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <list>
#include <mutex>
#include <thread>
#include <utility>

namespace psm::testing {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// Both ends of one proxied connection. Touched only on the proxy's I/O thread.
struct Link {
  explicit Link(asio::io_context& io) : client(io), server(io) {}
  tcp::socket client;
  tcp::socket server;
  std::optional<FaultProxy::Fault> fault;
  bool closed = false;
  bool stalled = false;

  void close(bool reset) {
    if (closed) return;
    closed = true;
    boost::system::error_code ec;
    for (auto* s : {&client, &server}) {
      // Linger 0 turns close() into a RST.
      if (reset)
        s->set_option(asio::socket_base::linger(true, 0), ec);
      else
        s->shutdown(tcp::socket::shutdown_both, ec);
      s->close(ec);
    }
  }
};

}  // namespace

struct FaultProxy::Impl : std::enable_shared_from_this<Impl> {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::uint16_t upstream_port = 0;
  std::uint16_t port = 0;
  std::thread thread;
  std::list<std::weak_ptr<Link>> links;  // I/O thread only

  std::mutex mutex;
  std::optional<Fault> next_fault;
  std::chrono::milliseconds slow_delay{0};
  std::size_t slow_chunk = 1024;

  std::atomic<bool> down{false};
  std::atomic<std::uint64_t> stall_generation{0};
  std::atomic<std::size_t> connections{0};
  std::atomic<std::uint64_t> to_server{0};
  std::atomic<std::uint64_t> to_client{0};
  std::atomic<std::size_t> fired{0};

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto link = std::make_shared<Link>(io);
      boost::system::error_code ec;
      co_await acceptor.async_accept(link->client, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        continue;
      }
      ++connections;
      if (down) {
        link->close(/*reset=*/true);
        continue;
      }
      {
        std::lock_guard lock(mutex);
        link->fault = std::exchange(next_fault, std::nullopt);
      }
      links.push_back(link);
      asio::co_spawn(io, serve(link), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<Link> link) {
    boost::system::error_code ec;
    co_await link->server.async_connect({asio::ip::address_v4::loopback(), upstream_port},
                                        asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      link->close(/*reset=*/true);
      co_return;
    }
    asio::co_spawn(io, pump(link, Direction::to_client), asio::detached);
    co_await pump(link, Direction::to_server);
  }

  asio::awaitable<void> pause(std::chrono::milliseconds d) {
    asio::steady_timer t(io, d);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  // Writes `n` bytes in chunks, slowed down if asked. False when the link closed.
  asio::awaitable<bool> forward(Link& link, tcp::socket& to, const char* data, std::size_t n, Direction d) {
    std::chrono::milliseconds delay;
    std::size_t chunk;
    {
      std::lock_guard lock(mutex);
      delay = slow_delay;
      chunk = slow_delay > 0ms ? slow_chunk : n;
    }
    while (n > 0 && !link.closed) {
      const std::size_t part = std::min(n, std::max<std::size_t>(chunk, 1));
      if (delay > 0ms) co_await pause(delay);
      if (link.closed) co_return false;
      boost::system::error_code ec;
      co_await asio::async_write(to, asio::buffer(data, part), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return false;
      (d == Direction::to_server ? to_server : to_client) += part;
      data += part;
      n -= part;
    }
    co_return !link.closed;
  }

  asio::awaitable<void> pump(std::shared_ptr<Link> link, Direction d) {
    auto& from = d == Direction::to_server ? link->client : link->server;
    auto& to = d == Direction::to_server ? link->server : link->client;
    std::array<char, 16 * 1024> buffer;
    std::uint64_t passed = 0;
    while (!link->closed) {
      boost::system::error_code ec;
      const std::size_t n =
          co_await from.async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec || link->closed) break;
      std::size_t allowed = n;
      const bool fires = link->fault && link->fault->direction == d && passed + n >= link->fault->after_bytes;
      if (fires) allowed = static_cast<std::size_t>(link->fault->after_bytes - passed);
      if (!co_await forward(*link, to, buffer.data(), allowed, d)) break;
      passed += allowed;
      if (!fires) continue;
      const Action action = link->fault->action;
      link->fault.reset();
      ++fired;
      if (action == Action::stall) {
        // Forward nothing more this way until released; the peer sees a silent link.
        link->stalled = true;
        const auto generation = stall_generation.load();
        while (!link->closed && stall_generation.load() == generation) co_await pause(10ms);
        link->stalled = false;
        if (!co_await forward(*link, to, buffer.data() + allowed, n - allowed, d)) break;
        passed += n - allowed;
        continue;
      }
      link->close(action == Action::reset);
      break;
    }
    link->close(/*reset=*/false);
  }
};

FaultProxy::FaultProxy(std::uint16_t upstream_port) : impl_(std::make_shared<Impl>()) {
  impl_->upstream_port = upstream_port;
  tcp::endpoint ep{asio::ip::address_v4::loopback(), 0};
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([impl = impl_] { impl->io.run(); });
}

FaultProxy::~FaultProxy() {
  asio::post(impl_->io, [impl = impl_] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
    for (auto& weak : impl->links) {
      if (auto l = weak.lock()) l->close(/*reset=*/false);
    }
    impl->io.stop();
  });
  impl_->thread.join();
}

std::uint16_t FaultProxy::port() const { return impl_->port; }

void FaultProxy::fault_next(Fault fault) {
  std::lock_guard lock(impl_->mutex);
  impl_->next_fault = fault;
}

void FaultProxy::set_slow(std::chrono::milliseconds delay, std::size_t chunk_bytes) {
  std::lock_guard lock(impl_->mutex);
  impl_->slow_delay = delay;
  impl_->slow_chunk = chunk_bytes;
}

void FaultProxy::set_down(bool down) { impl_->down = down; }

void FaultProxy::release_stalls() { ++impl_->stall_generation; }

void FaultProxy::cut_all() {
  asio::post(impl_->io, [impl = impl_] {
    for (auto& weak : impl->links) {
      if (auto l = weak.lock()) l->close(/*reset=*/false);
    }
    impl->links.clear();
  });
}

std::size_t FaultProxy::connections() const { return impl_->connections; }
std::uint64_t FaultProxy::bytes_to_server() const { return impl_->to_server; }
std::uint64_t FaultProxy::bytes_to_client() const { return impl_->to_client; }
std::size_t FaultProxy::faults_fired() const { return impl_->fired; }

}  // namespace psm::testing
