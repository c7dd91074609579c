#include "common/ops/apply.hpp"
#include "common/ops/records.hpp"

#include "common/policy/access.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"
#include "common/policy/working_days.hpp"
#include "testing/memory_state.hpp"

#include <gtest/gtest.h>

#include <cereal/archives/portable_binary.hpp>

#include <map>
#include <sstream>

namespace psm::ops::older {
// The same struct as ops::RecordView at its version 2 (before the choice to
// share), to make the bytes an older device sends.
struct RecordViewVersion2 {
  std::string view_id, meeting_id;
  model::ViewSubject subject = model::ViewSubject::child;
  std::string text;
  bool professionals_only = false;
  std::string sought_on;
  template <class A>
  void serialize(A& ar, std::uint32_t const) {
    ar(view_id, meeting_id, subject, text, professionals_only, sought_on);
  }
};
}  // namespace psm::ops::older
CEREAL_CLASS_VERSION(psm::ops::older::RecordViewVersion2, 2);

namespace psm::ops {
namespace {

using model::Hlc;
using model::Record;
using model::Role;
namespace col = model::collection;

// An in-memory state with one in-house placement.
class MemoryState : public testing::MemoryState {
 public:
  MemoryState() {
    const model::Version v{Hlc::from(1, 0), "server"};
    add(person("carer-1", "foster-carer", v));
    add(person("csw-1", "child-social-worker", v));
    add(person("ssw-1", "supervising-social-worker", v));
    add(person("ftm-1", "fostering-team-manager", v));
    add(person("iro-1", "iro", v));
    add(person("sm-1", "service-manager", v));
    Record household;
    household.collection = col::kHouseholds;
    household.id = "h1";
    household.scope = model::scope::household("h1");
    household.set("carer_ids", "carer-1", v);
    household.set("ssw_id", "ssw-1", v);
    add(household);
    Record child;
    child.collection = col::kChildren;
    child.id = "c1";
    child.scope = model::scope::child("c1");
    child.set("name", "Test Child", v);
    child.set("social_worker_id", "csw-1", v);
    child.set("iro_id", "iro-1", v);
    add(child);
    for (auto [id, ids] : {std::pair{"lados", "lado-1"}, std::pair{"fostering-service-managers", "sm-1"}}) {
      Record setting;
      setting.collection = col::kSettings;
      setting.id = id;
      setting.scope = "directory";
      setting.set("ids", ids, v);
      add(setting);
    }
    Record managers;
    managers.collection = col::kSettings;
    managers.id = "service-managers";
    managers.scope = "directory";
    managers.set("ids", "sm-1", v);
    add(managers);
    Record placement;
    placement.collection = col::kPlacements;
    placement.id = "p1";
    placement.scope = model::scope::placement("p1");
    placement.set("child_id", "c1", v);
    placement.set("household_id", "h1", v);
    placement.set("type", "in-house", v);
    placement.set("team_manager_id", "ftm-1", v);
    add(placement);
  }

