// End to end, security: lockout, expired sign-in, pinning, old TLS versions,
// the audit trail's tamper check, and the limit on days offline — each with
// the real psm-server and psm processes.
#include "support/e2e_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <thread>

namespace psm::e2e {
namespace {

class SecurityEndToEnd : public EndToEnd {};

TEST_F(SecurityEndToEnd, RepeatedWrongPasswords_LockTheAccount_AndSayForHowLong) {
  for (int i = 0; i < 5; ++i) {
    auto r = psm("jo", {"enrol", "--server", server_->url(), "--ca", ca().string(), "--username", "jo"},
                 {{"PSM_PASSWORD", "not my password"}, {"PSM_PASSPHRASE", kPassphrase}});
    ASSERT_EQ(r.exit_code, 5) << r.err;
    EXPECT_FALSE(fs::exists(home("jo") / "replica.db")) << "a refused enrolment leaves nothing behind";
  }
  auto locked = psm("jo", {"enrol", "--server", server_->url(), "--ca", ca().string(), "--username", "jo"},
                    {{"PSM_PASSWORD", kPassword}, {"PSM_PASSPHRASE", kPassphrase}});
  EXPECT_EQ(locked.exit_code, 13) << locked.err;
  EXPECT_NE(locked.err.find("too many failed sign-ins; try again in 15 minute(s)"), std::string::npos) << locked.err;
  // Someone else signs in as usual.
  enrol("priya");
  // The audit trail shows the refusals.
  ASSERT_EQ(server_->stop(), 0);
  // The audit trail shows the refusals: the first few from an address in a
  // minute one by one, the rest as a count for that address and minute.
  auto audit = run({server_bin().string(), "audit", "show", "--data", data_.string(), "--json"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  int refused = 0, counted = 0;
  const json::value entries = json::parse(audit.out);
  for (const auto& e : entries.as_array()) {
    if (e.at("kind").as_string() != "sign-in-refused") continue;
    if (e.at("user").as_string() == "jo") ++refused;
    if (std::string(e.at("detail").as_string()).find("sign-in(s) refused from 127.0.0.1") != std::string::npos)
      ++counted;
  }
  EXPECT_GE(refused, 3);
  EXPECT_LE(refused, 6);
  if (refused < 6) {
    EXPECT_GE(counted, 1) << "the refusals not written one by one are counted";
  }
}

// `psm-server device revoke` is another process writing the store; the
// serving process notices and ends the revoked device's live connection.
// Without --retry-for a live device that loses its connection stops; told it
// was revoked, it must still wipe (exit 8), not report a lost connection.
TEST_F(SecurityEndToEnd, DeviceRevokedWhileConnected_IsToldAtOnce_AndWipesItsCopy) {
  enrol("jo");
  Background live({client_bin().string(), "--home", home("jo").string(), "sync", "--live", "--live-seconds", "60"},
                  {{"PSM_PASSPHRASE", kPassphrase}});
  ASSERT_TRUE(live.wait_for_output("live: waiting for changes")) << live.output();
  auto list = run({server_bin(), "device", "list", "--data", data_.string(), "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto devices = json::parse(list.out).as_array();
  ASSERT_EQ(devices.size(), 1u);
  auto revoke = run({server_bin(), "device", "revoke", "--data", data_.string(),
                     std::string(devices[0].at("device_id").as_string())});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  // Well before its 60 s of waiting are up, the live device is told, wipes and stops.
  EXPECT_EQ(live.wait(std::chrono::seconds(30)), 8) << live.output();
  EXPECT_FALSE(fs::exists(home("jo") / "replica.db"));
  EXPECT_FALSE(fs::exists(home("jo") / "replica.key"));
}

class ShortSignInEndToEnd : public EndToEnd {
 protected:
  void SetUp() override {
    serve_args_ = {"--token-days", "0.00004"};  // ~3.5 s
    EndToEnd::SetUp();
  }
};

TEST_F(ShortSignInEndToEnd, ExpiredSignIn_AsksForThePassword_AndLoginSendsTheWorkKeptMeanwhile) {
  enrol("jo");
  enrol("priya");
  std::this_thread::sleep_for(std::chrono::milliseconds(4000));
  ASSERT_EQ(psm("jo", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                       "Contact with birth family has unsettled Amelia"})
                .exit_code,
            0);
  auto expired = psm("jo", {"sync"});
  EXPECT_EQ(expired.exit_code, 12) << expired.err;
  EXPECT_NE(expired.err.find("login"), std::string::npos) << expired.err;
  EXPECT_NE(expired.err.find("1 change(s) are kept"), std::string::npos) << expired.err;

  auto wrong = psm("jo", {"login"}, {{"PSM_PASSWORD", "not my password"}, {"PSM_PASSPHRASE", kPassphrase}});
  EXPECT_EQ(wrong.exit_code, 5) << wrong.err;
  auto login = psm("jo", {"login"}, {{"PSM_PASSWORD", kPassword}, {"PSM_PASSPHRASE", kPassphrase}});
  ASSERT_EQ(login.exit_code, 0) << login.err;
  EXPECT_NE(login.out.find("1 accepted"), std::string::npos) << login.out;

  ASSERT_EQ(psm("priya", {"login"}, {{"PSM_PASSWORD", kPassword}, {"PSM_PASSPHRASE", kPassphrase}}).exit_code, 0);
  auto meetings = json_of("priya", {"meetings"}).as_array();
  ASSERT_EQ(meetings.size(), 1u);
  EXPECT_EQ(meetings[0].at("reason").as_string(), "Contact with birth family has unsettled Amelia");
  // Still one device each: signing in again did not enrol a new one.
  auto devices = run({server_bin().string(), "device", "list", "--data", data_.string(), "--json"});
  EXPECT_EQ(json::parse(devices.out).as_array().size(), 2u) << devices.out;
}

TEST_F(SecurityEndToEnd, PinnedKey_IsRequired_AndAWrongPinRefusesToConnect) {
  auto pin = run({server_bin().string(), "pin", "--data", data_.string()});
  ASSERT_EQ(pin.exit_code, 0) << pin.err;
  const std::string right = pin.out.substr(0, pin.out.find('\n'));
  ASSERT_EQ(right.size(), 64u);

  auto wrong = psm(
      "jo",
      {"enrol", "--server", server_->url(), "--ca", ca().string(), "--username", "jo", "--pin", std::string(64, 'a')},
      {{"PSM_PASSWORD", kPassword}, {"PSM_PASSPHRASE", kPassphrase}});
  EXPECT_EQ(wrong.exit_code, 6) << wrong.err;
  EXPECT_NE(wrong.err.find("pinned"), std::string::npos) << wrong.err;
  EXPECT_FALSE(fs::exists(home("jo") / "replica.db"));

  auto ok =
      psm("jo",
          {"enrol", "--server", server_->url(), "--ca", ca().string(), "--username", "jo", "--pin", "sha256:" + right},
          {{"PSM_PASSWORD", kPassword}, {"PSM_PASSPHRASE", kPassphrase}});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);

  // The pin is kept: a device whose recorded pin no longer matches refuses.
  auto config = json::parse(read_bytes(home("jo") / "config.json")).as_object();
  config["pin"] = std::string(64, 'b');
  std::ofstream(home("jo") / "config.json") << json::serialize(config);
  auto refused = psm("jo", {"sync"});
  EXPECT_EQ(refused.exit_code, 6) << refused.err;
}

// Tries a TLS handshake with the server offering only `version`.
bool handshake_succeeds(std::uint16_t port, int version) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  SSL_CTX_set_security_level(ctx.get(), 0);  // let this client even try the old versions
  SSL_CTX_set_cipher_list(ctx.get(), "ALL:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx.get(), version);
  SSL_CTX_set_max_proto_version(ctx.get(), version);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return false;
  }
  SSL* ssl = SSL_new(ctx.get());
  SSL_set_fd(ssl, fd);
  const bool ok = SSL_connect(ssl) == 1;
  ERR_clear_error();
  SSL_free(ssl);
  ::close(fd);
  return ok;
}

TEST_F(SecurityEndToEnd, Tls10And11_AreRefused_Tls12And13_Accepted) {
  EXPECT_FALSE(handshake_succeeds(server_->port(), TLS1_VERSION));
  EXPECT_FALSE(handshake_succeeds(server_->port(), TLS1_1_VERSION));
  EXPECT_TRUE(handshake_succeeds(server_->port(), TLS1_2_VERSION));
  EXPECT_TRUE(handshake_succeeds(server_->port(), TLS1_3_VERSION));
}

TEST_F(SecurityEndToEnd, AuditTrail_TamperedWithTheStoreKey_IsDetected) {
  enrol("priya");
  ASSERT_EQ(psm("priya", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                          "Placement under strain"})
                .exit_code,
            0);
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  ASSERT_EQ(server_->stop(), 0);

  auto intact = run({server_bin().string(), "audit", "verify", "--data", data_.string()});
  ASSERT_EQ(intact.exit_code, 0) << intact.out << intact.err;
  EXPECT_NE(intact.out.find("audit trail intact"), std::string::npos);
  auto about_amelia =
      run({server_bin().string(), "audit", "show", "--data", data_.string(), "--child", "child-amelia"});
  EXPECT_NE(about_amelia.out.find("request-meeting"), std::string::npos) << about_amelia.out;

  // An insider with the store key quietly rewrites who made the request.
  std::string key;
  std::ifstream(data_ / "store.key") >> key;
  auto tamper = run({"/usr/bin/sqlcipher", (data_ / "store.db").string()}, {},
                    "PRAGMA key = \"x'" + key +
                        "'\";\nPRAGMA cipher_page_size = 4096;\n"
                        "UPDATE audit_log SET username = 'lee' WHERE kind = 'operation';\n");
  ASSERT_EQ(tamper.exit_code, 0) << tamper.err;
  auto broken = run({server_bin().string(), "audit", "verify", "--data", data_.string()});
  EXPECT_EQ(broken.exit_code, 1) << broken.out;
  EXPECT_NE(broken.out.find("BROKEN"), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("changed after it was written"), std::string::npos) << broken.out;
}

TEST_F(SecurityEndToEnd, DeviceOfflinePastTheServersLimit_WarnsThenMustSyncBeforeUse) {
  server_.reset();
  serve_args_ = {"--max-days-offline", "10"};
  start_server();
  enrol("jo");
  // The device's own clock moved on (libfaketime): nothing else differs.
  // libfaketime is preloaded ahead of the sanitizer runtime in the ASan
  // build, which ASan would otherwise refuse.
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string asan_options = (asan ? std::string(asan) + ":" : std::string()) + "verify_asan_link_order=0";
  auto later = [&](const std::string& offset, std::vector<std::string> args) {
    std::vector<std::string> argv{"/usr/bin/faketime", offset, client_bin().string(), "--home", home("jo").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, {{"PSM_PASSPHRASE", kPassphrase}, {"ASAN_OPTIONS", asan_options}});
  };
  auto day2 = later("+2 days", {"placements"});
  EXPECT_EQ(day2.exit_code, 0) << day2.err;
  EXPECT_EQ(day2.err.find("warning"), std::string::npos) << day2.err;
  auto day8 = later("+8 days", {"placements"});
  EXPECT_EQ(day8.exit_code, 0) << day8.err;
  EXPECT_NE(day8.err.find("warning: this device has not synced for 8 days"), std::string::npos) << day8.err;
  auto day11 = later("+11 days", {"placements"});
  EXPECT_EQ(day11.exit_code, 14) << day11.err;
  EXPECT_NE(day11.err.find("sync"), std::string::npos) << day11.err;
  EXPECT_EQ(day11.out.find("Amelia"), std::string::npos) << "nothing shown past the limit";
  EXPECT_EQ(later("+11 days", {"status"}).exit_code, 0) << "status still says why";
  // A sync (here at the real time) lifts it.
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  EXPECT_EQ(later("+2 days", {"placements"}).exit_code, 0);
}

}  // namespace
}  // namespace psm::e2e

