// One session per accepted socket, each on its own strand, written as
// coroutines: run() walks TLS handshake → HTTP request → either a plain HTTPS
// answer or a WebSocket whose read loop delivers messages, while write_loop()
// owns the single outstanding write and drains the session's queue.
//
// Lifetimes: every coroutine holds a shared_ptr to its Session (and a session
// to the listener's State), so nothing is destroyed under a pending operation.
// Errors travel as error_codes (as_tuple); an exception escaping a coroutine is
// caught by the co_spawn completion handler and logged, never rethrown into
// io_context::run().

#include "server/net/listener.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <vector>

namespace psm::server::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using WebSocketStream = websocket::stream<TlsStream>;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// A plain HTTPS request is a GET line and a few headers; anything bigger is
// not one of ours.
constexpr std::uint32_t kMaxHttpHeaderBytes = 8 * 1024;
constexpr std::uint64_t kMaxHttpBodyBytes = 8 * 1024;
// Writing a small HTTP answer and the TLS close_notify after it.
constexpr std::chrono::seconds kHttpWriteTimeout{10};
// From close() (or stop()) to the TCP socket being closed regardless: enough to
// flush a full queue of ordinary batches on a slow link, short enough that
// shutdown does not hang on a peer that stopped reading.
constexpr std::chrono::seconds kCloseTimeout{10};
// From a sign-in timeout to the TCP socket being closed regardless: a
// stranger gets its close frame if it reads, and no longer than this if not.
constexpr std::chrono::seconds kSignInCloseTimeout{2};
// Back-off after a failed accept (EMFILE and friends) so the loop cannot spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// Connections refused over a cap are logged at most this often, with a count,
// so that a flood cannot fill the log.
constexpr std::chrono::seconds kRefusalLogInterval{10};
// An offered subprotocol is echoed back in a refusal; a real one is short.
constexpr std::size_t kMaxEchoedProtocolBytes = 64;
// RFC 6455: a close frame's payload is at most 125 bytes, 2 of them the code.
constexpr std::size_t kMaxCloseReasonBytes = 123;

std::string format_endpoint(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

// Cuts `reason` to what a close frame carries without splitting a UTF-8
// sequence (the peer may validate it).
websocket::close_reason make_close_reason(websocket::close_code code, std::string reason) {
  if (reason.size() > kMaxCloseReasonBytes) {
    std::size_t cut = kMaxCloseReasonBytes;
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason.resize(cut);
  }
  return websocket::close_reason(code, reason);
}

bool offers_subprotocol(std::string_view header, std::string_view wanted) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view token = header.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (token == wanted) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

void log_exception(const char* where, const std::exception_ptr& exception) {
  if (!exception) return;
  try {
    std::rethrow_exception(exception);
  } catch (const std::exception& e) {
    spdlog::error("net: unexpected exception in {}: {}", where, e.what());
  } catch (...) {
    spdlog::error("net: unexpected non-standard exception in {}", where);
  }
}

bool is_normal_end(const error_code& ec) {
  return ec == websocket::error::closed || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset || ec == beast::error::timeout;
}

http::response<http::string_body> make_http_response(unsigned version, http::status status,
                                                     std::string_view content_type, std::string body) {
  http::response<http::string_body> response{status, version};
  response.set(http::field::server, "psm");
  response.set(http::field::content_type, content_type);
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(false);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

// The answer to a plain HTTP(S) request that is not a WebSocket upgrade.
http::response<http::string_body> answer_http(const HttpHandler& handler,
                                              const http::request<http::string_body>& request,
                                              const std::string& remote_address) {
  constexpr std::string_view kText = "text/plain; charset=utf-8";
  if (request.method() != http::verb::get) {
    return make_http_response(request.version(), http::status::method_not_allowed, kText, "method not allowed\n");
  }
  std::optional<HttpResponse> response;
  try {
    if (handler) response = handler(request.method_string(), request.target());
  } catch (const std::exception& e) {
    spdlog::error("net: {}: HTTP handler threw: {}", remote_address, e.what());
    return make_http_response(request.version(), http::status::internal_server_error, kText, "internal error\n");
  }
  if (!response) {
    return make_http_response(request.version(), http::status::not_found, kText, "not found\n");
  }
  return make_http_response(request.version(), static_cast<http::status>(response->status), response->content_type,
                            std::move(response->body));
}

std::size_t open_file_soft_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return 1024 * 1024;  // no stated limit: the kernel's nr_open default
  }
  return static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace

std::size_t raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    spdlog::warn("net: cannot read the open-file limit: {}", std::strerror(errno));
    return open_file_soft_limit();
  }
  if (limit.rlim_cur != limit.rlim_max) {
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      spdlog::warn("net: cannot raise the open-file limit from {} to {}: {}", before, limit.rlim_max,
                   std::strerror(errno));
    }
  }
  return open_file_soft_limit();
}