 private:
  static Record person(const std::string& id, const std::string& role, const model::Version& v) {
    Record r;
    r.collection = col::kPeople;
    r.id = id;
    r.scope = "directory";
    r.set("role", role, v);
    return r;
  }
};

class ApplyTest : public ::testing::Test {
 protected:
  Operation op(Payload p, const std::string& device = "dev-1") {
    Operation o;
    o.op_id = "op-" + std::to_string(++n_);
    o.device_id = device;
    o.seq = static_cast<std::uint64_t>(n_);
    o.hlc = Hlc::from(1'000 + static_cast<std::uint64_t>(n_), 0);
    o.payload = std::move(p);
    return o;
  }
  // At `now_ms_`: the time the person acted (on their device, or as the server bounded it).
  ApplyContext as(const std::string& person, Role role) {
    return {{person, role}, now_ms_, [](std::string_view) { return true; }};
  }
  // When the person acts: 2023-11-14 unless a test says otherwise.
  std::uint64_t now_ms_ = 1'700'000'000'000ull;
  Outcome run(Payload p, const std::string& person, Role role, const std::string& device = "dev-1") {
    auto o = apply(state_, op(std::move(p), device), as(person, role));
    if (o.ok()) state_.apply_writes(o);
    return o;
  }
  MemoryState state_;
  int n_ = 0;
};

TEST_F(ApplyTest, RequestMeeting_ByCarer_CreatesMeetingWithDeadlineAndChair) {
  auto o = run(RequestMeeting{"m1", "p1", model::MeetingType::support, "Struggling with bedtimes", 0}, "carer-1",
               Role::foster_carer);
  ASSERT_EQ(o.kind, OutcomeKind::accepted) << o.reason;
  auto m = state_.get(col::kMeetings, "m1");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->value("status"), "requested");
  EXPECT_EQ(m->value("chair_id"), "ftm-1");
  EXPECT_EQ(m->scope, "placement:p1");
  EXPECT_FALSE(m->value("deadline_ms").empty());
}

TEST_F(ApplyTest, R16_R2_DeadlineIsCountedWithTheCalendarTheServerSent) {
  // Need identified on Monday 31 May 2027: Tue 1, Wed 2, Thu 3, Fri 4, Mon 7 June.
  const std::uint64_t identified = *policy::parse_local_datetime("2027-05-31T10:00");
  now_ms_ = identified;
  ASSERT_TRUE(
      run(RequestMeeting{"m1", "p1", model::MeetingType::support, "Help", identified}, "carer-1", Role::foster_carer)
          .ok());
  EXPECT_EQ(policy::format_local_datetime(std::stoull(state_.get(col::kMeetings, "m1")->value("deadline_ms"))),
            "2027-06-07 23:59 BST");

  // A later edition makes Friday 4 June a bank holiday; every device holds it.
  auto edition = policy::WorkingDayCalendar::from_json(
      R"({"version": 2, "changes": [{"date": "2027-06-04", "kind": "holiday", "name": "An extra bank holiday"}]})");
  ASSERT_TRUE(edition);
  state_.add(policy::make_calendar_setting(*edition, {Hlc::from(2, 0), "server"}, "import"));
  EXPECT_EQ(calendar_in_force(state_).version(), 2);
  ASSERT_TRUE(
      run(RequestMeeting{"m2", "p1", model::MeetingType::support, "Help", identified}, "carer-1", Role::foster_carer)
          .ok());
  EXPECT_EQ(policy::format_local_datetime(std::stoull(state_.get(col::kMeetings, "m2")->value("deadline_ms"))),
            "2027-06-08 23:59 BST");
  // A deadline already worked out is kept as it was.
  EXPECT_EQ(policy::format_local_datetime(std::stoull(state_.get(col::kMeetings, "m1")->value("deadline_ms"))),
            "2027-06-07 23:59 BST");
}

TEST_F(ApplyTest, RequestMeeting_RefusedForIro_WithReasonNamingWhoMayAsk) {
  auto o = run(RequestMeeting{"m1", "p1", model::MeetingType::support, "x", 0}, "iro-1", Role::iro);
  EXPECT_EQ(o.kind, OutcomeKind::rejected);
  EXPECT_EQ(o.code, Errc::permission_denied);
  EXPECT_NE(o.reason.find("supervising social worker"), std::string::npos);
}

TEST_F(ApplyTest, RequestMeeting_OutsideScope_IsReportedAsNotFound) {
  ApplyContext ctx{{"carer-2", Role::foster_carer}, 1, [](std::string_view) { return false; }};
  auto o = apply(state_, op(RequestMeeting{"m1", "p1", model::MeetingType::support, "x", 0}), ctx);
  EXPECT_EQ(o.code, Errc::not_found);
  EXPECT_EQ(o.reason, "no placement p1 that you can see");
}

TEST_F(ApplyTest, RequestMeeting_RejectsEmptyReason) {
  auto o = run(RequestMeeting{"m1", "p1", model::MeetingType::support, "", 0}, "carer-1", Role::foster_carer);
  EXPECT_EQ(o.code, Errc::invalid_argument);
}

TEST_F(ApplyTest, AddAction_RequiresOwnerAndDueDate) {
  run(RequestMeeting{"m1", "p1", model::MeetingType::support, "x", 0}, "ssw-1", Role::supervising_social_worker);
  auto no_date =
      run(AddAction{"a1", "m1", "carer-1", "next week", "Attend training"}, "ssw-1", Role::supervising_social_worker);
  EXPECT_EQ(no_date.code, Errc::invalid_argument);
  auto unknown_owner =
      run(AddAction{"a1", "m1", "nobody", "2026-12-01", "Attend training"}, "ssw-1", Role::supervising_social_worker);
  EXPECT_EQ(unknown_owner.code, Errc::invalid_argument);
  auto ok =
      run(AddAction{"a1", "m1", "carer-1", "2026-12-01", "Attend training"}, "ssw-1", Role::supervising_social_worker);
  EXPECT_EQ(ok.kind, OutcomeKind::accepted) << ok.reason;
}

class ActionTest : public ApplyTest {
 protected:
  void SetUp() override {
    run(RequestMeeting{"m1", "p1", model::MeetingType::support, "x", 0}, "ssw-1", Role::supervising_social_worker);
    ASSERT_TRUE(
        run(AddAction{"a1", "m1", "carer-1", "2026-12-01", "Attend training"}, "ssw-1", Role::supervising_social_worker)
            .ok());
  }
  std::string status() { return state_.get(col::kActions, "a1")->value("status"); }
};

TEST_F(ActionTest, UpdateStatus_OwnerMayMoveOwnAction) {
  auto o = run(UpdateActionStatus{"a1", "u1", model::ActionStatus::open, model::ActionStatus::done, "Done on Tuesday"},
               "carer-1", Role::foster_carer);
  EXPECT_EQ(o.kind, OutcomeKind::accepted) << o.reason;
  EXPECT_EQ(status(), "done");
  EXPECT_EQ(state_.get(col::kActionUpdates, "u1")->value("note"), "Done on Tuesday");
}

TEST_F(ActionTest, UpdateStatus_CancelledIsFinal) {
  run(UpdateActionStatus{"a1", "u1", model::ActionStatus::open, model::ActionStatus::cancelled, ""}, "ssw-1",
      Role::supervising_social_worker);
  auto o = run(UpdateActionStatus{"a1", "u2", model::ActionStatus::cancelled, model::ActionStatus::open, ""}, "ssw-1",
               Role::supervising_social_worker);
  EXPECT_EQ(o.code, Errc::illegal_transition);
  EXPECT_EQ(status(), "cancelled");
}

TEST_F(ActionTest, UpdateStatus_ConcurrentIncompatibleMoves_MakeConflictAndKeepBothNotes) {
  // Both saw "open". The carer marks it done; the SSW, offline, cancels it.
  run(UpdateActionStatus{"a1", "u1", model::ActionStatus::open, model::ActionStatus::done, "Booked and attended"},
      "carer-1", Role::foster_carer);
  auto o =
      run(UpdateActionStatus{"a1", "u2", model::ActionStatus::open, model::ActionStatus::cancelled, "No longer needed"},
          "ssw-1", Role::supervising_social_worker, "dev-2");
  // done → cancelled is not legal, so it cannot simply apply: a conflict keeps both.
  EXPECT_EQ(o.kind, OutcomeKind::conflict);
  EXPECT_EQ(status(), "done");
  EXPECT_TRUE(state_.get(col::kActionUpdates, "u1"));
  EXPECT_TRUE(state_.get(col::kActionUpdates, "u2"));
  bool found = false;
  for (const auto& w : o.writes) {
    if (w.collection == col::kConflicts) {
      found = true;
      EXPECT_EQ(w.value("kept_value"), "done");
      EXPECT_EQ(w.value("other_value"), "cancelled");
      EXPECT_EQ(w.value("other_author"), "ssw-1");
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ActionTest, UpdateStatus_ConcurrentCompatibleMove_Applies) {
  run(UpdateActionStatus{"a1", "u1", model::ActionStatus::open, model::ActionStatus::in_progress, ""}, "carer-1",
      Role::foster_carer);
  auto o = run(UpdateActionStatus{"a1", "u2", model::ActionStatus::open, model::ActionStatus::done, ""}, "ssw-1",
               Role::supervising_social_worker, "dev-2");
  EXPECT_EQ(o.kind, OutcomeKind::accepted);
  EXPECT_EQ(status(), "done");
}

TEST_F(ActionTest, EditAction_ConcurrentEdits_KeepBothTexts) {
  const auto seen = state_.get(col::kActions, "a1")->fields.at("text").version;
  auto first = op(EditAction{"a1", std::string("Attend the two-day training"), {}, {}}, "dev-1");
  first.base["text"] = seen;
  auto o1 = apply(state_, first, as("ssw-1", Role::supervising_social_worker));
  ASSERT_EQ(o1.kind, OutcomeKind::accepted);
  state_.apply_writes(o1);
  auto second = op(EditAction{"a1", std::string("Attend training in January"), {}, {}}, "dev-2");
  second.base["text"] = seen;  // dev-2 had not seen dev-1's edit
  auto o2 = apply(state_, second, as("csw-1", Role::child_social_worker));
  ASSERT_EQ(o2.kind, OutcomeKind::conflict);
  state_.apply_writes(o2);
  EXPECT_EQ(state_.get(col::kActions, "a1")->value("text"), "Attend training in January");
  auto conflict = state_.get(col::kConflicts, second.op_id + ".text");
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->value("other_value"), "Attend the two-day training");

  // Resolving keeps the other value, with a version newer than both.
  auto resolve =
      run(ResolveConflict{conflict->id, ResolveConflict::Keep::other}, "ssw-1", Role::supervising_social_worker);
  ASSERT_TRUE(resolve.ok()) << resolve.reason;
  EXPECT_EQ(state_.get(col::kActions, "a1")->value("text"), "Attend the two-day training");
  EXPECT_EQ(state_.get(col::kConflicts, conflict->id)->value("status"), "resolved");
}

TEST_F(ActionTest, RecordView_CarerCannotRecordTheChildsViews) {
  auto o = run(RecordView{"v1", "m1", model::ViewSubject::child, "text", false}, "carer-1", Role::foster_carer);
  EXPECT_EQ(o.code, Errc::permission_denied);
  auto mine =
      run(RecordView{"v2", "m1", model::ViewSubject::carer, "We are tired", false}, "carer-1", Role::foster_carer);
  EXPECT_TRUE(mine.ok());
}

TEST_F(ActionTest, ProfessionalsOnlyView_IsInvisibleToCarer) {
  ASSERT_TRUE(
      run(RecordView{"v1", "m1", model::ViewSubject::child, "I want to stay", true}, "csw-1", Role::child_social_worker)
          .ok());
  EXPECT_TRUE(state_.get(col::kViews, "v1")->professionals_only);
}

// --- the placement support workflow (issue: workflow rules R1-R16)

std::vector<Record> of(const Outcome& o, std::string_view collection) {
  std::vector<Record> out;
  for (const auto& w : o.writes) {
    if (w.collection == collection) out.push_back(w);
  }
  return out;
}

TEST_F(ApplyTest, R1_Request_NotifiesTheTeamManager_TheSswWhoConvenes_AndR9_TheServiceManagers) {
  auto o = run(RequestMeeting{"m1", "p1", model::MeetingType::support, "Struggling", 0}, "carer-1", Role::foster_carer);
  ASSERT_TRUE(o.ok()) << o.reason;
  auto notes = of(o, col::kNotifications);
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(notes[0].value("recipient_id"), "ftm-1");
  EXPECT_EQ(notes[0].scope, "person:ftm-1");
  // A carer's request: the household's supervising social worker must convene it (R4).
  EXPECT_EQ(notes[1].value("recipient_id"), "ssw-1");
  EXPECT_EQ(notes[1].value("kind"), "meeting-requested");
  EXPECT_EQ(notes[2].value("recipient_id"), "sm-1");
  EXPECT_EQ(notes[2].value("kind"), "support-meeting");
}

TEST_F(ApplyTest, R1_RequestByTheSsw_DoesNotTellTheSswThemselves) {
  auto o = run(RequestMeeting{"m1", "p1", model::MeetingType::support, "Struggling", 0}, "ssw-1",
               Role::supervising_social_worker);
  ASSERT_TRUE(o.ok()) << o.reason;
  std::set<std::string> told;
  for (const auto& n : of(o, col::kNotifications)) told.insert(n.value("recipient_id"));
  EXPECT_EQ(told, (std::set<std::string>{"ftm-1", "sm-1"}));
}

// S2 §4: the service managers are made aware of stability issues.
TEST_F(ApplyTest, R9_PreDisruptionRequest_TellsTheTeamManagerAndTheServiceManagers) {
  auto o = run(RequestMeeting{"m1", "p1", model::MeetingType::pre_disruption, "Imminent", 0}, "ssw-1",
               Role::supervising_social_worker);
  ASSERT_TRUE(o.ok());
  auto notes = of(o, col::kNotifications);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].value("recipient_id"), "ftm-1");
  EXPECT_EQ(notes[1].value("recipient_id"), "sm-1");
  EXPECT_EQ(notes[1].value("kind"), "meeting-requested");
  EXPECT_NE(notes[1].value("text").find("Pre-disruption meeting"), std::string::npos) << notes[1].value("text");
}

// Notifications name the child, the carers, the kind of meeting and its
// deadline in words, never a placement id.
TEST_F(ApplyTest, R1_RequestNotification_NamesTheChildTheCarersTheKindAndTheDeadline) {
  const model::Version v{Hlc::from(1, 0), "server"};
  Record carer = *state_.get(col::kPeople, "carer-1");
  carer.set("name", "Sam Patel", v);
  state_.add(carer);
  Record ssw = *state_.get(col::kPeople, "ssw-1");
  ssw.set("name", "Dev Shah", v);
  state_.add(ssw);
  // Identified on Monday 31 May 2027 at 10:00: five working days to Monday 7 June.
  const std::uint64_t identified = *policy::parse_local_datetime("2027-05-31T10:00");
  now_ms_ = identified;
  auto o = run(RequestMeeting{"m1", "p1", model::MeetingType::support, "Struggling", identified}, "ssw-1",
               Role::supervising_social_worker);
  ASSERT_TRUE(o.ok()) << o.reason;
  const auto text = of(o, col::kNotifications).at(0).value("text");
  EXPECT_EQ(text.rfind("Placement Support Meeting for Test Child (placed with Sam Patel) requested by Dev Shah: "
                       "to be held by ",
                       0),
            0u)
      << text;
  EXPECT_EQ(text.find("p1"), std::string::npos) << text;
}

TEST_F(ApplyTest, R3_PermanenceMatch_CreatesASupportMeetingRequest) {
  now_ms_ = *policy::parse_local_datetime("2026-11-20T15:00");
  auto o = run(MarkPermanenceMatch{"p1", "2026-11-20", "m-perm"}, "csw-1", Role::child_social_worker);
  ASSERT_TRUE(o.ok()) << o.reason;
  EXPECT_EQ(state_.get(col::kPlacements, "p1")->value("permanence_match_date"), "2026-11-20");
  auto m = state_.get(col::kMeetings, "m-perm");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->value("type"), "support");
  EXPECT_NE(m->value("reason").find("Permanence match agreed on Friday 20 November 2026"), std::string::npos)
      << m->value("reason");
}

