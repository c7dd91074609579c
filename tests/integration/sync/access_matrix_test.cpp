// The access policy as a matrix: every role — related to the child and not —
// against every operation and every listing, over real TLS connections to the
// whole server, with real encrypted replicas. The expected tables below are
// written by hand from the seeds (the two policies), docs/security.md and
// docs/workflow.md; they are the documented policy (docs/security.md, "Who may
// do what"), and nothing here asks the access code what it thinks.
//
// Each actor gets its own copy of one prepared server store, so what one
// actor's accepted operations change cannot colour another's row.
#include "common/model/ids.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"
#include "common/protocol/codec.hpp"
#include "support/tls_stack.hpp"
#include "testing/expected.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace psm::testing {
namespace {

namespace col = model::collection;
namespace fs = std::filesystem;
using model::Role;

constexpr std::string_view kPassword = "correct horse battery";

// Two placements: "a" (in-house) is the child every row is asked about; "b"
// (an agency placement) belongs to another household, another child's social
// worker, another team. Ids carry no names; the children's names are made up.
constexpr std::string_view kReference = R"json({
  "people": [
    {"id": "carer-a", "name": "Carer A", "role": "foster-carer"},
    {"id": "carer-b", "name": "Carer B", "role": "foster-carer"},
    {"id": "csw-a", "name": "Social Worker A", "role": "child-social-worker", "team": "cla-north"},
    {"id": "csw-b", "name": "Social Worker B", "role": "child-social-worker", "team": "cla-south"},
    {"id": "ssw-a", "name": "Supervising A", "role": "supervising-social-worker", "team": "fostering-east"},
    {"id": "ssw-b", "name": "Supervising B", "role": "supervising-social-worker", "team": "fostering-west"},
    {"id": "ftm-a", "name": "Fostering TM A", "role": "fostering-team-manager", "team": "fostering-east"},
    {"id": "ftm-b", "name": "Fostering TM B", "role": "fostering-team-manager", "team": "fostering-west"},
    {"id": "clatm-a", "name": "CLA TM A", "role": "cla-team-manager", "team": "cla-north"},
    {"id": "clatm-b", "name": "CLA TM B", "role": "cla-team-manager", "team": "cla-south"},
    {"id": "iro-a", "name": "IRO A", "role": "iro"},
    {"id": "iro-b", "name": "IRO B", "role": "iro"},
    {"id": "sm", "name": "Service Manager", "role": "service-manager", "service": "fostering"},
    {"id": "senior", "name": "Senior Manager", "role": "senior-manager"},
    {"id": "admin", "name": "Administrator", "role": "admin"},
    {"id": "panel", "name": "Panel Member", "role": "panel-member"},
    {"id": "lado", "name": "LADO", "role": "lado"},
    {"id": "minutes", "name": "Minute Taker", "role": "minute-taker"}
  ],
  "households": [
    {"id": "ha", "name": "Household A", "carer_type": "foster", "carer_ids": ["carer-a"], "ssw_id": "ssw-a"},
    {"id": "hb", "name": "Household B", "carer_type": "foster", "carer_ids": ["carer-b"], "ssw_id": "ssw-b"}
  ],
  "children": [
    {"id": "ca", "name": "Matrix-Child-Ada", "social_worker_id": "csw-a", "iro_id": "iro-a"},
    {"id": "cb", "name": "Matrix-Child-Ben", "social_worker_id": "csw-b", "iro_id": "iro-b"}
  ],
  "placements": [
    {"id": "pa", "child_id": "ca", "household_id": "ha", "type": "in-house", "start_date": "2024-06-01", "team_manager_id": "ftm-a"},
    {"id": "pb", "child_id": "cb", "household_id": "hb", "type": "ifa", "start_date": "2024-06-01", "team_manager_id": "clatm-b"}
  ]
})json";

struct Person {
  const char* id;
  Role role;
};
constexpr Person kPeople[] = {
    {"carer-a", Role::foster_carer},
    {"carer-b", Role::foster_carer},
    {"csw-a", Role::child_social_worker},
    {"csw-b", Role::child_social_worker},
    {"ssw-a", Role::supervising_social_worker},
    {"ssw-b", Role::supervising_social_worker},
    {"ftm-a", Role::fostering_team_manager},
    {"ftm-b", Role::fostering_team_manager},
    {"clatm-a", Role::cla_team_manager},
    {"clatm-b", Role::cla_team_manager},
    {"iro-a", Role::iro},
    {"iro-b", Role::iro},
    {"sm", Role::service_manager},
    {"senior", Role::senior_manager},
    {"admin", Role::admin},
    {"panel", Role::panel_member},
    {"lado", Role::lado},
    {"minutes", Role::minute_taker},
};
static_assert(std::size(kPeople) == 18);

Role role_of(std::string_view id) {
  for (const auto& p : kPeople) {
    if (p.id == id) return p.role;
  }
  ADD_FAILURE() << "no person " << id;
  return Role::foster_carer;
}

std::uint64_t uk_ms(std::chrono::sys_days day, int hour) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>((day + std::chrono::hours(hour)).time_since_epoch())
          .count());
}
using namespace std::chrono_literals;
const std::uint64_t kMeetingAt = uk_ms(std::chrono::sys_days{2026y / 12 / 1}, 10);  // 10:00 GMT

