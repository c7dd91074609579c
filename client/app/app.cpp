#include "client/app/app.hpp"

#include "client/app/app_state.hpp"
#include "client/app/http_api.hpp"
#include "client/app/sync_worker.hpp"
#include "client/core/exit_codes.hpp"
#include "common/store/database.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <charconv>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>

namespace psm::client::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Requests are small JSON forms; anything bigger is not from the app's pages.
constexpr std::size_t kMaxRequestBody = 64 * 1024;
// A browser keeps idle connections open; close them after this long.
constexpr std::chrono::seconds kIdleConnection{60};

std::optional<tcp::endpoint> parse_listen(const std::string& listen, std::string& why) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    why = "--listen must be IP:PORT, e.g. 127.0.0.1:8080";
    return std::nullopt;
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const auto port_text = listen.substr(colon + 1);
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    why = "--listen must be IP:PORT, e.g. 127.0.0.1:8080";
    return std::nullopt;
  }
  boost::system::error_code addr_ec;
  auto address = asio::ip::make_address(host, addr_ec);
  if (addr_ec) {
    why = "--listen needs an IP address (127.0.0.1 or ::1), not \"" + host + "\"";
    return std::nullopt;
  }
  if (!address.is_loopback()) {
    why = "refusing to listen on " + host + ": the app serves this device's records and listens on loopback only";
    return std::nullopt;
  }
  return tcp::endpoint(address, static_cast<std::uint16_t>(port));
}

void wipe(std::string& text) {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
}
// Wipes the buffer's whole storage when nothing is left in it to read (the
// usual case: a browser sends its next request only after this answer).
void wipe(beast::flat_buffer& buffer) {
  if (buffer.size() != 0) return;
  auto storage = buffer.prepare(buffer.capacity());
  OPENSSL_cleanse(storage.data(), storage.size());
}

asio::awaitable<void> serve_connection(tcp::socket socket, HttpApi& api) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxRequestBody);
    stream.expires_after(kIdleConnection);
    auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_ec) break;                        // closed, timed out or malformed: nothing was done
    auto response = api.handle(parser.get());  // wipes the request's body
    const bool keep_alive = response.keep_alive();
    auto [write_ec, write_n] = co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
    // The answer may hold records; the read buffer the request's headers.
    // Neither is left in memory once sent (docs/security.md, "The local app").
    wipe(response.body());
    wipe(buffer);
    if (write_ec || !keep_alive) break;
  }
  wipe(buffer);
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

// Prints the address to open. The launch secret goes after '#': browsers
// never send that part in a request, so it reaches no log or other program.
void print_address(const std::string& host, std::uint16_t port, const std::string& secret) {
  std::cout << "psm app: open http://" << host << ":" << port << "/#launch=" << secret << std::endl;
}

// A terminal or a pipe; not a file or /dev/null (nobody types there).
bool stdin_can_be_waited_on() {
  struct stat st {};
  if (::fstat(STDIN_FILENO, &st) != 0) return false;
  return ::isatty(STDIN_FILENO) == 1 || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

// Each line typed in the terminal where psm app runs (Enter) prints a new
// address, for another tab or browser; the unused one before it stops working.
// Reads only when stdin can be waited on (a terminal or a pipe, not a file).
asio::awaitable<void> new_address_on_enter(asio::posix::stream_descriptor& input, AppState& state, std::string host,
                                           std::uint16_t port) {
  std::string line;
  for (;;) {
    auto [ec, n] =
        co_await asio::async_read_until(input, asio::dynamic_buffer(line), '\n', asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // end of input, or psm app is in the background: no more addresses
    line.erase(0, n);
    print_address(host, port, state.new_launch_secret());
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, HttpApi& api) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), serve_connection(std::move(socket), api), asio::detached);
  }
}

}  // namespace