TEST_F(ApplyTest, R3_PermanenceMatch_MeetingCountsFromTheDayTheMatchWasAgreed) {
  // Agreed on Friday 20 November, typed in on Monday 30th: five working days
  // from the 20th end on Friday 27 November, not on 7 December.
  now_ms_ = *policy::parse_local_datetime("2026-11-30T09:30");
  ASSERT_TRUE(run(MarkPermanenceMatch{"p1", "2026-11-20", "m-perm"}, "csw-1", Role::child_social_worker).ok());
  auto m = state_.get(col::kMeetings, "m-perm");
  ASSERT_TRUE(m);
  EXPECT_EQ(policy::format_local_datetime(*m->get(model::schema::meetings::deadline_ms)), "2026-11-27 23:59 GMT");
  EXPECT_EQ(policy::format_local_datetime(*m->get(model::schema::meetings::identified_at_ms)), "2026-11-20 00:00 GMT");
}

TEST_F(ApplyTest, R3_PermanenceMatch_AgreedToday_CountsFromNow) {
  now_ms_ = *policy::parse_local_datetime("2026-11-30T09:30");
  ASSERT_TRUE(run(MarkPermanenceMatch{"p1", "2026-11-30", "m-perm"}, "csw-1", Role::child_social_worker).ok());
  EXPECT_EQ(state_.get(col::kMeetings, "m-perm")->get(model::schema::meetings::identified_at_ms), now_ms_);
}

TEST_F(ApplyTest, R3_PermanenceMatch_AgreedOnADayStillToCome_IsRefusedAndChangesNothing) {
  now_ms_ = *policy::parse_local_datetime("2026-11-30T09:30");
  auto o = run(MarkPermanenceMatch{"p1", "2026-12-04", "m-perm"}, "csw-1", Role::child_social_worker);
  EXPECT_EQ(o.code, Errc::invalid_argument);
  EXPECT_NE(o.reason.find("Friday 4 December 2026"), std::string::npos) << o.reason;
  EXPECT_FALSE(state_.get(col::kMeetings, "m-perm"));
  EXPECT_EQ(state_.get(col::kPlacements, "p1")->value("permanence_match_date"), "");
}

TEST_F(ApplyTest, R1_NeedIdentifiedEarlier_DeadlineCountsFromThen) {
  now_ms_ = *policy::parse_local_datetime("2026-12-29T10:00");
  const auto identified = *policy::parse_local_datetime("2026-12-23T10:00");
  ASSERT_TRUE(
      run(RequestMeeting{"m1", "p1", model::MeetingType::support, "Help", identified}, "carer-1", Role::foster_carer)
          .ok());
  auto m = state_.get(col::kMeetings, "m1");
  EXPECT_EQ(m->get(model::schema::meetings::identified_at_ms), identified);
  EXPECT_EQ(m->get(model::schema::meetings::requested_at_ms), now_ms_);
  // 24 December, then (Christmas, Boxing Day's substitute) 29, 30, 31, then (New Year's Day) 4 January.
  EXPECT_EQ(policy::format_local_datetime(*m->get(model::schema::meetings::deadline_ms)), "2027-01-04 23:59 GMT");
}

TEST_F(ApplyTest, R1_NeedIdentifiedAtATimeStillToCome_IsRefused_AMinuteAheadReadsAsNow) {
  now_ms_ = *policy::parse_local_datetime("2026-12-23T10:00");
  auto o = run(RequestMeeting{"m1", "p1", model::MeetingType::support, "Help", now_ms_ + 24 * 3600 * 1000}, "carer-1",
               Role::foster_carer);
  EXPECT_EQ(o.code, Errc::invalid_argument);
  EXPECT_NE(o.reason.find("Thursday 24 December 2026 at 10:00 GMT"), std::string::npos) << o.reason;
  EXPECT_FALSE(state_.get(col::kMeetings, "m1"));
  // A device clock a minute fast (the server has pulled the time back): now.
  ASSERT_TRUE(run(RequestMeeting{"m2", "p1", model::MeetingType::support, "Help", now_ms_ + 60'000}, "carer-1",
                  Role::foster_carer)
                  .ok());
  EXPECT_EQ(state_.get(col::kMeetings, "m2")->get(model::schema::meetings::identified_at_ms), now_ms_);
}

class MeetingTest : public ApplyTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        run(RequestMeeting{"m1", "p1", model::MeetingType::support, "Struggling", 0}, "carer-1", Role::foster_carer)
            .ok());
  }
  Outcome schedule(const std::string& who = "ssw-1", Role role = Role::supervising_social_worker) {
    // 2026-12-01 10:00 UTC
    return run(ScheduleMeeting{"m1", 1'796'119'200'000ull, "Family centre", "ssw-1"}, who, role);
  }
  // The meeting took place at `at` (as booked: 2026-12-01 10:00 UTC),
  // recorded by its chair an hour later; attendance and minutes need it.
  Outcome hold(std::uint64_t at = 1'796'119'200'000ull) {
    const auto before = now_ms_;
    now_ms_ = at + 3'600'000;
    auto o = run(RecordMeetingHeld{"m1", at, ""}, "ftm-1", Role::fostering_team_manager);
    now_ms_ = before;
    return o;
  }
  std::string invitation_of(const std::string& kind) {
    for (const auto& inv : state_.list_in_scope(col::kInvitations, "placement:p1")) {
      if (inv.value("kind") == kind) return inv.id;
    }
    return {};
  }
  void attend_all_mandatory() {
    for (const auto& inv : state_.list_in_scope(col::kInvitations, "placement:p1")) {
      if (inv.value("mandatory") == "yes") {
        ASSERT_TRUE(
            run(RecordAttendance{inv.id, model::Attendance::attended}, "ftm-1", Role::fostering_team_manager).ok());
      }
    }
  }
};

TEST_F(MeetingTest, R4_InHouse_CarerCannotSchedule_SswCan) {
  EXPECT_EQ(schedule("carer-1", Role::foster_carer).code, Errc::permission_denied);
  EXPECT_EQ(schedule("clatm-1", Role::cla_team_manager).code, Errc::permission_denied);
  auto o = schedule();
  ASSERT_TRUE(o.ok()) << o.reason;
  EXPECT_EQ(state_.get(col::kMeetings, "m1")->value("status"), "scheduled");
  EXPECT_EQ(state_.get(col::kMeetings, "m1")->value("minute_taker_id"), "ssw-1");
}

// R4/R5: a booking tells everyone invited who has an account, and the booked
// minute taker, once each; not the person who booked it.
TEST_F(MeetingTest, R5_Booking_TellsEveryInviteeAndTheMinuteTaker_OnceEach_NotTheBooker) {
  const model::Version v{Hlc::from(1, 0), "server"};
  Record taker;
  taker.collection = col::kPeople;
  taker.id = "mt-1";
  taker.scope = "directory";
  taker.set("role", "minute-taker", v);
  taker.set("name", "Mina Taylor", v);
  state_.add(taker);
  auto o = run(ScheduleMeeting{"m1", 1'796'119'200'000ull, "Family centre", "mt-1"}, "ssw-1",
               Role::supervising_social_worker);
  ASSERT_TRUE(o.ok()) << o.reason;
  std::multiset<std::string> told;
  for (const auto& n : of(o, col::kNotifications)) {
    told.insert(n.value("recipient_id"));
    EXPECT_EQ(n.value("kind"), "meeting-booked");
    EXPECT_EQ(n.value("text"),
              "Placement Support Meeting for Test Child (placed with carer-1) booked: on Tuesday 1 December 2026 at "
              "10:00 GMT, at Family centre");
  }
  EXPECT_EQ(told, (std::multiset<std::string>{"carer-1", "csw-1", "ftm-1", "iro-1", "mt-1"}));
  // S1 3.5: the minute taker is invited too.
  bool invited = false;
  for (const auto& inv : of(o, col::kInvitations)) invited |= inv.value("person_id") == "mt-1";
  EXPECT_TRUE(invited);
  // Moving it tells them again, of the new time.
  auto moved = run(ScheduleMeeting{"m1", 1'796'205'600'000ull, "Family centre", "mt-1"}, "ssw-1",
                   Role::supervising_social_worker);
  ASSERT_TRUE(moved.ok()) << moved.reason;
  ASSERT_EQ(of(moved, col::kNotifications).size(), 5u);
  EXPECT_NE(of(moved, col::kNotifications)[0].value("text").find("rearranged: on Wednesday 2 December 2026"),
            std::string::npos);
}

// R4: for an IFA placement the CLA Team Manager minutes; a different minute
// taker given is not booked, and the person booking is told so in words.
TEST_F(ApplyTest, R4_IfaPlacement_TheClaTeamManagerMinutes_AndTheBookerIsToldTheGivenOneWasNot) {
  const model::Version v{Hlc::from(1, 0), "server"};
  auto named = [&](const char* id, const char* role, const char* name) {
    Record r;
    r.collection = col::kPeople;
    r.id = id;
    r.scope = "directory";
    r.set("role", role, v);
    r.set("name", name, v);
    state_.add(r);
  };
  named("clatm-1", "cla-team-manager", "Grace Obi");
  named("mt-1", "minute-taker", "Mina Taylor");
  Record placement = *state_.get(col::kPlacements, "p1");
  placement.set("type", "ifa", v);
  placement.set("team_manager_id", "clatm-1", v);
  state_.add(placement);
  ASSERT_TRUE(
      run(RequestMeeting{"m1", "p1", model::MeetingType::support, "Struggling", 0}, "csw-1", Role::child_social_worker)
          .ok());
  auto o = run(ScheduleMeeting{"m1", 1'796'119'200'000ull, "Office", "mt-1"}, "clatm-1", Role::cla_team_manager);
  ASSERT_TRUE(o.ok()) << o.reason;
  EXPECT_EQ(o.reason,
            "For an IFA placement the CLA Team Manager, Grace Obi, takes the minutes; Mina Taylor was not "
            "booked");
  EXPECT_EQ(state_.get(col::kMeetings, "m1")->value("minute_taker_id"), "clatm-1");
  for (const auto& n : of(o, col::kNotifications)) EXPECT_NE(n.value("recipient_id"), "mt-1");
  // Giving the CLA Team Manager, or nobody, needs no note.
  auto again = run(ScheduleMeeting{"m1", 1'796'119'200'000ull, "Office", ""}, "clatm-1", Role::cla_team_manager);
  ASSERT_TRUE(again.ok()) << again.reason;
  EXPECT_EQ(again.reason, "");
}