namespace psm::e2e {
namespace {

// No byte a terminal would act on: ESC, BEL, CR, DEL, CSI as U+009B.
void expect_no_terminal_controls(const std::string& printed) {
  EXPECT_EQ(printed.find('\x1b'), std::string::npos) << printed;
  EXPECT_EQ(printed.find('\x07'), std::string::npos) << printed;
  EXPECT_EQ(printed.find('\r'), std::string::npos) << printed;
  EXPECT_EQ(printed.find('\x7f'), std::string::npos) << printed;
  EXPECT_EQ(printed.find("\xc2\x9b"), std::string::npos) << printed;
}

TEST_F(SecurityEndToEnd, OthersText_WithTerminalEscapes_IsPrintedMadeVisible_ByPsmAndPsmServer) {
  enrol("jo");
  enrol("priya");
  // A carer's words with a clear-screen, a window title and an 8-bit CSI in them.
  ASSERT_EQ(psm("jo", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                       "Bedtimes\x1b[2J\x1b]0;owned\x07 are hard\xc2\x9b"
                       "31m\x7f"})
                .exit_code,
            0);
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  ASSERT_EQ(psm("priya", {"sync"}).exit_code, 0);
  const auto meetings = json_of("priya", {"meetings"});
  ASSERT_EQ(meetings.as_array().size(), 1u);
  const std::string id(meetings.as_array()[0].at("id").as_string());
  ASSERT_EQ(psm("priya", {"record-view", "--meeting", id, "--subject", "child", "--text",
                          "She said \x1b[31mno\x1b[0m\rto the move"})
                .exit_code,
            0);

