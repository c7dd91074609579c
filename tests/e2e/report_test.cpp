// End to end for the managers' reports (R2 timeliness, R8 actions, R14
// tracking) and the working-day calendar sent through sync (R16): real
// psm-server and psm processes, real TLS on loopback, real SQLCipher files.
#include "common/model/hlc.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"
#include "common/policy/working_days.hpp"
#include "support/e2e_fixture.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <tuple>

namespace psm::e2e {
namespace {

// More history for the demo's people: Amelia's placement with the Reids ended
// unplanned before she moved to the Okafors; Cara's with the Reids ended too,
// with nothing recorded about how.
constexpr const char* kHistory = R"({
  "children": [
    {"id": "child-cara", "name": "Cara Lewis", "social_worker_id": "csw-hughes"}
  ],
  "placements": [
    {"id": "pl-amelia-reid", "child_id": "child-amelia", "household_id": "hh-reid", "type": "in-house",
     "start_date": "2024-06-01", "end_date": "2025-03-01", "ending": "unplanned", "team_manager_id": "ftm-walsh"},
    {"id": "pl-cara-reid", "child_id": "child-cara", "household_id": "hh-reid", "type": "in-house",
     "start_date": "2024-02-01", "end_date": "2025-06-30", "team_manager_id": "ftm-walsh"}
  ]
})";

