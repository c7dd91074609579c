// End to end: real psm-server and psm processes, real TLS on loopback, real
// SQLCipher files on disk.
#include "support/e2e_fixture.hpp"

#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <csignal>

#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <sstream>

namespace psm::e2e {
namespace {

TEST_F(EndToEnd, CarerRequestsOffline_ServerComesBack_SocialWorkerSeesItWithDeadline) {
  enrol("jo");
  enrol("priya");
  const std::string url = server_->url();
  ASSERT_EQ(server_->stop(), 0);

  auto req = psm("jo", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                        "Amelia is refusing school and bedtimes are very hard"});
  ASSERT_EQ(req.exit_code, 0) << req.err;
  EXPECT_NE(req.out.find("to be held by"), std::string::npos);

  auto offline = psm("jo", {"sync"});
  EXPECT_EQ(offline.exit_code, 4);  // server unreachable
  EXPECT_NE(offline.err.find("1 change(s) are kept on this device"), std::string::npos) << offline.err;
  auto status = json_of("jo", {"status"});
  EXPECT_EQ(status.at("waiting_to_send").as_int64(), 1);

  server_ = std::make_unique<Server>(data_, static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))));
  ASSERT_TRUE(server_->ready()) << server_->output();
  auto sync = psm("jo", {"sync"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_NE(sync.out.find("1 accepted"), std::string::npos) << sync.out;

  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  auto meetings = json_of("priya", {"meetings"}).as_array();
  ASSERT_EQ(meetings.size(), 1u);
  EXPECT_EQ(meetings[0].at("reason").as_string(), "Amelia is refusing school and bedtimes are very hard");
  EXPECT_EQ(meetings[0].at("type").as_string(), "support");
  EXPECT_FALSE(meetings[0].at("deadline").as_string().empty());
  EXPECT_EQ(meetings[0].at("sync_state").as_string(), "synced");
}

TEST_F(EndToEnd, TwoDevicesEditOffline_ConflictListedWithBothValues_ResolvedAndConverged) {
  enrol("alex");
  enrol("priya");
  ASSERT_EQ(psm("alex", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                         "Review support"})
                .exit_code,
            0);
  auto meeting_id = std::string(json_of("alex", {"meetings"}).as_array()[0].at("id").as_string());
  ASSERT_EQ(psm("alex", {"add-action", "--meeting", meeting_id, "--owner", "carer-okafor", "--due", "2026-12-18",
                         "--text", "Arrange respite"})
                .exit_code,
            0);
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  auto action_id = std::string(json_of("priya", {"actions"}).as_array()[0].at("id").as_string());

  // Both edit the same action with no connection between syncs.
  ASSERT_EQ(psm("alex", {"edit-action", action_id, "--text", "Arrange two weekends of respite"}).exit_code, 0);
  ASSERT_EQ(psm("priya", {"edit-action", action_id, "--text", "Arrange respite with a familiar carer"}).exit_code, 0);
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);
  auto second = psm("priya", {"sync"});
  ASSERT_EQ(second.exit_code, 0);
  EXPECT_NE(second.out.find("1 with a conflict"), std::string::npos) << second.out;
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);

  auto conflicts = json_of("alex", {"conflicts"}).as_array();
  ASSERT_EQ(conflicts.size(), 1u);
  std::set<std::string> values{std::string(conflicts[0].at("current").at("value").as_string()),
                               std::string(conflicts[0].at("other").at("value").as_string())};
  EXPECT_TRUE(values.count("Arrange two weekends of respite"));
  EXPECT_TRUE(values.count("Arrange respite with a familiar carer"));

  const std::string conflict_id(conflicts[0].at("id").as_string());
  ASSERT_EQ(psm("alex", {"resolve", conflict_id, "--keep", "mine"}).exit_code, 0);
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  auto a = json_of("alex", {"actions"}).as_array();
  auto p = json_of("priya", {"actions"}).as_array();
  EXPECT_EQ(a[0].at("text").as_string(), "Arrange two weekends of respite");
  EXPECT_EQ(p[0].at("text"), a[0].at("text"));
  EXPECT_EQ(json_of("priya", {"conflicts"}).as_array()[0].at("status").as_string(), "resolved");
}

