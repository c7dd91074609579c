#include "support/world.hpp"

#include "common/model/ids.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

namespace psm::testing {
namespace {

namespace col = model::collection;
using client::OpState;

std::string request_meeting(client::Replica& r, const std::string& placement, const std::string& reason) {
  ops::RequestMeeting p{model::new_uuid_v7(), placement, model::MeetingType::support, reason, 0};
  auto o = r.submit(p);
  EXPECT_TRUE(o.ok()) << o.reason;
  return p.meeting_id;
}

TEST(Sync, OfflineRequest_ReachesTheChildsSocialWorker) {
  World w;
  auto carer = w.enrol("carer-1");
  auto csw = w.enrol("csw-1");
  const auto id = request_meeting(*carer->replica, "p1", "Bedtimes have become very difficult");
  EXPECT_EQ(carer->replica->pending_count(), 1u);
  EXPECT_TRUE(carer->replica->get(col::kMeetings, id));  // visible at once, offline

  client::SyncReport report;
  ASSERT_FALSE(w.sync(*carer, &report));
  EXPECT_EQ(report.accepted, 1u);
  EXPECT_EQ(carer->replica->pending_count(), 0u);
  ASSERT_FALSE(w.sync(*csw));
  auto m = csw->replica->get(col::kMeetings, id);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->value("reason"), "Bedtimes have become very difficult");
  EXPECT_EQ(m->value("requested_by"), "carer-1");
}

TEST(Sync, Carer_NeverReceivesAnotherHouseholdsChild) {
  World w;
  auto carer2 = w.enrol("carer-2");
  auto csw = w.enrol("csw-1");
  request_meeting(*csw->replica, "p1", "Concerns raised at school");
  ASSERT_FALSE(w.sync(*csw));
  ASSERT_FALSE(w.sync(*carer2));
  EXPECT_FALSE(carer2->replica->get(col::kChildren, "c1"));
  EXPECT_FALSE(carer2->replica->get(col::kPlacements, "p1"));
  EXPECT_TRUE(carer2->replica->list(col::kMeetings).empty());
  EXPECT_FALSE(carer2->replica->get(col::kPeople, "carer-1"));  // other carers are not in the directory
  EXPECT_TRUE(carer2->replica->get(col::kPeople, "ssw-1"));
}

TEST(Sync, ProfessionalsOnlyViews_NeverReachTheCarer) {
  World w;
  auto carer = w.enrol("carer-1");
  auto csw = w.enrol("csw-1");
  const auto meeting = request_meeting(*csw->replica, "p1", "Placement under strain");
  ops::RecordView secret{model::new_uuid_v7(), meeting, model::ViewSubject::child, "I don't feel listened to", true};
  ASSERT_TRUE(csw->replica->submit(secret).ok());
  // The child's views with no choice made stay with the professionals; shared by choice, they reach the carer.
  ops::RecordView unchosen{model::new_uuid_v7(), meeting, model::ViewSubject::child, "Bedtimes are scary", false};
  ASSERT_TRUE(csw->replica->submit(unchosen).ok());
  ops::RecordView open{model::new_uuid_v7(), meeting, model::ViewSubject::child, "I like my school", false, "", true};
  ASSERT_TRUE(csw->replica->submit(open).ok());
  EXPECT_TRUE(csw->replica->get(col::kViews, unchosen.view_id)->professionals_only);  // offline, as the server will
  ASSERT_FALSE(w.sync(*csw));
  ASSERT_FALSE(w.sync(*carer));
  EXPECT_FALSE(carer->replica->get(col::kViews, secret.view_id));
  EXPECT_FALSE(carer->replica->get(col::kViews, unchosen.view_id));
  EXPECT_TRUE(csw->replica->get(col::kViews, unchosen.view_id)->professionals_only);
  EXPECT_TRUE(carer->replica->get(col::kViews, open.view_id));
}

TEST(Sync, R13_ConcernAboutTheCarers_NeverReachesTheCarersDevice) {
  World w;
  auto carer = w.enrol("carer-1");
  auto csw = w.enrol("csw-1");
  const auto meeting = request_meeting(*csw->replica, "p1", "Worries after the last visit");
  ops::RaiseConductConcern concern{model::new_uuid_v7(), meeting, "The carer locked the child out of the house"};
  ASSERT_TRUE(csw->replica->submit(concern).ok());
  ASSERT_FALSE(w.sync(*csw));
  ASSERT_FALSE(w.sync(*carer));
  EXPECT_TRUE(carer->replica->get(col::kMeetings, meeting));  // the meeting itself, yes
  EXPECT_TRUE(carer->replica->list(col::kConcerns).empty());  // the concern, never
  EXPECT_FALSE(carer->replica->get(col::kActions, concern.concern_id + ".lado"));
  EXPECT_TRUE(csw->replica->get(col::kActions, concern.concern_id + ".lado"));
}

// Gives `person` an account on the world's server, as psm-server user add does.
void add_account(World& w, const std::string& person, model::Role role) {
  EXPECT_TRUE(psm::testing::succeeded(server::add_user(w.service().store(), {person, person, role, person, {}},
                                                       World::kPassword, crypto::kScryptTest)));
}

std::set<std::string> ids_of(client::Replica& r, std::string_view collection) {
  std::set<std::string> out;
  for (const auto& rec : r.list(collection)) out.insert(rec.id);
  return out;
}

// S1 3.5, R6: the minute taker the SSW books sees that meeting, records it and
// finalises it from their own device; they see no other meeting of the placement.
TEST(Sync, R4_BookedMinuteTaker_PullsTheMeeting_RecordsIt_AndFinalises_SeeingNoOtherMeeting) {
  World w;
  auto ssw = w.enrol("ssw-1");
  const auto booked = request_meeting(*ssw->replica, "p1", "Bedtimes");
  const auto other = request_meeting(*ssw->replica, "p1", "School moves");
  ASSERT_TRUE(ssw->replica->submit(ops::ScheduleMeeting{booked, 1'796'119'200'000ull, "Family centre", "mt-1"}).ok());
  ASSERT_FALSE(w.sync(*ssw));
  add_account(w, "mt-1", model::Role::minute_taker);
  auto taker = w.enrol("mt-1");
  EXPECT_EQ(ids_of(*taker->replica, col::kMeetings), (std::set<std::string>{booked}));
  EXPECT_EQ(ids_of(*taker->replica, col::kPlacements), (std::set<std::string>{"p1"}));
  EXPECT_EQ(ids_of(*taker->replica, col::kChildren), (std::set<std::string>{"c1"}));
  bool told = false;
  for (const auto& n : taker->replica->list(col::kNotifications)) {
    told |= n.value("kind") == "meeting-booked" && n.value("meeting_id") == booked &&
            n.value("text").find("Amelia-Test-Child (placed with Jo Okafor)") != std::string::npos;
  }
  EXPECT_TRUE(told);
  // The minute taker records that it was held, then attendance of everyone who
  // must attend, the child's and the IRO's views, then the minutes.
  ASSERT_TRUE(taker->replica->submit(ops::RecordMeetingHeld{booked, 1'796'119'200'000ull, ""}).ok());
  for (const auto& inv : taker->replica->list(col::kInvitations)) {
    if (inv.value("mandatory") == "yes") {
      EXPECT_TRUE(taker->replica->submit(ops::RecordAttendance{inv.id, model::Attendance::attended}).ok()) << inv.id;
    }
  }
  ASSERT_TRUE(taker->replica
                  ->submit(ops::RecordView{model::new_uuid_v7(), booked, model::ViewSubject::child, "Likes her room",
                                           false, ""})
                  .ok());
  ASSERT_TRUE(
      taker->replica
          ->submit(ops::RecordView{model::new_uuid_v7(), booked, model::ViewSubject::iro, "", false, "2026-11-27"})
          .ok());
  auto finalised = taker->replica->submit(ops::FinaliseMinutes{booked, "2027-01-19", ""});
  ASSERT_TRUE(finalised.ok()) << finalised.reason;
  ASSERT_FALSE(w.sync(*taker));
  EXPECT_EQ(taker->replica->outbox(OpState::rejected).size(), 0u);
  auto stored = w.service().backend().get(col::kMeetings, booked);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->value("status"), "minutes-finalised");
  EXPECT_EQ(stored->value("finalised_by"), "mt-1");
  // The other meeting of the placement is not on the device: naming it is
  // answered as for an id that does not exist (the server does the same:
  // the access matrix's minutes row).
  EXPECT_FALSE(taker->replica->get(col::kMeetings, other));
  auto refused = taker->replica->submit(ops::AddAgendaNote{model::new_uuid_v7(), other, "purpose", "x"});
  EXPECT_EQ(refused.code, Errc::not_found);
}

