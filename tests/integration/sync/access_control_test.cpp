// Sign-in security over the real sync service and real encrypted replicas:
// device tokens that expire and renew, re-sign-in that keeps unsent work,
// lockout after wrong passwords, per-device rate limits, and the audit trail
// every one of these leaves.
#include "support/world.hpp"

#include "common/limits.hpp"
#include "common/model/ids.hpp"
#include "testing/expected.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

namespace psm::testing {
namespace {

namespace col = model::collection;
using client::OpState;
using namespace std::chrono_literals;

constexpr std::uint64_t kDay = 24ull * 3600 * 1000;

// A clock the test moves by hand.
struct FakeClock {
  std::shared_ptr<std::atomic<std::uint64_t>> now = std::make_shared<std::atomic<std::uint64_t>>(1'780'000'000'000);
  server::SyncService::Clock fn() const {
    return [n = now] { return n->load(); };
  }
  void advance(std::uint64_t ms) { *now += ms; }
};

server::ServerPolicy policy_with(std::chrono::milliseconds token_lifetime, std::uint32_t ops_per_minute = 6000) {
  server::ServerPolicy p;
  p.token_lifetime = token_lifetime;
  p.max_ops_per_minute = ops_per_minute;
  return p;
}

std::string request_meeting(client::Replica& r, const std::string& reason) {
  ops::RequestMeeting p{model::new_uuid_v7(), "p1", model::MeetingType::support, reason, 0};
  EXPECT_TRUE(r.submit(p).ok());
  return p.meeting_id;
}

protocol::AuthResult sign_in(World& w, const std::string& user, const std::string& password,
                             const std::string& address = "192.0.2.10") {
  server::Identity who;
  return w.service().login(protocol::LoginRequest{user, password, "laptop", "", 0}, who, address);
}

TEST(AccessControl, TokenInItsSecondHalf_IsRenewed_AndTheOldOneWorksUntilTheNewOneIsUsed) {
  FakeClock clock;
  World w(clock.fn(), policy_with(std::chrono::milliseconds(10 * kDay)));
  auto carer = w.enrol("carer-1");
  const auto first = carer->replica->meta("device_token");
  clock.advance(4 * kDay);
  ASSERT_FALSE(w.sync(*carer));
  EXPECT_EQ(carer->replica->meta("device_token"), first) << "renewed too early";

  clock.advance(2 * kDay);  // 6 of 10 days used
  ASSERT_FALSE(w.sync(*carer));
  const auto renewed = carer->replica->meta("device_token");
  ASSERT_NE(renewed, first);
  // Suppose the renewal's answer was lost: the device still holds the old
  // token, which works until the new one is presented.
  carer->replica->set_meta("device_token", *first);
  ASSERT_FALSE(w.sync(*carer));
  EXPECT_EQ(carer->replica->meta("device_token"), first) << "presenting the old token renews nothing";
  // In the second half of the renewed life it is renewed again.
  clock.advance(6 * kDay);
  ASSERT_FALSE(w.sync(*carer));
  const auto third = carer->replica->meta("device_token");
  EXPECT_NE(third, first);
  EXPECT_NE(third, renewed);
  clock.advance(std::uint64_t(limits::kTokenRotationGrace.count()) + 1);
  ASSERT_FALSE(w.sync(*carer));  // presents the newest token: the old ones end
  server::Identity who;
  const auto device_id = *carer->replica->meta("device_id");
  for (const auto& stale : {*first, *renewed}) {
    auto r = w.service().authenticate({device_id, stale, 0}, who);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, static_cast<std::uint16_t>(Errc::authentication_failed));
  }
}

// Two connections of one device (the app's sync and a `psm sync`) set out
// with the same token just as it is due for renewal.
TEST(AccessControl, TokenRenewal_RacedByTwoConnectionsOfOneDevice_LeavesTheDeviceSignedIn) {
  FakeClock clock;
  World w(clock.fn(), policy_with(std::chrono::milliseconds(10 * kDay)));
  auto carer = w.enrol("carer-1");
  const auto device_id = *carer->replica->meta("device_id");
  const auto old_token = *carer->replica->meta("device_token");
  clock.advance(6 * kDay);
  server::Identity a, b, c;
  auto first = w.service().authenticate({device_id, old_token, 0}, a);
  ASSERT_TRUE(first.ok);
  ASSERT_FALSE(first.device_token.empty()) << "renewed";
  auto second = w.service().authenticate({device_id, old_token, 0}, b);
  ASSERT_TRUE(second.ok) << second.message;
  // Whichever answer the device stored last, the token it holds works.
  auto held = second.device_token.empty() ? first.device_token : second.device_token;
  for (const auto& token : {first.device_token, held}) {
    auto r = w.service().authenticate({device_id, token, 0}, c);
    EXPECT_TRUE(r.ok) << r.message;
  }
}

TEST(AccessControl, NewTokenInUse_AConnectionThatSetOutWithTheOldOne_IsStillLetIn_ThenTheOldOneEnds) {
  FakeClock clock;
  World w(clock.fn(), policy_with(std::chrono::milliseconds(10 * kDay)));
  auto carer = w.enrol("carer-1");
  const auto device_id = *carer->replica->meta("device_id");
  const auto old_token = *carer->replica->meta("device_token");
  clock.advance(6 * kDay);
  server::Identity who;
  auto renewal = w.service().authenticate({device_id, old_token, 0}, who);
  ASSERT_FALSE(renewal.device_token.empty());
  EXPECT_TRUE(w.service().authenticate({device_id, renewal.device_token, 0}, who).ok);
  // The other connection's request, sent before the device stored the new token.
  auto late = w.service().authenticate({device_id, old_token, 0}, who);
  EXPECT_TRUE(late.ok) << late.message;
  EXPECT_TRUE(late.device_token.empty()) << "the device already holds the new token; nothing replaces it";

  clock.advance(std::uint64_t(limits::kTokenRotationGrace.count()) + 1);
  EXPECT_TRUE(w.service().authenticate({device_id, renewal.device_token, 0}, who).ok);
  EXPECT_FALSE(w.service().authenticate({device_id, old_token, 0}, who).ok) << "the old token has ended";
}

TEST(AccessControl, ExpiredToken_NeedsThePasswordAgain_AndKeepsUnsentWork) {
  FakeClock clock;
  World w(clock.fn(), policy_with(std::chrono::milliseconds(10 * kDay)));
  auto carer = w.enrol("carer-1");
  const auto device_id = carer->replica->meta("device_id");
  clock.advance(11 * kDay);
  const auto meeting = request_meeting(*carer->replica, "Written while the sign-in had lapsed");

  auto err = w.sync(*carer);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, Errc::token_expired);
  EXPECT_EQ(carer->replica->pending_count(), 1u);

