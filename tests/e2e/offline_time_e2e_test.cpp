// Item: the time a person acted is their device's. A carer asks for a
// Placement Support Meeting offline on Wednesday 23 December and is told "to be
// held by 4 January" (Christmas, Boxing Day's substitute and New Year's Day
// skipped); the phone finds a signal on Tuesday the 29th. Every process runs
// under libfaketime at those dates (the calendar's bank holidays are real
// dates), from `psm-server init` on, so certificates, tokens and clocks agree.
#include "support/e2e_fixture.hpp"

#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <sstream>

namespace psm::e2e {
namespace {

class OfflineTimeEndToEnd : public ::testing::Test {
 protected:
  // ASan refuses a preloaded library ahead of its runtime unless told.
  std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const {
    const char* asan = std::getenv("ASAN_OPTIONS");
    extra["ASAN_OPTIONS"] = (asan ? std::string(asan) + ":" : std::string()) + "verify_asan_link_order=0";
    extra["TZ"] = "UTC";
    return extra;
  }
  static std::vector<std::string> at(const std::string& when, std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"/usr/bin/faketime", when});
    return argv;
  }
  RunResult server_cmd(const std::string& when, std::vector<std::string> args) {
    args.insert(args.begin(), server_bin().string());
    return run(at(when, std::move(args)), env({{"PSM_PASSWORD", kPassword}}));
  }
  RunResult psm(const std::string& who, const std::string& when, std::vector<std::string> args) {
    args.insert(args.begin(), {client_bin().string(), "--home", (dir_.path / ("home-" + who)).string()});
    return run(at(when, std::move(args)), env({{"PSM_PASSPHRASE", kPassphrase}, {"PSM_PASSWORD", kPassword}}));
  }
  // The server runs under libfaketime by its environment (not the faketime
  // wrapper, whose own process would be the one stopped): the offset from
  // now to `when`, which then moves on as time does.
  // The same port each time, so the devices find it where they enrolled.
  void start(const std::string& when) {
    if (server_) port_ = server_->port();
    server_.reset();
    std::tm tm{};
    std::istringstream(when) >> std::get_time(&tm, "%Y-%m-%d %H:%M:%S");
    const auto offset = static_cast<long long>(timegm(&tm)) - static_cast<long long>(std::time(nullptr));
    server_ = std::make_unique<Server>(data_, port_, std::vector<std::string>{},
                                       env({{"LD_PRELOAD", "/usr/$LIB/faketime/libfaketime.so.1"},
                                            {"FAKETIME", (offset >= 0 ? "+" : "") + std::to_string(offset)}}));
    ASSERT_TRUE(server_->ready()) << server_->output();
  }
  void enrol(const std::string& who, const std::string& when) {
    auto r = psm(who, when,
                 {"enrol", "--server", server_->url(), "--ca", (data_ / "tls" / "ca.pem").string(), "--username", who});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  json::object only_meeting(const std::string& who, const std::string& when) {
    auto r = psm(who, when, {"meetings", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto arr = json::parse(r.out).as_array();
    EXPECT_EQ(arr.size(), 1u) << r.out;
    return arr.empty() ? json::object{} : arr.front().as_object();
  }

  TempDir dir_;
  fs::path data_ = dir_.path / "server";
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(OfflineTimeEndToEnd, R1_RequestMadeOfflineOverChristmas_KeepsItsTimeAndDeadline_WhenSyncedDaysLater) {
  const std::string monday = "2026-12-21 09:00:00";
  ASSERT_EQ(server_cmd(monday, {"init", "--data", data_.string()}).exit_code, 0);
  ASSERT_EQ(
      server_cmd(monday, {"import", "--data", data_.string(), (source_dir() / "scripts/demo/reference.json").string()})
          .exit_code,
      0);
  for (auto [user, person, role] : {std::tuple{"jo", "carer-okafor", "foster-carer"},
                                    std::tuple{"alex", "ssw-morgan", "supervising-social-worker"}}) {
    auto add = server_cmd(monday, {"user", "add", "--data", data_.string(), "--username", user, "--role", role,
                                   "--name", user, "--person", person});
    ASSERT_EQ(add.exit_code, 0) << add.err;
  }
  start(monday);
  enrol("jo", monday);
  port_ = server_->port();
  server_.reset();  // the carer's phone has no signal from here

  // Wednesday 23 December, offline: five working days, skipping Christmas
  // Day, Boxing Day's substitute (Monday 28th) and New Year's Day.
  const std::string wednesday = "2026-12-23 10:00:00";
  auto asked = psm("jo", wednesday,
                   {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                    "Amelia is not sleeping and we are exhausted"});
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_NE(asked.out.find("to be held by 2027-01-04 23:59 GMT"), std::string::npos) << asked.out;
  const auto offline = only_meeting("jo", wednesday);
  // (Seconds past ten: the time the command took to start.)
  EXPECT_EQ(offline.at("identified_at").as_string().subview(0, 16), "2026-12-23T10:00");

  // Tuesday 29 December: a signal at last.
  const std::string tuesday = "2026-12-29 11:00:00";
  start(tuesday);
  auto synced = psm("jo", tuesday, {"sync"});
  ASSERT_EQ(synced.exit_code, 0) << synced.out << synced.err;
  const auto after = only_meeting("jo", tuesday);
  EXPECT_EQ(after.at("identified_at"), offline.at("identified_at")) << "the need dates from when Jo asked";
  EXPECT_EQ(after.at("requested_at"), offline.at("requested_at"));
  EXPECT_EQ(after.at("deadline"), offline.at("deadline")) << "the deadline Jo was shown is the one kept";
  EXPECT_EQ(after.at("deadline").as_string(), "2027-01-04T23:59:59Z");
  auto status = psm("jo", tuesday, {"status"});
  EXPECT_EQ(status.out.find("clock was wrong"), std::string::npos) << status.out;

  // The supervising social worker, enrolling that day, sees the same; so does
  // the timeliness report the managers read.
  enrol("alex", tuesday);
  EXPECT_EQ(only_meeting("alex", tuesday).at("deadline"), offline.at("deadline"));
  auto report = server_cmd(tuesday, {"report", "timeliness", "--data", data_.string(), "--json"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const auto meetings = json::parse(report.out).at("meetings").as_array();
  ASSERT_EQ(meetings.size(), 1u) << report.out;
  EXPECT_EQ(meetings.front().at("identified_at"), offline.at("identified_at"));
  EXPECT_EQ(meetings.front().at("deadline").as_string(), "2027-01-04T23:59:59Z");
}

}  // namespace
}  // namespace psm::e2e