// ---- the prepared store ------------------------------------------------------

// Pushes one operation straight into the service as `person` (setup only; the
// matrix itself goes over the network).
ops::Outcome seed(server::SyncService& service, const std::string& person, const std::string& op_id,
                  ops::Payload payload, std::map<std::string, model::Version> base = {}) {
  static model::HlcClock clock;
  static std::uint64_t seq = 0;
  server::Identity who{"seed-" + person, person, person, role_of(person), "192.0.2.1"};
  ops::Operation op;
  op.op_id = op_id;
  op.device_id = who.device_id;
  op.seq = ++seq;
  op.hlc = clock.tick();
  op.base = std::move(base);
  op.payload = std::move(payload);
  std::set<std::string> changed;
  auto response = service.push(who, protocol::PushRequest{{op}}, changed);
  ops::Outcome o;
  if (response.results.size() != 1) {
    ADD_FAILURE() << "no answer to " << op_id;
    return o;
  }
  o.kind = static_cast<ops::OutcomeKind>(response.results[0].kind);
  o.code = static_cast<Errc>(response.results[0].error);
  o.reason = response.results[0].reason;
  EXPECT_TRUE(o.ok()) << op_id << ": " << o.reason;
  return o;
}

// For placement X ("a" or "b"), made by the people the seeds name for each step:
//   meet-X  support meeting, scheduled, everyone's attendance, views (the
//           child's: marked professionals-only, recorded with no choice made,
//           and shared with the carers), an action with a conflict, a conduct
//           concern (and its LADO task, with an update and a conflict), agenda
//           notes (open, marked professionals-only, under the child's views),
//           support items (open, professionals-only, one waiting for the
//           panel): ready to finalise;
//   req-X   support meeting requested by the carer, not yet scheduled;
//   pre-X   pre-disruption meeting, scheduled;
//   fin-X   support meeting with its minutes finalised (the carer's plan copy).
void seed_placement(server::SyncService& s, const std::string& x) {
  const std::string carer = "carer-" + x, csw = "csw-" + x, ssw = "ssw-" + x;
  // In-house: the SSW arranges and the Fostering TM chairs; IFA: the CLA TM does both (R4).
  const std::string arranger = x == "a" ? ssw : "clatm-b";
  const std::string finaliser = x == "a" ? ssw : "clatm-b";
  const std::string placement = "p" + x;
  using model::MeetingType;
  seed(s, csw, "op-meet-" + x, ops::RequestMeeting{"meet-" + x, placement, MeetingType::support, "Strain", 0});
  seed(s, carer, "op-req-" + x, ops::RequestMeeting{"req-" + x, placement, MeetingType::support, "Need help", 0});
  seed(s, csw, "op-pre-" + x, ops::RequestMeeting{"pre-" + x, placement, MeetingType::pre_disruption, "Risk", 0});
  seed(s, csw, "op-fin-" + x, ops::RequestMeeting{"fin-" + x, placement, MeetingType::support, "Review", 0});
  for (const std::string m : {"meet-", "pre-", "fin-"}) {
    seed(s, arranger, "op-schedule-" + m + x, ops::ScheduleMeeting{m + x, kMeetingAt, "Family centre", "minutes"});
  }
  for (const std::string m : {"meet-", "fin-"}) {
    seed(s, arranger, "op-held-" + m + x, ops::RecordMeetingHeld{m + x, kMeetingAt, ""});
  }
  for (const std::string m : {"meet-", "fin-"}) {
    // i1..i4: carer, child's social worker, chair, SSW (mandatory); i5: the IRO.
    for (int i = 1; i <= 4; ++i) {
      const std::string inv = m + x + ".i" + std::to_string(i);
      seed(s, csw, "op-att-" + inv, ops::RecordAttendance{inv, model::Attendance::attended});
    }
    seed(s, csw, "op-view-child-" + m + x,
         ops::RecordView{m + "view-child-" + x, m + x, model::ViewSubject::child, "Child's words", true, ""});
    seed(s, csw, "op-view-iro-" + m + x,
         ops::RecordView{m + "view-iro-" + x, m + x, model::ViewSubject::iro, "", false, "2026-11-27"});
  }
  seed(s, carer, "op-view-carer-" + x,
       ops::RecordView{"meet-view-carer-" + x, "meet-" + x, model::ViewSubject::carer, "Carer's words", false, ""});
  // The child's views with no choice made are professionals-only; shared by choice, they reach the carer.
  seed(s, csw, "op-view-child-default-" + x,
       ops::RecordView{"meet-view-child-default-" + x, "meet-" + x, model::ViewSubject::child, "Child's words", false,
                       ""});
  seed(s, csw, "op-view-child-shared-" + x,
       ops::RecordView{"meet-view-child-shared-" + x, "meet-" + x, model::ViewSubject::child, "Shared words", false, "",
                       true});
  seed(s, csw, "op-note-open-" + x, ops::AddAgendaNote{"note-open-" + x, "meet-" + x, "purpose", "Open note"});
  seed(s, csw, "op-note-pro-" + x,
       ops::AddAgendaNote{"note-pro-" + x, "meet-" + x, "undermining-factors", "Professionals' note", true, false});
  seed(s, csw, "op-note-child-" + x, ops::AddAgendaNote{"note-child-" + x, "meet-" + x, "child-views", "Child's note"});
  // Due long after any day this test runs, so that only the LADO task escalates.
  seed(s, csw, "op-act-" + x, ops::AddAction{"act-" + x, "meet-" + x, carer, "2099-01-10", "Book respite"});
  // An edit by someone who had not seen the action's text: a conflict.
  const auto conflicted = seed(s, ssw, "op-conflict-" + x, ops::EditAction{"act-" + x, "Book two weekends", {}, {}});
  EXPECT_EQ(conflicted.kind, ops::OutcomeKind::conflict);
  seed(s, csw, "op-concern-" + x, ops::RaiseConductConcern{"concern-" + x, "meet-" + x, "Concern"});
  // The LADO task's update (its note), and a conflict on its text: both derive from it.
  seed(s, csw, "op-lado-update-" + x,
       ops::UpdateActionStatus{"concern-" + x + ".lado", "lado-update-" + x, model::ActionStatus::open,
                               model::ActionStatus::in_progress, "Spoke to the LADO"});
  const auto lado_conflict = seed(s, ssw, "op-lado-conflict-" + x,
                                  ops::EditAction{"concern-" + x + ".lado", "Discuss with the LADO today", {}, {}});
  EXPECT_EQ(lado_conflict.kind, ops::OutcomeKind::conflict);
  seed(s, csw, "op-item-open-" + x,
       ops::AddSupportItem{"item-open-" + x, "meet-" + x, "respite", "Weekend", "Fostering", "monthly", false, false});
  seed(s, csw, "op-item-pro-" + x,
       ops::AddSupportItem{"item-pro-" + x, "meet-" + x, "camhs", "Consult", "CAMHS", "once", true, false});
  seed(s, csw, "op-item-panel-" + x,
       ops::AddSupportItem{"item-panel-" + x, "meet-" + x, "respite", "Agency", "Agency", "weekly", false, true});
  seed(s, csw, "op-item-fin-" + x,
       ops::AddSupportItem{"item-fin-" + x, "fin-" + x, "buddy", "A buddy", "Fostering", "weekly", false, false});
  seed(s, finaliser, "op-finalise-" + x, ops::FinaliseMinutes{"fin-" + x, "2027-01-19", ""});
}