class Listener::State : public std::enable_shared_from_this<Listener::State> {
 public:
  State(asio::io_context& io_context, std::shared_ptr<asio::ssl::context> tls, ListenerOptions options,
        HandlerFactory handler_factory, HttpHandler http_handler)
      : io_context_(io_context),
        tls_(std::move(tls)),
        options_(std::move(options)),
        handler_factory_(std::move(handler_factory)),
        http_handler_(std::move(http_handler)),
        strand_(asio::make_strand(io_context)),
        acceptor_(strand_) {}

  Expected<void> start();
  void stop();
  tcp::endpoint local_endpoint() const {
    std::lock_guard lock(mutex_);
    return local_endpoint_;
  }

  TransportGauges gauges() const;

  asio::io_context& io_context_;
  const std::shared_ptr<asio::ssl::context> tls_;
  const ListenerOptions options_;
  const HandlerFactory handler_factory_;
  const HttpHandler http_handler_;
  std::atomic<std::size_t> websocket_count_{0};

 private:
  class Session;
  asio::awaitable<void> accept_loop(std::shared_ptr<State> self);

  // Connection caps (mutex_). admit() counts a new connection, before sign-in,
  // or refuses it; the session undoes its counts with signed_in_from() and
  // finished().
  bool admit(const asio::ip::address& address);
  void signed_in_from(const asio::ip::address& address);
  void finished(const asio::ip::address& address, bool before_sign_in);
  void forget_before_sign_in(const asio::ip::address& address);  // mutex_ held
  void log_refusal();

  // Read-but-not-handled bytes for the whole server. Sessions add what they
  // deliver (hold) and subtract what their handler finished (release); a
  // session that finds the total over its bound registers to be woken by the
  // next release.
  void hold(std::size_t bytes);
  void release(std::size_t bytes);
  bool over_total() const { return bytes_in_hand_.load() >= options_.max_bytes_in_hand_total; }
  void wait_for_room(const std::shared_ptr<Session>& session);

  asio::any_io_executor strand_;
  tcp::acceptor acceptor_;  // touched only on strand_ once started
  mutable std::mutex mutex_;
  tcp::endpoint local_endpoint_;                  // guarded by mutex_
  bool started_ = false;                          // guarded by mutex_
  bool stopping_ = false;                         // guarded by mutex_
  std::vector<std::weak_ptr<Session>> sessions_;  // guarded by mutex_
  // Caps resolved at start() from options_ and the open-file limit.
  std::size_t max_connections_ = 0;                                     // guarded by mutex_
  std::size_t max_before_sign_in_ = 0;                                  // guarded by mutex_
  std::size_t connections_ = 0;                                         // guarded by mutex_
  std::size_t before_sign_in_ = 0;                                      // guarded by mutex_
  std::map<asio::ip::address, std::size_t> before_sign_in_by_address_;  // guarded by mutex_
  std::vector<std::weak_ptr<Session>> waiting_for_room_;                // guarded by mutex_
  std::uint64_t refusals_unlogged_ = 0;                                 // guarded by mutex_
  std::chrono::steady_clock::time_point last_refusal_log_{};            // guarded by mutex_
  std::atomic<std::size_t> bytes_in_hand_{0};
  std::atomic<std::size_t> messages_in_hand_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> sign_in_timeouts_{0};
};

class Listener::State::Session final : public Connection, public std::enable_shared_from_this<Session> {
 public:
  // `socket` was admit()ted: the session counts as one connection before
  // sign-in until signed_in() or its end.
  Session(tcp::socket socket, asio::ip::address remote_ip, std::shared_ptr<State> listener)
      : listener_(std::move(listener)),
        strand_(socket.get_executor()),
        remote_address_(remote_of(socket)),
        remote_ip_(std::move(remote_ip)),
        ws_(std::move(socket), *listener_->tls_),
        wake_(strand_),
        read_wake_(strand_),
        close_deadline_(strand_),
        sign_in_deadline_(strand_) {}

