// The local app's request checks, without sockets: HttpApi::handle() on
// requests built here, over a real (empty, unenrolled) replica on disk.
#include "client/app/http_api.hpp"

#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>
#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

namespace psm::client::app {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

constexpr std::uint16_t kPort = 18999;
constexpr std::string_view kOrigin = "http://127.0.0.1:18999";

class HttpApiTest : public ::testing::Test {
 protected:
  HttpApiTest() : home_(dir_.path), state_(home_, std::chrono::seconds(600)), api_(state_, kPort) {
    auto r = Replica::create(home_, "the right passphrase", crypto::kScryptTest);
    EXPECT_TRUE(r.has_value());
    launch_ = state_.new_launch_secret();
    token_ = state_.exchange_launch_secret(launch_).value_or("");
  }

  HttpRequest get(std::string target, bool with_session = true) {
    HttpRequest req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1:18999");
    if (with_session) req.set("X-PSM-Session", token_);
    return req;
  }
  HttpRequest post(std::string target, std::string body, std::string_view origin = kOrigin) {
    auto req = get(std::move(target));
    req.method(http::verb::post);
    req.set(http::field::origin, origin);
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
  }
  static json::value body_of(const HttpResponse& res) { return json::parse(res.body()); }
  HttpResponse handle(HttpRequest req) { return api_.handle(req); }