// The prepared store, made once per test program and copied for each actor.
class PreparedStore {
 public:
  static const PreparedStore& get() {
    static PreparedStore instance;
    return instance;
  }
  fs::path data() const { return dir_.path / "data"; }
  fs::path tls() const { return dir_.path / "tls"; }

 private:
  PreparedStore() {
    auto store = server::ServerStore::create(server::DataPaths(data()));
    EXPECT_TRUE(psm::testing::succeeded(store));
    if (!store) return;
    EXPECT_TRUE(psm::testing::succeeded(server::import_reference_data(**store, kReference)));
    for (const auto& p : kPeople) {
      server::Account a{p.id, p.id, p.role, p.id, {}};
      EXPECT_TRUE(psm::testing::succeeded(server::add_user(**store, a, kPassword, crypto::kScryptTest)));
    }
    server::Metrics metrics;
    server::SyncService service(std::move(*store), metrics);
    seed_placement(service, "a");
    seed_placement(service, "b");
    // R8: the LADO tasks one working day overdue, so their supervising social
    // workers are told (a notification about a professionals-only record).
    auto task = service.backend().get(col::kActions, "concern-a.lado");
    const auto due = task ? policy::parse_date(task->value("due_date")) : std::nullopt;
    EXPECT_TRUE(due);
    if (!due) return;
    const auto today = policy::uk_date_of(policy::end_of_nth_working_day_after(policy::uk_end_of_day(*due), 1));
    EXPECT_EQ(service.escalate(today).notifications, 2u);
  }
  TempDir dir_;
};

// One actor's world: a copy of the prepared store served over TLS, and the
// actor's device, enrolled and synced.
struct ActorWorld {
  explicit ActorWorld(const std::string& person) {
    const auto& prepared = PreparedStore::get();
    fs::copy(prepared.data(), dir.path / "data", fs::copy_options::recursive);
    auto store = server::ServerStore::open(server::DataPaths(dir.path / "data"));
    EXPECT_TRUE(psm::testing::succeeded(store));
    if (!store) return;
    stack = std::make_unique<TlsStack>(std::move(*store), prepared.tls());
    device = stack->connect_and_enrol(person, std::string(kPassword));
  }
  bool ready() const { return device && device->replica && device->transport; }

  // Sends one operation as a modified client would: straight to the server,
  // without the device's own checks, over the device's authenticated
  // connection. Returns the server's answer.
  protocol::OpResult push(ops::Payload payload) {
    ops::Operation op;
    op.op_id = model::new_uuid_v7();
    op.device_id = *device->replica->meta("device_id");
    op.seq = ++seq_;
    op.hlc = clock_.tick();
    op.payload = std::move(payload);
    protocol::OpResult failed;
    failed.reason = "(no answer)";
    if (device->transport->send(protocol::encode(protocol::PushRequest{{op}}))) return failed;
    for (;;) {
      auto bytes = device->transport->receive(std::chrono::seconds(10));
      if (!bytes) return failed;
      auto message = protocol::decode(*bytes);
      if (!message) return failed;
      if (auto* response = std::get_if<protocol::PushResponse>(&*message)) {
        return response->results.size() == 1 ? response->results[0] : failed;
      }
      if (!std::holds_alternative<protocol::Poke>(*message)) return failed;
    }
  }