TEST_F(EndToEnd, ReplicaFile_IsUnreadableWithoutTheKey_AndHoldsNoChildNames) {
  enrol("jo");
  const auto db = home("jo") / "replica.db";
  ASSERT_TRUE(fs::exists(db));
  // The child's name is on the device (the carer sees the placement)…
  auto placements = json_of("jo", {"placements"}).as_array();
  ASSERT_EQ(placements.size(), 1u);
  EXPECT_EQ(placements[0].at("child").as_string(), "Amelia Brooks");
  // …but nowhere in the files' bytes.
  for (const auto& entry : fs::directory_iterator(home("jo"))) {
    const auto bytes = read_bytes(entry.path());
    EXPECT_EQ(bytes.find("Amelia"), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find("Okafor"), std::string::npos) << entry.path();
  }
  for (const char* shell : {"/usr/bin/sqlite3", "/usr/bin/sqlcipher"}) {
    if (!fs::exists(shell)) GTEST_SKIP() << shell << " not installed";
    auto r = run({shell, db.string(), "SELECT name FROM sqlite_master;"});
    EXPECT_NE(r.exit_code, 0) << shell << " read the replica without a key: " << r.out;
  }
}

TEST_F(EndToEnd, WrongPassword_AndWrongPassphrase_GetClearErrorsAndChangeNothing) {
  auto bad = psm("jo", {"enrol", "--server", server_->url(), "--ca", ca().string(), "--username", "jo"},
                 {{"PSM_PASSWORD", "not the password"}, {"PSM_PASSPHRASE", kPassphrase}});
  EXPECT_EQ(bad.exit_code, 5);
  EXPECT_NE(bad.err.find("wrong username or password"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(home("jo") / "replica.key"));

  enrol("jo");
  const auto before = read_bytes(home("jo") / "replica.db");
  const auto key_before = read_bytes(home("jo") / "replica.key");
  auto wrong = psm("jo", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason", "x"},
                   {{"PSM_PASSPHRASE", "not my passphrase"}});
  EXPECT_EQ(wrong.exit_code, 3);
  EXPECT_NE(wrong.err.find("wrong passphrase"), std::string::npos) << wrong.err;
  EXPECT_EQ(read_bytes(home("jo") / "replica.db"), before);
  EXPECT_EQ(read_bytes(home("jo") / "replica.key"), key_before);

  // Changing the passphrase re-wraps the key; the old one stops working.
  auto change = psm("jo", {"change-passphrase"},
                    {{"PSM_PASSPHRASE", kPassphrase}, {"PSM_NEW_PASSPHRASE", "a brand new passphrase"}});
  ASSERT_EQ(change.exit_code, 0) << change.err;
  EXPECT_EQ(psm("jo", {"status"}).exit_code, 3);
  EXPECT_EQ(psm("jo", {"status"}, {{"PSM_PASSPHRASE", "a brand new passphrase"}}).exit_code, 0);
}

TEST_F(EndToEnd, ClientThatDoesNotTrustTheServerCertificate_RefusesToConnect) {
  TempDir other;
  ASSERT_EQ(run({server_bin(), "init", "--data", (other.path / "d").string()}).exit_code, 0);
  auto r = psm(
      "jo", {"enrol", "--server", server_->url(), "--ca", (other.path / "d/tls/ca.pem").string(), "--username", "jo"},
      {{"PSM_PASSWORD", kPassword}, {"PSM_PASSPHRASE", kPassphrase}});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_NE(r.err.find("not trusted"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(home("jo") / "replica.key"));
}

TEST_F(EndToEnd, RevokedDevice_WipesItsReplicaOnNextContact) {
  enrol("jo");
  auto list = run({server_bin(), "device", "list", "--data", data_.string(), "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto devices = json::parse(list.out).as_array();
  ASSERT_EQ(devices.size(), 1u);
  auto revoke = run({server_bin(), "device", "revoke", "--data", data_.string(),
                     std::string(devices[0].at("device_id").as_string())});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  auto sync = psm("jo", {"sync"});
  EXPECT_EQ(sync.exit_code, 8);
  EXPECT_FALSE(fs::exists(home("jo") / "replica.key"));
  EXPECT_FALSE(fs::exists(home("jo") / "replica.db"));
}

TEST_F(EndToEnd, Metrics_AreServedOnTheirOwnPort_NotOnTheDevicesPort) {
  enrol("jo");
  auto over_tls = [&](const std::string& target) {
    return run({"/usr/bin/openssl", "s_client", "-quiet", "-verify_return_error", "-CAfile", ca().string(), "-connect",
                "127.0.0.1:" + std::to_string(server_->port())},
               {}, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
               std::chrono::seconds(20));
  };
  // The devices' port: health yes, metrics no.
  auto metrics_on_devices_port = over_tls("/metrics");
  EXPECT_NE(metrics_on_devices_port.out.find("404 Not Found"), std::string::npos) << metrics_on_devices_port.out;
  EXPECT_EQ(metrics_on_devices_port.out.find("psm_"), std::string::npos) << metrics_on_devices_port.out;
  auto h = over_tls("/healthz");
  EXPECT_NE(h.out.find("ok"), std::string::npos) << h.out;

  // The metrics port (loopback, plain HTTP), with the transport's gauges.
  ASSERT_NE(server_->metrics_port(), 0) << server_->output();
  boost::asio::ip::tcp::iostream http("127.0.0.1", std::to_string(server_->metrics_port()));
  http.expires_after(std::chrono::seconds(20));
  http << "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" << std::flush;
  RunResult m;
  m.out.assign(std::istreambuf_iterator<char>(http), std::istreambuf_iterator<char>());
  EXPECT_NE(m.out.find("200 OK"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("# TYPE psm_connections_open gauge"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("psm_pulls_total"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("psm_connections_before_sign_in "), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("psm_bytes_read_not_handled "), std::string::npos) << m.out;
  EXPECT_NE(server_->output().find("net: accepting up to "), std::string::npos) << server_->output();
}

TEST_F(EndToEnd, MetricsListenOff_ServesNoMetricsPort) {
  server_->stop();
  serve_args_ = {"--metrics-listen", "off"};
  start_server();
  EXPECT_EQ(server_->metrics_port(), 0);
  EXPECT_EQ(server_->output().find("metrics on"), std::string::npos) << server_->output();
}

TEST_F(EndToEnd, LiveDevice_IsPokedAndPullsAnotherDevicesChange) {
  enrol("jo");
  enrol("priya");
  Background live({client_bin().string(), "--home", home("priya").string(), "sync", "--live", "--live-seconds", "20"},
                  {{"PSM_PASSPHRASE", kPassphrase}});
  ASSERT_TRUE(live.wait_for_output("live: waiting for changes")) << live.output();
  ASSERT_EQ(psm("jo", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "pre-disruption", "--reason",
                       "Carers say the placement may end this weekend"})
                .exit_code,
            0);
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  // The live device syncs again on its own, without being asked.
  EXPECT_TRUE(live.wait_for_output("synced:", 2)) << live.output();
  EXPECT_NE(live.output().find("received 1"), std::string::npos) << live.output();
}

TEST_F(EndToEnd, R5_R6_R9_R10_MeetingIsScheduled_MinutesRefusedUntilEveryoneHeard_ThenFinalisedAndIroTold) {
  enrol("jo");
  enrol("alex");
  enrol("priya");
  ASSERT_EQ(psm("jo", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                       "We need help with contact arrangements"})
                .exit_code,
            0);
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);
  const std::string id(json_of("alex", {"meetings"}).as_array()[0].at("id").as_string());
  auto scheduled = psm("alex", {"schedule-meeting", id, "--at", "2026-12-01T10:00", "--location", "Family centre",
                                "--minute-taker", "ssw-morgan"});
  ASSERT_EQ(scheduled.exit_code, 0) << scheduled.err;
  // Nothing is minuted before the meeting is recorded as held.
  auto not_held = psm("alex", {"finalise-minutes", id, "--review-date", "2027-01-19"});
  EXPECT_EQ(not_held.exit_code, 7);
  EXPECT_NE(not_held.err.find("record that the meeting was held first"), std::string::npos) << not_held.err;
  auto held = psm("alex", {"record-held", id, "--at", "2026-12-01 10:15"});
  ASSERT_EQ(held.exit_code, 0) << held.err;

  auto refused = psm("alex", {"finalise-minutes", id, "--review-date", "2027-01-19"});
  EXPECT_EQ(refused.exit_code, 7);
  EXPECT_NE(refused.err.find("attendance or apologies for Jo Okafor (carer)"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("the child's views"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("the IRO's views"), std::string::npos) << refused.err;

  ASSERT_NO_FATAL_FAILURE(attend_mandatory("alex", id));
  ASSERT_EQ(psm("alex", {"record-view", "--meeting", id, "--subject", "iro", "--sought-on", "2026-11-27"}).exit_code,
            0);
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  ASSERT_EQ(psm("priya", {"record-view", "--meeting", id, "--subject", "child", "--text",
                          "I want to keep seeing my brother", "--professionals-only"})
                .exit_code,
            0);
  // The child's views with no choice made are professionals-only; shared by choice, they reach the carer.
  ASSERT_EQ(psm("priya",
                {"record-view", "--meeting", id, "--subject", "child", "--text", "Bedtimes are scary since the move"})
                .exit_code,
            0);
  ASSERT_EQ(psm("priya", {"record-view", "--meeting", id, "--subject", "child", "--text", "I like my new school",
                          "--share-with-carers"})
                .exit_code,
            0);
  auto both = psm("priya", {"record-view", "--meeting", id, "--subject", "child", "--text", "x", "--share-with-carers",
                            "--professionals-only"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("not both"), std::string::npos) << both.err;
  // Agenda notes: one marked professionals-only, one under the child's views (so by default), one open.
  ASSERT_EQ(psm("priya", {"add-agenda-note", id, "--item", "undermining-factors", "--text",
                          "Birth mother's new partner", "--professionals-only"})
                .exit_code,
            0);
  ASSERT_EQ(psm("priya", {"add-agenda-note", id, "--item", "child-views", "--text", "Worried about the dog"}).exit_code,
            0);
  ASSERT_EQ(psm("priya", {"add-agenda-note", id, "--item", "cultural-identity", "--text", "Goes to church"}).exit_code,
            0);
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  {
    auto seen = json_of("jo", {"meeting", id}).as_object();
    std::string views, notes;
    for (const auto& v : seen.at("views").as_array()) views += std::string(v.at("text").as_string()) + "|";
    for (const auto& n : seen.at("agenda_notes").as_array()) notes += std::string(n.at("text").as_string()) + "|";
    EXPECT_NE(views.find("I like my new school"), std::string::npos) << views;
    EXPECT_EQ(views.find("brother"), std::string::npos) << views;
    EXPECT_EQ(views.find("Bedtimes"), std::string::npos) << views;
    EXPECT_EQ(notes, "Goes to church|");
  }
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);

  ASSERT_EQ(psm("alex", {"add-support-item", id, "--kind", "respite", "--text", "One weekend a month with the Reids",
                         "--provider", "Fostering service", "--frequency", "monthly"})
                .exit_code,
            0);
  ASSERT_EQ(psm("alex", {"add-support-item", id, "--kind", "camhs", "--text",
                         "Consultation on contact with birth mother", "--provider", "CAMHS", "--professionals-only"})
                .exit_code,
            0);
  auto done = psm("alex", {"finalise-minutes", id, "--review-date", "2027-01-19"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);

  // R10: the carer's household record holds the minimised copy of the plan.
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  auto plan = json_of("jo", {"plan"}).as_object();
  ASSERT_EQ(plan.at("carer_copies").as_array().size(), 1u);
  const std::string items(plan.at("carer_copies").as_array()[0].at("support_items").as_string());
  EXPECT_NE(items.find("One weekend a month"), std::string::npos) << items;
  EXPECT_EQ(items.find("birth mother"), std::string::npos) << items;
  for (const auto& item : plan.at("support_items").as_array()) {
    EXPECT_FALSE(item.at("professionals_only").as_bool());  // the carer's device never holds the other one
  }

  // Told of the booking (R5: everyone invited but the SSW who booked it) and of what followed.
  auto kinds_of = [&](const std::string& who) {
    std::multiset<std::string> kinds;
    const auto inbox = json_of(who, {"notifications"});
    for (const auto& n : inbox.as_array()) kinds.insert(std::string(n.at("kind").as_string()));
    return kinds;
  };
  enrol("ruth");
  EXPECT_EQ(kinds_of("ruth"), (std::multiset<std::string>{"meeting-booked", "minutes-finalised"}));
  enrol("lee");
  EXPECT_EQ(kinds_of("lee"), (std::multiset<std::string>{"meeting-booked", "meeting-requested"}));
  // The SSW who convenes the carer's request is told of it (R1).
  EXPECT_EQ(kinds_of("alex"), (std::multiset<std::string>{"meeting-requested"}));
  // Only the carer's own notification reaches the carer: the booking.
  EXPECT_EQ(kinds_of("jo"), (std::multiset<std::string>{"meeting-booked"}));
}

TEST_F(EndToEnd, R8_OverdueActionEscalates_WhileTheServerKeepsServing) {
  enrol("alex");
  ASSERT_EQ(
      psm("alex", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason", "Review"})
          .exit_code,
      0);
  const std::string id(json_of("alex", {"meetings"}).as_array()[0].at("id").as_string());
  ASSERT_EQ(psm("alex", {"add-action", "--meeting", id, "--owner", "carer-okafor", "--due", "2026-11-06", "--text",
                         "Book the respite weekend"})
                .exit_code,
            0);
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);
  // An admin sweep writes to the store the serving process also writes to.
  auto sweep = run({server_bin(), "escalate", "--data", data_.string(), "--today", "2026-11-09"});
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  EXPECT_NE(sweep.out.find("1 notification(s)"), std::string::npos) << sweep.out;
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);
  auto inbox = json_of("alex", {"notifications"}).as_array();
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0].at("kind").as_string(), "action-overdue");
  EXPECT_NE(inbox[0].at("text").as_string().find("Book the respite weekend"), std::string::npos);
  // The server goes on taking work after the admin command's writes.
  ASSERT_EQ(
      psm("alex", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason", "Second"})
          .exit_code,
      0);
  auto again = psm("alex", {"sync"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("1 accepted"), std::string::npos) << again.out;
}

TEST_F(EndToEnd, ServerStopsGracefullyOnSigterm) {
  enrol("jo");
  EXPECT_EQ(server_->stop(SIGTERM), 0);
}

TEST_F(EndToEnd, BadArguments_GetUsageExitCodeAndChangeNothing) {
  enrol("jo");
  auto r = psm("jo", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "tea-party", "--reason", "x"});
  EXPECT_EQ(r.exit_code, 2);
  // A date psm cannot read is a bad argument (exit 2), not a refusal by the rules.
  auto a = psm("jo", {"add-action", "--meeting", "m", "--owner", "carer-okafor", "--due", "soon", "--text", "t"});
  EXPECT_EQ(a.exit_code, 2);
  EXPECT_NE(a.err.find("YYYY-MM-DD"), std::string::npos) << a.err;
  EXPECT_EQ(json_of("jo", {"status"}).at("waiting_to_send").as_int64(), 0);
  auto unknown = psm("jo", {"fly"});
  EXPECT_EQ(unknown.exit_code, 2);
}

TEST_F(EndToEnd, R11_SupportNeedingThePanel_WaitsForItsDecision_WhichReachesTheSocialWorker) {
  enrol("priya");
  enrol("sasha");
  ASSERT_EQ(psm("priya", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                          "Placement under strain"})
                .exit_code,
            0);
  const std::string meeting(json_of("priya", {"meetings"}).as_array()[0].at("id").as_string());
  auto added = psm("priya", {"add-support-item", meeting, "--kind", "respite", "--text", "Two weekends a month",
                             "--provider", "Agency", "--frequency", "monthly", "--needs-panel"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);

  ASSERT_EQ(psm("sasha", {"sync"}).exit_code, 0);
  const auto requests = json_of("sasha", {"panel-requests"});
  ASSERT_EQ(requests.as_array().size(), 1u);
  EXPECT_EQ(requests.as_array()[0].at("status").as_string(), "pending");
  EXPECT_TRUE(json_of("sasha", {"placements"}).as_array().empty()) << "the panel sees the request, not the case";
  const std::string id(requests.as_array()[0].at("id").as_string());
  auto no_reason = psm("sasha", {"panel-decision", id, "--decline"});
  EXPECT_EQ(no_reason.exit_code, 7) << no_reason.err;
  ASSERT_EQ(
      psm("sasha", {"panel-decision", id, "--decline", "--reason", "Try the in-house respite offer first"}).exit_code,
      0);
  ASSERT_EQ(psm("sasha", {"sync"}).exit_code, 0);

  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  const auto plan = json_of("priya", {"plan"});
  const auto& item = plan.at("support_items").as_array()[0];
  EXPECT_EQ(item.at("panel_status").as_string(), "declined");
  EXPECT_EQ(item.at("panel_reason").as_string(), "Try the in-house respite offer first");
  bool told = false;
  const auto inbox = json_of("priya", {"notifications"});
  for (const auto& n : inbox.as_array()) told |= n.at("kind").as_string() == "panel-decision";
  EXPECT_TRUE(told);
}

TEST_F(EndToEnd, R12_R13_R15_PlannedEnding_ConductConcern_AndALongShortBreak_ThroughRealProcesses) {
  enrol("alex");
  enrol("jo");
  enrol("ruth");
  // R15: a short break over two weeks (15 nights) is recorded and flagged;
  // Saturday to Saturday, two weeks, is 14 nights and is not.
  auto long_break = psm("alex", {"record-short-break", "--placement", "pl-amelia-okafor", "--from", "2026-08-01",
                                 "--to", "2026-08-16", "--with", "The Reid family"});
  ASSERT_EQ(long_break.exit_code, 0) << long_break.err;
  EXPECT_NE((long_break.out + long_break.err).find("15 nights"), std::string::npos) << long_break.out << long_break.err;
  auto fortnight = psm("alex", {"record-short-break", "--placement", "pl-amelia-okafor", "--from", "2026-09-05", "--to",
                                "2026-09-19", "--with", "The Reid family"});
  ASSERT_EQ(fortnight.exit_code, 0) << fortnight.err;
  EXPECT_EQ((fortnight.out + fortnight.err).find("nights"), std::string::npos) << fortnight.out << fortnight.err;

  // R12: a pre-disruption meeting agrees a planned ending; the IRO is told.
  ASSERT_EQ(psm("alex", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "pre-disruption", "--reason",
                         "Placement at risk of ending"})
                .exit_code,
            0);
  const std::string meeting(json_of("alex", {"meetings"}).as_array()[0].at("id").as_string());
  ASSERT_EQ(psm("alex", {"schedule-meeting", meeting, "--at", "2026-12-01T10:00", "--location", "Office"}).exit_code,
            0);
  auto incomplete = psm("alex", {"pre-disruption-outcome", meeting, "--planned-ending"});
  EXPECT_EQ(incomplete.exit_code, 7) << incomplete.err;
  EXPECT_NE(incomplete.err.find("future contact"), std::string::npos) << incomplete.err;
  ASSERT_EQ(psm("alex", {"pre-disruption-outcome", meeting, "--planned-ending", "--future-contact", "Monthly visits",
                         "--carers-support-move", "yes", "--lessons", "Earlier respite would have helped"})
                .exit_code,
            0);

  // R13: a concern about the carers' conduct: an urgent LADO task the carer never sees.
  auto concern = psm("alex", {"raise-concern", meeting, "--text", "Reported shouting and a locked bedroom door"});
  ASSERT_EQ(concern.exit_code, 0) << concern.err;
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);
  bool lado_task = false;
  const auto actions = json_of("alex", {"actions"});
  for (const auto& a : actions.as_array()) lado_task |= a.at("text").as_string().find("LADO") != std::string::npos;
  EXPECT_TRUE(lado_task);

  ASSERT_EQ(psm("ruth", {"sync"}).exit_code, 0);
  bool iro_told = false;
  const auto inbox = json_of("ruth", {"notifications"});
  for (const auto& n : inbox.as_array()) iro_told |= n.at("kind").as_string() == "planned-ending";
  EXPECT_TRUE(iro_told);

  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  const auto carer_actions = json_of("jo", {"actions"});
  for (const auto& a : carer_actions.as_array()) {
    EXPECT_EQ(a.at("text").as_string().find("LADO"), std::string::npos) << "the carer must not see the LADO task";
  }
}

}  // namespace
}  // namespace psm::e2e