  void start() {
    // The deadline runs from accept: TLS, HTTP and the WebSocket handshake
    // all count against it, so a stranger cannot hold a socket by being slow.
    sign_in_deadline_.expires_after(listener_->options_.sign_in_timeout);
    sign_in_deadline_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->sign_in_timed_out();
    });
    asio::co_spawn(strand_, run(shared_from_this()), [](const std::exception_ptr& e) { log_exception("session", e); });
  }

  void send(std::string message) override {
    asio::post(strand_, [self = shared_from_this(), message = std::move(message)]() mutable {
      self->enqueue(std::move(message));
    });
  }

  void close(std::string reason) override {
    asio::post(strand_, [self = shared_from_this(), reason = std::move(reason)]() mutable {
      self->request_close(make_close_reason(websocket::close_code::policy_error, std::move(reason)),
                          /*drop_queue=*/false);
    });
  }

  std::string remote_address() const override { return remote_address_; }

  void message_handled(std::size_t bytes) override {
    asio::post(strand_, [self = shared_from_this(), bytes] { self->release(bytes); });
  }

  void signed_in() override {
    asio::post(strand_, [self = shared_from_this()] {
      if (self->signed_in_ || self->phase_ != Phase::websocket) return;
      self->signed_in_ = true;
      self->sign_in_deadline_.cancel();
      self->ws_.read_message_max(self->listener_->options_.max_message_bytes);
      self->listener_->signed_in_from(self->remote_ip_);
    });
  }

  // Listener::stop(): end the session gracefully, whatever phase it is in.
  void shutdown() {
    asio::post(strand_, [self = shared_from_this()] {
      switch (self->phase_) {
        case Phase::handshake:
          // Nothing worth finishing: abort the TLS/HTTP operation in progress.
          self->shutdown_requested_ = true;
          self->close_socket();
          break;
        case Phase::websocket:
          self->request_close(make_close_reason(websocket::close_code::going_away, "server shutting down"),
                              /*drop_queue=*/false);
          break;
        case Phase::finished:
          break;
      }
    });
  }

  // The server's total has room again: look at this session's bounds again.
  void wake_reader() {
    asio::post(strand_, [self = shared_from_this()] { self->read_wake_.cancel(); });
  }

 private:
  enum class Phase { handshake, websocket, finished };

  static std::string remote_of(const tcp::socket& socket) {
    boost::system::error_code ec;
    const auto endpoint = socket.remote_endpoint(ec);
    return ec ? std::string("unknown") : format_endpoint(endpoint);
  }

  // `self` keeps the session alive for as long as the coroutine runs.
  asio::awaitable<void> run([[maybe_unused]] std::shared_ptr<Session> self) {
    try {
      co_await serve();
    } catch (const std::exception& e) {
      spdlog::error("net: {}: session failed: {}", remote_address_, e.what());
    }
    finish();
    close_socket();
  }

  asio::awaitable<void> serve() {
    beast::get_lowest_layer(ws_).expires_after(limits::kHandshakeTimeout);
    if (auto [ec] = co_await ws_.next_layer().async_handshake(asio::ssl::stream_base::server, kUseTuple); ec) {
      // Scanners, TLS 1.1 clients and untrusting devices end here: not news.
      spdlog::debug("net: {}: TLS handshake failed: {}", remote_address_, ec.message());
      co_return;
    }

    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHttpHeaderBytes);
    parser.body_limit(kMaxHttpBodyBytes);
    if (auto [ec, bytes] = co_await http::async_read(ws_.next_layer(), buffer, parser, kUseTuple); ec) {
      spdlog::debug("net: {}: no HTTP request: {}", remote_address_, ec.message());
      co_return;
    }
    const auto& request = parser.get();
    if (!websocket::is_upgrade(request)) {
      co_await write_http(answer_http(listener_->http_handler_, request, remote_address_));
      co_return;
    }

    const std::string& subprotocol = listener_->options_.subprotocol;
    // Echoed to the log and to the peer, so kept short.
    const std::string_view offered = request[http::field::sec_websocket_protocol].substr(0, kMaxEchoedProtocolBytes);
    if (!offers_subprotocol(offered, subprotocol)) {
      spdlog::info("net: {}: refused WebSocket with protocol \"{}\" (server speaks {})", remote_address_, offered,
                   subprotocol);
      std::string body = offered.empty()
                             ? "unsupported protocol version: client offered none"
                             : "unsupported protocol version: client offered \"" + std::string(offered) + "\"";
      body += "; this server speaks " + subprotocol;
      co_await write_http(make_http_response(request.version(), http::status::bad_request, "text/plain; charset=utf-8",
                                             std::move(body)));
      co_return;
    }

    // The WebSocket has its own timeouts (handshake, idle pings) from here on.
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type& res) {
      res.set(http::field::server, "psm");
      res.set(http::field::sec_websocket_protocol, subprotocol);
    }));
    // Small until the handler says the peer signed in (signed_in()).
    ws_.read_message_max(listener_->options_.max_message_bytes_before_sign_in);
    ws_.binary(true);
    if (auto [ec] = co_await ws_.async_accept(request, kUseTuple); ec) {
      spdlog::debug("net: {}: WebSocket accept failed: {}", remote_address_, ec.message());
      co_return;
    }
    if (shutdown_requested_) co_return;  // stop() or the sign-in deadline, as the accept completed
    phase_ = Phase::websocket;
    listener_->websocket_count_.fetch_add(1);

    try {
      handler_ = listener_->handler_factory_(shared_from_this());
    } catch (const std::exception& e) {
      spdlog::error("net: {}: handler factory threw: {}", remote_address_, e.what());
    }
    if (!handler_) {
      request_close(make_close_reason(websocket::close_code::internal_error, "server error"),
                    /*drop_queue=*/true);
    }
    asio::co_spawn(strand_, write_loop(shared_from_this()),
                   [](const std::exception_ptr& e) { log_exception("write loop", e); });
    co_await read_loop();
  }

  asio::awaitable<void> read_loop() {
    beast::flat_buffer buffer;
    for (;;) {
      co_await wait_for_room();
      auto [ec, bytes] = co_await ws_.async_read(buffer, kUseTuple);
      if (ec) {
        // Before sign-in these are strangers' doings: debug only, so that a
        // flood of connections cannot flood the log.
        const auto level = signed_in_ ? spdlog::level::info : spdlog::level::debug;
        if (ec == websocket::error::message_too_big) {
          // Beast has already sent a 1009 close frame and torn the stream down,
          // having read only the frame's header.
          spdlog::log(signed_in_ ? spdlog::level::warn : level, "net: {}: message over {} bytes{}; connection closed",
                      remote_address_, ws_.read_message_max(), signed_in_ ? "" : " before sign-in");
        } else if (!is_normal_end(ec)) {
          spdlog::log(level, "net: {}: connection lost: {}", remote_address_, ec.message());
        }
        co_return;
      }
      std::string message = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      // After close() the handler has said it is done with this peer: what is
      // still in flight from the peer is read (to reach its close frame) but
      // not delivered.
      if (close_requested_ || !handler_) continue;
      const std::size_t size = message.size();
      hold(size);
      try {
        handler_->on_message(std::move(message));
      } catch (const std::exception& e) {
        spdlog::error("net: {}: message handler threw: {}", remote_address_, e.what());
        release(size);
        request_close(make_close_reason(websocket::close_code::internal_error, "server error"),
                      /*drop_queue=*/true);
      }
    }
  }

  // Returns when this session may read another message: it is under its own
  // bounds and the server under its total, or it is only reading to reach the
  // peer's close frame (nothing more is delivered, so nothing is held).
  // Anything that can change the answer cancels read_wake_: release(), a
  // close request, the socket closing, and State::release() for the total.
  asio::awaitable<void> wait_for_room() {
    const auto& options = listener_->options_;
    for (;;) {
      if (close_requested_ || !handler_ || phase_ != Phase::websocket || socket_closed_) {
        co_return;
      }
      if (messages_in_hand_ < options.max_messages_in_hand_per_connection &&
          bytes_in_hand_ < options.max_bytes_in_hand_per_connection) {
        if (!listener_->over_total()) co_return;
        listener_->wait_for_room(shared_from_this());
        // A release between the check and the registration has woken no one.
        if (!listener_->over_total()) co_return;
      }
      read_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await read_wake_.async_wait(kUseTuple);  // cancelled = woken
    }
  }

  void hold(std::size_t bytes) {
    bytes_in_hand_ += bytes;
    ++messages_in_hand_;
    listener_->hold(bytes);
  }

  // A handler's message_handled(), on the strand. A handler that reports more
  // than it was given cannot drive the counts below zero.
  void release(std::size_t bytes) {
    if (messages_in_hand_ == 0) {
      spdlog::error("net: {}: message_handled() without a message in hand", remote_address_);
      return;
    }
    bytes = std::min(bytes, bytes_in_hand_);
    bytes_in_hand_ -= bytes;
    --messages_in_hand_;
    listener_->release(bytes);
    read_wake_.cancel();
  }

  // The only writer of ws_: one async_write (or the final async_close) at a
  // time, woken by wake_ when the queue or the close request changes.
  asio::awaitable<void> write_loop([[maybe_unused]] std::shared_ptr<Session> self) {
    while (phase_ == Phase::websocket) {
      if (!queue_.empty()) {
        // Moved out of the queue so that dropping the queue (slow consumer)
        // cannot free the buffer under the write.
        std::string message = std::move(queue_.front());
        queue_.pop_front();
        if (auto [ec, bytes] = co_await ws_.async_write(asio::buffer(message), kUseTuple); ec) {
          if (!is_normal_end(ec)) {
            spdlog::info("net: {}: write failed: {}", remote_address_, ec.message());
          }
          close_socket();  // ends the read loop too
          co_return;
        }
        continue;
      }
      if (close_requested_) {
        if (auto [ec] = co_await ws_.async_close(close_reason_, kUseTuple); ec && !is_normal_end(ec)) {
          spdlog::debug("net: {}: close failed: {}", remote_address_, ec.message());
        }
        co_return;
      }
      wake_.expires_at(asio::steady_timer::time_point::max());
      co_await wake_.async_wait(kUseTuple);  // cancelled = woken
    }
  }

  // One response, then TLS close_notify and the end of the connection.
  asio::awaitable<void> write_http(http::response<http::string_body> response) {
    beast::get_lowest_layer(ws_).expires_after(kHttpWriteTimeout);
    if (auto [ec, bytes] = co_await http::async_write(ws_.next_layer(), response, kUseTuple); ec) {
      spdlog::debug("net: {}: HTTP write failed: {}", remote_address_, ec.message());
      co_return;
    }
    co_await ws_.next_layer().async_shutdown(kUseTuple);  // the peer may just hang up
  }

  // On the strand, when sign_in_timeout has passed since accept.
  void sign_in_timed_out() {
    if (signed_in_ || phase_ == Phase::finished) return;
    listener_->sign_in_timeouts_.fetch_add(1);
    spdlog::debug("net: {}: not signed in within {} ms; closing", remote_address_,
                  listener_->options_.sign_in_timeout.count());
    if (phase_ == Phase::handshake) {
      shutdown_requested_ = true;
      close_socket();
      return;
    }
    request_close(make_close_reason(websocket::close_code::policy_error, "sign in took too long"),
                  /*drop_queue=*/true, kSignInCloseTimeout);
  }

  void enqueue(std::string message) {
    if (phase_ != Phase::websocket || close_requested_) return;
    if (queue_.size() >= limits::kMaxQueuedMessagesPerConnection) {
      spdlog::warn("net: {}: {} messages queued; closing slow connection", remote_address_, queue_.size());
      request_close(make_close_reason(websocket::close_code::try_again_later, "too slow"),
                    /*drop_queue=*/true);
      return;
    }
    queue_.push_back(std::move(message));
    wake_.cancel();
  }

  void request_close(websocket::close_reason reason, bool drop_queue,
                     std::chrono::steady_clock::duration timeout = kCloseTimeout) {
    if (phase_ != Phase::websocket || close_requested_) return;
    close_requested_ = true;
    close_reason_ = std::move(reason);
    if (drop_queue) queue_.clear();
    wake_.cancel();
    read_wake_.cancel();  // read on to the peer's close frame, delivering nothing
    close_deadline_.expires_after(timeout);
    close_deadline_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec) return;  // cancelled: the session finished in time
      spdlog::log(self->signed_in_ ? spdlog::level::info : spdlog::level::debug,
                  "net: {}: close did not complete in time; dropping the connection", self->remote_address_);
      self->close_socket();
    });
  }

  void finish() {
    const bool was_websocket = phase_ == Phase::websocket;
    phase_ = Phase::finished;
    queue_.clear();
    wake_.cancel();
    read_wake_.cancel();
    close_deadline_.cancel();
    sign_in_deadline_.cancel();
    if (was_websocket) listener_->websocket_count_.fetch_sub(1);
    listener_->finished(remote_ip_, /*before_sign_in=*/!signed_in_);
    if (handler_) {
      // Released before the call returns to us: a handler that holds its
      // Connection would otherwise keep both alive forever.
      auto handler = std::move(handler_);
      try {
        handler->on_close();
      } catch (const std::exception& e) {
        spdlog::error("net: {}: close handler threw: {}", remote_address_, e.what());
      }
    }
  }

  void close_socket() {
    socket_closed_ = true;
    read_wake_.cancel();  // a paused read loop must see the end
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  const std::shared_ptr<State> listener_;
  const asio::any_io_executor strand_;
  const std::string remote_address_;
  const asio::ip::address remote_ip_;
  WebSocketStream ws_;
  asio::steady_timer wake_;
  asio::steady_timer read_wake_;
  asio::steady_timer close_deadline_;
  asio::steady_timer sign_in_deadline_;
  // Everything below is touched only on strand_.
  Phase phase_ = Phase::handshake;
  std::shared_ptr<ConnectionHandler> handler_;
  std::deque<std::string> queue_;
  bool shutdown_requested_ = false;
  bool close_requested_ = false;
  bool socket_closed_ = false;
  bool signed_in_ = false;
  std::size_t messages_in_hand_ = 0;
  std::size_t bytes_in_hand_ = 0;
  websocket::close_reason close_reason_;
};