  LoopbackTransport t(w.server());
  auto relogin = client::enrol_device(*carer->replica, t, "carer-1", "wrong password!", "laptop");
  ASSERT_TRUE(relogin);
  EXPECT_EQ(relogin->code, Errc::authentication_failed);
  ASSERT_FALSE(client::enrol_device(*carer->replica, t, "carer-1", std::string(World::kPassword), "laptop"));
  EXPECT_EQ(carer->replica->meta("device_id"), device_id) << "re-sign-in must keep the device's identity";

  client::SyncReport report;
  ASSERT_FALSE(w.sync(*carer, &report));
  EXPECT_EQ(report.accepted, 1u);
  EXPECT_EQ(carer->replica->pending_count(), 0u);
  EXPECT_TRUE(w.store().get(col::kMeetings, meeting));
}

TEST(AccessControl, ReSignIn_ForAnotherAccountsDevice_OrARevokedOne_IsRefused) {
  World w;
  auto carer = w.enrol("carer-1");
  const auto device_id = *carer->replica->meta("device_id");
  server::Identity who;
  auto other = w.service().login({"csw-1", std::string(World::kPassword), "laptop", device_id, 0}, who);
  EXPECT_FALSE(other.ok);
  ASSERT_TRUE(w.store().revoke_device(device_id));
  auto revoked = w.service().login({"carer-1", std::string(World::kPassword), "laptop", device_id, 0}, who);
  EXPECT_FALSE(revoked.ok);
  EXPECT_EQ(revoked.error, static_cast<std::uint16_t>(Errc::device_revoked));
}