TEST_F(MeetingTest, R5_BookingNotification_GivesTheTimeInUkTime_InSummerToo) {
  auto o = run(ScheduleMeeting{"m1", *policy::parse_local_datetime("2027-06-07T09:05"), "", ""}, "ssw-1",
               Role::supervising_social_worker);
  ASSERT_TRUE(o.ok()) << o.reason;
  const auto text = of(o, col::kNotifications).at(0).value("text");
  EXPECT_NE(text.find("booked: on Monday 7 June 2027 at 09:05 BST"), std::string::npos) << text;
}

TEST_F(MeetingTest, R5_Scheduling_InvitesEveryoneWhoMustAttend_TheIroAndTheChild) {
  auto o = schedule();
  ASSERT_TRUE(o.ok()) << o.reason;
  std::map<std::string, std::string> mandatory;
  for (const auto& inv : of(o, col::kInvitations)) mandatory[inv.value("kind")] = inv.value("mandatory");
  EXPECT_EQ(mandatory["carer"], "yes");
  EXPECT_EQ(mandatory["child-social-worker"], "yes");
  EXPECT_EQ(mandatory["team-manager"], "yes");
  EXPECT_EQ(mandatory["supervising-social-worker"], "yes");
  EXPECT_EQ(mandatory["iro"], "no");
  EXPECT_EQ(mandatory["child"], "no");
  EXPECT_EQ(mandatory.size(), 6u);
}

TEST_F(MeetingTest, R5_ChildNotInvited_NeedsReasonAndBothProfessions) {
  ASSERT_TRUE(schedule().ok());
  auto one_side =
      run(DecideChildNotInvited{"d1", "m1", "Exams that day", "csw-1", "csw-1"}, "csw-1", Role::child_social_worker);
  EXPECT_EQ(one_side.code, Errc::rule_violation);
  EXPECT_NE(one_side.reason.find("fostering"), std::string::npos);
  auto ok = run(DecideChildNotInvited{"d1", "m1", "Exams that day; views gathered in advance", "csw-1", "ssw-1"},
                "csw-1", Role::child_social_worker);
  ASSERT_TRUE(ok.ok()) << ok.reason;
  EXPECT_EQ(state_.get(col::kInvitations, "m1.child")->value("attendance"), "not-invited");
  EXPECT_EQ(state_.get(col::kDecisions, "d1")->value("reason"), "Exams that day; views gathered in advance");
}

TEST_F(MeetingTest, R5_OthersMayBeInvitedByNameAndOrganisation) {
  ASSERT_TRUE(schedule().ok());
  auto o = run(InviteAttendee{"inv-school", "m1", "", "Ms Patel", "Virtual School"}, "ssw-1",
               Role::supervising_social_worker);
  ASSERT_TRUE(o.ok()) << o.reason;
  EXPECT_EQ(state_.get(col::kInvitations, "inv-school")->value("organisation"), "Virtual School");
  EXPECT_EQ(run(InviteAttendee{"inv-x", "m1", "", "", ""}, "ssw-1", Role::supervising_social_worker).code,
            Errc::invalid_argument);
}

TEST_F(MeetingTest, R6_Finalise_NamesEverythingMissing) {
  ASSERT_TRUE(schedule().ok());
  ASSERT_TRUE(hold().ok());
  auto o = run(FinaliseMinutes{"m1", "2027-06-01", ""}, "ftm-1", Role::fostering_team_manager);
  ASSERT_EQ(o.code, Errc::rule_violation);
  EXPECT_NE(o.reason.find("attendance or apologies for"), std::string::npos) << o.reason;
  EXPECT_NE(o.reason.find("the child's views"), std::string::npos);
  EXPECT_NE(o.reason.find("the IRO's views"), std::string::npos);
  EXPECT_NE(o.reason.find("a reason for reviewing on 2027-06-01"), std::string::npos);
  EXPECT_EQ(state_.get(col::kMeetings, "m1")->value("status"), "held");  // unchanged
}

TEST_F(MeetingTest, R6_Finalise_SucceedsWhenEveryoneWasHeard_AndR9_TellsTheIro) {
  ASSERT_TRUE(schedule().ok());
  ASSERT_TRUE(hold().ok());
  attend_all_mandatory();
  ASSERT_TRUE(run(RecordView{"v1", "m1", model::ViewSubject::child, "I want to stay", true, ""}, "csw-1",
                  Role::child_social_worker)
                  .ok());
  ASSERT_TRUE(run(RecordView{"v2", "m1", model::ViewSubject::iro, "", false, "2026-11-27"}, "ssw-1",
                  Role::supervising_social_worker)
                  .ok());
  auto early = run(FinaliseMinutes{"m1", "2026-12-15", ""}, "ftm-1", Role::fostering_team_manager);
  EXPECT_EQ(early.code, Errc::rule_violation);  // two weeks is not 6 weeks to 3 months…
  auto with_reason = run(FinaliseMinutes{"m1", "2026-12-15", "Review before the Christmas break"}, "ftm-1",
                         Role::fostering_team_manager);  // …unless a reason is given
  ASSERT_TRUE(with_reason.ok()) << with_reason.reason;
  EXPECT_EQ(state_.get(col::kMeetings, "m1")->value("status"), "minutes-finalised");
  auto notes = of(with_reason, col::kNotifications);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].value("recipient_id"), "iro-1");
}

TEST_F(MeetingTest, R6_Finalise_ApologiesCount_AndUsualIntervalNeedsNoReason) {
  ASSERT_TRUE(schedule().ok());
  ASSERT_TRUE(hold().ok());
  for (const auto& inv : state_.list_in_scope(col::kInvitations, "placement:p1")) {
    if (inv.value("mandatory") == "yes") {
      ASSERT_TRUE(
          run(RecordAttendance{inv.id, model::Attendance::apologies}, "ftm-1", Role::fostering_team_manager).ok());
    }
  }
  ASSERT_TRUE(
      run(RecordAttendance{invitation_of("iro"), model::Attendance::attended}, "ftm-1", Role::fostering_team_manager)
          .ok());
  ASSERT_TRUE(
      run(RecordView{"v1", "m1", model::ViewSubject::child, "Fine", false, ""}, "csw-1", Role::child_social_worker)
          .ok());
  auto o = run(FinaliseMinutes{"m1", "2027-01-19", ""}, "ssw-1", Role::supervising_social_worker);  // 7 weeks
  EXPECT_TRUE(o.ok()) << o.reason;
}

TEST_F(MeetingTest, R6_OnlyChairMinuteTakerOrSswFinalise) {
  ASSERT_TRUE(schedule().ok());
  ASSERT_TRUE(hold().ok());
  EXPECT_EQ(run(FinaliseMinutes{"m1", "2027-01-19", ""}, "csw-1", Role::child_social_worker).code,
            Errc::permission_denied);
}

TEST_F(MeetingTest, R7_AgendaNotes_MustNameAnItemOfThatMeetingsAgenda) {
  ASSERT_TRUE(schedule().ok());
  ASSERT_TRUE(hold().ok());
  auto ok = run(AddAgendaNote{"n1", "m1", "cultural-identity", "Attends her church weekly"}, "csw-1",
                Role::child_social_worker);
  EXPECT_TRUE(ok.ok()) << ok.reason;
  auto bad = run(AddAgendaNote{"n2", "m1", "future-contact", "x"}, "csw-1", Role::child_social_worker);
  EXPECT_EQ(bad.code, Errc::invalid_argument);  // a pre-disruption item, not a support meeting one
}

TEST_F(MeetingTest, R13_ConductConcern_CreatesUrgentLadoTaskDueNextWorkingDay_ProfessionalsOnly) {
  auto o = run(RaiseConductConcern{"c1", "m1", "Carer shouted at the child during the visit"}, "csw-1",
               Role::child_social_worker);
  ASSERT_TRUE(o.ok()) << o.reason;
  auto concern = state_.get(col::kConcerns, "c1");
  ASSERT_TRUE(concern);
  EXPECT_TRUE(concern->professionals_only);
  auto task = state_.get(col::kActions, "c1.lado");
  ASSERT_TRUE(task);
  EXPECT_TRUE(task->professionals_only);
  EXPECT_EQ(task->value("owner_id"), "ftm-1");
  EXPECT_EQ(task->value("urgent"), "yes");
  // now_ms in these tests is 2023-11-14 (a Tuesday): due by the end of Wednesday.
  EXPECT_EQ(task->value("due_date"), "2023-11-15");
  std::set<std::string> told;
  for (const auto& n : of(o, col::kNotifications)) told.insert(n.value("recipient_id"));
  EXPECT_EQ(told, (std::set<std::string>{"lado-1", "sm-1"}));
  EXPECT_EQ(run(RaiseConductConcern{"c2", "m1", "x"}, "carer-1", Role::foster_carer).code, Errc::permission_denied);
}

