// Blocking calls over asynchronous Beast operations: each call starts an
// operation on a private io_context and runs that io_context until the
// operation completes or the call's deadline passes. A WebSocket read is kept
// outstanding between calls, because cancelling a Beast read fails the whole
// stream; a receive() that times out simply leaves it pending for the next call.
//
// Completion handlers capture a shared_ptr to a small result slot rather than
// stack variables, and Impl drains its io_context before it is destroyed, so no
// handler ever runs against freed memory. Handlers capture `this` (the Impl)
// only for the long-lived read, which the destructor drains.

#include "client/net/websocket_client.hpp"

#include "common/crypto/pin.hpp"

#include "common/limits.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <array>
#include <cctype>
#include <charconv>

namespace psm::client::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

using WebSocketStream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

// How long close() waits for the server's half of the closing handshake, and
// how long teardown waits for cancelled operations to report back.
constexpr std::chrono::seconds kCloseWait{3};
constexpr std::chrono::seconds kDrainWait{2};
// Faster bulk transfer for pushes (see DESIGN.md, measured 1.4× at 64 KiB).
constexpr std::size_t kWriteBufferBytes = 65536;

struct ParsedUrl {
  std::string host;  // without brackets
  std::uint16_t port = 0;
  bool host_is_ip = false;
};

Result<ParsedUrl> parse_url(std::string_view url) {
  constexpr std::string_view kScheme = "wss://";
  if (!url.starts_with(kScheme)) return Errc::invalid_argument;
  std::string_view rest = url.substr(kScheme.size());
  ParsedUrl parsed;
  std::string_view port_text;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      return Errc::invalid_argument;
    }
    parsed.host = std::string(rest.substr(1, close - 1));
    port_text = rest.substr(close + 2);
  } else {
    const auto colon = rest.find(':');
    if (colon == std::string_view::npos) return Errc::invalid_argument;
    parsed.host = std::string(rest.substr(0, colon));
    port_text = rest.substr(colon + 1);
  }
  if (parsed.host.empty() || parsed.host.size() > 253) return Errc::invalid_argument;
  for (const char c : parsed.host) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '.' || c == '-' || c == ':')) return Errc::invalid_argument;
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return Errc::invalid_argument;
  }
  parsed.port = static_cast<std::uint16_t>(port);
  boost::system::error_code address_ec;
  asio::ip::make_address(parsed.host, address_ec);
  parsed.host_is_ip = !address_ec;
  if (!parsed.host_is_ip && parsed.host.find(':') != std::string::npos) {
    return Errc::invalid_argument;
  }
  return parsed;
}

std::string host_port(const ParsedUrl& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

// Completion slot for one operation; handlers hold it by shared_ptr so it
// outlives the call that started the operation, whatever happens.
template <class Value = std::monostate>
struct Pending {
  bool done = false;
  error_code ec;
  Value value{};
};

}  // namespace

class WebSocketClient::Impl {
 public:
  explicit Impl(ssl::context context)
      : ssl_context_(std::move(context)), resolver_(io_context_), ws_(io_context_, ssl_context_) {}

  ~Impl() { abort(); }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  error_code connect(const ParsedUrl& url, const ClientTlsOptions& tls, std::string_view subprotocol,
                     Clock::time_point deadline, std::string& detail);
  error_code send(std::string_view message, Clock::time_point deadline);
  Result<std::string> receive(Clock::time_point deadline);
  void close();
  std::optional<PeerClose> peer_close() const { return peer_close_; }

 private:
  // Runs handlers until `done` or the deadline. Returns `done`.
  bool run_until(const bool& done, Clock::time_point deadline) {
    while (!done) {
      if (io_context_.stopped()) io_context_.restart();
      if (io_context_.poll_one() > 0) continue;
      if (Clock::now() >= deadline) return false;
      if (io_context_.stopped()) io_context_.restart();
      if (io_context_.run_one_until(deadline) == 0 && !done && Clock::now() < deadline) {
        return false;  // no operation left that could set `done`
      }
    }
    return true;
  }

