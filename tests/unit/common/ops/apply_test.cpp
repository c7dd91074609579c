#include "common/ops/apply.hpp"

#include "common/policy/access.hpp"

#include <gtest/gtest.h>

#include <map>

namespace psm::ops {
namespace {

using model::Hlc;
using model::Record;
using model::Role;
namespace col = model::collection;

// An in-memory state with one in-house placement.
class MemoryState : public StateReader {
 public:
  MemoryState() {
    const model::Version v{Hlc::from(1, 0), "server"};
    add(person("carer-1", "foster-carer", v));
    add(person("csw-1", "child-social-worker", v));
    add(person("ssw-1", "supervising-social-worker", v));
    add(person("ftm-1", "fostering-team-manager", v));
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
  std::optional<Record> get(std::string_view c, std::string_view id) const override {
    auto it = records_.find({std::string(c), std::string(id)});
    if (it == records_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<Record> list_in_scope(std::string_view c, std::string_view scope) const override {
    std::vector<Record> out;
    for (const auto& [key, r] : records_) {
      if (r.collection == c && r.scope == scope) out.push_back(r);
    }
    return out;
  }
  void add(const Record& r) { records_[{r.collection, r.id}] = r; }
  void apply_writes(const Outcome& o) {
    for (const auto& w : o.writes) add(w);
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
  std::map<std::pair<std::string, std::string>, Record> records_;
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
  ApplyContext as(const std::string& person, Role role) {
    return {{person, role}, 1'700'000'000'000ull, [](std::string_view) { return true; }};
  }
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
  auto no_date = run(AddAction{"a1", "m1", "carer-1", "next week", "Attend training"}, "ssw-1",
                     Role::supervising_social_worker);
  EXPECT_EQ(no_date.code, Errc::invalid_argument);
  auto unknown_owner = run(AddAction{"a1", "m1", "nobody", "2026-12-01", "Attend training"}, "ssw-1",
                           Role::supervising_social_worker);
  EXPECT_EQ(unknown_owner.code, Errc::invalid_argument);
  auto ok = run(AddAction{"a1", "m1", "carer-1", "2026-12-01", "Attend training"}, "ssw-1",
                Role::supervising_social_worker);
  EXPECT_EQ(ok.kind, OutcomeKind::accepted) << ok.reason;
}

class ActionTest : public ApplyTest {
 protected:
  void SetUp() override {
    run(RequestMeeting{"m1", "p1", model::MeetingType::support, "x", 0}, "ssw-1", Role::supervising_social_worker);
    ASSERT_TRUE(run(AddAction{"a1", "m1", "carer-1", "2026-12-01", "Attend training"}, "ssw-1",
                    Role::supervising_social_worker)
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
  auto o = run(UpdateActionStatus{"a1", "u2", model::ActionStatus::open, model::ActionStatus::cancelled, "No longer needed"},
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
  auto resolve = run(ResolveConflict{conflict->id, ResolveConflict::Keep::other}, "ssw-1", Role::supervising_social_worker);
  ASSERT_TRUE(resolve.ok()) << resolve.reason;
  EXPECT_EQ(state_.get(col::kActions, "a1")->value("text"), "Attend the two-day training");
  EXPECT_EQ(state_.get(col::kConflicts, conflict->id)->value("status"), "resolved");
}

TEST_F(ActionTest, RecordView_CarerCannotRecordTheChildsViews) {
  auto o = run(RecordView{"v1", "m1", model::ViewSubject::child, "text", false}, "carer-1", Role::foster_carer);
  EXPECT_EQ(o.code, Errc::permission_denied);
  auto mine = run(RecordView{"v2", "m1", model::ViewSubject::carer, "We are tired", false}, "carer-1", Role::foster_carer);
  EXPECT_TRUE(mine.ok());
}

TEST_F(ActionTest, ProfessionalsOnlyView_IsInvisibleToCarer) {
  ASSERT_TRUE(run(RecordView{"v1", "m1", model::ViewSubject::child, "I want to stay", true}, "csw-1",
                  Role::child_social_worker)
                  .ok());
  EXPECT_TRUE(state_.get(col::kViews, "v1")->professionals_only);
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
  EXPECT_EQ(problem->first, Errc::unsupported_version);
}

}  // namespace
}  // namespace psm::ops