  TempDir dir;
  std::unique_ptr<TlsStack> stack;
  std::unique_ptr<TlsDevice> device;

 private:
  model::HlcClock clock_;
  std::uint64_t seq_ = 1000;
};

// ---- the operations ----------------------------------------------------------

// One column of the matrix: an operation aimed at one record. `make` builds
// the payload naming `target`; `a` is placement a's record, `b` the same
// record of placement b ("" when there is no such thing outside a scope, as
// for the Practice and Resources Panel's requests, which are authority-wide).
struct Case {
  const char* name;
  std::string a, b;
  std::function<ops::Payload(const std::string& target)> make;
};

std::vector<Case> cases() {
  using namespace ops;
  auto fresh = [] { return model::new_uuid_v7(); };
  std::vector<Case> c;
  auto add = [&c](const char* name, std::string a, std::string b, std::function<Payload(const std::string&)> make) {
    c.push_back({name, std::move(a), std::move(b), std::move(make)});
  };
  add("request-meeting", "pa", "pb", [fresh](const std::string& t) -> Payload {
    return RequestMeeting{fresh(), t, model::MeetingType::support, "Matrix", 0};
  });
  add("record-view (carer's)", "meet-a", "meet-b", [fresh](const std::string& t) -> Payload {
    return RecordView{fresh(), t, model::ViewSubject::carer, "Matrix", false, ""};
  });
  add("record-view (child's)", "meet-a", "meet-b", [fresh](const std::string& t) -> Payload {
    return RecordView{fresh(), t, model::ViewSubject::child, "Matrix", false, ""};
  });
  add("add-action", "meet-a", "meet-b", [fresh](const std::string& t) -> Payload {
    return AddAction{fresh(), t, "ssw-a", "2027-02-01", "Matrix"};
  });
  add("update-action (carer owns it)", "act-a", "act-b", [fresh](const std::string& t) -> Payload {
    return UpdateActionStatus{t, fresh(), model::ActionStatus::open, model::ActionStatus::in_progress, "Matrix"};
  });
  add("update-action (LADO task, professionals only)", "concern-a.lado", "concern-b.lado",
      [fresh](const std::string& t) -> Payload {
        return UpdateActionStatus{t, fresh(), model::ActionStatus::open, model::ActionStatus::in_progress, "Matrix"};
      });
  add("edit-action", "act-a", "act-b", [](const std::string& t) -> Payload {
    return EditAction{t, std::string("Matrix"), {}, {}};
  });
  add("resolve-conflict", "op-conflict-a.text", "op-conflict-b.text", [](const std::string& t) -> Payload {
    return ResolveConflict{t, ResolveConflict::Keep::current};
  });
  add("schedule-meeting", "req-a", "req-b", [](const std::string& t) -> Payload {
    return ScheduleMeeting{t, kMeetingAt, "Office", ""};
  });
  add("invite", "meet-a", "meet-b", [fresh](const std::string& t) -> Payload {
    return InviteAttendee{fresh(), t, "", "Teacher", "School"};
  });
  add("child-not-invited", "meet-a", "meet-b", [fresh](const std::string& t) -> Payload {
    return DecideChildNotInvited{fresh(), t, "Exams that day", "csw-a", "ssw-a"};
  });
  add("record-attendance", "meet-a.i1", "meet-b.i1", [](const std::string& t) -> Payload {
    return RecordAttendance{t, model::Attendance::apologies};
  });
  add("add-agenda-note", "meet-a", "meet-b", [fresh](const std::string& t) -> Payload {
    return AddAgendaNote{fresh(), t, "purpose", "Matrix"};
  });
  add("mark-permanence-match", "pa", "pb", [fresh](const std::string& t) -> Payload {
    return MarkPermanenceMatch{t, "2026-11-20", fresh()};
  });
  add("raise-conduct-concern", "meet-a", "meet-b", [fresh](const std::string& t) -> Payload {
    return RaiseConductConcern{fresh(), t, "Matrix"};
  });
  add("record-short-break", "pa", "pb", [fresh](const std::string& t) -> Payload {
    return RecordShortBreak{fresh(), t, "2026-12-05", "2026-12-06", "Relatives"};
  });
  add("add-support-item", "meet-a", "meet-b", [fresh](const std::string& t) -> Payload {
    return AddSupportItem{fresh(), t, "training", "Matrix", "Fostering", "once", false, false};
  });
  add("panel-decision", "item-panel-a", "", [](const std::string& t) -> Payload {
    return DecidePanelRequest{t, true, ""};
  });
  add("child-told-of-plan", "meet-a", "meet-b", [](const std::string& t) -> Payload {
    return RecordChildToldOfPlan{t, "2026-12-02"};
  });
  add("pre-disruption-outcome", "pre-a", "pre-b", [](const std::string& t) -> Payload {
    return RecordPreDisruptionOutcome{t, false, "", "", ""};
  });
  add("move-meeting", "pre-a", "pre-b", [](const std::string& t) -> Payload {
    return MoveMeeting{t, kMeetingAt + 3'600'000, ""};
  });
  add("record-held", "pre-a", "pre-b", [](const std::string& t) -> Payload {
    return RecordMeetingHeld{t, kMeetingAt, ""};
  });
  add("record-csw-report", "req-a", "req-b", [fresh](const std::string& t) -> Payload {
    return RecordCswReport{fresh(), t, "Matrix"};
  });
  add("change-chair", "req-a", "req-b", [fresh](const std::string& t) -> Payload {
    return ChangeChair{t, "sm", fresh()};
  });
  add("cancel-meeting", "req-a", "req-b", [](const std::string& t) -> Payload { return CancelMeeting{t, "Matrix"}; });
  // Last: finalising closes the meeting the columns above act on.
  add("finalise-minutes", "meet-a", "meet-b", [](const std::string& t) -> Payload {
    return FinaliseMinutes{t, "2027-01-19", ""};
  });
  return c;
}

