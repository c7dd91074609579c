#include "client/replica/replica.hpp"

#include "common/platform/platform.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>

#include <random>

namespace psm::client {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
namespace col = model::collection;

model::Record placement() {
  model::Record p;
  p.collection = col::kPlacements;
  p.id = "p1";
  p.scope = "placement:p1";
  p.set("child_id", "c1", {model::Hlc::from(1, 0), "server"});
  p.set("household_id", "h1", {model::Hlc::from(1, 0), "server"});
  return p;
}

std::unique_ptr<Replica> enrolled_replica(const HomePaths& home) {
  auto r = Replica::create(home, "a passphrase", crypto::kScryptTest);
  EXPECT_TRUE(r);
  (*r)->set_meta("device_id", "device-1");
  (*r)->set_meta("person_id", "carer-1");
  (*r)->set_meta("role", "foster-carer");
  protocol::PullResponse page;
  page.records.push_back(placement());
  page.cursor = 1;
  page.scopes = {"placement:p1"};
  (*r)->apply_pull(page);
  return std::move(*r);
}

TEST(Replica, Open_WithWrongPassphrase_FailsAndChangesNoFile) {
  TempDir t;
  HomePaths home(t.path);
  enrolled_replica(home).reset();
  const auto db_before = platform::read_file(home.replica()).value();
  const auto key_before = platform::read_file(home.wrapped_key()).value();
  auto r = Replica::open(home, "wrong passphrase");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::wrong_passphrase);
  EXPECT_EQ(platform::read_file(home.replica()).value(), db_before);
  EXPECT_EQ(platform::read_file(home.wrapped_key()).value(), key_before);
  EXPECT_TRUE(Replica::open(home, "a passphrase"));
}

TEST(Replica, ChangePassphrase_ReWrapsWithoutTouchingTheDatabase) {
  TempDir t;
  HomePaths home(t.path);
  enrolled_replica(home).reset();
  const auto db_before = platform::read_file(home.replica()).value();
  ASSERT_FALSE(Replica::change_passphrase(home, "a passphrase", "another passphrase"));
  EXPECT_EQ(platform::read_file(home.replica()).value(), db_before);
  EXPECT_EQ(Replica::open(home, "a passphrase").error(), Errc::wrong_passphrase);
  auto r = Replica::open(home, "another passphrase");
  ASSERT_TRUE(r);
  EXPECT_TRUE((*r)->get(col::kPlacements, "p1"));
}

TEST(Replica, Submit_RefusedOffline_StoresNothing) {
  TempDir t;
  auto r = enrolled_replica(HomePaths(t.path));
  auto o = r->submit(ops::RequestMeeting{"m1", "no-such-placement", model::MeetingType::support, "x", 0});
  EXPECT_EQ(o.code, Errc::not_found);
  EXPECT_EQ(r->pending_count(), 0u);
  EXPECT_TRUE(r->outbox().empty());
}

TEST(Replica, Submit_QueuesWithIncreasingSequenceAndShowsAtOnce) {
  TempDir t;
  auto r = enrolled_replica(HomePaths(t.path));
  ASSERT_TRUE(r->submit(ops::RequestMeeting{"m1", "p1", model::MeetingType::support, "first", 0}).ok());
  ASSERT_TRUE(r->submit(ops::RequestMeeting{"m2", "p1", model::MeetingType::pre_disruption, "second", 0}).ok());
  auto out = r->outbox();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].op.seq, 1u);
  EXPECT_EQ(out[1].op.seq, 2u);
  EXPECT_LT(out[0].op.hlc, out[1].op.hlc);
  EXPECT_EQ(r->get(col::kMeetings, "m2")->value("type"), "pre-disruption");
}

TEST(Replica, RejectedResult_RemovesOnlyThatOperationsEffects) {
  TempDir t;
  auto r = enrolled_replica(HomePaths(t.path));
  ASSERT_TRUE(r->submit(ops::RequestMeeting{"m1", "p1", model::MeetingType::support, "first", 0}).ok());
  ASSERT_TRUE(r->submit(ops::RequestMeeting{"m2", "p1", model::MeetingType::support, "second", 0}).ok());
  auto out = r->outbox();
  protocol::OpResult rejected{out[0].op_id, 2, static_cast<std::uint16_t>(Errc::rule_violation),
                              "placement p1 has ended"};
  r->record_results({rejected});
  EXPECT_FALSE(r->get(col::kMeetings, "m1"));
  EXPECT_TRUE(r->get(col::kMeetings, "m2"));  // still pending, still shown
  auto refused = r->outbox(OpState::rejected);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].reason, "placement p1 has ended");
}

TEST(Replica, PendingOperations_AreTheOldestUnansweredOnes_SentOrQueued_UpToTheLimit) {
  TempDir t;
  auto r = enrolled_replica(HomePaths(t.path));
  for (int i = 1; i <= 6; ++i) {
    ASSERT_TRUE(
        r->submit(ops::RequestMeeting{"m" + std::to_string(i), "p1", model::MeetingType::support, "r", 0}).ok());
  }
  auto out = r->outbox();
  // 1 and 3 answered, 2 sent and waiting for its answer, 4-6 queued.
  r->mark_sent({out[0].op_id, out[1].op_id, out[2].op_id});
  r->record_results(
      {{out[0].op_id, 0, 0, ""}, {out[2].op_id, 2, static_cast<std::uint16_t>(Errc::rule_violation), "no"}});
  auto seqs = [](const std::vector<ops::Operation>& ops) {
    std::vector<std::uint64_t> s;
    for (const auto& op : ops) s.push_back(op.seq);
    return s;
  };
  EXPECT_EQ(seqs(r->pending_operations(10)), (std::vector<std::uint64_t>{2, 4, 5, 6}));
  EXPECT_EQ(seqs(r->pending_operations(2)), (std::vector<std::uint64_t>{2, 4}));
  r->record_results(
      {{out[1].op_id, 0, 0, ""}, {out[3].op_id, 0, 0, ""}, {out[4].op_id, 0, 0, ""}, {out[5].op_id, 0, 0, ""}});
  EXPECT_TRUE(r->pending_operations(10).empty());
}

