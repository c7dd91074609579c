// The server's network transport: TLS on one port, carrying WebSocket
// connections for sync and plain HTTPS GETs for health and metrics.
//
// Transport only: messages are opaque binary strings. What they mean is the
// sync layer's business, reached through ConnectionHandler. This header keeps
// Beast out of the translation units that include it.
#pragma once

#include "common/error.hpp"
#include "common/limits.hpp"
#include "server/net/metrics.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace psm::server::net {

struct ListenerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8443;           // 0 = any free port (see local_endpoint())
  std::string subprotocol = "psm.v1";  // the protocol version the server speaks
  // Largest message after, and before, Connection::signed_in(). A larger one
  // closes the connection (1009) before its payload is read.
  std::size_t max_message_bytes = limits::kMaxMessageBytes;
  std::size_t max_message_bytes_before_sign_in = limits::kMaxMessageBytesBeforeSignIn;
  // From TCP accept to signed_in(); then the connection is closed (1008).
  std::chrono::milliseconds sign_in_timeout = limits::kSignInTimeout;
  // Connections at once, in any phase; 0 = the open-file soft limit in force
  // at start() minus limits::kFileDescriptorsReserved (see
  // raise_open_file_limit()). A connection over a cap is closed at accept,
  // before any TLS work.
  std::size_t max_connections = 0;
  // Connections not (yet) signed in; 0 = half of max_connections, at most
  // limits::kMaxConnectionsBeforeSignIn.
  std::size_t max_connections_before_sign_in = 0;
  // Connections not (yet) signed in from one IP address.
  std::size_t max_connections_before_sign_in_per_address = limits::kMaxConnectionsBeforeSignInPerAddress;
  // Read-but-not-handled bounds (see limits.hpp): a connection is not read
  // further while it is over its own bound or the server over the total.
  std::size_t max_messages_in_hand_per_connection = limits::kMaxMessagesInHandPerConnection;
  std::size_t max_bytes_in_hand_per_connection = limits::kMaxBytesInHandPerConnection;
  std::size_t max_bytes_in_hand_total = limits::kMaxBytesInHandTotal;
};

// Raises the process's RLIMIT_NOFILE soft limit to its hard limit and returns
// the soft limit now in force (unchanged, with a warning logged, when the
// kernel refuses). Call once at start, before Listener::start().
std::size_t raise_open_file_limit();

// One WebSocket peer, owned by the transport. A handler may keep the
// shared_ptr it was given; calls after the connection closed are ignored.
class Connection {
 public:
  virtual ~Connection() = default;
  // Queues `message` as one binary frame. Thread-safe; never blocks. When more
  // than limits::kMaxQueuedMessagesPerConnection messages are waiting, the peer
  // is too slow: its queue is dropped and the connection is closed (the device
  // reconnects and pulls what it missed).
  virtual void send(std::string message) = 0;
  // Sends every queued message, then a close frame with code 1008 (policy
  // violation) and `reason` (cut to the 123 bytes a close frame carries).
  // Thread-safe; later send() calls are ignored.
  virtual void close(std::string reason) = 0;
  // "address:port" of the peer, fixed at accept time. Thread-safe.
  virtual std::string remote_address() const = 0;
  // The handler has finished with one message it was given, of `bytes` bytes
  // (the size on_message received). Every delivered message must be answered
  // by exactly one call, from any thread, also after on_close: until then it
  // counts against the read-but-not-handled bounds (ListenerOptions), and a
  // connection over them is not read further (the peer waits; nothing is
  // dropped).
  virtual void message_handled(std::size_t bytes) = 0;
  // The peer has proved who it is: from now on it may send messages up to
  // max_message_bytes, it no longer counts against the before-sign-in caps,
  // and the sign-in timeout no longer applies. Thread-safe; idempotent. Call
  // before send()ing the reply that tells the peer, so its next message is
  // read under the new limit.
  virtual void signed_in() = 0;
};

// Implemented by the sync layer; one per connection, created once the
// WebSocket handshake has succeeded.
class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  // One whole message. Called on the connection's strand: sequentially, never
  // concurrently for one connection. Must not block (hand slow work to another
  // executor and send() the reply), and must lead to one
  // Connection::message_handled(message.size()) when the work is done. An
  // exception thrown here is logged and closes the connection (the message
  // then counts as handled).
  virtual void on_message(std::string message) = 0;
  // The connection has ended, for whatever reason. Called exactly once, after
  // the last on_message. The transport drops its reference to the handler
  // right after, so a handler holding its Connection makes no cycle.
  virtual void on_close() = 0;
};

using HandlerFactory = std::function<std::shared_ptr<ConnectionHandler>(std::shared_ptr<Connection>)>;

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};
// Plain HTTP(S) requests that are not WebSocket upgrades (GET /healthz on the
// devices' port, GET /metrics on the metrics port). Called on the connection's
// strand with the request line's method and target; only GETs reach it
// (others get 405). nullopt → 404.
using HttpHandler = std::function<std::optional<HttpResponse>(std::string_view method, std::string_view target)>;

// Accepts TLS connections and serves each on its own strand. Every method is
// thread-safe. The io_context may run on any number of threads.
class Listener {
 public:
  Listener(boost::asio::io_context& io_context, std::shared_ptr<boost::asio::ssl::context> tls, ListenerOptions options,
           HandlerFactory handler_factory, HttpHandler http_handler);
  // Stops (see stop()) if still running. Connections already accepted keep
  // their state alive on their own until the io_context finishes them.
  ~Listener();

  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds, listens and starts accepting. Errors: Errc::io_error when the
  // address cannot be bound (port taken, no such interface, no permission);
  // Errc::invalid_argument for an unparsable address. The Error's message,
  // for the operator, is also logged.
  Expected<void> start();

  // The bound endpoint (with the real port when 0 was asked). Valid after a
  // successful start().
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  // Graceful shutdown: stop accepting; end connections still in their TLS or
  // HTTP phase; for each WebSocket, send what is queued, then a close frame
  // (1001 going away). Returns at once; the io_context's run() returns when the
  // last connection has finished (bounded by the close timeouts).
  void stop();

  // Open WebSocket connections, for metrics.
  std::size_t connection_count() const;

  // What the transport holds now, for metrics and tests. Thread-safe.
  TransportGauges gauges() const;

 private:
  class State;
  std::shared_ptr<State> state_;
};

// Plain HTTP (no TLS) for an operator's monitoring: answers GETs with
// `handler` and closes each connection after one answer. Meant for loopback
// or a private management interface; it never carries device traffic, and
// what it serves (counts) carries no person's data. At most
// kMaxConnections connections at once; each is closed after kTimeout.
class HttpListener {
 public:
  static constexpr std::size_t kMaxConnections = 16;
  HttpListener(boost::asio::io_context& io_context, std::string address, std::uint16_t port, HttpHandler handler);
  ~HttpListener();  // stop()s
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // As Listener::start().
  Expected<void> start();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Stops accepting and ends connections in progress. Thread-safe.
  void stop();

 private:
  class State;
  std::shared_ptr<State> state_;
};

}  // namespace psm::server::net