  auto listed = psm("priya", {"meetings"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  expect_no_terminal_controls(listed.out);
  EXPECT_NE(listed.out.find("Bedtimes\\u001b[2J\\u001b]0;owned\\u0007 are hard\\u009b31m\\u007f"), std::string::npos)
      << listed.out;
  auto one = psm("priya", {"meeting", id});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  expect_no_terminal_controls(one.out);
  EXPECT_NE(one.out.find("She said \\u001b[31mno\\u001b[0m\\u000dto the move"), std::string::npos) << one.out;
  // JSON stays JSON, with the same text in it.
  auto as_json = psm("priya", {"meetings", "--json"});
  expect_no_terminal_controls(as_json.out);
  EXPECT_EQ(json::parse(as_json.out).as_array()[0].at("reason").as_string(),
            "Bedtimes\x1b[2J\x1b]0;owned\x07 are hard\xc2\x9b"
            "31m\x7f");

  // A stranger's username, refused, then read by an administrator.
  auto stranger =
      psm("mallory",
          {"enrol", "--server", server_->url(), "--ca", ca().string(), "--username", "\x1b[2J\x1b[31mroot\x1b[0m"},
          {{"PSM_PASSWORD", "guess"}, {"PSM_PASSPHRASE", kPassphrase}});
  EXPECT_NE(stranger.exit_code, 0);
  expect_no_terminal_controls(stranger.err);
  ASSERT_EQ(server_->stop(), 0);
  auto audit = run({server_bin().string(), "audit", "show", "--data", data_.string()});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  expect_no_terminal_controls(audit.out);
  auto audit_json = run({server_bin().string(), "audit", "show", "--data", data_.string(), "--json"});
  expect_no_terminal_controls(audit_json.out);
  EXPECT_NO_THROW(json::parse(audit_json.out));
}

TEST_F(SecurityEndToEnd, EmptiedAuditTrail_WithItsHeadRemovedToo_IsReportedAsTamperedWith) {
  ASSERT_EQ(server_->stop(), 0);
  std::string key;
  std::ifstream(data_ / "store.key") >> key;
  auto tamper = run({"/usr/bin/sqlcipher", (data_ / "store.db").string()}, {},
                    "PRAGMA key = \"x'" + key +
                        "'\";\nPRAGMA cipher_page_size = 4096;\n"
                        "DELETE FROM audit_log;\nDELETE FROM meta WHERE key = 'audit_head';\n");
  ASSERT_EQ(tamper.exit_code, 0) << tamper.err;
  auto verify = run({server_bin().string(), "audit", "verify", "--data", data_.string()});
  EXPECT_EQ(verify.exit_code, 1) << verify.out;
  EXPECT_NE(verify.out.find("BROKEN"), std::string::npos) << verify.out;
  EXPECT_NE(verify.out.find("every entry was removed"), std::string::npos) << verify.out;
  EXPECT_EQ(verify.out.find("intact"), std::string::npos) << verify.out;
}

// Every file either program writes holds its owner's alone.
void expect_owner_only(const fs::path& dir) {
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const auto perms = fs::status(entry.path()).permissions();
    const auto others = perms & (fs::perms::group_all | fs::perms::others_all);
    EXPECT_EQ(others, fs::perms::none) << entry.path() << " is readable by group or others";
  }
}

TEST_F(SecurityEndToEnd, FilesWrittenByEnrolAndByTheServer_AreTheirOwnersAlone) {
  enrol("jo");
  ASSERT_EQ(
      psm("jo", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason", "Bedtimes"})
          .exit_code,
      0);
  for (const char* name : {"replica.db", "replica.key", "config.json", "server-ca.pem"}) {
    ASSERT_TRUE(fs::exists(home("jo") / name)) << name;
  }
  expect_owner_only(home("jo"));
  auto backup =
      run({server_bin().string(), "backup", "--data", data_.string(), "--to", (data_ / "backup.db").string()});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  expect_owner_only(data_);  // store, key, TLS files, receipt key, lock, the backup
}

std::int64_t unix_seconds_of(const std::string& rfc3339) {
  std::tm parts{};
  ::strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &parts);
  return static_cast<std::int64_t>(::timegm(&parts));
}

TEST_F(SecurityEndToEnd, ServerCertificate_LastsAtMost397Days_AndRenewingKeepsEnrolledAndPinnedDevicesWorking) {
  auto shown = run({server_bin().string(), "cert", "show", "--data", data_.string(), "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  const auto before = json::parse(shown.out).as_object();
  const auto lifetime = [](const json::object& c) {
    return unix_seconds_of(std::string(c.at("not_after").as_string())) -
           unix_seconds_of(std::string(c.at("not_before").as_string()));
  };
  EXPECT_LE(lifetime(before), 397 * 86400);
  EXPECT_GT(lifetime(before), 390 * 86400);

  // One device trusts the CA, the other also pinned the server's key.
  enrol("jo");
  const std::string pin(before.at("pin").as_string());
  auto pinned =
      psm("priya", {"enrol", "--server", server_->url(), "--ca", ca().string(), "--username", "priya", "--pin", pin},
          {{"PSM_PASSWORD", kPassword}, {"PSM_PASSPHRASE", kPassphrase}});
  ASSERT_EQ(pinned.exit_code, 0) << pinned.err;

  auto renew = run({server_bin().string(), "cert", "renew", "--data", data_.string()});
  ASSERT_EQ(renew.exit_code, 0) << renew.err;
  EXPECT_NE(renew.out.find("pin is unchanged"), std::string::npos) << renew.out;
  const auto port = server_->port();
  ASSERT_EQ(server_->stop(), 0);
  start_server(port);
  auto after =
      json::parse(run({server_bin().string(), "cert", "show", "--data", data_.string(), "--json"}).out).as_object();
  EXPECT_NE(after.at("not_before"), before.at("not_before"));
  EXPECT_LE(lifetime(after), 397 * 86400);
  EXPECT_EQ(after.at("pin"), before.at("pin"));
  EXPECT_EQ(after.at("names"), before.at("names"));
  auto jo = psm("jo", {"sync"});
  EXPECT_EQ(jo.exit_code, 0) << jo.err;
  auto priya = psm("priya", {"sync"});
  EXPECT_EQ(priya.exit_code, 0) << priya.err;

  // A new key: the CA still vouches for it, but the pin no longer matches.
  auto rekeyed = run({server_bin().string(), "cert", "renew", "--data", data_.string(), "--new-key"});
  ASSERT_EQ(rekeyed.exit_code, 0) << rekeyed.err;
  ASSERT_EQ(server_->stop(), 0);
  start_server(port);
  EXPECT_EQ(psm("jo", {"sync"}).exit_code, 0);
  EXPECT_EQ(psm("priya", {"sync"}).exit_code, 6);
}

}  // namespace
}  // namespace psm::e2e