TEST(AccessControl, RepeatedWrongPasswords_LockTheAccount_EvenForTheRightOne_UntilTheLockoutEnds) {
  FakeClock clock;
  World w(clock.fn());
  for (int i = 0; i < 5; ++i) {
    auto r = sign_in(w, "carer-1", "not the password");
    EXPECT_EQ(r.error, static_cast<std::uint16_t>(Errc::authentication_failed));
  }
  auto locked = sign_in(w, "carer-1", std::string(World::kPassword));
  EXPECT_FALSE(locked.ok);
  EXPECT_EQ(locked.error, static_cast<std::uint16_t>(Errc::locked_out));
  EXPECT_GT(locked.retry_after_ms, 14 * 60 * 1000u);
  EXPECT_NE(locked.message.find("minute"), std::string::npos) << locked.message;
  // Another account is not affected by this one's lock.
  EXPECT_TRUE(sign_in(w, "csw-1", std::string(World::kPassword), "198.51.100.4").ok);

  clock.advance(15 * 60 * 1000 + 1);
  EXPECT_TRUE(sign_in(w, "carer-1", std::string(World::kPassword)).ok);
}

TEST(AccessControl, OneAddressGuessingAcrossManyAccounts_HasItsPasswordSignInsLockedOut) {
  server::ServerPolicy policy;
  policy.sign_in.per_address.max_failures = 8;  // the default is 100; each unknown name costs a real scrypt
  World w(model::HlcClock::system_now_millis, policy);
  for (int i = 0; i < 8; ++i) sign_in(w, "nobody-" + std::to_string(i), "guess", "203.0.113.9");
  auto r = sign_in(w, "csw-1", std::string(World::kPassword), "203.0.113.9");
  EXPECT_EQ(r.error, static_cast<std::uint16_t>(Errc::locked_out));
  EXPECT_NE(r.message.find("from this network"), std::string::npos) << r.message;
  EXPECT_TRUE(sign_in(w, "csw-1", std::string(World::kPassword), "198.51.100.4").ok);
}

// An office (or a mobile network) shares one address: one person's wrong
// passwords must not stop the others.
TEST(AccessControl, WrongPasswordsFromOneAddress_DoNotStopAnotherDeviceThere_NorAnotherAccountsRightPassword) {
  World w;
  auto carer = w.enrol("carer-1");  // syncs from 192.0.2.10, like everyone below
  for (int i = 0; i < 25; ++i) {
    auto r = sign_in(w, "csw-1", "not the password " + std::to_string(i));
    EXPECT_FALSE(r.ok);
  }
  for (int i = 0; i < 3; ++i) sign_in(w, "nobody-" + std::to_string(i), "a guess");
  // The device with its token syncs as before.
  const auto meeting = request_meeting(*carer->replica, "Written during the guessing");
  client::SyncReport report;
  auto err = w.sync(*carer, &report);
  ASSERT_FALSE(err) << err->message;
  EXPECT_EQ(report.accepted, 1u);
  EXPECT_TRUE(w.store().get(col::kMeetings, meeting));
  // Another account signs in with its password from the same address.
  auto other = sign_in(w, "ssw-1", std::string(World::kPassword));
  EXPECT_TRUE(other.ok) << other.message;
  // The guessed account is locked from there, not from its owner's own address.
  EXPECT_EQ(sign_in(w, "csw-1", std::string(World::kPassword)).error, static_cast<std::uint16_t>(Errc::locked_out));
  EXPECT_TRUE(sign_in(w, "csw-1", std::string(World::kPassword), "198.51.100.4").ok);
}