// R9/R13: the LADO's notification names the child and the carers, not a placement id.
TEST_F(MeetingTest, R13_LadoReferral_NamesTheChildAndTheCarers) {
  auto o = run(RaiseConductConcern{"c1", "m1", "Carer shouted at the child"}, "csw-1", Role::child_social_worker);
  ASSERT_TRUE(o.ok()) << o.reason;
  for (const auto& n : of(o, col::kNotifications)) {
    const auto text = n.value("text");
    EXPECT_EQ(text.rfind("Concern about the carers' conduct raised at the Placement Support Meeting for Test Child "
                         "(placed with carer-1)",
                         0),
              0u)
        << text;
    EXPECT_EQ(text.find("p1"), std::string::npos) << text;
  }
}

TEST_F(ApplyTest, R15_ShortBreakOverTwoWeeks_IsFlagged) {
  auto week = run(RecordShortBreak{"b1", "p1", "2026-07-01", "2026-07-07", "The Reid family"}, "ssw-1",
                  Role::supervising_social_worker);
  ASSERT_TRUE(week.ok());
  EXPECT_EQ(state_.get(col::kShortBreaks, "b1")->value("over_two_weeks"), "no");
  EXPECT_EQ(state_.get(col::kShortBreaks, "b1")->get(model::schema::short_breaks::nights), 6u);
  EXPECT_TRUE(week.reason.empty());
  // Saturday 1 August to Sunday 16 August: 15 nights.
  auto long_break = run(RecordShortBreak{"b2", "p1", "2026-08-01", "2026-08-16", "Grandparents"}, "ssw-1",
                        Role::supervising_social_worker);
  ASSERT_TRUE(long_break.ok());
  EXPECT_EQ(state_.get(col::kShortBreaks, "b2")->value("over_two_weeks"), "yes");
  EXPECT_NE(long_break.reason.find("15 nights"), std::string::npos) << long_break.reason;
  EXPECT_EQ(
      run(RecordShortBreak{"b3", "p1", "2026-08-10", "2026-08-01", ""}, "ssw-1", Role::supervising_social_worker).code,
      Errc::invalid_argument);
}

TEST_F(ApplyTest, R15_ShortBreak_SaturdayToSaturdayTwoWeeks_Is14NightsAndNotFlagged) {
  auto o = run(RecordShortBreak{"b1", "p1", "2026-08-01", "2026-08-15", "Grandparents"}, "ssw-1",
               Role::supervising_social_worker);
  ASSERT_TRUE(o.ok()) << o.reason;
  const auto b = state_.get(col::kShortBreaks, "b1");
  EXPECT_EQ(b->get(model::schema::short_breaks::nights), 14u);
  EXPECT_EQ(b->get(model::schema::short_breaks::days), 15u);
  EXPECT_EQ(b->value("over_two_weeks"), "no");
  EXPECT_TRUE(o.reason.empty()) << o.reason;
}

TEST_F(MeetingTest, R10_FinalisedSupportPlan_IsCopiedMinimisedToTheCarersHousehold) {
  ASSERT_TRUE(schedule().ok());
  ASSERT_TRUE(hold().ok());
  attend_all_mandatory();
  ASSERT_TRUE(
      run(RecordView{"v1", "m1", model::ViewSubject::child, "Fine", true, ""}, "csw-1", Role::child_social_worker)
          .ok());
  ASSERT_TRUE(run(RecordView{"v2", "m1", model::ViewSubject::iro, "Supportive", false, ""}, "ssw-1",
                  Role::supervising_social_worker)
                  .ok());
  ASSERT_TRUE(run(AddSupportItem{"s1", "m1", "respite", "One weekend a month", "Fostering service", "monthly", false},
                  "ssw-1", Role::supervising_social_worker)
                  .ok());
  ASSERT_TRUE(
      run(AddSupportItem{"s2", "m1", "camhs", "Consultation about the birth mother's contact", "CAMHS", "once", true},
          "ssw-1", Role::supervising_social_worker)
          .ok());
  EXPECT_EQ(
      run(AddSupportItem{"s3", "m1", "massage", "x", "y", "z", false}, "ssw-1", Role::supervising_social_worker).code,
      Errc::invalid_argument);
  ASSERT_TRUE(run(RecordChildToldOfPlan{"m1", "2026-12-02"}, "csw-1", Role::child_social_worker).ok());
  auto o = run(FinaliseMinutes{"m1", "2027-01-19", ""}, "ftm-1", Role::fostering_team_manager);
  ASSERT_TRUE(o.ok()) << o.reason;
  auto copy = state_.get(col::kPlanCopies, "m1.plan");
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->scope, "household:h1");
  EXPECT_NE(copy->value("support_items").find("One weekend a month"), std::string::npos);
  EXPECT_EQ(copy->value("support_items").find("birth mother"), std::string::npos);  // professionals-only item left out
  EXPECT_EQ(copy->value("child_told_of_plan_on"), "2026-12-02");
  EXPECT_EQ(copy->value("review_date"), "2027-01-19");
}

TEST_F(ApplyTest, R12_PlannedEnding_NeedsContactSupportAndLessons_ThenPromptsReviewAndTellsIro) {
  ASSERT_TRUE(run(RequestMeeting{"pd", "p1", model::MeetingType::pre_disruption, "At risk", 0}, "ssw-1",
                  Role::supervising_social_worker)
                  .ok());
  ASSERT_TRUE(
      run(ScheduleMeeting{"pd", 1'796'119'200'000ull, "Office", ""}, "ssw-1", Role::supervising_social_worker).ok());
  auto incomplete = run(RecordPreDisruptionOutcome{"pd", true, "", "", ""}, "ftm-1", Role::fostering_team_manager);
  EXPECT_EQ(incomplete.code, Errc::rule_violation);
  EXPECT_NE(incomplete.reason.find("future contact"), std::string::npos);
  EXPECT_NE(incomplete.reason.find("lessons"), std::string::npos);
  auto o = run(RecordPreDisruptionOutcome{"pd", true, "Monthly visits", "yes", "Respite was offered too late"}, "ftm-1",
               Role::fostering_team_manager);
  ASSERT_TRUE(o.ok()) << o.reason;
  EXPECT_EQ(state_.get(col::kMeetings, "pd")->value("outcome"), "planned-ending");
  EXPECT_EQ(state_.get(col::kActions, "pd.epr")->value("text"), "Arrange the End of Placement Review");
  auto notes = of(o, col::kNotifications);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].value("recipient_id"), "iro-1");
  // Continuing needs nothing more.
  EXPECT_TRUE(run(RecordPreDisruptionOutcome{"pd", false, "", "", ""}, "ftm-1", Role::fostering_team_manager).ok());
}

// --- professionals-only records and what is derived from them (docs/security.md)

// Every record an outcome writes that derives from `collection`/`id`.
std::vector<Record> derived(const Outcome& o, std::string_view collection) { return of(o, collection); }

TEST_F(MeetingTest, R13_AnUpdateOnTheLadoTask_IsProfessionalsOnly_AsTheTaskIs) {
  ASSERT_TRUE(
      run(RaiseConductConcern{"c1", "m1", "Carer shouted at the child"}, "csw-1", Role::child_social_worker).ok());
  auto o = run(UpdateActionStatus{"c1.lado", "u1", model::ActionStatus::open, model::ActionStatus::in_progress,
                                  "Spoke to the LADO; strategy discussion on Friday"},
               "ftm-1", Role::fostering_team_manager);
  ASSERT_TRUE(o.ok()) << o.reason;
  auto update = state_.get(col::kActionUpdates, "u1");
  ASSERT_TRUE(update);
  EXPECT_TRUE(update->professionals_only);
  // An update of an ordinary action stays visible to the carer who owns it.
  ASSERT_TRUE(
      run(AddAction{"a1", "m1", "carer-1", "2026-12-01", "Attend training"}, "ssw-1", Role::supervising_social_worker)
          .ok());
  ASSERT_TRUE(run(UpdateActionStatus{"a1", "u2", model::ActionStatus::open, model::ActionStatus::done, "Done"},
                  "carer-1", Role::foster_carer)
                  .ok());
  EXPECT_FALSE(state_.get(col::kActionUpdates, "u2")->professionals_only);
}

TEST_F(MeetingTest, R13_ConflictsOnTheLadoTask_AreProfessionalsOnly) {
  ASSERT_TRUE(
      run(RaiseConductConcern{"c1", "m1", "Carer shouted at the child"}, "csw-1", Role::child_social_worker).ok());
  // Two people move the task at once to places that do not agree: a status conflict.
  ASSERT_TRUE(
      run(UpdateActionStatus{"c1.lado", "u1", model::ActionStatus::open, model::ActionStatus::done, "Discussed"},
          "ftm-1", Role::fostering_team_manager)
          .ok());
  auto status =
      run(UpdateActionStatus{"c1.lado", "u2", model::ActionStatus::open, model::ActionStatus::cancelled, "Not needed"},
          "ssw-1", Role::supervising_social_worker, "dev-2");
  ASSERT_EQ(status.kind, OutcomeKind::conflict);
  // And an edit by someone who had not seen the text: a field conflict.
  auto edit = run(EditAction{"c1.lado", std::string("Discuss with the LADO and the Fostering Service Manager"), {}, {}},
                  "ssw-1", Role::supervising_social_worker, "dev-2");
  ASSERT_EQ(edit.kind, OutcomeKind::conflict);
  std::size_t conflicts = 0;
  for (const auto* o : {&status, &edit}) {
    for (const auto& c : derived(*o, col::kConflicts)) {
      ++conflicts;
      EXPECT_TRUE(c.professionals_only) << c.id;
    }
    for (const auto& u : derived(*o, col::kActionUpdates)) EXPECT_TRUE(u.professionals_only) << u.id;
  }
  EXPECT_EQ(conflicts, 2u);
}