// A later edition of the calendar: Friday 4 June 2027 becomes a bank holiday.
void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// The end-to-end fixture (every role's account, a serving server) plus admin commands.
class Reports : public EndToEnd {
 protected:
  RunResult admin(std::vector<std::string> args) {
    std::vector<std::string> argv{server_bin().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--data");
    argv.push_back(data_.string());
    return run(argv);
  }
  json::value admin_json(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = admin(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }
  // The id of the meeting whose need was identified at `identified_utc`.
  std::string meeting_identified_at(const std::string& who, const std::string& identified_utc) {
    auto r = psm(who, {"meetings", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const json::value meetings = json::parse(r.out);
    for (const auto& m : meetings.as_array()) {
      if (m.at("identified_at").as_string() == identified_utc) return std::string(m.at("id").as_string());
    }
    ADD_FAILURE() << "no meeting identified at " << identified_utc << " in " << r.out;
    return {};
  }
};

TEST_F(Reports, R2_R8_TimelinessAndActions_FromTheServersData_WhileItServes) {
  enrol("alex");
  auto request = [&](const char* placement, const char* type, const char* identified) {
    std::vector<std::string> args{"request-meeting", "--placement", placement, "--type", type, "--reason", "Support"};
    if (identified) args.insert(args.end(), {"--identified-at", identified});
    auto r = psm("alex", args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  // Held in time: identified Monday 2 November 2026, due by the end of Monday 9th, held Friday 6th.
  request("pl-amelia-okafor", "support", "2026-11-02T09:00");
  // Never held: identified Tuesday 10 November, due by the end of Tuesday 17th.
  request("pl-amelia-okafor", "support", "2026-11-10T09:00");
  // Just asked for: 48 hours from now.
  request("pl-bilal-reid", "pre-disruption", nullptr);
  const std::string held = meeting_identified_at("alex", "2026-11-02T09:00:00Z");
  ASSERT_EQ(
      psm("alex", {"schedule-meeting", held, "--at", "2026-11-06T10:00", "--location", "Family centre"}).exit_code, 0);
  ASSERT_EQ(psm("alex", {"record-held", held, "--at", "2026-11-06 10:00"}).exit_code, 0);
  ASSERT_EQ(psm("alex", {"add-action", "--meeting", held, "--owner", "csw-shah", "--due", "2026-11-20", "--text",
                         "Ask CAMHS for a consultation"})
                .exit_code,
            0);
  ASSERT_EQ(psm("alex", {"add-action", "--meeting", held, "--owner", "carer-okafor", "--due", "2099-12-18", "--text",
                         "Keep a sleep diary"})
                .exit_code,
            0);

  // The device shows each request's deadline state before and after syncing.
  auto local = json::parse(psm("alex", {"meetings", "--json"}).out).as_array();
  std::map<std::string, std::string> state;
  for (const auto& m : local) state[std::string(m.at("identified_at").as_string())] = m.at("deadline_met").as_string();
  EXPECT_EQ(state["2026-11-02T09:00:00Z"], "met");
  EXPECT_EQ(state["2026-11-10T09:00:00Z"], "missed");
  ASSERT_EQ(psm("alex", {"sync"}).exit_code, 0);

  // The server is still serving: reports open the store beside it.
  const auto timeliness = admin_json({"report", "timeliness"});
  EXPECT_EQ(timeliness.at("met").as_int64(), 1);
  EXPECT_EQ(timeliness.at("missed").as_int64(), 1);
  EXPECT_EQ(timeliness.at("pending").as_int64(), 1);
  for (const auto& m : timeliness.at("meetings").as_array()) {
    if (m.at("id").as_string() == held) {
      EXPECT_EQ(m.at("deadline").as_string(), "2026-11-09T23:59:59Z");
      EXPECT_EQ(m.at("held_at").as_string(), "2026-11-06T10:00:00Z");
      EXPECT_EQ(m.at("child").as_string(), "Amelia Brooks");
    }
    // The device and the server agree, meeting by meeting.
    for (const auto& l : local) {
      if (l.at("id") == m.at("id")) {
        EXPECT_EQ(l.at("deadline_met"), m.at("deadline_met")) << m;
      }
    }
  }
  auto text = admin({"report", "timeliness"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("1 met, 1 missed, 1 pending"), std::string::npos) << text.out;

  const auto actions = admin_json({"report", "actions", "--by", "team"});
  EXPECT_EQ(actions.at("open").as_int64(), 2);
  EXPECT_EQ(actions.at("overdue").as_int64(), 1);
  const auto& groups = actions.at("groups").as_array();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].at("key").as_string(), "cla-north");  // Priya Shah's team
  const auto& overdue = groups[0].at("actions").as_array()[0];
  EXPECT_EQ(overdue.at("owner").as_string(), "Priya Shah");
  EXPECT_EQ(overdue.at("due_date").as_string(), "2026-11-20");
  EXPECT_TRUE(overdue.at("overdue").as_bool());
  EXPECT_FALSE(groups[1].at("actions").as_array()[0].at("overdue").as_bool());
  auto by_placement = admin({"report", "actions"});
  ASSERT_EQ(by_placement.exit_code, 0) << by_placement.err;
  EXPECT_NE(by_placement.out.find("Placement pl-amelia-okafor (Amelia Brooks)"), std::string::npos) << by_placement.out;

  // Bad arguments: a clear message, exit 2.
  auto unknown = admin({"report", "everything"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("timeliness, actions or tracking"), std::string::npos) << unknown.err;
  EXPECT_EQ(admin({"report", "tracking", "--today", "2026-13-01"}).exit_code, 2);
}

TEST_F(Reports, R14_Tracking_FlagsChildrenWithTwoPlacementsAndCarersWithTwoUnplannedEndings) {
  write_file(dir_.path / "history.json", kHistory);
  auto import = admin({"import", (dir_.path / "history.json").string()});
  ASSERT_EQ(import.exit_code, 0) << import.err;

  const auto tracking = admin_json({"report", "tracking", "--today", "2026-02-01"});
  EXPECT_EQ(tracking.at("from").as_string(), "2025-02-02");
  const auto& children = tracking.at("children").as_array();
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0].at("child").as_string(), "Amelia Brooks");
  EXPECT_EQ(children[0].at("placements").as_array().size(), 2u);
  const auto& carers = tracking.at("carers").as_array();
  ASSERT_EQ(carers.size(), 1u);
  EXPECT_EQ(carers[0].at("household").as_string(), "The Reid household");
  EXPECT_EQ(carers[0].at("unplanned_endings").as_array().size(), 2u);

  // A year later both endings have left the window.
  const auto later = admin_json({"report", "tracking", "--today", "2027-02-01"});
  EXPECT_TRUE(later.at("children").as_array().empty());
  EXPECT_TRUE(later.at("carers").as_array().empty());

  auto text = admin({"report", "tracking", "--today", "2026-02-01"});
  EXPECT_NE(text.out.find("Carers with 2 or more unplanned endings: 1"), std::string::npos) << text.out;

  // An ending that is neither planned nor unplanned is refused, nothing imported.
  write_file(dir_.path / "bad.json", R"({"placements": [{"id": "pl-x", "child_id": "child-cara",
      "household_id": "hh-okafor", "type": "in-house", "start_date": "2025-07-01", "end_date": "2025-08-01",
      "ending": "sudden", "team_manager_id": "ftm-walsh"}]})");
  auto bad = admin({"import", (dir_.path / "bad.json").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("ending must be planned or unplanned"), std::string::npos) << bad.err;
}

TEST_F(Reports, R2_NewPlacement_GetsAPlanningMeeting_PendingOnTheDeviceAndInTheReport) {
  const auto today = policy::uk_date_of(model::HlcClock::system_now_millis());
  const std::string start = policy::format_date(policy::Date{std::chrono::sys_days{today} + std::chrono::days{10}});
  write_file(dir_.path / "new.json",
             R"({"children": [{"id": "child-cara", "name": "Cara Lewis", "social_worker_id": "csw-hughes"}],
      "placements": [{"id": "pl-cara-okafor", "child_id": "child-cara", "household_id": "hh-okafor", "type": "in-house",
                      "start_date": ")" +
                 start + R"(", "team_manager_id": "ftm-walsh"}]})");
  auto import = admin({"import", (dir_.path / "new.json").string()});
  ASSERT_EQ(import.exit_code, 0) << import.err;
  // A serving server reads who may see which placement when it starts.
  ASSERT_EQ(server_->stop(), 0);
  server_ = std::make_unique<Server>(data_);
  ASSERT_TRUE(server_->ready()) << server_->output();

  enrol("alex");  // the Okafors' supervising social worker
  auto meetings = json::parse(psm("alex", {"meetings", "--json"}).out).as_array();
  ASSERT_EQ(meetings.size(), 1u);
  EXPECT_EQ(meetings[0].at("type").as_string(), "placement-planning");
  EXPECT_EQ(meetings[0].at("placement_id").as_string(), "pl-cara-okafor");
  EXPECT_EQ(meetings[0].at("deadline_met").as_string(), "pending");

  const auto report = admin_json({"report", "timeliness"});
  EXPECT_EQ(report.at("pending").as_int64(), 1);
  const auto& row = report.at("meetings").as_array()[0];
  EXPECT_EQ(row.at("type").as_string(), "placement-planning");
  EXPECT_EQ(row.at("child").as_string(), "Cara Lewis");
  EXPECT_EQ(row.at("deadline"), meetings[0].at("deadline"));
}

TEST_F(Reports, R16_CalendarImportedOnTheServer_ReachesDevices_AndOfflineDeadlinesMatchTheServers) {
  enrol("jo");
  // The edition adds Friday 4 June 2027, and the next working day from today
  // (so that a request made now counts past it).
  const auto today = policy::uk_date_of(model::HlcClock::system_now_millis());
  auto soon = std::chrono::sys_days{today} + std::chrono::days{1};
  while (!policy::default_calendar().is_working_day(soon)) soon += std::chrono::days{1};
  const std::string soon_text = policy::format_date(soon);
  write_file(dir_.path / "calendar.json", R"({"version": 2, "changes": [
  {"date": "2027-06-04", "kind": "holiday", "name": "An extra bank holiday"},
  {"date": ")" + soon_text + R"(", "kind": "holiday", "name": "A day the authority closes"}]})");
  auto imported = admin({"calendar", "import", (dir_.path / "calendar.json").string()});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find("imported calendar version 2"), std::string::npos) << imported.out;
  const auto shown = admin_json({"calendar", "show"});
  EXPECT_EQ(shown.at("version").as_int64(), 2);
  EXPECT_EQ(shown.at("source").as_string(), "imported");

  // Without the server's calendar (no --home), Friday 4 June 2027 is a working day.
  auto built_in = run({client_bin().string(), "deadline", "--type", "support", "--from", "2027-05-31T10:00", "--json"});
  ASSERT_EQ(built_in.exit_code, 0) << built_in.err;
  EXPECT_EQ(json::parse(built_in.out).at("deadline").as_string(), "2027-06-07T22:59:59Z");

  // The carer's device receives the calendar, then works with no connection.
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  const std::string url = server_->url();
  ASSERT_EQ(server_->stop(), 0);
  const auto on_device =
      json::parse(psm("jo", {"deadline", "--type", "support", "--from", "2027-05-31T10:00", "--json"}).out);
  EXPECT_EQ(on_device.at("deadline").as_string(), "2027-06-08T22:59:59Z");
  EXPECT_EQ(on_device.at("calendar_version").as_int64(), 2);
  // A request made now, offline: its deadline skips the closure day.
  auto request = psm("jo", {"request-meeting", "--placement", "pl-amelia-okafor", "--type", "support", "--reason",
                            "Bedtimes are very hard"});
  ASSERT_EQ(request.exit_code, 0) << request.err;
  const auto offline = json_of("jo", {"meetings"}).as_array().at(0).as_object();
  const std::string offline_deadline(offline.at("deadline").as_string());
  const auto identified = policy::parse_local_datetime(std::string(offline.at("identified_at").as_string()));
  ASSERT_TRUE(identified);
  EXPECT_NE(offline_deadline, policy::format_utc(policy::meeting_deadline(model::MeetingType::support, *identified)))
      << "the closure day was skipped: " << offline_deadline;

  // Back online: the server, applying the same request, works out the same deadline.
  server_ = std::make_unique<Server>(data_, static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))));
  ASSERT_TRUE(server_->ready()) << server_->output();
  ASSERT_EQ(psm("jo", {"sync"}).exit_code, 0);
  const auto server_view = admin_json({"report", "timeliness"});
  ASSERT_EQ(server_view.at("meetings").as_array().size(), 1u);
  EXPECT_EQ(server_view.at("meetings").as_array()[0].at("deadline").as_string(), offline_deadline);

  // An older edition is refused and changes nothing.
  write_file(dir_.path / "old.json", std::string(policy::kDefaultCalendarJson));
  auto older = admin({"calendar", "import", (dir_.path / "old.json").string()});
  EXPECT_EQ(older.exit_code, 2);
  EXPECT_NE(older.err.find("older than the one already sent"), std::string::npos) << older.err;
}

}  // namespace
}  // namespace psm::e2e