bool Listener::State::admit(const asio::ip::address& address) {
  std::lock_guard lock(mutex_);
  auto& from_address = before_sign_in_by_address_[address];
  if (connections_ >= max_connections_ || before_sign_in_ >= max_before_sign_in_ ||
      from_address >= options_.max_connections_before_sign_in_per_address) {
    if (from_address == 0) before_sign_in_by_address_.erase(address);
    return false;
  }
  ++connections_;
  ++before_sign_in_;
  ++from_address;
  return true;
}

void Listener::State::signed_in_from(const asio::ip::address& address) {
  std::lock_guard lock(mutex_);
  forget_before_sign_in(address);
}

void Listener::State::finished(const asio::ip::address& address, bool before_sign_in) {
  // One lock, so that no one sees the connection gone from one count only.
  std::lock_guard lock(mutex_);
  if (before_sign_in) forget_before_sign_in(address);
  --connections_;
}

void Listener::State::forget_before_sign_in(const asio::ip::address& address) {
  --before_sign_in_;
  if (auto it = before_sign_in_by_address_.find(address); it != before_sign_in_by_address_.end() && --it->second == 0) {
    before_sign_in_by_address_.erase(it);
  }
}

void Listener::State::log_refusal() {
  refused_.fetch_add(1);
  std::lock_guard lock(mutex_);
  ++refusals_unlogged_;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log_ < kRefusalLogInterval) return;
  spdlog::warn(
      "net: refused {} connection(s) over the caps ({} connections, {} before sign-in, {} per "
      "address before sign-in)",
      refusals_unlogged_, max_connections_, max_before_sign_in_, options_.max_connections_before_sign_in_per_address);
  refusals_unlogged_ = 0;
  last_refusal_log_ = now;
}

