#include "client/core/connection.hpp"

#include "client/net/websocket_transport.hpp"
#include "common/limits.hpp"
#include "common/protocol/messages.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

namespace psm::client {

namespace json = boost::json;

Result<ClientConfig> read_config(const HomePaths& home) {
  std::ifstream in(home.config());
  if (!in) return make_error_code(Errc::not_enrolled);
  std::stringstream buffer;
  buffer << in.rdbuf();
  boost::system::error_code ec;
  auto v = json::parse(buffer.str(), ec);
  if (ec || !v.is_object()) return make_error_code(Errc::corrupt_data);
  ClientConfig c;
  const auto& o = v.as_object();
  if (auto* s = o.if_contains("server_url"); s && s->is_string()) c.server_url = std::string(s->as_string());
  if (auto* s = o.if_contains("username"); s && s->is_string()) c.username = std::string(s->as_string());
  if (auto* s = o.if_contains("pin"); s && s->is_string()) c.pin = std::string(s->as_string());
  return c;
}

std::variant<Connected, Error> connect(const HomePaths& home, const std::string& url, const std::string& pin) {
  net::ClientTlsOptions tls;
  tls.ca_file = home.ca();
  tls.pinned_sha256_hex = pin;
  auto client = net::WebSocketClient::connect(
      url, tls, protocol::kSubprotocol, std::chrono::duration_cast<std::chrono::milliseconds>(limits::kConnectTimeout));
  if (!client) {
    const auto& [code, detail] = client.error();
    std::string message;
    if (code == Errc::untrusted_server) {
      message = "refusing to sync: the server's certificate is not trusted (" + detail + ")";
    } else if (code == Errc::unsupported_version) {
      message = "the server does not speak this version of psm: " + detail;
    } else {
      message = "cannot reach the server at " + url + (detail.empty() ? "" : " (" + detail + ")");
    }
    return Error{code, message};
  }
  Connected c;
  c.client = std::move(*client);
  c.transport = std::make_unique<net::WebSocketTransport>(*c.client);
  return c;
}

}  // namespace psm::client