int run_app(const HomePaths& home, const AppOptions& options) {
  std::string why;
  auto endpoint = parse_listen(options.listen, why);
  if (!endpoint) return fail(kExitUsage, why);
  if (!std::filesystem::exists(home.wrapped_key())) {
    return fail(kExitNotEnrolled, "no replica in " + home.root.string() + "; enrol this device first");
  }

  asio::io_context io(1);
  tcp::acceptor acceptor(io);
  boost::system::error_code ec;
  acceptor.open(endpoint->protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(*endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(kExitFailure, "cannot listen on " + options.listen + ": " + ec.message());
  const auto port = acceptor.local_endpoint().port();

  // Before any replica is opened: closing it on lock then leaves none of the
  // pages it decrypted in this process's memory (docs/security.md).
  if (auto wipe_ec = store::wipe_memory_when_freed()) {
    spdlog::warn("memory freed by the replica will not be wiped: {}", wipe_ec.message());
  }
  AppState state(home, options.lock_after);
  HttpApi api(state, port);
  SyncWorker worker(state, options.sync_every);

  const auto address = endpoint->address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  print_address(host, port, state.new_launch_secret());
  // A read from the terminal while psm app runs in the background would stop
  // the whole process (SIGTTIN); ignored, the read fails and reading ends.
  std::signal(SIGTTIN, SIG_IGN);
  // Waiting on stdin makes it non-blocking for everyone sharing it (the
  // shell, after psm app ends): its flags are put back on the way out.
  const int stdin_flags = ::fcntl(STDIN_FILENO, F_GETFL);
  asio::posix::stream_descriptor input(io);
  boost::system::error_code input_ec;
  const int input_fd = stdin_can_be_waited_on() ? ::dup(STDIN_FILENO) : -1;
  if (input_fd >= 0) input.assign(input_fd, input_ec);
  if (input_fd < 0 || input_ec) {
    if (input_fd >= 0) ::close(input_fd);
    input_ec = asio::error::bad_descriptor;
    std::cout << "(on this computer only; the address works once. Ctrl-C to stop)" << std::endl;
  } else {
    std::cout << "(on this computer only; the address works once. Press Enter here for a new one, for another "
                 "tab or browser. Ctrl-C to stop)"
              << std::endl;
  }

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    acceptor.close();
    boost::system::error_code ignored;
    input.close(ignored);
    io.stop();
  });
  asio::co_spawn(io, accept_loop(acceptor, api), asio::detached);
  if (!input_ec) asio::co_spawn(io, new_address_on_enter(input, state, host, port), asio::detached);
  io.run();
  if (stdin_flags >= 0) ::fcntl(STDIN_FILENO, F_SETFL, stdin_flags);
  state.stop();
  std::cout << "psm app: stopped" << std::endl;
  return kExitOk;
}

FrontEndCommand app_command() {
  // What the parser writes into; shared by the two functions, which outlive this call.
  struct Parsed {
    AppOptions options;
    int lock_after_seconds = static_cast<int>(options.lock_after.count());
    int sync_every_seconds = static_cast<int>(options.sync_every.count());
  };
  auto parsed = std::make_shared<Parsed>();
  FrontEndCommand command;
  command.add = [parsed](CLI::App& psm) {
    auto* app_command = psm.add_subcommand("app", "open the local web app (served on this computer only)");
    app_command->add_option("--listen", parsed->options.listen, "loopback IP:PORT (default 127.0.0.1:0, a free port)");
    app_command
        ->add_option("--lock-after", parsed->lock_after_seconds,
                     "lock after this many seconds without use (default 600)")
        ->check(CLI::Range(5, 24 * 3600));
    app_command
        ->add_option("--sync-every", parsed->sync_every_seconds,
                     "seconds between syncs when nothing is pushed (default 30)")
        ->check(CLI::Range(1, 3600));
    return app_command;
  };
  command.run = [parsed](const HomePaths& home) {
    AppOptions options = parsed->options;
    options.lock_after = std::chrono::seconds(parsed->lock_after_seconds);
    options.sync_every = std::chrono::seconds(parsed->sync_every_seconds);
    return run_app(home, options);
  };
  return command;
}

}  // namespace psm::client::app