TEST(AccessControl, GuessesAtOneAccountFromManyAddresses_LockTheAccount_ButNotItsSignedInDevices) {
  World w;
  auto csw = w.enrol("csw-1");
  for (int i = 0; i < 20; ++i) sign_in(w, "csw-1", "a guess", "203.0.113." + std::to_string(i));
  auto r = sign_in(w, "csw-1", std::string(World::kPassword), "198.51.100.4");
  EXPECT_EQ(r.error, static_cast<std::uint16_t>(Errc::locked_out));
  EXPECT_NE(r.message.find("for this account"), std::string::npos) << r.message;
  EXPECT_FALSE(w.sync(*csw)) << "a device token is not a password: it still syncs";
}

TEST(AccessControl, WrongTokensForADevice_NeverLockOutItsRightToken) {
  World w;
  auto carer = w.enrol("carer-1");
  const auto device_id = *carer->replica->meta("device_id");
  server::Identity who;
  for (int i = 0; i < 30; ++i) w.service().authenticate({device_id, std::string(64, 'a'), 0}, who);
  auto wrong = w.service().authenticate({device_id, std::string(64, 'b'), 0}, who);
  EXPECT_EQ(wrong.error, static_cast<std::uint16_t>(Errc::locked_out));
  EXPECT_FALSE(w.sync(*carer)) << "the device's own token still works";
}

TEST(AccessControl, SignInWithAHugeDeviceIdOrUsername_IsRefused_AndNothingOfItIsRecordedOrKept) {
  World w;
  const std::string huge_id(1024 * 1024, 'x');
  const std::string long_name(300, 'a');
  const auto before = w.store().audit().query({}).size();
  server::Identity who;
  auto auth = w.service().authenticate({huge_id, std::string(64, 'a'), 0}, who, "203.0.113.7");
  EXPECT_FALSE(auth.ok);
  auto login = w.service().login({long_name, "a password", "laptop", "", 0}, who, "203.0.113.7");
  EXPECT_FALSE(login.ok);
  EXPECT_EQ(login.error, static_cast<std::uint16_t>(Errc::invalid_argument));
  EXPECT_NE(login.message.find("username"), std::string::npos) << login.message;
  auto relogin =
      w.service().login({"carer-1", std::string(World::kPassword), "laptop", huge_id, 0}, who, "203.0.113.7");
  EXPECT_FALSE(relogin.ok);
  for (int i = 0; i < 100; ++i) w.service().authenticate({huge_id + std::to_string(i), std::string(64, 'a'), 0}, who);
  w.service().flush_refusals(/*all=*/true);

  const auto entries = w.store().audit().query({});
  EXPECT_GT(entries.size(), before) << "the refusals are recorded";
  std::size_t bytes = 0;
  for (std::size_t i = before; i < entries.size(); ++i) {
    const auto& e = entries[i];
    bytes += e.username.size() + e.device_id.size() + e.detail.size() + e.address.size();
    EXPECT_EQ(e.device_id.find("xxxx"), std::string::npos);
    EXPECT_EQ(e.username.find("aaaa"), std::string::npos);
    EXPECT_EQ(e.detail.find("xxxx"), std::string::npos);
  }
  EXPECT_LT(bytes, 4096u) << "what a refusal writes is bounded, whatever was sent";
  EXPECT_EQ(w.service().throttle().tracked_keys(), 0u) << "no malformed field becomes a throttle key";
}