// R9, R13: the LADO told of a concern can open it, its task and the meeting it
// came from, and nothing of any other placement; the notification names the
// child and the carers.
TEST(Sync, R13_Lado_ReceivesTheConcernItsTaskAndTheMeeting_AndNoOtherPlacementsRecords) {
  World w;
  auto csw = w.enrol("csw-1");
  const auto meeting = request_meeting(*csw->replica, "p1", "Worries after the last visit");
  request_meeting(*csw->replica, "p3", "Another child");
  ops::RaiseConductConcern concern{model::new_uuid_v7(), meeting, "The carer locked the child out of the house"};
  ASSERT_TRUE(csw->replica->submit(concern).ok());
  ASSERT_FALSE(w.sync(*csw));
  add_account(w, "lado-1", model::Role::lado);
  auto lado = w.enrol("lado-1");
  EXPECT_EQ(ids_of(*lado->replica, col::kConcerns), (std::set<std::string>{concern.concern_id}));
  EXPECT_EQ(ids_of(*lado->replica, col::kActions), (std::set<std::string>{concern.concern_id + ".lado"}));
  EXPECT_EQ(ids_of(*lado->replica, col::kMeetings), (std::set<std::string>{meeting}));
  EXPECT_EQ(ids_of(*lado->replica, col::kPlacements), (std::set<std::string>{"p1"}));
  EXPECT_EQ(ids_of(*lado->replica, col::kChildren), (std::set<std::string>{"c1"}));
  const auto inbox = lado->replica->list(col::kNotifications);
  ASSERT_EQ(inbox.size(), 1u);
  const auto text = inbox[0].value("text");
  EXPECT_NE(text.find("Amelia-Test-Child (placed with Jo Okafor)"), std::string::npos) << text;
  EXPECT_EQ(text.find("p1"), std::string::npos) << text;
  // The LADO can record progress on the task.
  ASSERT_TRUE(lado->replica
                  ->submit(ops::UpdateActionStatus{concern.concern_id + ".lado", model::new_uuid_v7(),
                                                   model::ActionStatus::open, model::ActionStatus::in_progress,
                                                   "Threshold discussed"})
                  .ok());
  ASSERT_FALSE(w.sync(*lado));
  EXPECT_EQ(lado->replica->outbox(OpState::rejected).size(), 0u);
}