  void close_socket() {
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  // Cancels everything and lets the cancelled read report back while this is
  // alive (its handler uses `this`). Other handlers only touch their own
  // shared slots or Beast's weakly-held state, so those still queued are
  // simply destroyed with the io_context. Waiting for the io_context to run
  // out of work instead would wait for Beast's handshake timer.
  void abort() {
    broken_ = true;
    resolver_.cancel();
    close_socket();
    const auto deadline = Clock::now() + kDrainWait;
    while (read_pending_ && Clock::now() < deadline) {
      if (io_context_.stopped()) io_context_.restart();
      io_context_.run_one_until(deadline);
    }
    if (io_context_.stopped()) io_context_.restart();
    io_context_.poll();
  }

  void start_read() {
    if (read_pending_ || broken_) return;
    read_pending_ = true;
    ws_.async_read(read_buffer_, [this](error_code ec, std::size_t) {
      read_pending_ = false;
      if (ec) {
        broken_ = true;
        if (ec == websocket::error::closed) {
          const auto& reason = ws_.reason();
          peer_close_ = PeerClose{static_cast<std::uint16_t>(reason.code),
                                  std::string(reason.reason.data(), reason.reason.size())};
        }
        inbox_ = ec == websocket::error::message_too_big ? Result<std::string>(make_error_code(Errc::message_too_large))
                                                         : Result<std::string>(make_error_code(Errc::unavailable));
      } else {
        inbox_ = beast::buffers_to_string(read_buffer_.data());
        read_buffer_.consume(read_buffer_.size());
      }
      inbox_ready_ = true;
    });
  }

  // Member order is destruction order in reverse: the stream goes before the
  // TLS context and io_context it refers to.
  asio::io_context io_context_{1};
  ssl::context ssl_context_;
  tcp::resolver resolver_;
  WebSocketStream ws_;
  beast::flat_buffer read_buffer_;
  bool read_pending_ = false;
  std::optional<Result<std::string>> inbox_;  // a finished read not yet returned
  bool inbox_ready_ = false;                  // inbox_.has_value(), as a flag run_until can watch
  bool broken_ = false;                       // no further I/O possible
  bool closed_ = false;                       // close() was called
  std::optional<PeerClose> peer_close_;
};

error_code WebSocketClient::Impl::connect(const ParsedUrl& url, const ClientTlsOptions& tls,
                                          std::string_view subprotocol, Clock::time_point deadline,
                                          std::string& detail) {
  const std::string where = host_port(url);
  auto timed_out = [&] {
    detail = "no answer from " + where + " in time";
    return make_error_code(Errc::timeout);
  };

  // Name checks happen inside OpenSSL's chain verification, so a mismatch
  // reports X509_V_ERR_HOSTNAME_MISMATCH / IP_ADDRESS_MISMATCH and we can say
  // which check failed (asio's host_name_verification callback cannot).
  SSL* native = ws_.next_layer().native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(native);
  if (url.host_is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
    // SNI carries DNS names only (RFC 6066), never an IP literal.
    SSL_set_tlsext_host_name(native, url.host.c_str());
  }

  auto resolved = std::make_shared<Pending<tcp::resolver::results_type>>();
  resolver_.async_resolve(url.host, std::to_string(url.port),
                          [resolved](error_code ec, tcp::resolver::results_type results) {
                            resolved->done = true;
                            resolved->ec = ec;
                            resolved->value = std::move(results);
                          });
  if (!run_until(resolved->done, deadline)) return timed_out();
  if (resolved->ec) {
    detail = "cannot find the server " + url.host + ": " + resolved->ec.message();
    return Errc::unavailable;
  }

  auto connected = std::make_shared<Pending<>>();
  beast::get_lowest_layer(ws_).async_connect(resolved->value, [connected](error_code ec, const tcp::endpoint&) {
    connected->done = true;
    connected->ec = ec;
  });
  if (!run_until(connected->done, deadline)) return timed_out();
  if (connected->ec) {
    detail = "cannot connect to " + where + ": " + connected->ec.message();
    return Errc::unavailable;
  }
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);

  auto handshake = std::make_shared<Pending<>>();
  ws_.next_layer().async_handshake(ssl::stream_base::client, [handshake](error_code ec) {
    handshake->done = true;
    handshake->ec = ec;
  });
  if (!run_until(handshake->done, deadline)) return timed_out();
  if (handshake->ec) {
    const long verify = SSL_get_verify_result(native);
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
      detail = "the server's certificate is not valid for " + url.host;
      return Errc::untrusted_server;
    }
    if (verify == X509_V_ERR_CERT_HAS_EXPIRED || verify == X509_V_ERR_CERT_NOT_YET_VALID) {
      detail = std::string("the server's certificate is outside its validity period (") +
               X509_verify_cert_error_string(verify) + ")";
      return Errc::untrusted_server;
    }
    if (verify != X509_V_OK) {
      detail = "the server's certificate is not signed by the CA in " + tls.ca_file.string() + " (" +
               X509_verify_cert_error_string(verify) + ")";
      return Errc::untrusted_server;
    }
    detail = "TLS handshake with " + where + " failed: " + handshake->ec.message();
    return Errc::unavailable;
  }

  if (!tls.pinned_sha256_hex.empty()) {
    X509* certificate = SSL_get1_peer_certificate(native);
    const std::string presented = crypto::public_key_pin(certificate);
    X509_free(certificate);
    if (presented.empty() || presented != crypto::normalise_pin(tls.pinned_sha256_hex)) {
      detail =
          "the server's key is not the pinned key (pinned " + tls.pinned_sha256_hex + ", server has " + presented + ")";
      return Errc::untrusted_server;
    }
  }

  // Our own deadline bounds the handshake; Beast's suggested client settings
  // add no idle timeout (the server pings, and we answer while in any call).
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws_.set_option(
      websocket::stream_base::decorator([protocol = std::string(subprotocol)](websocket::request_type& request) {
        request.set(http::field::user_agent, "psm");
        request.set(http::field::sec_websocket_protocol, protocol);
      }));
  ws_.read_message_max(limits::kMaxMessageBytes);
  ws_.write_buffer_bytes(kWriteBufferBytes);
  ws_.binary(true);

  auto upgraded = std::make_shared<Pending<websocket::response_type>>();
  ws_.async_handshake(upgraded->value, where, "/", [upgraded](error_code ec) {
    upgraded->done = true;
    upgraded->ec = ec;
  });
  if (!run_until(upgraded->done, deadline)) return timed_out();
  const auto& response = upgraded->value;
  if (upgraded->ec == websocket::error::upgrade_declined && response.result() == http::status::bad_request) {
    detail = response.body().empty() ? "the server does not speak " + std::string(subprotocol) : response.body();
    return Errc::unsupported_version;
  }
  if (upgraded->ec) {
    detail = "WebSocket handshake with " + where + " failed: " + upgraded->ec.message();
    return Errc::unavailable;
  }
  if (response[http::field::sec_websocket_protocol] != subprotocol) {
    detail = "the server did not agree to protocol " + std::string(subprotocol);
    return Errc::unsupported_version;
  }
  start_read();
  return {};
}