void Listener::State::hold(std::size_t bytes) {
  bytes_in_hand_.fetch_add(bytes);
  messages_in_hand_.fetch_add(1);
}

void Listener::State::release(std::size_t bytes) {
  bytes_in_hand_.fetch_sub(bytes);
  messages_in_hand_.fetch_sub(1);
  if (over_total()) return;
  std::vector<std::weak_ptr<Session>> waiting;
  {
    std::lock_guard lock(mutex_);
    waiting.swap(waiting_for_room_);
  }
  for (const auto& weak : waiting) {
    if (auto session = weak.lock()) session->wake_reader();
  }
}

void Listener::State::wait_for_room(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex_);
  waiting_for_room_.push_back(session);
}

TransportGauges Listener::State::gauges() const {
  TransportGauges gauges;
  {
    std::lock_guard lock(mutex_);
    gauges.connections = connections_;
    gauges.connections_before_sign_in = before_sign_in_;
  }
  gauges.bytes_in_hand = bytes_in_hand_.load();
  gauges.messages_in_hand = messages_in_hand_.load();
  gauges.connections_refused = refused_.load();
  gauges.sign_in_timeouts = sign_in_timeouts_.load();
  return gauges;
}

namespace {

// Opens, binds and listens on `address:port` for both listeners. The reason
// for a failure, for the operator, is logged and returned.
Expected<void> bind_and_listen(tcp::acceptor& acceptor, const std::string& address_text, std::uint16_t port) {
  auto fail = [](Errc code, std::string text) -> Expected<void> {
    spdlog::error("net: {}", text);
    return Error{make_error_code(code), std::move(text)};
  };
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(address_text, ec);
  if (ec) return fail(Errc::invalid_argument, "invalid listen address \"" + address_text + "\"");
  const tcp::endpoint endpoint{address, port};
  const std::string where = format_endpoint(endpoint);
  if (acceptor.open(endpoint.protocol(), ec); ec) {
    return fail(Errc::io_error, "cannot open a socket for " + where + ": " + ec.message());
  }
  // SO_REUSEADDR lets a restarted server bind while old connections sit in
  // TIME_WAIT; it does not let two servers listen on one port.
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  boost::system::error_code ignored;
  if (acceptor.bind(endpoint, ec); ec) {
    acceptor.close(ignored);
    return fail(Errc::io_error, "cannot listen on " + where + ": " + ec.message());
  }
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    acceptor.close(ignored);
    return fail(Errc::io_error, "cannot listen on " + where + ": " + ec.message());
  }
  return {};
}

}  // namespace

