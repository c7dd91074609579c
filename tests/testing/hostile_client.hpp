// A stranger's WebSocket client, for the hostile-client tests and the
// measurement in psm-loadgen --hostile: it connects over TLS (trusting
// anything, as an attacker would), optionally from a chosen loopback source
// address (127.0.0.2, ...), never signs in, and then floods the server or
// waits to be closed. Every wait is bounded by a deadline, so a server that
// stops reading (backpressure) cannot hang a test.
//
// Not thread-safe: one thread drives one client (it runs its own io_context).
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace psm::testing {

class HostileClient {
 public:
  using Clock = std::chrono::steady_clock;

  HostileClient() : tls_(boost::asio::ssl::context::tls_client) { tls_.set_verify_mode(boost::asio::ssl::verify_none); }

  // TCP connect from `source` (port 0), TLS and the WebSocket handshake
  // offering `subprotocol`, all within `limit`. False when the server refused
  // or closed the connection (e.g. over a cap) or the time ran out.
  bool connect(std::uint16_t port, const std::string& source = "127.0.0.1",
               std::chrono::milliseconds limit = std::chrono::seconds(10), const std::string& subprotocol = "psm.v1") {
    namespace asio = boost::asio;
    namespace websocket = boost::beast::websocket;
    ws_ = std::make_unique<Stream>(io_, tls_);
    auto& socket = boost::beast::get_lowest_layer(*ws_);
    boost::system::error_code ec;
    socket.open(asio::ip::tcp::v4(), ec);
    if (!ec) socket.bind({asio::ip::make_address(source), 0}, ec);
    if (!ec) socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return false;
    bool done = false;
    bool ok = false;
    ws_->next_layer().async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code hec) {
      if (hec) {
        done = true;
        return;
      }
      ws_->set_option(websocket::stream_base::decorator([subprotocol](websocket::request_type& request) {
        request.set(boost::beast::http::field::sec_websocket_protocol, subprotocol);
      }));
      ws_->binary(true);
      ws_->async_handshake("localhost", "/", [&](boost::system::error_code wec) {
        done = true;
        ok = !wec;
      });
    });
    if (!run_until([&] { return done; }, limit)) {
      abandon();
      return false;
    }
    connected_ = ok;
    return ok;
  }

  // Sends `message` again and again for `duration`, or until the server ends
  // the connection. Returns the bytes of the messages whose write completed.
  // The write in progress at the deadline is then finished within `drain` (or
  // the connection is abandoned), so every counted message was sent whole.
  struct FloodResult {
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
    bool closed_by_server = false;
  };
  FloodResult flood(const std::string& message, std::chrono::milliseconds duration,
                    std::chrono::milliseconds drain = std::chrono::seconds(5)) {
    FloodResult result;
    if (!connected_) return result;
    const auto until = Clock::now() + duration;
    bool writing = false;
    bool failed = false;
    std::function<void()> next = [&] {
      if (Clock::now() >= until) return;
      writing = true;
      ws_->async_write(boost::asio::buffer(message), [&](boost::system::error_code ec, std::size_t) {
        writing = false;
        if (ec) {
          failed = true;
          return;
        }
        ++result.messages;
        result.bytes += message.size();
        next();
      });
    };
    next();
    run_until([&] { return failed || (!writing && Clock::now() >= until); }, duration + std::chrono::milliseconds(50));
    if (writing && !run_until([&] { return !writing; }, drain)) {
      abandon();
    }
    if (failed) {
      result.closed_by_server = true;
      connected_ = false;
    }
    return result;
  }

  // Reads (answering pings, as Beast does) until the server closes the
  // connection or `limit` passes. The server's close code, 0 when the TCP
  // connection ended without a close frame, nullopt when still open.
  std::optional<int> wait_for_close(std::chrono::milliseconds limit) {
    if (!ws_) return 0;
    bool done = false;
    std::optional<int> code;
    boost::beast::flat_buffer buffer;
    std::function<void()> next = [&] {
      ws_->async_read(buffer, [&](boost::system::error_code ec, std::size_t) {
        if (ec) {
          done = true;
          code = ws_->reason().code == boost::beast::websocket::close_code::none ? 0
                                                                                 : static_cast<int>(ws_->reason().code);
          return;
        }
        buffer.consume(buffer.size());
        next();
      });
    };
    next();
    if (!run_until([&] { return done; }, limit)) {
      abandon();
      return std::nullopt;
    }
    connected_ = false;
    return code;
  }

  // Ends the connection without a close handshake.
  void abandon() {
    if (ws_) {
      boost::system::error_code ignored;
      boost::beast::get_lowest_layer(*ws_).close(ignored);
    }
    io_.restart();
    io_.run_for(std::chrono::milliseconds(200));  // lets cancelled handlers finish
    connected_ = false;
  }

 private:
  using Stream = boost::beast::websocket::stream<boost::beast::ssl_stream<boost::asio::ip::tcp::socket>>;

  template <class Predicate>
  bool run_until(Predicate done, std::chrono::milliseconds limit) {
    const auto until = Clock::now() + limit;
    io_.restart();
    while (!done()) {
      if (Clock::now() >= until) return false;
      io_.run_one_for(std::chrono::milliseconds(20));
      if (io_.stopped()) io_.restart();
    }
    return true;
  }

  boost::asio::io_context io_;
  boost::asio::ssl::context tls_;
  std::unique_ptr<Stream> ws_;
  bool connected_ = false;
};

}  // namespace psm::testing