// Adding an operation to ops::Payload fails this check until it has a column
// (and a letter in every row); the test also checks at run time that every
// alternative of the variant is some column's payload.
static_assert(std::variant_size_v<ops::Payload> == 24,
              "a new operation needs its column in cases() and in every row of kExpected");

// ---- the expected matrix, by hand --------------------------------------------
//
//   A  allowed (accepted, or accepted with a conflict kept for review)
//   P  refused: this role may not (permission_denied), though the record is visible
//   N  refused as "not found" — exactly as for an id that does not exist
//
// Columns, in cases() order:
//   1 request-meeting       2 view (carer's)   3 view (child's)    4 add-action
//   5 update own action     6 update LADO task 7 edit-action       8 resolve-conflict
//   9 schedule-meeting     10 invite          11 child-not-invited 12 attendance
//  13 agenda-note          14 permanence      15 conduct concern  16 short break
//  17 support item         18 panel decision  19 child told       20 pre-disruption outcome
//  21 move-meeting       22 record-held     23 CSW's report     24 change-chair
//  25 cancel-meeting     26 finalise-minutes
//
// Why, from the seeds: R1 only the carer, the child's social worker and the SSW
// ask for a meeting; a carer records their own (and birth children's) views,
// not the child's; actions, plans, invitations, attendance, agenda notes,
// concerns and outcomes are the professionals' (a carer may update an action
// they own); R4 an in-house meeting is arranged by the SSW or the Fostering
// TM; R6 the minutes are finalised by the chair (the Fostering TM), the
// booked minute taker or the SSW; R11 only the panel decides; R13 the LADO
// task never reaches the carer. Meetings are moved or cancelled by whoever
// arranges them (and the managers), recorded as held by the chair, the minute
// taker, the SSW or a manager; S1 3.2 a manager chairs; S1 3.3 the child's
// social worker writes the report to the chair. Scope (docs/security.md "Need to know"): the
// "-b" people, the LADO, the panel and a minute taker see nothing of child a.
struct Row {
  const char* person;
  const char* verdicts;  // one letter per column, spaces ignored
  bool sees_b;           // whether placement b is in this person's scopes (by hand)
};
//                          1234 5678 9012 3456 7890 1234 56
constexpr Row kExpected[] = {
    {"carer-a", "AAPP ANPP PPPP PPPP PNPP PPPP PP", false},
    {"carer-b", "NNNN NNNN NNNN NNNN NNNN NNNN NN", true},
    {"csw-a", "AAAA AAAA PAAA AAAA ANAA APAP AP", false},  // 22, 26: not the chair, minute taker or SSW
    {"csw-b", "NNNN NNNN NNNN NNNN NNNN NNNN NN", true},
    {"ssw-a", "AAAA AAAA AAAA AAAA ANAA AAPP AA", false},
    {"ssw-b", "NNNN NNNN NNNN NNNN NNNN NNNN NN", true},
    {"ftm-a", "PAAA AAAA AAAA AAAA ANAA AAAA AA", false},    // chairs: finalises
    {"ftm-b", "NNNN NNNN NNNN NNNN NNNN NNNN NN", true},     // another fostering team
    {"clatm-a", "PAAA AAAA PAAA AAAA ANAA AAAA AP", false},  // sees a: the child's social worker is in the team
    {"clatm-b", "NNNN NNNN NNNN NNNN NNNN NNNN NN", true},
    {"iro-a", "PAAA AAAA PAAA AAAA ANAA PPPP PP", false},
    {"iro-b", "NNNN NNNN NNNN NNNN NNNN NNNN NN", true},
    {"sm", "PAAA AAAA PAAA AAAA ANAA AAAA AP", true},
    {"senior", "PAAA AAAA PAAA AAAA ANAA AAAA AP", true},
    {"admin", "PAAA AAAA PAAA AAAA ANAA PPPP PP", true},
    {"panel", "NNNN NNNN NNNN NNNN NANN NNNN NN", false},  // the panel's requests only
    // Grants (docs/security.md): the LADO acts on each concern's LADO task,
    // b's too (so b is not checked as unseen); the minute taker booked for
    // a's meetings acts on them (attendance, views, actions, finalising), not
    // on the placement, a concern's task, a conflict or the unbooked req-a
    // (so moves and records pre-a held, as its minute taker, but not req-a's
    // report, chair or cancelling).
    {"lado", "NNNN NANN NNNN NNNN NNNN NNNN NN", true},
    {"minutes", "NAAA ANAN NAAA ANAN ANAA AANN NA", false},
};
static_assert(std::size(kExpected) == std::size(kPeople), "a row for every person");