TEST(Sync, ExactlyOnce_WhenTheServersAnswerIsLost) {
  World w;
  auto carer = w.enrol("carer-1");
  const auto id = request_meeting(*carer->replica, "p1", "Need help with contact arrangements");
  const auto applied_before = w.store().applied_count();
  {
    LoopbackTransport t(w.server());
    t.lose_answer_if = [](std::size_t i) { return i == 1; };  // message 0 auth, 1 push
    client::SyncReport report;
    auto err = client::sync_once(*carer->replica, t, report);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->code, Errc::unavailable);
  }
  EXPECT_EQ(carer->replica->pending_count(), 1u);            // not acknowledged, so kept
  EXPECT_EQ(w.store().applied_count(), applied_before + 1);  // but the server did apply it
  ASSERT_FALSE(w.sync(*carer));                              // re-sent…
  EXPECT_EQ(w.store().applied_count(), applied_before + 1);  // …and recognised
  EXPECT_EQ(carer->replica->pending_count(), 0u);
  int meetings = 0;
  for (const auto& m : w.store().all_in(col::kMeetings)) meetings += m.id == id ? 1 : 0;
  EXPECT_EQ(meetings, 1);
}

TEST(Sync, RejectedOperation_IsReportedAndDoesNotBlockTheOnesBehindIt) {
  World w;
  auto carer = w.enrol("carer-1");
  const auto m1 = request_meeting(*carer->replica, "p1", "First request");
  ASSERT_FALSE(w.sync(*carer));

  // The server learns placement p3 ended; the carer, offline, does not know yet.
  std::string detail;
  auto p3 = *w.store().get(col::kPlacements, "p3");
  p3.set("end_date", "2026-11-20", {model::Hlc::from(5, 0), "server"}, "import");
  w.store().put(p3);
  w.service().reload_reference_data();

  const auto rejected_id = request_meeting(*carer->replica, "p3", "Request for an ended placement");
  ops::RecordView v{model::new_uuid_v7(), m1, model::ViewSubject::carer, "We would like respite", false};
  ASSERT_TRUE(carer->replica->submit(v).ok());

  client::SyncReport report;
  ASSERT_FALSE(w.sync(*carer, &report));
  EXPECT_EQ(report.rejected, 1u);
  EXPECT_EQ(report.accepted, 1u);
  auto rejected = carer->replica->outbox(OpState::rejected);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].reason, "no placement p3 that you can see");
  EXPECT_FALSE(carer->replica->get(col::kMeetings, rejected_id));  // its local effect is gone
  EXPECT_FALSE(carer->replica->get(col::kPlacements, "p3"));       // the ended placement was purged
  EXPECT_TRUE(carer->replica->get(col::kViews, v.view_id));
  EXPECT_TRUE(w.store().get(col::kViews, v.view_id));
}

