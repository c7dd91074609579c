#include "client/app/http_api.hpp"

#include "client/app/assets.hpp"
#include "client/core/intents/intents.hpp"
#include "client/core/views/format.hpp"
#include "client/core/views/listings.hpp"
#include "client/core/views/meeting.hpp"
#include "client/core/views/people.hpp"
#include "client/core/views/sync_state.hpp"
#include "common/policy/calendar.hpp"

#include <openssl/crypto.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>

#include <filesystem>
#include <optional>

namespace psm::client::app {

namespace http = boost::beast::http;
namespace json = boost::json;
namespace col = model::collection;

namespace {

// The header every API call carries: the tab's session token (hex). A header,
// not a cookie: browsers send a cookie for 127.0.0.1 to every port of it, so
// any other program listening on this computer would receive it; a header is
// sent only by the app's own script, which alone can read the token.
constexpr std::string_view kSessionHeader = "X-PSM-Session";
// Only what the app's own files need: no inline script or style, no other origin.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

HttpResponse make_response(const HttpRequest& req, http::status status, std::string_view content_type,
                           std::string body) {
  HttpResponse res{status, req.version()};
  res.set(http::field::server, "psm");
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Cross-Origin-Resource-Policy", "same-origin");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse json_response(const HttpRequest& req, http::status status, const json::value& v) {
  return make_response(req, status, "application/json; charset=utf-8", json::serialize(v));
}

HttpResponse error_response(const HttpRequest& req, http::status status, std::string_view message) {
  return json_response(req, status, json::object{{"ok", false}, {"error", message}});
}

// Overwrites text that may hold a passphrase or what someone typed before its
// memory is given back (std::string and json::string do not wipe on free).
void wipe(std::string& text) {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}
void wipe(json::value* v) {
  if (v && v->is_string() && !v->as_string().empty()) OPENSSL_cleanse(v->as_string().data(), v->as_string().size());
}

// A string field of the request body; "" when absent or not a string.
std::string field(const json::object& body, std::string_view name) {
  auto* v = body.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}
std::optional<std::string> optional_field(const json::object& body, std::string_view name) {
  auto* v = body.if_contains(name);
  if (!v || !v->is_string() || v->as_string().empty()) return std::nullopt;
  return std::string(v->as_string());
}
bool flag(const json::object& body, std::string_view name) {
  auto* v = body.if_contains(name);
  return v && v->is_bool() && v->as_bool();
}

// Adds each record's sync state (views/sync_state.hpp) to a listing, as "sync".
void annotate(json::array& arr, const views::SyncStates& states, std::string_view collection) {
  for (auto& v : arr) {
    auto& o = v.as_object();
    o["sync"] = views::sync_json(states.of(collection, o.at("id").as_string()));
  }
}

// Runs a prepared operation against the replica: the answer the pages show.
json::object submit(Replica& r, const intents::Prepared& prepared, http::status& status) {
  if (const auto* invalid = std::get_if<intents::InvalidRequest>(&prepared)) {
    status = http::status::unprocessable_entity;
    return {{"ok", false}, {"error", invalid->message}};
  }
  const auto& op = std::get<intents::PreparedOperation>(prepared);
  const auto outcome = r.submit(op.payload, op.base);
  if (!outcome.ok()) {
    status = http::status::unprocessable_entity;
    return {{"ok", false}, {"error", outcome.reason}};
  }
  status = http::status::ok;
  return {{"ok", true}, {"id", op.id}, {"note", outcome.reason}, {"waiting_to_send", r.pending_count()}};
}

intents::Prepared prepare(Replica& r, std::string_view name, const json::object& b) {
  using namespace intents;
  if (name == "request-meeting") {
    return prepare_request_meeting(field(b, "placement"), field(b, "type"), field(b, "reason"),
                                   field(b, "identified_at"));
  }
  if (name == "record-view") {
    return prepare_record_view(field(b, "meeting"), field(b, "subject"), field(b, "text"),
                               flag(b, "professionals_only"), flag(b, "share_with_carers"), field(b, "sought_on"));
  }
  if (name == "add-action") {
    // The owner by name or id, as the CLI takes it (views::resolve_person).
    auto owner = views::resolve_person(r, "owner", field(b, "owner"));
    if (auto* bad = std::get_if<InvalidRequest>(&owner)) return *bad;
    return prepare_add_action(field(b, "meeting"), std::get<std::string>(owner), field(b, "due"), field(b, "text"));
  }
  if (name == "update-action")
    return prepare_update_action(r, field(b, "action"), field(b, "status"), field(b, "note"));
  if (name == "edit-action") {
    return prepare_edit_action(r, field(b, "action"), optional_field(b, "text"), optional_field(b, "due"),
                               optional_field(b, "owner"));
  }
  if (name == "resolve-conflict") return prepare_resolve_conflict(r, field(b, "conflict"), field(b, "keep"));
  if (name == "schedule-meeting") {
    return prepare_schedule_meeting(field(b, "meeting"), field(b, "at"), field(b, "location"),
                                    field(b, "minute_taker"));
  }
  if (name == "record-held") return prepare_record_held(field(b, "meeting"), field(b, "at"), field(b, "location"));
  if (name == "record-attendance") {
    // An invitation by its id, or by the invitee's name within a meeting.
    if (field(b, "person").empty()) return prepare_record_attendance(field(b, "invitation"), field(b, "status"));
    auto invitation = views::resolve_invitation(r, field(b, "meeting"), field(b, "person"));
    if (auto* bad = std::get_if<InvalidRequest>(&invitation)) return *bad;
    return prepare_record_attendance(std::get<std::string>(invitation), field(b, "status"));
  }
  if (name == "add-agenda-note") {
    return prepare_agenda_note(field(b, "meeting"), field(b, "item"), field(b, "text"), flag(b, "professionals_only"),
                               flag(b, "share_with_carers"));
  }
  if (name == "finalise-minutes") {
    return prepare_finalise_minutes(field(b, "meeting"), field(b, "review_date"), field(b, "review_reason"));
  }
  if (name == "add-support-item") {
    return prepare_support_item(field(b, "meeting"), field(b, "kind"), field(b, "text"), field(b, "provider"),
                                field(b, "frequency"), flag(b, "professionals_only"));
  }
  return InvalidRequest{kExitUsage, "no such operation"};
}

}  // namespace

HttpApi::HttpApi(AppState& state, std::uint16_t port) : state_(state), port_(port) {}

bool HttpApi::host_allowed(std::string_view host) const {
  const auto port = std::to_string(port_);
  return host == "127.0.0.1:" + port || host == "localhost:" + port || host == "[::1]:" + port;
}

bool HttpApi::origin_allowed(std::string_view origin) const {
  const auto port = std::to_string(port_);
  return origin == "http://127.0.0.1:" + port || origin == "http://localhost:" + port ||
         origin == "http://[::1]:" + port;
}

HttpResponse HttpApi::handle(HttpRequest& req) {
  HttpResponse res;
  try {
    if (!host_allowed(req[http::field::host])) {
      res = error_response(req, http::status::misdirected_request, "this app answers only on its own loopback address");
    } else {
      std::string_view target = req.target();
      const auto path = target.substr(0, target.find('?'));
      res = route(req, path);
    }
  } catch (const std::exception& e) {
    // Never let one request take the app down; the message holds no record data.
    res = error_response(req, http::status::internal_server_error, e.what());
  }
  wipe(req.body());
  return res;
}

HttpResponse HttpApi::route(const HttpRequest& req, std::string_view path) {
  const bool is_get = req.method() == http::verb::get || req.method() == http::verb::head;
  const bool is_post = req.method() == http::verb::post;

  if (!path.starts_with("/api/")) {
    if (!is_get) return error_response(req, http::status::method_not_allowed, "pages are read with GET");
    // The pages hold nothing without a session: anyone may load them.
    const Asset* asset = find_asset(path);
    if (!asset) return error_response(req, http::status::not_found, "no such page");
    return make_response(req, http::status::ok, asset->content_type, std::string(asset->body));
  }

  json::object body;
  if (is_post) {
    // A page from anywhere else cannot send these: its Origin differs, and a
    // JSON Content-Type cannot be sent across origins without the browser asking first.
    auto origin = req[http::field::origin];
    if (!origin_allowed(origin))
      return error_response(req, http::status::forbidden, "request from another site refused");
    if (!req[http::field::content_type].starts_with("application/json")) {
      return error_response(req, http::status::unsupported_media_type, "send JSON");
    }
    boost::system::error_code ec;
    auto parsed = json::parse(req.body(), ec);
    if (ec || !parsed.is_object())
      return error_response(req, http::status::bad_request, "the request is not a JSON object");
    body = std::move(parsed.as_object());
  } else if (!is_get) {
    return error_response(req, http::status::method_not_allowed, "use GET or POST");
  }

  // The page's first call: the launch secret from the printed address (after
  // '#', so it never travelled in a request line) for this tab's token. Only
  // the app's own page can make it (Origin and JSON checked above).
  if (path == "/api/session") {
    if (!is_post) return error_response(req, http::status::method_not_allowed, "use POST");
    auto* launch = body.if_contains("launch");
    auto token = launch && launch->is_string() ? state_.exchange_launch_secret(launch->as_string()) : std::nullopt;
    if (!token) {
      return error_response(req, http::status::forbidden,
                            "this address has been used already, or is from another launch of psm app");
    }
    return json_response(req, http::status::ok, json::object{{"ok", true}, {"token", *token}});
  }
  if (!state_.session_valid(req[kSessionHeader])) {
    return error_response(req, http::status::unauthorized,
                          "open the address that psm app printed when it started, on this computer");
  }

  if (path == "/api/state") {
    if (!is_get) return error_response(req, http::status::method_not_allowed, "use GET");
    // Polled by every page: not counted as activity, so the auto-lock still happens.
    const auto sync = state_.sync_status();
    json::object out{{"locked", state_.locked()},
                     {"enrolled", std::filesystem::exists(state_.home().wrapped_key())},
                     {"revoked", sync.revoked},
                     {"online", sync.online},
                     {"syncing", sync.syncing},
                     {"last_error", sync.last_error},
                     {"last_sync", sync.last_sync_ms ? policy::format_utc(sync.last_sync_ms) : ""},
                     {"next_attempt", sync.next_attempt_ms ? policy::format_utc(sync.next_attempt_ms) : ""}};
    state_.with_replica([&](Replica& r) {
      out["who"] = {{"person_id", r.meta("person_id").value_or("")},
                    {"device_id", r.meta("device_id").value_or("")},
                    {"name", r.meta("display_name").value_or("")},
                    {"role", r.meta("role").value_or("")}};
      out["waiting_to_send"] = r.pending_count();
      out["needs_attention"] = views::needs_attention_count(r);
      return true;
    });
    return json_response(req, http::status::ok, out);
  }
  if (path == "/api/unlock") {
    if (!is_post) return error_response(req, http::status::method_not_allowed, "use POST");
    std::string passphrase = field(body, "passphrase");
    wipe(body.if_contains("passphrase"));
    auto ec = state_.unlock(passphrase);
    wipe(passphrase);
    if (ec == Errc::wrong_passphrase) return error_response(req, http::status::forbidden, "wrong passphrase");
    if (ec)
      return error_response(req, http::status::internal_server_error,
                            "cannot open this device's copy: " + ec.message());
    return json_response(req, http::status::ok, json::object{{"ok", true}});
  }

  // The pages mark their own periodic refreshes; only what the person does postpones the auto-lock.
  if (req["X-PSM-Background"].empty()) state_.touch();
  if (path == "/api/lock") {
    if (!is_post) return error_response(req, http::status::method_not_allowed, "use POST");
    state_.lock();
    return json_response(req, http::status::ok, json::object{{"ok", true}});
  }
  if (path == "/api/sync") {
    if (!is_post) return error_response(req, http::status::method_not_allowed, "use POST");
    state_.request_sync();
    return json_response(req, http::status::accepted, json::object{{"ok", true}});
  }

  std::optional<HttpResponse> answer = state_.with_replica([&](Replica& r) -> HttpResponse {
    if (is_post && path.starts_with("/api/ops/")) {
      http::status status = http::status::ok;
      auto out = submit(r, prepare(r, path.substr(9), body), status);
      if (status == http::status::ok) {
        const std::string id(out.at("id").as_string());
        if (auto m = views::meeting_json(r, id)) {
          (*m)["sync"] = views::sync_json(views::SyncStates(r).of(col::kMeetings, id));
          out["meeting"] = std::move(*m);  // e.g. a request's deadline, worked out on this device
        }
        state_.request_sync();
      }
      return json_response(req, status, out);
    }
    if (!is_get) return error_response(req, http::status::not_found, "no such operation");
    // Read from the whole outbox: only for the listings that show it.
    std::optional<views::SyncStates> sync_states;
    const auto states = [&]() -> const views::SyncStates& {
      if (!sync_states) sync_states.emplace(r);
      return *sync_states;
    };
    if (path == "/api/placements") return json_response(req, http::status::ok, views::placements_json(r));
    if (path == "/api/meetings") {
      auto arr = views::meetings_json(r);
      annotate(arr, states(), col::kMeetings);
      return json_response(req, http::status::ok, arr);
    }
    if (path.starts_with("/api/meetings/")) {
      auto m = views::meeting_json(r, std::string(path.substr(14)));
      if (!m) return error_response(req, http::status::not_found, "no such meeting that you can see");
      (*m)["sync"] = views::sync_json(states().of(col::kMeetings, path.substr(14)));
      annotate((*m)["views"].as_array(), states(), col::kViews);
      annotate((*m)["actions"].as_array(), states(), col::kActions);
      annotate((*m)["invitations"].as_array(), states(), col::kInvitations);
      annotate((*m)["agenda_notes"].as_array(), states(), col::kAgendaNotes);
      json::array items;
      const auto plans = views::plans_json(r);  // named: a temporary would die before the loop body runs
      for (const auto& i : plans.at("support_items").as_array()) {
        if (i.at("meeting_id") == m->at("id")) items.push_back(i);
      }
      annotate(items, states(), col::kSupportItems);
      (*m)["support_items"] = std::move(items);
      return json_response(req, http::status::ok, *m);
    }
    if (path == "/api/actions") {
      auto arr = views::actions_json(r);
      annotate(arr, states(), col::kActions);
      return json_response(req, http::status::ok, arr);
    }
    if (path == "/api/conflicts") {
      auto arr = views::conflicts_json(r);
      annotate(arr, states(), col::kConflicts);
      // What the conflict is about, so the page can name it (an action: its owner and due date).
      for (auto& v : arr) {
        auto& c = v.as_object();
        const std::string record(c.at("record").as_string());
        const auto slash = record.find('/');
        const auto target = r.get(record.substr(0, slash), record.substr(slash + 1));
        json::object about{{"collection", record.substr(0, slash)}};
        if (target && target->collection == col::kActions) {
          namespace f = model::schema::actions;
          about["owner"] = views::name_of(r, target->value(f::owner_id));
          about["due_date"] = target->value(f::due_date);
          about["meeting_id"] = target->value(f::meeting_id);
        }
        c["about"] = std::move(about);
      }
      return json_response(req, http::status::ok, arr);
    }
    if (path == "/api/notifications") return json_response(req, http::status::ok, views::notifications_json(r));
    if (path == "/api/plans") return json_response(req, http::status::ok, views::plans_json(r));
    if (path == "/api/people") return json_response(req, http::status::ok, views::people_json(r));
    if (path == "/api/short-breaks") return json_response(req, http::status::ok, views::short_breaks_json(r));
    if (path == "/api/concerns") return json_response(req, http::status::ok, views::concerns_json(r));
    if (path == "/api/changes") return json_response(req, http::status::ok, views::status_json(r, std::nullopt));
    return error_response(req, http::status::not_found, "no such page");
  });
  if (!answer) return error_response(req, http::status::locked, "locked: enter your passphrase");
  return std::move(*answer);
}

}  // namespace psm::client::app