std::string letters(const char* verdicts) {
  std::string out;
  for (const char* p = verdicts; *p; ++p) {
    if (*p != ' ') out += *p;
  }
  return out;
}

char verdict_of(const protocol::OpResult& r) {
  if (static_cast<ops::OutcomeKind>(r.kind) != ops::OutcomeKind::rejected) return 'A';
  switch (static_cast<Errc>(r.error)) {
    case Errc::permission_denied:
      return 'P';
    case Errc::not_found:
      return 'N';
    default:
      return '?';  // refused for another reason: shown in the report
  }
}

// The reason with the named id blanked, to compare a refusal about a real
// record with one about a made-up id.
std::string without(std::string text, const std::string& id) {
  for (auto at = text.find(id); !id.empty() && at != std::string::npos; at = text.find(id, at)) {
    text.replace(at, id.size(), "<id>");
  }
  return text;
}

TEST(AccessMatrix, EveryRoleAgainstEveryOperation_OverRealConnections_IsExactlyTheAllowedSet) {
  const auto columns = cases();
  std::set<std::size_t> covered;
  for (const auto& c : columns) covered.insert(c.make(c.a).index());
  ASSERT_EQ(covered.size(), std::variant_size_v<ops::Payload>) << "an operation has no column in the matrix";
  ASSERT_EQ(letters(kExpected[0].verdicts).size(), columns.size());

  std::ostringstream table, problems;
  table << "\nrole × operation on child a's records (expected/actual where they differ):\n";
  table << "            ";
  for (std::size_t i = 1; i <= columns.size(); ++i) table << i % 10;
  table << "\n";
  for (const auto& row : kExpected) {
    const std::string expected = letters(row.verdicts);
    ActorWorld world(row.person);
    ASSERT_TRUE(world.ready()) << row.person;
    std::string actual;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const auto& c = columns[i];
      const auto result = world.push(c.make(c.a));
      actual += verdict_of(result);
      if (actual.back() != expected[i]) {
        problems << row.person << " / " << c.name << ": expected " << expected[i] << ", got " << actual.back() << " ("
                 << result.reason << ")\n";
      }
      // Out of scope must look exactly like an id that does not exist: same
      // code, same words.
      auto same_as_missing = [&](const protocol::OpResult& seen, const std::string& target, const char* what) {
        const std::string missing_id = "no-such-" + model::new_uuid_v7();
        const auto missing = world.push(c.make(missing_id));
        if (verdict_of(missing) != 'N') {
          problems << c.name << ": a made-up id was not refused as not found (" << missing.reason << ")\n";
        }
        if (seen.error != missing.error || without(seen.reason, target) != without(missing.reason, missing_id)) {
          problems << row.person << " / " << c.name << " on " << what << ": \"" << seen.reason
                   << "\" differs from the answer for a made-up id: \"" << missing.reason << "\"\n";
        }
      };
      if (expected[i] == 'N') same_as_missing(result, c.a, "child a");
      if (!row.sees_b && !c.b.empty()) {
        const auto other = world.push(c.make(c.b));
        if (verdict_of(other) != 'N') {
          problems << row.person << " / " << c.name << " on child b (outside their scopes): got " << verdict_of(other)
                   << " (" << other.reason << ")\n";
        }
        same_as_missing(other, c.b, "child b");
      }
    }
    table << "  " << row.person << std::string(10 - std::string(row.person).size(), ' ') << expected;
    if (actual != expected) table << "  ≠ actual " << actual;
    table << "\n";
  }
  for (std::size_t i = 0; i < columns.size(); ++i) table << "  " << i + 1 << " " << columns[i].name << "\n";
  EXPECT_TRUE(problems.str().empty()) << problems.str() << table.str();
}

// ---- the listings ------------------------------------------------------------

using Listing = std::map<std::string, std::set<std::string>>;  // collection → ids

void add(Listing& l, std::string_view collection, std::initializer_list<std::string> ids) {
  for (const auto& id : ids) l[std::string(collection)].insert(id);
}

// What a carer of placement x holds of it, and what only professionals hold.
Listing shared_records(const std::string& x) {
  Listing l;
  add(l, col::kChildren, {"c" + x});
  add(l, col::kPlacements, {"p" + x});
  add(l, col::kHouseholds, {"h" + x});
  add(l, col::kPeople, {"carer-" + x});
  // R6: finalising fin-x's minutes made the review meeting and the action to arrange it.
  add(l, col::kMeetings, {"meet-" + x, "req-" + x, "pre-" + x, "fin-" + x, "op-finalise-" + x + ".review"});
  add(l, col::kViews,
      {"meet-view-carer-" + x, "meet-view-iro-" + x, "fin-view-iro-" + x, "meet-view-child-shared-" + x});
  add(l, col::kAgendaNotes, {"note-open-" + x});
  add(l, col::kActions, {"act-" + x, "op-finalise-" + x + ".review.arrange"});
  add(l, col::kConflicts, {"op-conflict-" + x + ".text"});
  add(l, col::kSupportItems, {"item-open-" + x, "item-panel-" + x, "item-fin-" + x});
  add(l, col::kPlanCopies, {"fin-" + x + ".plan"});
  for (const std::string m : {"meet-", "pre-", "fin-"}) {
    add(l, col::kInvitations,
        {m + x + ".i1", m + x + ".i2", m + x + ".i3", m + x + ".i4", m + x + ".i5", m + x + ".child"});
    // S1 3.5: a's booked minute taker is invited; b's (IFA) is its chair, invited already.
    if (x == "a") add(l, col::kInvitations, {m + x + ".i6"});
  }
  return l;
}