// A replica brought back from a copy (a laptop restored from its backup)
// numbers its next change as it numbered one the server already has. That
// change can never go in the ledger: it is refused for good with its own
// reason, rather than failing the whole batch ("busy") on every retry.
TEST(Sync, ReusedSequenceNumber_IsRefusedForGood_AndDoesNotBlockTheBatch) {
  World w;
  auto carer = w.enrol("carer-1");
  const auto home = carer->home.path;
  const auto copy = home.parent_path() / (home.filename().string() + "-copy");
  carer->replica.reset();
  std::filesystem::copy(home, copy, std::filesystem::copy_options::recursive);
  auto reopen = [&] {
    auto r = client::Replica::open(client::HomePaths(home), "device passphrase");
    ASSERT_TRUE(r);
    carer->replica = std::move(*r);
  };
  reopen();
  request_meeting(*carer->replica, "p1", "Sent before the laptop was restored");
  ASSERT_FALSE(w.sync(*carer));

  carer->replica.reset();
  std::filesystem::remove_all(home);
  std::filesystem::rename(copy, home);
  reopen();
  const auto reused = request_meeting(*carer->replica, "p1", "Typed after the restore");

  client::SyncReport report;
  auto err = w.sync(*carer, &report);
  ASSERT_FALSE(err) << err->message;
  EXPECT_EQ(report.rejected, 1u);
  auto rejected = carer->replica->outbox(OpState::rejected);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].error, static_cast<std::uint16_t>(Errc::sequence_reused));
  EXPECT_NE(rejected[0].reason.find("re-enrol"), std::string::npos) << rejected[0].reason;
  EXPECT_FALSE(w.store().get(col::kMeetings, reused));
  // The next change carries a fresh number and goes through.
  const auto after = request_meeting(*carer->replica, "p1", "The next change");
  ASSERT_FALSE(w.sync(*carer, &report));
  EXPECT_TRUE(w.store().get(col::kMeetings, after));
}

TEST(Sync, PendingLocalWork_SurvivesAPullOfNewerServerState) {
  World w;
  auto carer = w.enrol("carer-1");
  auto ssw = w.enrol("ssw-1");
  const auto meeting = request_meeting(*ssw->replica, "p1", "Review of support");
  ASSERT_FALSE(w.sync(*ssw));
  ASSERT_FALSE(w.sync(*carer));

  ops::RecordView mine{model::new_uuid_v7(), meeting, model::ViewSubject::carer, "Thank you for the extra visits",
                       false};
  ASSERT_TRUE(carer->replica->submit(mine).ok());
  // The server changes in the meantime and the device pulls without pushing.
  request_meeting(*ssw->replica, "p1", "Second meeting");
  ASSERT_FALSE(w.sync(*ssw));
  server::Identity who{carer->replica->meta("device_id").value(), "carer-1", "carer-1", model::Role::foster_carer};
  auto page = w.service().pull(who, {carer->replica->cursor(), carer->replica->known_scopes()});
  carer->replica->apply_pull(page);
  EXPECT_EQ(carer->replica->list(col::kMeetings).size(), 2u);
  auto view = carer->replica->get(col::kViews, mine.view_id);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->value("text"), "Thank you for the extra visits");
}