Expected<void> Listener::State::start() {
  std::lock_guard lock(mutex_);
  if (started_) {
    spdlog::error("net: listener already started");
    return Error{make_error_code(Errc::invalid_argument), "listener already started"};
  }
  if (auto bound = bind_and_listen(acceptor_, options_.address, options_.port); !bound) return bound;
  boost::system::error_code ec;
  local_endpoint_ = acceptor_.local_endpoint(ec);
  started_ = true;
  max_connections_ = options_.max_connections;
  if (max_connections_ == 0) {
    const std::size_t files = open_file_soft_limit();
    max_connections_ =
        files > 2 * limits::kFileDescriptorsReserved ? files - limits::kFileDescriptorsReserved : files / 2;
  }
  max_before_sign_in_ = options_.max_connections_before_sign_in;
  if (max_before_sign_in_ == 0) {
    max_before_sign_in_ = std::max<std::size_t>(1, std::min(max_connections_ / 2, limits::kMaxConnectionsBeforeSignIn));
  }
  spdlog::info("net: listening on {}", format_endpoint(local_endpoint_));
  spdlog::info("net: accepting up to {} connections ({} before sign-in, {} per address before sign-in)",
               max_connections_, max_before_sign_in_, options_.max_connections_before_sign_in_per_address);
  asio::co_spawn(strand_, accept_loop(shared_from_this()),
                 [](const std::exception_ptr& e) { log_exception("accept loop", e); });
  return {};
}