TEST_F(MeetingTest, R13_R11_NotificationsAboutProfessionalsOnlyRecords_AreProfessionalsOnly_OthersAreNot) {
  auto concern = run(RaiseConductConcern{"c1", "m1", "Carer shouted at the child"}, "csw-1", Role::child_social_worker);
  ASSERT_TRUE(concern.ok());
  ASSERT_FALSE(derived(concern, col::kNotifications).empty());
  for (const auto& n : derived(concern, col::kNotifications)) {
    EXPECT_TRUE(n.professionals_only) << n.id;
    EXPECT_EQ(n.value("concern_id"), "c1");  // what it is about, so the flag follows the concern
  }
  // A notification about an ordinary meeting is not.
  ASSERT_TRUE(
      run(RequestMeeting{"m2", "p1", model::MeetingType::support, "Bedtimes", 0}, "carer-1", Role::foster_carer).ok());
  for (const auto& n : state_.list_in_scope(col::kNotifications, "person:ftm-1")) {
    if (n.value("meeting_id") == "m2") {
      EXPECT_FALSE(n.professionals_only) << n.id;
    }
  }
}

TEST_F(MeetingTest, R10_ThePlanCopy_LeavesOutProfessionalsOnlyItems_AndTheLadoTask) {
  ASSERT_TRUE(schedule().ok());
  ASSERT_TRUE(hold().ok());
  attend_all_mandatory();
  ASSERT_TRUE(
      run(RecordView{"v1", "m1", model::ViewSubject::child, "Fine", false, ""}, "csw-1", Role::child_social_worker)
          .ok());
  ASSERT_TRUE(run(RecordView{"v2", "m1", model::ViewSubject::iro, "Supportive", false, ""}, "ssw-1",
                  Role::supervising_social_worker)
                  .ok());
  ASSERT_TRUE(
      run(RaiseConductConcern{"c1", "m1", "Carer shouted at the child"}, "csw-1", Role::child_social_worker).ok());
  ASSERT_TRUE(run(AddSupportItem{"s1", "m1", "respite", "One weekend a month", "Fostering", "monthly", false}, "ssw-1",
                  Role::supervising_social_worker)
                  .ok());
  ASSERT_TRUE(run(AddSupportItem{"s2", "m1", "camhs", "Consultation about the birth mother", "CAMHS", "once", true},
                  "ssw-1", Role::supervising_social_worker)
                  .ok());
  ASSERT_TRUE(run(FinaliseMinutes{"m1", "2027-01-19", ""}, "ftm-1", Role::fostering_team_manager).ok());
  auto copy = state_.get(col::kPlanCopies, "m1.plan");
  ASSERT_TRUE(copy);
  EXPECT_FALSE(copy->professionals_only);  // the carers' copy reaches them…
  EXPECT_NE(copy->value("support_items").find("One weekend a month"), std::string::npos);
  EXPECT_EQ(copy->value("support_items").find("birth mother"), std::string::npos);  // …without these
  EXPECT_EQ(copy->value("actions").find("LADO"), std::string::npos);
}