  psm::testing::TempDir dir_;
  HomePaths home_;
  AppState state_;
  HttpApi api_;
  std::string launch_;  // spent: exchanged for token_
  std::string token_;
};

TEST_F(HttpApiTest, Page_IsServedFromTheBinary_WithNoStoreAndAStrictPolicy) {
  auto res = handle(get("/", false));
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(res[http::field::cache_control], "no-store");
  EXPECT_NE(res["Content-Security-Policy"].find("default-src 'none'"), std::string::npos);
  EXPECT_NE(res.body().find("<main"), std::string::npos);
  EXPECT_EQ(handle(get("/app.js", false))[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(handle(get("/nothing-here", false)).result(), http::status::not_found);
}

TEST_F(HttpApiTest, LaunchSecret_IsExchangedOnceForATabsToken_ThatTheApiAccepts) {
  const auto launch = state_.new_launch_secret();
  auto first = handle(post("/api/session", R"({"launch":")" + launch + R"("})"));
  ASSERT_EQ(first.result(), http::status::ok) << first.body();
  EXPECT_TRUE(first[http::field::set_cookie].empty());
  const std::string token(body_of(first).at("token").as_string());
  EXPECT_EQ(token.size(), 64u);
  EXPECT_NE(token, launch);

  auto again = handle(post("/api/session", R"({"launch":")" + launch + R"("})"));
  EXPECT_EQ(again.result(), http::status::forbidden);
  EXPECT_FALSE(body_of(again).as_object().contains("token"));

  auto req = get("/api/state", false);
  req.set("X-PSM-Session", token);
  EXPECT_EQ(handle(req).result(), http::status::ok);
}

TEST_F(HttpApiTest, LaunchSecret_FromAnotherLaunchOrAnotherSite_GivesNoToken) {
  const auto launch = state_.new_launch_secret();
  EXPECT_EQ(handle(post("/api/session", R"({"launch":")" + std::string(64, '0') + R"("})")).result(),
            http::status::forbidden);
  EXPECT_EQ(handle(post("/api/session", R"({"launch":")" + launch + R"("})", "http://127.0.0.1:8080")).result(),
            http::status::forbidden);
  // Neither spent it: the person's own tab still can.
  EXPECT_EQ(handle(post("/api/session", R"({"launch":")" + launch + R"("})")).result(), http::status::ok);
}

TEST_F(HttpApiTest, OldLaunchLink_SetsNoCookie) {
  auto res = handle(get("/?launch=" + state_.new_launch_secret(), false));
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_TRUE(res[http::field::set_cookie].empty());
}

TEST_F(HttpApiTest, Api_WithoutTheSessionHeader_IsRefused) {
  EXPECT_EQ(handle(get("/api/state", false)).result(), http::status::unauthorized);
  auto req = get("/api/state", false);
  req.set("X-PSM-Session", std::string(64, 'a'));
  EXPECT_EQ(handle(req).result(), http::status::unauthorized);
  req.set("X-PSM-Session", launch_);  // the spent launch secret is not a token
  EXPECT_EQ(handle(req).result(), http::status::unauthorized);
}

// Browsers send a cookie for 127.0.0.1 to every port of it, so another
// program listening on this computer would receive any cookie the app set.
TEST_F(HttpApiTest, Api_WithOnlyACookie_AsAnotherPortWouldReplayIt_IsRefusedAndRevealsNothing) {
  ASSERT_EQ(handle(post("/api/unlock", R"({"passphrase":"the right passphrase"})")).result(), http::status::ok);
  const auto launch = state_.new_launch_secret();
  for (const auto& value : {launch, token_}) {
    for (const char* path : {"/api/meetings", "/api/state"}) {
      auto req = get(path, false);
      req.set(http::field::cookie, "psm_session=" + value);
      auto res = handle(req);
      EXPECT_EQ(res.result(), http::status::unauthorized) << path;
      auto body = body_of(res).as_object();
      EXPECT_FALSE(body.contains("locked"));
      EXPECT_FALSE(body.contains("who"));
    }
  }
  EXPECT_EQ(handle(get("/api/meetings")).result(), http::status::ok);  // with the header
}

TEST_F(HttpApiTest, Unlock_WipesThePassphraseFromTheRequestItWasSentIn) {
  auto req = post("/api/unlock", R"({"passphrase":"the right passphrase"})");
  ASSERT_EQ(api_.handle(req).result(), http::status::ok);
  EXPECT_EQ(req.body().find("the right passphrase"), std::string::npos);
}

TEST_F(HttpApiTest, AnotherHostName_IsRefused_EvenWithTheSession) {
  auto req = get("/api/state");
  req.set(http::field::host, "attacker.example:18999");  // a DNS name rebound to 127.0.0.1
  EXPECT_EQ(handle(req).result(), http::status::misdirected_request);
}

TEST_F(HttpApiTest, Post_FromAnotherOriginOrNotJson_ChangesNothing) {
  auto foreign = handle(post("/api/unlock", R"({"passphrase":"the right passphrase"})", "http://evil.example"));
  EXPECT_EQ(foreign.result(), http::status::forbidden);
  auto no_origin = post("/api/unlock", R"({"passphrase":"the right passphrase"})");
  no_origin.erase(http::field::origin);
  EXPECT_EQ(handle(no_origin).result(), http::status::forbidden);
  auto form = post("/api/unlock", "passphrase=the+right+passphrase");
  form.set(http::field::content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(handle(form).result(), http::status::unsupported_media_type);
  EXPECT_TRUE(state_.locked());
}

TEST_F(HttpApiTest, Data_WhileLocked_IsRefused_AndTheWrongPassphraseKeepsItLocked) {
  EXPECT_EQ(handle(get("/api/meetings")).result(), http::status::locked);
  auto state = body_of(handle(get("/api/state")));
  EXPECT_TRUE(state.at("locked").as_bool());
  EXPECT_FALSE(state.as_object().contains("who"));

  EXPECT_EQ(handle(post("/api/unlock", R"({"passphrase":"not it at all"})")).result(), http::status::forbidden);
  EXPECT_TRUE(state_.locked());
}

TEST_F(HttpApiTest, Unlock_ThenLock_OpensAndClosesTheReplica) {
  ASSERT_EQ(handle(post("/api/unlock", R"({"passphrase":"the right passphrase"})")).result(), http::status::ok);
  EXPECT_FALSE(state_.locked());
  auto meetings = handle(get("/api/meetings"));
  EXPECT_EQ(meetings.result(), http::status::ok);
  EXPECT_EQ(meetings[http::field::content_type], "application/json; charset=utf-8");
  EXPECT_TRUE(body_of(meetings).as_array().empty());

  ASSERT_EQ(handle(post("/api/lock", "{}")).result(), http::status::ok);
  EXPECT_TRUE(state_.locked());
  EXPECT_EQ(handle(get("/api/meetings")).result(), http::status::locked);
}

TEST_F(HttpApiTest, Operation_ThatBreaksARule_IsRefusedWithTheReason_AndNothingIsQueued) {
  ASSERT_EQ(handle(post("/api/unlock", R"({"passphrase":"the right passphrase"})")).result(), http::status::ok);
  auto bad_type =
      handle(post("/api/ops/request-meeting", R"({"placement":"pl-x","type":"picnic","reason":"because"})"));
  EXPECT_EQ(bad_type.result(), http::status::unprocessable_entity);
  EXPECT_NE(body_of(bad_type).at("error").as_string().find("support or pre-disruption"), std::string::npos);
  // This device is not enrolled, so the replica refuses to queue anything.
  auto refused =
      handle(post("/api/ops/request-meeting", R"({"placement":"pl-x","type":"support","reason":"because"})"));
  EXPECT_EQ(refused.result(), http::status::unprocessable_entity);
  EXPECT_EQ(handle(post("/api/ops/no-such-thing", "{}")).result(), http::status::unprocessable_entity);
  auto count = state_.with_replica([](Replica& r) { return r.pending_count(); });
  ASSERT_TRUE(count.has_value());
  EXPECT_EQ(*count, 0u);
}

TEST_F(HttpApiTest, MeetingPage_GathersViewsActionsAndSupportItems_WithEachRecordsSyncState) {
  ASSERT_EQ(handle(post("/api/unlock", R"({"passphrase":"the right passphrase"})")).result(), http::status::ok);
  // Records as a pull from the server would bring them.
  const model::Version v{model::Hlc{std::uint64_t{1} << 20}, "server"};
  auto record = [&](std::string_view collection, std::string id, std::map<std::string, std::string> fields) {
    model::Record r;
    r.collection = std::string(collection);
    r.id = std::move(id);
    r.scope = "placement:pl-1";
    for (auto& [k, value] : fields) r.set(k, value, v, "someone");
    return r;
  };
  protocol::PullResponse page;
  page.records = {record(model::collection::kMeetings, "m-1",
                         {{"type", "support"}, {"status", "requested"}, {"placement_id", "pl-1"}}),
                  record(model::collection::kViews, "v-1",
                         {{"meeting_id", "m-1"}, {"subject", "child"}, {"text", "I like it here"}}),
                  record(model::collection::kActions, "a-1",
                         {{"meeting_id", "m-1"}, {"text", "Call weekly"}, {"due_date", "2026-12-18"}}),
                  record(model::collection::kSupportItems, "s-1",
                         {{"meeting_id", "m-1"}, {"kind", "respite"}, {"description", "A weekend a month"}}),
                  record(model::collection::kSupportItems, "s-2", {{"meeting_id", "m-other"}, {"kind", "buddy"}})};
  page.cursor = 5;
  page.scopes = {"placement:pl-1"};
  state_.with_replica([&](Replica& r) {
    r.apply_pull(page);
    return true;
  });

  auto res = handle(get("/api/meetings/m-1"));
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  auto m = body_of(res).as_object();
  EXPECT_EQ(m.at("sync").at("state").as_string(), "accepted");
  ASSERT_EQ(m.at("views").as_array().size(), 1u);
  EXPECT_EQ(m.at("views").at(0).at("text").as_string(), "I like it here");
  EXPECT_EQ(m.at("views").at(0).at("sync").at("state").as_string(), "accepted");
  ASSERT_EQ(m.at("actions").as_array().size(), 1u);
  ASSERT_EQ(m.at("support_items").as_array().size(), 1u);  // not the other meeting's
  EXPECT_EQ(m.at("support_items").at(0).at("description").as_string(), "A weekend a month");
  EXPECT_EQ(handle(get("/api/meetings/m-404")).result(), http::status::not_found);
}

TEST_F(HttpApiTest, AutoLock_AfterTheIdleTime_DropsTheReplica) {
  AppState quick(home_, std::chrono::seconds(0));
  ASSERT_FALSE(quick.unlock("the right passphrase"));
  EXPECT_FALSE(quick.locked());
  EXPECT_TRUE(quick.lock_if_idle());
  EXPECT_TRUE(quick.locked());
  EXPECT_FALSE(quick.with_replica([](Replica&) { return 1; }).has_value());
}

}  // namespace
}  // namespace psm::client::app