// What the minute taker booked for a's meetings holds by the grant: those
// meetings and their records, with the names; not req-a, not the concern.
Listing minute_taker_records() {
  Listing l;
  add(l, col::kChildren, {"ca"});
  add(l, col::kPlacements, {"pa"});
  add(l, col::kHouseholds, {"ha"});
  add(l, col::kMeetings, {"meet-a", "pre-a", "fin-a"});
  for (const std::string m : {"meet-a", "pre-a", "fin-a"}) {
    add(l, col::kInvitations, {m + ".i1", m + ".i2", m + ".i3", m + ".i4", m + ".i5", m + ".i6", m + ".child"});
  }
  add(l, col::kViews,
      {"meet-view-carer-a", "meet-view-iro-a", "fin-view-iro-a", "meet-view-child-shared-a", "meet-view-child-a",
       "fin-view-child-a", "meet-view-child-default-a"});
  add(l, col::kAgendaNotes, {"note-open-a", "note-pro-a", "note-child-a"});
  add(l, col::kActions, {"act-a"});
  add(l, col::kSupportItems, {"item-open-a", "item-panel-a", "item-fin-a", "item-pro-a"});
  return l;
}

// What a LADO holds by the grants: each concern, its task, its meeting and the names.
Listing lado_records() {
  Listing l;
  for (const std::string x : {"a", "b"}) {
    add(l, col::kChildren, {"c" + x});
    add(l, col::kPlacements, {"p" + x});
    add(l, col::kHouseholds, {"h" + x});
    add(l, col::kMeetings, {"meet-" + x});
    add(l, col::kConcerns, {"concern-" + x});
    add(l, col::kActions, {"concern-" + x + ".lado"});
  }
  return l;
}
Listing professionals_only_records(const std::string& x) {
  Listing l;
  add(l, col::kViews, {"meet-view-child-" + x, "fin-view-child-" + x, "meet-view-child-default-" + x});
  add(l, col::kActions, {"concern-" + x + ".lado"});
  add(l, col::kActionUpdates, {"lado-update-" + x});
  add(l, col::kConflicts, {"op-lado-conflict-" + x + ".text"});
  add(l, col::kAgendaNotes, {"note-pro-" + x, "note-child-" + x});
  add(l, col::kConcerns, {"concern-" + x});
  add(l, col::kSupportItems, {"item-pro-" + x});
  return l;
}

void merge_into(Listing& into, const Listing& from) {
  for (const auto& [c, ids] : from) into[c].insert(ids.begin(), ids.end());
}

// Notifications, as "kind@meeting", by hand from R1/R8/R9/R11/R13.
std::set<std::string> inbox_of(const std::string& person) {
  auto meetings_requested = [](const std::string& x) {
    return std::set<std::string>{"meeting-requested@meet-" + x, "meeting-requested@req-" + x,
                                 "meeting-requested@pre-" + x, "meeting-requested@fin-" + x};
  };
  // R4/R5: the bookings, to everyone invited with an account but the one who
  // booked (a: the SSW; b: the CLA TM, who also minutes), and a's minute taker.
  auto booked = [](const std::string& x) {
    return std::set<std::string>{"meeting-booked@meet-" + x, "meeting-booked@pre-" + x, "meeting-booked@fin-" + x};
  };
  auto with = [](std::set<std::string> a, const std::set<std::string>& b) {
    a.insert(b.begin(), b.end());
    return a;
  };
  if (person == "ftm-a") return with(meetings_requested("a"), booked("a"));  // R1: the placement's team manager
  if (person == "clatm-b") return meetings_requested("b");
  // R8: the LADO task, overdue; R1: the carer's request, which the SSW convenes.
  if (person == "ssw-a") return {"action-overdue@meet-a", "meeting-requested@req-a"};
  if (person == "ssw-b") return with({"action-overdue@meet-b", "meeting-requested@req-b"}, booked("b"));
  if (person == "iro-a") return with({"minutes-finalised@fin-a"}, booked("a"));  // R9
  if (person == "iro-b") return with({"minutes-finalised@fin-b"}, booked("b"));
  if (person == "carer-a" || person == "csw-a" || person == "minutes") return booked("a");
  if (person == "carer-b" || person == "csw-b") return booked("b");
  if (person == "sm") {  // R9: every support meeting, S2 §4: every pre-disruption meeting; R13
    return {"support-meeting@meet-a",  "support-meeting@req-a",  "support-meeting@fin-a", "support-meeting@meet-b",
            "support-meeting@req-b",   "support-meeting@fin-b",  "lado-referral@meet-a",  "lado-referral@meet-b",
            "meeting-requested@pre-a", "meeting-requested@pre-b"};
  }
  if (person == "lado") return {"lado-referral@meet-a", "lado-referral@meet-b"};         // R13
  if (person == "panel") return {"resource-request@meet-a", "resource-request@meet-b"};  // R11
  return {};
}