asio::awaitable<void> Listener::State::accept_loop(std::shared_ptr<State> self) {
  asio::steady_timer retry_timer(strand_);
  for (;;) {
    // Each connection gets its own strand; the socket carries it.
    tcp::socket socket(asio::make_strand(io_context_));
    auto [ec] = co_await acceptor_.async_accept(socket, kUseTuple);
    if (!acceptor_.is_open()) co_return;  // stop()
    if (ec) {
      spdlog::warn("net: accept failed: {}", ec.message());
      retry_timer.expires_after(kAcceptRetryDelay);
      co_await retry_timer.async_wait(kUseTuple);
      continue;
    }
    boost::system::error_code ignored;
    const auto remote = socket.remote_endpoint(ignored);
    if (!admit(remote.address())) {
      // Over a cap: closed before any TLS work, so a flood costs an accept
      // (counted first, so the count is there when the peer sees the close).
      log_refusal();
      socket.close(ignored);
      continue;
    }
    // Replies are whole messages; Nagle would only delay the last segment.
    socket.set_option(tcp::no_delay(true), ignored);
    auto session = std::make_shared<Session>(std::move(socket), remote.address(), self);
    {
      std::lock_guard lock(mutex_);
      std::erase_if(sessions_, [](const auto& weak) { return weak.expired(); });
      sessions_.push_back(session);
    }
    session->start();
  }
}

void Listener::State::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  asio::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    std::vector<std::weak_ptr<Session>> sessions;
    {
      std::lock_guard lock(self->mutex_);
      sessions.swap(self->sessions_);
    }
    for (const auto& weak : sessions) {
      if (auto session = weak.lock()) session->shutdown();
    }
  });
}

Listener::Listener(asio::io_context& io_context, std::shared_ptr<asio::ssl::context> tls, ListenerOptions options,
                   HandlerFactory handler_factory, HttpHandler http_handler)
    : state_(std::make_shared<State>(io_context, std::move(tls), std::move(options), std::move(handler_factory),
                                     std::move(http_handler))) {}

Listener::~Listener() { state_->stop(); }

Expected<void> Listener::start() { return state_->start(); }

tcp::endpoint Listener::local_endpoint() const { return state_->local_endpoint(); }

void Listener::stop() { state_->stop(); }

std::size_t Listener::connection_count() const { return state_->websocket_count_.load(); }

TransportGauges Listener::gauges() const { return state_->gauges(); }

// --- HttpListener -----------------------------------------------------------