TEST(Replica, Pull_PurgesScopesTheDeviceLost) {
  TempDir t;
  auto r = enrolled_replica(HomePaths(t.path));
  ASSERT_TRUE(r->get(col::kPlacements, "p1"));
  protocol::PullResponse page;
  page.cursor = 2;
  page.scopes = {};  // the placement ended: no longer this carer's
  r->apply_pull(page);
  EXPECT_FALSE(r->get(col::kPlacements, "p1"));
  EXPECT_EQ(r->record_count(), 0u);
}

TEST(Replica, Open_DamagedDatabase_IsCorruptDataAndChangesNoFile) {
  TempDir t;
  HomePaths home(t.path);
  enrolled_replica(home).reset();
  fs::resize_file(home.replica(), fs::file_size(home.replica()) / 2);
  const auto db_before = platform::read_file(home.replica()).value();
  auto r = Replica::open(home, "a passphrase");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::corrupt_data);
  EXPECT_EQ(platform::read_file(home.replica()).value(), db_before);
}

TEST(Replica, Open_DamagedDatabase_SaysItIsTheDatabaseFile) {
  TempDir t;
  HomePaths home(t.path);
  enrolled_replica(home).reset();
  fs::resize_file(home.replica(), fs::file_size(home.replica()) / 2);
  fs::path damaged;
  auto r = Replica::open(home, "a passphrase", &damaged);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::corrupt_data);
  EXPECT_EQ(damaged, home.replica());
}

TEST(Replica, Open_DamagedKeyFile_IsCorruptDataNamingTheKeyFile_NotWrongPassphrase) {
  TempDir t;
  HomePaths home(t.path);
  enrolled_replica(home).reset();
  const auto original = platform::read_file(home.wrapped_key()).value();
  auto changed = original;
  const auto at = changed.find("\"wrapped_key\":\"") + 20;
  changed[at] = changed[at] == '0' ? '1' : '0';
  for (const auto& bytes : {changed, original.substr(0, original.size() - 10), std::string()}) {
    ASSERT_FALSE(platform::write_private_file(home.wrapped_key(), bytes));
    fs::path damaged;
    auto r = Replica::open(home, "a passphrase", &damaged);
    ASSERT_FALSE(r) << bytes;
    EXPECT_EQ(r.error(), Errc::corrupt_data) << bytes;
    EXPECT_EQ(damaged, home.wrapped_key()) << bytes;
  }
  ASSERT_FALSE(platform::write_private_file(home.wrapped_key(), original));
  EXPECT_TRUE(Replica::open(home, "a passphrase"));
}

TEST(Replica, Create_EveryFileIsItsOwnersAlone) {
  TempDir t;
  HomePaths home(t.path / "home");
  enrolled_replica(home).reset();
  ASSERT_TRUE(Replica::open(home, "a passphrase"));
  for (const auto& entry : fs::directory_iterator(home.root)) {
    const auto perms = fs::status(entry.path()).permissions();
    EXPECT_EQ(perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none) << entry.path();
  }
  EXPECT_EQ(fs::status(home.root).permissions() & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
}

TEST(Replica, ServerRestored_AnsweredOperationsQueuedAgain_UnsentKept_ServerCopiesDropped) {
  TempDir t;
  auto r = enrolled_replica(HomePaths(t.path));
  r->set_meta("server_epoch", "epoch-1");
  ASSERT_TRUE(r->submit(ops::RequestMeeting{"m1", "p1", model::MeetingType::support, "accepted", 0}).ok());
  ASSERT_TRUE(r->submit(ops::RequestMeeting{"m2", "p1", model::MeetingType::support, "refused", 0}).ok());
  ASSERT_TRUE(r->submit(ops::RequestMeeting{"m3", "p1", model::MeetingType::support, "unsent", 0}).ok());
  auto out = r->outbox();
  r->record_results({{out[0].op_id, 0, 0, ""},
                     {out[1].op_id, 2, static_cast<std::uint16_t>(Errc::rule_violation), "placement p1 has ended"}});
  ASSERT_EQ(r->pending_count(), 1u);

  EXPECT_EQ(r->start_over_after_server_restore("epoch-2"), 1u);
  auto after = r->outbox();
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0].state, OpState::queued);    // accepted before: sent again
  EXPECT_EQ(after[1].state, OpState::rejected);  // its refusal was reported; not re-sent
  EXPECT_EQ(after[2].state, OpState::queued);    // never sent: untouched
  EXPECT_EQ(r->pending_count(), 2u);
  EXPECT_EQ(r->cursor(), 0u);
  EXPECT_TRUE(r->known_scopes().empty());
  EXPECT_FALSE(r->get(col::kPlacements, "p1"));  // pulled afresh next
  EXPECT_EQ(r->meta("server_epoch"), "epoch-2");
}

TEST(Replica, Wipe_RemovesKeyAndDatabase) {
  TempDir t;
  HomePaths home(t.path);
  enrolled_replica(home).reset();
  ASSERT_FALSE(Replica::wipe(home));
  EXPECT_FALSE(fs::exists(home.wrapped_key()));
  EXPECT_FALSE(fs::exists(home.replica()));
  EXPECT_EQ(Replica::open(home, "a passphrase").error(), Errc::not_enrolled);
}

}  // namespace
}  // namespace psm::client