error_code WebSocketClient::Impl::send(std::string_view message, Clock::time_point deadline) {
  if (broken_ || closed_) return Errc::unavailable;
  auto written = std::make_shared<Pending<>>();
  ws_.async_write(asio::buffer(message.data(), message.size()), [written](error_code ec, std::size_t) {
    written->done = true;
    written->ec = ec;
  });
  if (!run_until(written->done, deadline)) {
    // The frame may be half written: the stream cannot be used again. The
    // write must finish (aborted) before `message` goes out of scope.
    broken_ = true;
    close_socket();
    run_until(written->done, Clock::now() + kDrainWait);
    return Errc::timeout;
  }
  if (written->ec) {
    broken_ = true;
    return Errc::unavailable;
  }
  return {};
}

Result<std::string> WebSocketClient::Impl::receive(Clock::time_point deadline) {
  if (closed_) return Errc::unavailable;
  if (!inbox_) {
    if (broken_ && !read_pending_) return Errc::unavailable;
    start_read();
    if (!run_until(inbox_ready_, deadline)) {
      return broken_ && !read_pending_ ? Errc::unavailable : Errc::timeout;
    }
  }
  Result<std::string> result = std::move(*inbox_);
  inbox_.reset();
  inbox_ready_ = false;
  start_read();  // keep one read outstanding: pings are answered, closes noticed
  return result;
}

void WebSocketClient::Impl::close() {
  if (closed_) return;
  closed_ = true;
  if (!broken_) {
    auto closing = std::make_shared<Pending<>>();
    ws_.async_close(websocket::close_code::normal, [closing](error_code ec) {
      closing->done = true;
      closing->ec = ec;
    });
    run_until(closing->done, Clock::now() + kCloseWait);
  }
  abort();
}

Expected<std::unique_ptr<WebSocketClient>> WebSocketClient::connect(std::string_view url, const ClientTlsOptions& tls,
                                                                    std::string_view subprotocol,
                                                                    std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string detail;
  auto fail = [&](error_code ec) -> Expected<std::unique_ptr<WebSocketClient>> { return Error{ec, detail}; };
  auto parsed = parse_url(url);
  if (!parsed) {
    detail = "not a server address of the form wss://host:port: \"" + std::string(url) + "\"";
    return fail(parsed.error());
  }

  ssl::context context(ssl::context::tls_client);
  boost::system::error_code ec;
  context.set_options(ssl::context::default_workarounds | ssl::context::no_compression, ec);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  context.set_verify_mode(ssl::verify_peer, ec);
  context.load_verify_file(tls.ca_file.string(), ec);
  if (ec) {
    detail = "cannot read the CA certificate file " + tls.ca_file.string();
    return fail(Errc::invalid_argument);
  }

  auto impl = std::make_unique<Impl>(std::move(context));
  if (auto connect_ec = impl->connect(*parsed, tls, subprotocol, deadline, detail)) {
    return fail(connect_ec);
  }
  return std::unique_ptr<WebSocketClient>(new WebSocketClient(std::move(impl)));
}

WebSocketClient::WebSocketClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebSocketClient::~WebSocketClient() {
  if (impl_) impl_->close();
}

error_code WebSocketClient::send(std::string_view message, std::chrono::milliseconds timeout) {
  return impl_->send(message, Clock::now() + timeout);
}

Result<std::string> WebSocketClient::receive(std::chrono::milliseconds timeout) {
  return impl_->receive(Clock::now() + timeout);
}

void WebSocketClient::close() { impl_->close(); }

std::optional<PeerClose> WebSocketClient::peer_close() const { return impl_->peer_close(); }

}  // namespace psm::client::net