TEST(Sync, ConcurrentEditsOnTwoDevices_ConflictListedWithBothValues_ThenResolved) {
  World w;
  auto ssw = w.enrol("ssw-1");
  auto csw = w.enrol("csw-1");
  const auto meeting = request_meeting(*ssw->replica, "p1", "Support needed");
  ops::AddAction add{model::new_uuid_v7(), meeting, "carer-1", "2026-12-10", "Arrange respite"};
  ASSERT_TRUE(ssw->replica->submit(add).ok());
  ASSERT_FALSE(w.sync(*ssw));
  ASSERT_FALSE(w.sync(*csw));

  auto edit = [](client::Replica& r, const std::string& id, const std::string& text) {
    auto a = *r.get(col::kActions, id);
    std::map<std::string, model::Version> base{{"text", a.fields.at("text").version}};
    auto o = r.submit(ops::EditAction{id, text, {}, {}}, base);
    ASSERT_TRUE(o.ok()) << o.reason;
  };
  edit(*ssw->replica, add.action_id, "Arrange two weekends of respite");
  edit(*csw->replica, add.action_id, "Arrange respite with the Reid family");

  ASSERT_FALSE(w.sync(*ssw));
  client::SyncReport report;
  ASSERT_FALSE(w.sync(*csw, &report));
  EXPECT_EQ(report.conflicts, 1u);
  ASSERT_FALSE(w.sync(*ssw));

  for (auto* d : {ssw.get(), csw.get()}) {
    auto conflicts = d->replica->list(col::kConflicts);
    ASSERT_EQ(conflicts.size(), 1u) << d->username;
    std::set<std::string> values{conflicts[0].value("kept_value"), conflicts[0].value("other_value")};
    EXPECT_TRUE(values.count("Arrange two weekends of respite"));
    EXPECT_TRUE(values.count("Arrange respite with the Reid family"));
  }
  // Both devices hold identical action records.
  EXPECT_EQ(*ssw->replica->get(col::kActions, add.action_id), *csw->replica->get(col::kActions, add.action_id));

  auto conflict = ssw->replica->list(col::kConflicts)[0];
  const bool ssw_value_kept = conflict.value("kept_author") == "ssw-1";
  ops::ResolveConflict resolve{
      conflict.id, ssw_value_kept ? ops::ResolveConflict::Keep::current : ops::ResolveConflict::Keep::other};
  ASSERT_TRUE(ssw->replica->submit(resolve).ok());
  ASSERT_FALSE(w.sync(*ssw));
  ASSERT_FALSE(w.sync(*csw));
  EXPECT_EQ(csw->replica->get(col::kActions, add.action_id)->value("text"), "Arrange two weekends of respite");
  EXPECT_EQ(csw->replica->get(col::kConflicts, conflict.id)->value("status"), "resolved");
}

TEST(Sync, RevokedDevice_IsToldSo) {
  World w;
  auto carer = w.enrol("carer-1");
  ASSERT_TRUE(w.store().revoke_device(carer->replica->meta("device_id").value()));
  auto err = w.sync(*carer);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, Errc::device_revoked);
}

TEST(Sync, WrongPassword_IsRefusedWithAClearMessage) {
  World w;
  TempDir home;
  auto replica = client::Replica::create(client::HomePaths(home.path), "device passphrase", crypto::kScryptTest);
  ASSERT_TRUE(replica);
  LoopbackTransport t(w.server());
  auto err = client::enrol_device(**replica, t, "carer-1", "not the password", "laptop");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, Errc::authentication_failed);
  EXPECT_EQ(err->message, "wrong username or password");
}

}  // namespace
}  // namespace psm::testing