TEST(AccessControl, ThousandRefusedSignInsFromOneAddress_AddAHandfulOfAuditEntries_WithTheirCount) {
  FakeClock clock;
  World w(clock.fn());
  const auto before = w.store().audit().query({}).size();
  server::Identity who;
  for (int i = 0; i < 1000; ++i) {
    w.service().authenticate({model::new_uuid_v7(), std::string(64, 'a'), 0}, who, "203.0.113.7");
  }
  clock.advance(60'000);
  w.service().flush_refusals();
  const auto entries = w.store().audit().query({});
  const auto added = entries.size() - before;
  EXPECT_LE(added, 5u);
  ASSERT_GE(added, 1u);
  EXPECT_NE(entries.back().detail.find("1000 sign-in(s) refused from 203.0.113.7"), std::string::npos)
      << entries.back().detail;
  EXPECT_TRUE(w.store().audit().verify().ok);
}

TEST(AccessControl, DeviceOverItsRateLimit_HasTheRestDeferred_AndNothingIsLostOrDoubled) {
  FakeClock clock;
  World w(clock.fn(), policy_with(std::chrono::milliseconds(30 * kDay), /*ops_per_minute=*/10));
  auto csw = w.enrol("csw-1");
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) ids.push_back(request_meeting(*csw->replica, "request " + std::to_string(i)));

  client::SyncReport report;
  ASSERT_FALSE(w.sync(*csw, &report));
  EXPECT_EQ(report.accepted, 10u);
  EXPECT_EQ(report.deferred, 15u);
  EXPECT_GT(report.retry_after_ms, 0u);
  EXPECT_EQ(csw->replica->pending_count(), 15u);

  for (int minute = 0; minute < 2; ++minute) {
    clock.advance(60'000);
    ASSERT_FALSE(w.sync(*csw, &report));
  }
  EXPECT_EQ(csw->replica->pending_count(), 0u);
  for (const auto& id : ids) EXPECT_TRUE(w.store().get(col::kMeetings, id)) << id;
  EXPECT_EQ(w.store().applied_count(), 25u);
}

TEST(AccessControl, AuditTrail_RecordsSignInsReadsAndOperations_WithChildAndDeviceTime) {
  World w;
  auto csw = w.enrol("csw-1");
  sign_in(w, "csw-1", "wrong password");
  const auto meeting = request_meeting(*csw->replica, "School exclusion");
  ASSERT_FALSE(w.sync(*csw));

  auto& audit = w.store().audit();
  auto v = audit.verify();
  EXPECT_TRUE(v.ok) << v.problem;
  const auto mine = audit.query({"", "csw-1", "", 0});
  std::map<std::string, int> kinds;
  for (const auto& e : mine) ++kinds[e.kind];
  EXPECT_EQ(kinds["sign-in"], 1);
  EXPECT_EQ(kinds["sign-in-refused"], 1);
  EXPECT_GE(kinds["connect"], 2);
  EXPECT_GE(kinds["pull"], 2);
  EXPECT_EQ(kinds["operation"], 1);

  const auto about_c1 = audit.query({"c1", "", "", 0});
  auto op = std::find_if(about_c1.begin(), about_c1.end(), [](const auto& e) { return e.kind == "operation"; });
  ASSERT_NE(op, about_c1.end());
  EXPECT_NE(op->detail.find("request-meeting"), std::string::npos) << op->detail;
  EXPECT_NE(op->detail.find("meetings/" + meeting), std::string::npos) << op->detail;
  EXPECT_EQ(op->device_id, *csw->replica->meta("device_id"));
  EXPECT_GT(op->device_time_ms, 0u);
  EXPECT_EQ(op->address, "192.0.2.10");
  // No child's words in the trail: it names ids and outcomes only.
  for (const auto& e : audit.query({})) EXPECT_EQ(e.detail.find("School exclusion"), std::string::npos);
  // The carer's device pulled nothing about c2 (another household's child).
  auto carer = w.enrol("carer-1");
  for (const auto& e : audit.query({"c2", "carer-1", "", 0})) ADD_FAILURE() << e.detail;
}

TEST(AccessControl, ImportWhileServing_TakesEffectAtTheNextSync_WithoutARestart) {
  World w;
  auto carer = w.enrol("carer-1");
  ASSERT_TRUE(carer->replica->get(model::collection::kChildren, "c3"));
  ops::RequestMeeting about_cara{model::new_uuid_v7(), "p3", model::MeetingType::support, "Cara is not sleeping", 0};
  ASSERT_TRUE(carer->replica->submit(about_cara).ok());
  const auto about_amelia = request_meeting(*carer->replica, "Amelia is settled");
  ASSERT_FALSE(w.sync(*carer));
  // The authority's nightly import says Cara's placement (p3) ended; the
  // serving process was not restarted.
  std::string detail;
  ASSERT_TRUE(psm::testing::succeeded(server::import_reference_data(w.store(), R"({"placements": [
    {"id": "p3", "child_id": "c3", "household_id": "h1", "type": "in-house", "start_date": "2026-01-05",
     "end_date": "2026-11-20", "team_manager_id": "ftm-1"}]})")));
  ASSERT_FALSE(w.sync(*carer));
  EXPECT_FALSE(carer->replica->get(model::collection::kChildren, "c3")) << "the ended placement's child is purged";
  EXPECT_FALSE(carer->replica->get(model::collection::kPlacements, "p3"));
  EXPECT_TRUE(carer->replica->get(model::collection::kChildren, "c1")) << "the current placement stays";
  // What the carer sent about Cara goes with her; what they sent about Amelia stays.
  std::set<std::string> sent;
  for (const auto& entry : carer->replica->outbox()) {
    if (const auto* r = std::get_if<ops::RequestMeeting>(&entry.op.payload)) sent.insert(r->meeting_id);
  }
  EXPECT_FALSE(sent.count(about_cara.meeting_id));
  EXPECT_TRUE(sent.count(about_amelia));
}

TEST(AccessControl, R11_PanelMember_SeesOnlyRequestsSentToThePanel_AndTheirDecisionReachesTheWorker) {
  World w;
  auto ssw = w.enrol("ssw-1");
  auto carer = w.enrol("carer-1");
  auto panel = w.enrol("panel-1");
  ops::RequestMeeting meeting{model::new_uuid_v7(), "p1", model::MeetingType::support, "Placement under strain", 0};
  ASSERT_TRUE(ssw->replica->submit(meeting).ok());
  ops::AddSupportItem item{
      model::new_uuid_v7(), meeting.meeting_id, "respite", "Two weekends a month", "Agency", "monthly", false, true};
  ASSERT_TRUE(ssw->replica->submit(item).ok());
  ASSERT_FALSE(w.sync(*ssw));

  ASSERT_FALSE(w.sync(*panel));
  auto request = panel->replica->get(model::collection::kPanelRequests, item.item_id);
  ASSERT_TRUE(request);
  EXPECT_EQ(request->value("status"), "pending");
  // Nothing of the child's record: no children, placements or meetings.
  EXPECT_TRUE(panel->replica->list(model::collection::kChildren).empty());
  EXPECT_TRUE(panel->replica->list(model::collection::kPlacements).empty());
  EXPECT_TRUE(panel->replica->list(model::collection::kMeetings).empty());

  ASSERT_TRUE(panel->replica->submit(ops::DecidePanelRequest{item.item_id, true, ""}).ok());
  client::SyncReport report;
  ASSERT_FALSE(w.sync(*panel, &report));
  EXPECT_EQ(report.accepted, 1u);

  ASSERT_FALSE(w.sync(*ssw));
  EXPECT_EQ(ssw->replica->get(model::collection::kSupportItems, item.item_id)->value("panel_status"), "approved");
  ASSERT_FALSE(w.sync(*carer));
  EXPECT_FALSE(carer->replica->get(model::collection::kPanelRequests, item.item_id))
      << "the panel's papers stay with the panel";
  // A carer cannot decide, and is told the request does not exist for them.
  ASSERT_TRUE(carer->replica->submit(ops::DecidePanelRequest{item.item_id, true, ""}).code == Errc::not_found);
}

}  // namespace
}  // namespace psm::testing