TEST_F(MeetingTest, R10_ThePlanCopy_FollowsThePlan_WhereEachItemAndActionStands) {
  ASSERT_TRUE(schedule().ok());
  ASSERT_TRUE(hold().ok());
  attend_all_mandatory();
  ASSERT_TRUE(
      run(RecordView{"v1", "m1", model::ViewSubject::child, "Fine", false, ""}, "csw-1", Role::child_social_worker)
          .ok());
  ASSERT_TRUE(run(RecordView{"v2", "m1", model::ViewSubject::iro, "Supportive", false, ""}, "ssw-1",
                  Role::supervising_social_worker)
                  .ok());
  ASSERT_TRUE(run(AddSupportItem{"s1", "m1", "respite", "One weekend a month", "Fostering", "monthly", false, true},
                  "ssw-1", Role::supervising_social_worker)
                  .ok());
  ASSERT_TRUE(run(AddAction{"a1", "m1", "carer-1", "2027-01-15", "Book the respite weekend"}, "ssw-1",
                  Role::supervising_social_worker)
                  .ok());
  ASSERT_TRUE(run(FinaliseMinutes{"m1", "2027-01-19", ""}, "ftm-1", Role::fostering_team_manager).ok());
  auto copy = state_.get(col::kPlanCopies, "m1.plan");
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->value("support_items"),
            "respite: One weekend a month (Fostering, monthly) — waiting for the Practice and Resources Panel\n");
  EXPECT_NE(copy->value("actions").find("by Friday 15 January 2027 (not started)"), std::string::npos)
      << copy->value("actions");
  EXPECT_EQ(copy->value("child_told_of_plan_on"), "");

  // After the minutes: the child is told, the panel decides, the action is done.
  ASSERT_TRUE(run(RecordChildToldOfPlan{"m1", "2026-12-09"}, "csw-1", Role::child_social_worker).ok());
  ASSERT_TRUE(run(DecidePanelRequest{"s1", true, ""}, "panel-1", Role::panel_member).ok());
  ASSERT_TRUE(run(UpdateActionStatus{"a1", "u1", model::ActionStatus::open, model::ActionStatus::done, "Booked"},
                  "carer-1", Role::foster_carer)
                  .ok());
  const auto rebuilt =
      make_plan_copy(state_, *state_.get(col::kMeetings, "m1"), {Hlc::from(9'000, 0), "server"}, "system");
  ASSERT_TRUE(rebuilt);
  EXPECT_EQ(rebuilt->id, "m1.plan");
  EXPECT_EQ(rebuilt->scope, "household:h1");
  EXPECT_EQ(rebuilt->value("child_told_of_plan_on"), "2026-12-09");
  EXPECT_NE(rebuilt->value("support_items").find("approved by the Practice and Resources Panel"), std::string::npos)
      << rebuilt->value("support_items");
  EXPECT_NE(rebuilt->value("actions").find("(done)"), std::string::npos) << rebuilt->value("actions");
  // No plan before the minutes are finalised; none for a pre-disruption meeting.
  auto unfinished = *state_.get(col::kMeetings, "m1");
  unfinished.set("status", "held", {Hlc::from(9'001, 0), "server"});
  EXPECT_FALSE(make_plan_copy(state_, unfinished, {}, "system"));
}

TEST_F(MeetingTest, R6_TheReviewDate_BecomesAMeetingToArrange_AndAnActionForTheSsw) {
  ASSERT_TRUE(schedule().ok());
  ASSERT_TRUE(hold().ok());
  attend_all_mandatory();
  ASSERT_TRUE(
      run(RecordView{"v1", "m1", model::ViewSubject::child, "Fine", false, ""}, "csw-1", Role::child_social_worker)
          .ok());
  ASSERT_TRUE(run(RecordView{"v2", "m1", model::ViewSubject::iro, "Supportive", false, ""}, "ssw-1",
                  Role::supervising_social_worker)
                  .ok());
  auto o = run(FinaliseMinutes{"m1", "2027-01-19", ""}, "ftm-1", Role::fostering_team_manager);
  ASSERT_TRUE(o.ok()) << o.reason;
  std::optional<Record> review, arrange;
  for (const auto& w : o.writes) {
    if (w.collection == col::kMeetings && w.id != "m1") review = w;
    if (w.collection == col::kActions) arrange = w;
  }
  ASSERT_TRUE(review && arrange);
  namespace m_ = model::schema::meetings;
  EXPECT_EQ(review->value(m_::reviews_meeting_id), "m1");
  EXPECT_EQ(review->get(m_::type), model::MeetingType::support);
  EXPECT_EQ(review->get(m_::status), model::MeetingStatus::requested);
  EXPECT_EQ(policy::format_local_datetime(*review->get(m_::deadline_ms)), "2027-01-19 23:59 GMT");
  EXPECT_NE(review->value(m_::reason).find("Tuesday 1 December 2026"), std::string::npos) << review->value(m_::reason);
  namespace a_ = model::schema::actions;
  EXPECT_EQ(arrange->value(a_::owner_id), "ssw-1");
  EXPECT_EQ(arrange->value(a_::due_date), "2027-01-19");
  EXPECT_EQ(arrange->value(a_::arranges_meeting_id), review->id);
  EXPECT_EQ(arrange->value(a_::text),
            "Arrange and hold the review of Test Child's Placement Support Plan by Tuesday 19 January 2027");
  // The action belongs to the review meeting, so the plan's copy does not list it.
  EXPECT_EQ(state_.get(col::kPlanCopies, "m1.plan")->value("actions"), "");

  // The review meeting is arranged and its minutes finalised: the action is done.
  ASSERT_TRUE(run(ScheduleMeeting{review->id, 1'799'661'600'000ull, "Family centre", "ssw-1"}, "ssw-1",
                  Role::supervising_social_worker)
                  .ok());
  now_ms_ = 1'799'661'600'000ull + 3'600'000;  // 11 January 2027, an hour after it began
  ASSERT_TRUE(run(RecordMeetingHeld{review->id, 1'799'661'600'000ull, ""}, "ftm-1", Role::fostering_team_manager).ok());
  for (const auto& inv : state_.list_in_scope(col::kInvitations, "placement:p1")) {
    if (inv.value("meeting_id") == review->id && inv.value("mandatory") == "yes") {
      ASSERT_TRUE(
          run(RecordAttendance{inv.id, model::Attendance::attended}, "ftm-1", Role::fostering_team_manager).ok());
    }
  }
  ASSERT_TRUE(run(RecordView{"v3", review->id, model::ViewSubject::child, "Better", false, ""}, "csw-1",
                  Role::child_social_worker)
                  .ok());
  ASSERT_TRUE(run(RecordView{"v4", review->id, model::ViewSubject::iro, "Good", false, ""}, "ssw-1",
                  Role::supervising_social_worker)
                  .ok());
  auto reviewed = run(FinaliseMinutes{review->id, "2027-03-09", ""}, "ftm-1", Role::fostering_team_manager);
  ASSERT_TRUE(reviewed.ok()) << reviewed.reason;
  EXPECT_EQ(state_.get(col::kActions, arrange->id)->get(a_::status), model::ActionStatus::done);
}

TEST_F(MeetingTest, ChildsViews_RecordedByAProfessional_AreProfessionalsOnlyUnlessShared) {
  // No choice made: professionals only.
  ASSERT_TRUE(run(RecordView{"v1", "m1", model::ViewSubject::child, "I miss my brother", false, ""}, "csw-1",
                  Role::child_social_worker)
                  .ok());
  EXPECT_TRUE(state_.get(col::kViews, "v1")->professionals_only);
  // Shared with the carers by choice.
  ASSERT_TRUE(run(RecordView{"v2", "m1", model::ViewSubject::child, "I like my room", false, "", true}, "csw-1",
                  Role::child_social_worker)
                  .ok());
  EXPECT_FALSE(state_.get(col::kViews, "v2")->professionals_only);
  // Both at once is refused, naming the two.
  auto both =
      run(RecordView{"v3", "m1", model::ViewSubject::child, "x", true, "", true}, "csw-1", Role::child_social_worker);
  EXPECT_EQ(both.code, Errc::invalid_argument);
  EXPECT_NE(both.reason.find("not both"), std::string::npos) << both.reason;
  // A carer's own views are theirs to see; the carer's views written down by
  // a professional too, unless marked.
  ASSERT_TRUE(
      run(RecordView{"v4", "m1", model::ViewSubject::carer, "We are tired", false, ""}, "carer-1", Role::foster_carer)
          .ok());
  EXPECT_FALSE(state_.get(col::kViews, "v4")->professionals_only);
  ASSERT_TRUE(run(RecordView{"v5", "m1", model::ViewSubject::carer, "Respite would help", false, ""}, "ssw-1",
                  Role::supervising_social_worker)
                  .ok());
  EXPECT_FALSE(state_.get(col::kViews, "v5")->professionals_only);
}

TEST_F(MeetingTest, ChildsViews_FromADeviceBeforeTheChoice_AreProfessionalsOnly) {
  std::ostringstream bytes;
  {
    cereal::PortableBinaryOutputArchive out(bytes);
    out(older::RecordViewVersion2{"v1", "m1", model::ViewSubject::child, "I miss my brother", false, ""});
  }
  RecordView decoded;
  {
    std::istringstream in_bytes(bytes.str());
    cereal::PortableBinaryInputArchive in(in_bytes);
    in(decoded);
  }
  EXPECT_EQ(decoded.text, "I miss my brother");
  EXPECT_FALSE(decoded.share_with_carers);
  ASSERT_TRUE(run(decoded, "csw-1", Role::child_social_worker).ok());
  EXPECT_TRUE(state_.get(col::kViews, "v1")->professionals_only);
}

TEST_F(MeetingTest, R7_AgendaNotes_MayBeProfessionalsOnly_AndTheChildsViewsAreByDefault) {
  ASSERT_TRUE(schedule().ok());
  ASSERT_TRUE(hold().ok());
  ASSERT_TRUE(run(AddAgendaNote{"n1", "m1", "cultural-identity", "Attends her church weekly"}, "csw-1",
                  Role::child_social_worker)
                  .ok());
  EXPECT_FALSE(state_.get(col::kAgendaNotes, "n1")->professionals_only);
  ASSERT_TRUE(run(AddAgendaNote{"n2", "m1", "undermining-factors", "Birth mother's new partner", true}, "csw-1",
                  Role::child_social_worker)
                  .ok());
  EXPECT_TRUE(state_.get(col::kAgendaNotes, "n2")->professionals_only);
  ASSERT_TRUE(
      run(AddAgendaNote{"n3", "m1", "child-views", "Worried about moving school"}, "csw-1", Role::child_social_worker)
          .ok());
  EXPECT_TRUE(state_.get(col::kAgendaNotes, "n3")->professionals_only);
  ASSERT_TRUE(
      run(AddAgendaNote{"n4", "m1", "child-views", "Loves the dog", false, true}, "csw-1", Role::child_social_worker)
          .ok());
  EXPECT_FALSE(state_.get(col::kAgendaNotes, "n4")->professionals_only);
  EXPECT_EQ(run(AddAgendaNote{"n5", "m1", "purpose", "x", true, true}, "csw-1", Role::child_social_worker).code,
            Errc::invalid_argument);
}

TEST(ValidateShape, RejectsUnsupportedSchemaVersion) {
  Operation o;
  o.op_id = "x";
  o.device_id = "d";
  o.seq = 1;
  o.schema_version = 99;
  o.payload = ResolveConflict{"c", ResolveConflict::Keep::current};
  auto problem = validate_shape(o);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->code, Errc::unsupported_version);
}

class PanelTest : public MeetingTest {
 protected:
  void SetUp() override {
    MeetingTest::SetUp();
    Record panel;
    panel.collection = col::kSettings;
    panel.id = "panel-members";
    panel.scope = "directory";
    panel.set("ids", "panel-1", {});
    state_.add(panel);
  }
  Outcome ask() {
    return run(AddSupportItem{"s1", "m1", "respite", "Two weekends a month with an agency carer", "Agency", "monthly",
                              false, true},
               "ssw-1", Role::supervising_social_worker);
  }
};

TEST_F(PanelTest, R11_SupportNeedingPanel_StaysPendingAndIsSentToThePanel) {
  ASSERT_TRUE(ask().ok());
  EXPECT_EQ(state_.get(col::kSupportItems, "s1")->value("panel_status"), "pending");
  auto request = state_.get(col::kPanelRequests, "s1");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->scope, "panel");
  EXPECT_TRUE(request->professionals_only);
  EXPECT_EQ(request->value("status"), "pending");
  EXPECT_EQ(request->value("placement_id"), "p1");
  bool panel_told = false;
  for (const auto& n : state_.list_in_scope(col::kNotifications, "person:panel-1")) {
    panel_told |= n.value("kind") == "resource-request";
  }
  EXPECT_TRUE(panel_told);
  // Support that needs no panel is not pending anything.
  ASSERT_TRUE(run(AddSupportItem{"s2", "m1", "practical", "Help with school transport", "Fostering", "weekly", false},
                  "ssw-1", Role::supervising_social_worker)
                  .ok());
  EXPECT_EQ(state_.get(col::kSupportItems, "s2")->value("panel_status"), "");
  EXPECT_FALSE(state_.get(col::kPanelRequests, "s2"));
}

TEST_F(PanelTest, R11_OnlyAPanelMemberDecides_ADeclineNeedsAReason_AndADecisionIsFinal) {
  ASSERT_TRUE(ask().ok());
  EXPECT_EQ(run(DecidePanelRequest{"s1", true, ""}, "ftm-1", Role::fostering_team_manager).code,
            Errc::permission_denied);
  auto no_reason = run(DecidePanelRequest{"s1", false, ""}, "panel-1", Role::panel_member);
  EXPECT_EQ(no_reason.code, Errc::rule_violation);
  EXPECT_NE(no_reason.reason.find("reason"), std::string::npos);
  auto declined =
      run(DecidePanelRequest{"s1", false, "Use the in-house respite offer first"}, "panel-1", Role::panel_member);
  ASSERT_TRUE(declined.ok()) << declined.reason;
  EXPECT_EQ(state_.get(col::kPanelRequests, "s1")->value("status"), "declined");
  EXPECT_EQ(state_.get(col::kSupportItems, "s1")->value("panel_status"), "declined");
  EXPECT_EQ(state_.get(col::kSupportItems, "s1")->value("panel_reason"), "Use the in-house respite offer first");
  bool asker_told = false;
  for (const auto& n : state_.list_in_scope(col::kNotifications, "person:ssw-1")) {
    asker_told |= n.value("kind") == "panel-decision";
  }
  EXPECT_TRUE(asker_told);
  EXPECT_EQ(run(DecidePanelRequest{"s1", true, ""}, "panel-1", Role::panel_member).code, Errc::illegal_transition);
  EXPECT_EQ(run(DecidePanelRequest{"nope", true, ""}, "panel-1", Role::panel_member).code, Errc::not_found);
}

// --- the meeting's life: held, cancelled, moved, its chair, the CSW's report

TEST_F(MeetingTest, Held_OnlyAScheduledMeeting_NotInTheFuture_AtItsRealTime) {
  EXPECT_EQ(hold().code, Errc::rule_violation);  // requested, not booked
  ASSERT_TRUE(schedule().ok());
  now_ms_ = 1'796'119'200'000ull - 60'000;  // a minute before the booked time
  auto early = run(RecordMeetingHeld{"m1", 1'796'119'200'000ull, ""}, "ftm-1", Role::fostering_team_manager);
  EXPECT_EQ(early.code, Errc::rule_violation);
  EXPECT_NE(early.reason.find("still to come"), std::string::npos) << early.reason;
  // It really took place half an hour late, in another room.
  now_ms_ = 1'796'130'000'000ull;
  auto o = run(RecordMeetingHeld{"m1", 1'796'121'000'000ull, "Room 2"}, "ftm-1", Role::fostering_team_manager);
  ASSERT_TRUE(o.ok()) << o.reason;
  auto m = state_.get(col::kMeetings, "m1");
  EXPECT_EQ(m->value("status"), "held");
  EXPECT_EQ(m->value("held_at_ms"), "1796121000000");
  EXPECT_EQ(m->value("scheduled_for_ms"), "1796119200000");  // the booking is kept
  EXPECT_EQ(m->value("location"), "Room 2");
  EXPECT_EQ(hold().code, Errc::rule_violation);  // once
}

TEST_F(MeetingTest, Held_RecordedByTheChairMinuteTakerSswOrAManager) {
  ASSERT_TRUE(schedule().ok());
  now_ms_ = 1'796'130'000'000ull;
  EXPECT_EQ(run(RecordMeetingHeld{"m1", 1'796'119'200'000ull, ""}, "carer-1", Role::foster_carer).code,
            Errc::permission_denied);
  EXPECT_EQ(run(RecordMeetingHeld{"m1", 1'796'119'200'000ull, ""}, "csw-1", Role::child_social_worker).code,
            Errc::permission_denied);
  EXPECT_TRUE(run(RecordMeetingHeld{"m1", 1'796'119'200'000ull, ""}, "ssw-1", Role::supervising_social_worker).ok());
}

TEST_F(MeetingTest, R6_AttendanceNotesAndMinutes_WaitUntilTheMeetingWasHeld) {
  ASSERT_TRUE(schedule().ok());
  auto attendance =
      run(RecordAttendance{invitation_of("carer"), model::Attendance::attended}, "ftm-1", Role::fostering_team_manager);
  EXPECT_EQ(attendance.code, Errc::rule_violation);
  EXPECT_NE(attendance.reason.find("record that the meeting was held first"), std::string::npos) << attendance.reason;
  auto minutes = run(FinaliseMinutes{"m1", "2027-01-19", ""}, "ftm-1", Role::fostering_team_manager);
  EXPECT_NE(minutes.reason.find("record that the meeting was held first"), std::string::npos) << minutes.reason;
  auto note = run(AddAgendaNote{"n1", "m1", "cultural-identity", "Goes to church"}, "csw-1", Role::child_social_worker);
  EXPECT_EQ(note.code, Errc::rule_violation);
  // The child's views may be gathered in advance.
  EXPECT_TRUE(run(AddAgendaNote{"n2", "m1", "child-views", "Wants to stay"}, "csw-1", Role::child_social_worker).ok());
  ASSERT_TRUE(hold().ok());
  EXPECT_TRUE(
      run(RecordAttendance{invitation_of("carer"), model::Attendance::attended}, "ftm-1", Role::fostering_team_manager)
          .ok());
}

TEST_F(MeetingTest, AttendedPart_TheChildCameToPartOfTheMeeting) {
  ASSERT_TRUE(schedule().ok());
  ASSERT_TRUE(hold().ok());
  auto o = run(RecordAttendance{invitation_of("child"), model::Attendance::attended_part}, "ftm-1",
               Role::fostering_team_manager);
  ASSERT_TRUE(o.ok()) << o.reason;
  EXPECT_EQ(state_.get(col::kInvitations, invitation_of("child"))->value("attendance"), "attended-part");
  EXPECT_EQ(model::parse_attendance("attended-part"), model::Attendance::attended_part);
  EXPECT_EQ(run(RecordAttendance{invitation_of("child"), static_cast<model::Attendance>(6)}, "ftm-1",
                Role::fostering_team_manager)
                .code,
            Errc::invalid_argument);
}

TEST_F(MeetingTest, CancelMeeting_NeedsAReason_TellsEveryInvitee_AndClosesTheMeeting) {
  ASSERT_TRUE(schedule().ok());
  EXPECT_EQ(run(CancelMeeting{"m1", ""}, "ssw-1", Role::supervising_social_worker).code, Errc::invalid_argument);
  EXPECT_EQ(run(CancelMeeting{"m1", "x"}, "carer-1", Role::foster_carer).code, Errc::permission_denied);
  auto o = run(CancelMeeting{"m1", "The carers asked for more time"}, "ssw-1", Role::supervising_social_worker);
  ASSERT_TRUE(o.ok()) << o.reason;
  auto m = state_.get(col::kMeetings, "m1");
  EXPECT_EQ(m->value("status"), "cancelled");
  EXPECT_EQ(m->value("cancelled_reason"), "The carers asked for more time");
  std::set<std::string> told;
  for (const auto& n : of(o, col::kNotifications)) {
    told.insert(n.value("recipient_id"));
    EXPECT_NE(n.value("text").find(
                  "Placement Support Meeting for Test Child (placed with carer-1) on Tuesday 1 December 2026"),
              std::string::npos)
        << n.value("text");
    EXPECT_NE(n.value("text").find("The carers asked for more time"), std::string::npos);
  }
  EXPECT_EQ(told, (std::set<std::string>{"carer-1", "csw-1", "ftm-1", "iro-1"}));  // not the SSW who cancelled
  EXPECT_EQ(schedule().code, Errc::rule_violation);
  EXPECT_EQ(hold().code, Errc::rule_violation);
  EXPECT_EQ(run(FinaliseMinutes{"m1", "2027-01-19", ""}, "ftm-1", Role::fostering_team_manager).code,
            Errc::rule_violation);
  EXPECT_EQ(policy::held_at(*m, 1'900'000'000'000ull), std::nullopt);
}

TEST_F(MeetingTest, MoveMeeting_ANewTime_InviteesToldTheOldAndTheNew_NotOnceHeld) {
  EXPECT_EQ(run(MoveMeeting{"m1", 1'796'205'600'000ull, ""}, "ssw-1", Role::supervising_social_worker).code,
            Errc::rule_violation);  // not booked yet
  ASSERT_TRUE(schedule().ok());
  auto o = run(MoveMeeting{"m1", 1'796'205'600'000ull, ""}, "ssw-1", Role::supervising_social_worker);
  ASSERT_TRUE(o.ok()) << o.reason;
  auto m = state_.get(col::kMeetings, "m1");
  EXPECT_EQ(m->value("scheduled_for_ms"), "1796205600000");
  EXPECT_EQ(m->value("moved_from_ms"), "1796119200000");
  EXPECT_EQ(m->value("location"), "Family centre");
  auto notes = of(o, col::kNotifications);
  ASSERT_EQ(notes.size(), 4u);
  EXPECT_NE(notes[0].value("text").find("from Tuesday 1 December 2026 at 10:00 GMT to Wednesday 2 December 2026 at "
                                        "10:00 GMT"),
            std::string::npos)
      << notes[0].value("text");
  ASSERT_TRUE(hold(1'796'205'600'000ull).ok());
  EXPECT_EQ(run(MoveMeeting{"m1", 1'796'292'000'000ull, ""}, "ssw-1", Role::supervising_social_worker).code,
            Errc::rule_violation);
}

TEST_F(MeetingTest, ChangeChair_S1_3_2_AServiceManagerMayChair_AndIsInvited) {
  ASSERT_TRUE(schedule().ok());
  auto not_a_manager = run(ChangeChair{"m1", "csw-1", "inv-c"}, "ftm-1", Role::fostering_team_manager);
  EXPECT_EQ(not_a_manager.code, Errc::rule_violation);
  EXPECT_EQ(run(ChangeChair{"m1", "sm-1", "inv-c"}, "ssw-1", Role::supervising_social_worker).code,
            Errc::permission_denied);
  auto o = run(ChangeChair{"m1", "sm-1", "inv-c"}, "ftm-1", Role::fostering_team_manager);
  ASSERT_TRUE(o.ok()) << o.reason;
  EXPECT_EQ(state_.get(col::kMeetings, "m1")->value("chair_id"), "sm-1");
  auto inv = state_.get(col::kInvitations, "inv-c");
  ASSERT_TRUE(inv);
  EXPECT_EQ(inv->value("person_id"), "sm-1");
  EXPECT_EQ(inv->value("mandatory"), "yes");
  // Back to the team manager, already invited: no second invitation.
  auto back = run(ChangeChair{"m1", "ftm-1", "inv-d"}, "sm-1", Role::service_manager);
  ASSERT_TRUE(back.ok()) << back.reason;
  EXPECT_FALSE(state_.get(col::kInvitations, "inv-d"));
}

TEST_F(MeetingTest, CswReport_S1_3_3_ByTheChildsSocialWorker_ProfessionalsOnly_BeforeTheMeeting) {
  ASSERT_TRUE(schedule().ok());
  EXPECT_EQ(run(RecordCswReport{"r1", "m1", "Background"}, "ssw-1", Role::supervising_social_worker).code,
            Errc::permission_denied);
  EXPECT_EQ(run(RecordCswReport{"r1", "m1", ""}, "csw-1", Role::child_social_worker).code, Errc::invalid_argument);
  auto o = run(RecordCswReport{"r1", "m1", "Contact with her brother has stopped"}, "csw-1", Role::child_social_worker);
  ASSERT_TRUE(o.ok()) << o.reason;
  auto r = state_.get(col::kCswReports, "r1");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->professionals_only);
  EXPECT_EQ(r->value("author_id"), "csw-1");
  ASSERT_TRUE(hold().ok());
  EXPECT_EQ(run(RecordCswReport{"r2", "m1", "Late"}, "csw-1", Role::child_social_worker).code, Errc::rule_violation);
}

TEST(Deadlines, R2_ABookedMeetingNotRecordedAsHeld_IsNotMet) {
  model::Record m;
  m.collection = "meetings";
  m.set("status", "scheduled", {});
  m.set("deadline_ms", "1796300000000", {});
  m.set("scheduled_for_ms", "1796119200000", {});
  EXPECT_EQ(policy::held_at(m, 1'796'400'000'000ull), std::nullopt);
  EXPECT_EQ(policy::deadline_state(m, 1'796'400'000'000ull), policy::DeadlineState::missed);
  m.set("status", "held", {});
  m.set("held_at_ms", "1796121000000", {});
  EXPECT_EQ(policy::held_at(m, 1'796'400'000'000ull), 1'796'121'000'000ull);
  EXPECT_EQ(policy::deadline_state(m, 1'796'400'000'000ull), policy::DeadlineState::met);
}

}  // namespace
}  // namespace psm::ops