class HttpListener::State : public std::enable_shared_from_this<HttpListener::State> {
 public:
  // Reading a GET and writing its answer, together.
  static constexpr std::chrono::seconds kTimeout{10};

  State(asio::io_context& io_context, std::string address, std::uint16_t port, HttpHandler handler)
      : io_context_(io_context),
        address_(std::move(address)),
        port_(port),
        handler_(std::move(handler)),
        strand_(asio::make_strand(io_context)),
        acceptor_(strand_) {}

  Expected<void> start() {
    std::lock_guard lock(mutex_);
    if (started_) {
      spdlog::error("net: metrics listener already started");
      return Error{make_error_code(Errc::invalid_argument), "metrics listener already started"};
    }
    if (auto bound = bind_and_listen(acceptor_, address_, port_); !bound) return bound;
    boost::system::error_code ec;
    local_endpoint_ = acceptor_.local_endpoint(ec);
    started_ = true;
    asio::co_spawn(strand_, accept_loop(shared_from_this()),
                   [](const std::exception_ptr& e) { log_exception("metrics accept loop", e); });
    return {};
  }

  tcp::endpoint local_endpoint() const {
    std::lock_guard lock(mutex_);
    return local_endpoint_;
  }

  void stop() {
    asio::post(strand_, [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->acceptor_.close(ignored);
      std::vector<std::weak_ptr<beast::tcp_stream>> streams;
      {
        std::lock_guard lock(self->mutex_);
        streams.swap(self->streams_);
      }
      for (const auto& weak : streams) {
        if (auto stream = weak.lock()) {
          asio::post(stream->get_executor(), [stream] { stream->close(); });
        }
      }
    });
  }

 private:
  asio::awaitable<void> accept_loop(std::shared_ptr<State> self) {
    asio::steady_timer retry_timer(strand_);
    for (;;) {
      tcp::socket socket(asio::make_strand(io_context_));
      auto [ec] = co_await acceptor_.async_accept(socket, kUseTuple);
      if (!acceptor_.is_open()) co_return;  // stop()
      if (ec) {
        retry_timer.expires_after(kAcceptRetryDelay);
        co_await retry_timer.async_wait(kUseTuple);
        continue;
      }
      if (active_.load() >= kMaxConnections) continue;  // the socket closes here
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      {
        std::lock_guard lock(mutex_);
        std::erase_if(streams_, [](const auto& weak) { return weak.expired(); });
        streams_.push_back(stream);
      }
      active_.fetch_add(1);
      asio::co_spawn(stream->get_executor(), serve(self, stream),
                     [](const std::exception_ptr& e) { log_exception("metrics connection", e); });
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<State> self, std::shared_ptr<beast::tcp_stream> stream) {
    // Counted out however the coroutine ends, so a failure cannot use up the
    // kMaxConnections places for good.
    struct Active {
      std::atomic<std::size_t>& count;
      ~Active() { count.fetch_sub(1); }
    } active{self->active_};
    boost::system::error_code ignored;
    const auto remote = stream->socket().remote_endpoint(ignored);
    const std::string remote_address = format_endpoint(remote);
    stream->expires_after(kTimeout);
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHttpHeaderBytes);
    parser.body_limit(kMaxHttpBodyBytes);
    if (auto [ec, bytes] = co_await http::async_read(*stream, buffer, parser, kUseTuple); !ec) {
      auto response = answer_http(self->handler_, parser.get(), remote_address);
      co_await http::async_write(*stream, response, kUseTuple);
    }
    stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream->close();
  }

  asio::io_context& io_context_;
  const std::string address_;
  const std::uint16_t port_;
  const HttpHandler handler_;
  asio::any_io_executor strand_;
  tcp::acceptor acceptor_;  // touched only on strand_ once started
  std::atomic<std::size_t> active_{0};
  mutable std::mutex mutex_;
  tcp::endpoint local_endpoint_;                           // guarded by mutex_
  bool started_ = false;                                   // guarded by mutex_
  std::vector<std::weak_ptr<beast::tcp_stream>> streams_;  // guarded by mutex_
};

HttpListener::HttpListener(asio::io_context& io_context, std::string address, std::uint16_t port, HttpHandler handler)
    : state_(std::make_shared<State>(io_context, std::move(address), port, std::move(handler))) {}

HttpListener::~HttpListener() { state_->stop(); }

Expected<void> HttpListener::start() { return state_->start(); }

tcp::endpoint HttpListener::local_endpoint() const { return state_->local_endpoint(); }

void HttpListener::stop() { state_->stop(); }

}  // namespace psm::server::net
