// The local app's HTTP surface: the pages, and a JSON API over the replica
// (routes in docs/architecture.md). Every request is checked here before it
// reaches the replica:
//   - the Host header must name the address the app listens on (a web page
//     cannot reach the API through a DNS name that points at 127.0.0.1);
//   - a POST must come from the app's own page (Origin) and carry JSON;
//   - /api/ needs the X-PSM-Session header with a token the page got by
//     exchanging, once, the launch secret of the address psm printed
//     (POST /api/session); no cookie is set or honoured;
//   - data is only served while the replica is unlocked.
// Every answer says no-store and carries a strict Content-Security-Policy.
//
// No sockets here: the server (app.cpp) reads a request, calls handle(), writes
// the answer. Called on the HTTP thread only.
#pragma once

#include "client/app/app_state.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace psm::client::app {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

class HttpApi {
 public:
  // `port`: the port the app listens on, for the Host and Origin checks.
  HttpApi(AppState& state, std::uint16_t port);
  // Answers `request`, then wipes its body (it may hold the passphrase or what
  // someone typed) so the caller's buffer does not keep it.
  HttpResponse handle(HttpRequest& request);

 private:
  HttpResponse route(const HttpRequest& request, std::string_view path);
  bool host_allowed(std::string_view host) const;
  bool origin_allowed(std::string_view origin) const;

  AppState& state_;
  std::uint16_t port_;
};

}  // namespace psm::client::app