Listing expected_listing(const std::string& person) {
  Listing l;
  const bool a = person == "carer-a" || person == "csw-a" || person == "ssw-a" || person == "ftm-a" ||
                 person == "clatm-a" || person == "iro-a";
  const bool b = person == "carer-b" || person == "csw-b" || person == "ssw-b" || person == "ftm-b" ||
                 person == "clatm-b" || person == "iro-b";
  const bool everything = person == "sm" || person == "senior" || person == "admin";
  const bool carer = person.rfind("carer-", 0) == 0;
  if (a || everything) merge_into(l, shared_records("a"));
  if (b || everything) merge_into(l, shared_records("b"));
  if (!carer && (a || everything)) merge_into(l, professionals_only_records("a"));
  if (!carer && (b || everything)) merge_into(l, professionals_only_records("b"));
  if (person == "panel") add(l, col::kPanelRequests, {"item-panel-a", "item-panel-b"});
  if (person == "minutes") merge_into(l, minute_taker_records());
  if (person == "lado") merge_into(l, lado_records());
  return l;
}

// The collections compared: every one a person's work lands in. People and
// settings are compared for carers only (professionals share the directory).
constexpr std::string_view kListed[] = {
    col::kChildren,      col::kPlacements,   col::kHouseholds,    col::kMeetings,   col::kViews,       col::kActions,
    col::kActionUpdates, col::kConflicts,    col::kInvitations,   col::kDecisions,  col::kAgendaNotes, col::kConcerns,
    col::kShortBreaks,   col::kSupportItems, col::kPanelRequests, col::kPlanCopies,
};

// Notifications about professionals-only records: the conduct concerns
// (R13), the panel's requests (R11) and the overdue LADO tasks (R8).
bool about_professionals_only(const model::Record& n) {
  const auto kind = n.value("kind");
  return kind == "lado-referral" || kind == "resource-request" || kind == "panel-decision" ||
         (kind == "action-overdue" && n.value("action_id").ends_with(".lado"));
}

std::string describe(const std::set<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : " ") + id;
  return out.empty() ? "(none)" : out;
}

TEST(AccessMatrix, EveryRolesReplica_AfterAPull_HoldsExactlyTheExpectedRecords) {
  std::ostringstream problems;
  for (const auto& person : kPeople) {
    ActorWorld world(person.id);
    ASSERT_TRUE(world.ready()) << person.id;
    auto& replica = *world.device->replica;
    const Listing expected = expected_listing(person.id);
    Listing only;  // what this person holds that must be marked professionals-only
    merge_into(only, professionals_only_records("a"));
    merge_into(only, professionals_only_records("b"));
    only[std::string(col::kPanelRequests)] = {"item-panel-a", "item-panel-b"};
    for (auto collection : kListed) {
      std::set<std::string> held;
      for (const auto& r : replica.list(collection)) {
        held.insert(r.id);
        if (person.role == Role::foster_carer && r.professionals_only) {
          problems << person.id << " holds professionals-only " << collection << "/" << r.id << "\n";
        }
        // The flag travels with the record: one derived from a professionals-only record is marked so.
        if (r.professionals_only != (only[std::string(collection)].count(r.id) > 0)) {
          problems << person.id << " holds " << collection << "/" << r.id << " marked professionals-only "
                   << (r.professionals_only ? "yes" : "no") << "\n";
        }
      }
      const auto it = expected.find(std::string(collection));
      const std::set<std::string> wanted = it == expected.end() ? std::set<std::string>{} : it->second;
      if (held != wanted) {
        problems << person.id << " / " << collection << ":\n    expected " << describe(wanted) << "\n    holds    "
                 << describe(held) << "\n";
      }
    }
    // Carers: of the people, only their own household's carers; never another carer.
    if (person.role == Role::foster_carer) {
      for (const auto& other : {"carer-a", "carer-b"}) {
        const bool mine = other == std::string(person.id);
        if (replica.get(col::kPeople, other).has_value() != mine) {
          problems << person.id << (mine ? " lacks their own person record" : " holds another carer, ") << other
                   << "\n";
        }
      }
    }
    std::set<std::string> inbox;
    for (const auto& n : replica.list(col::kNotifications)) {
      inbox.insert(n.value("kind") + "@" + n.value("meeting_id"));
      if (n.value("recipient_id") != person.id)
        problems << person.id << " holds another's notification " << n.id << "\n";
      if (n.professionals_only != about_professionals_only(n)) {
        problems << person.id << " holds notification " << n.id << " (" << n.value("kind")
                 << ") marked professionals-only " << (n.professionals_only ? "yes" : "no") << "\n";
      }
    }
    if (inbox != inbox_of(person.id)) {
      problems << person.id << " / notifications:\n    expected " << describe(inbox_of(person.id)) << "\n    holds    "
               << describe(inbox) << "\n";
    }
  }
  EXPECT_TRUE(problems.str().empty()) << problems.str();
}

}  // namespace
}  // namespace psm::testing
