// Randomised, seeded histories of several devices working offline at once,
// syncing in random order over a connection that drops messages and loses
// answers. After everyone has synced, every replica must equal what the
// server holds for its user, and nothing anyone did may be missing.
// A failing seed is printed; rerun one with PSM_CONVERGENCE_SEED=N.
#include "support/world.hpp"

#include "common/model/ids.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace psm::testing {
namespace {

namespace col = model::collection;
using client::OpState;

constexpr std::string_view kCollections[] = {
    col::kPeople,        col::kHouseholds,    col::kChildren,  col::kPlacements,  col::kMeetings,     col::kViews,
    col::kActions,       col::kActionUpdates, col::kConflicts, col::kInvitations, col::kDecisions,    col::kAgendaNotes,
    col::kNotifications, col::kSettings,      col::kConcerns,  col::kShortBreaks, col::kSupportItems, col::kPlanCopies};

struct Sim {
  explicit Sim(std::uint64_t seed) : rng(seed) {}
  std::mt19937_64 rng;
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng() % n); }
  bool chance(int percent) { return static_cast<int>(rng() % 100) < percent; }
};

template <class T>
const T* any_of(Sim& sim, const std::vector<T>& v) {
  return v.empty() ? nullptr : &v[sim.pick(v.size())];
}

void random_local_work(Sim& sim, Device& d) {
  auto& r = *d.replica;
  const auto role = r.actor().role;
  const auto meetings = r.list(col::kMeetings);
  const auto actions = r.list(col::kActions);
  switch (sim.pick(12)) {
    case 0: {
      auto placements = r.list(col::kPlacements);
      if (auto* p = any_of(sim, placements)) {
        (void)r.submit(
            ops::RequestMeeting{model::new_uuid_v7(), p->id,
                                sim.chance(50) ? model::MeetingType::support : model::MeetingType::pre_disruption,
                                "reason " + std::to_string(sim.rng()), 0});
      }
      break;
    }
    case 1:
      if (auto* m = any_of(sim, meetings)) {
        auto subject = role == model::Role::foster_carer ? model::ViewSubject::carer : model::ViewSubject::child;
        (void)r.submit(ops::RecordView{model::new_uuid_v7(), m->id, subject, "views " + std::to_string(sim.rng()),
                                       sim.chance(30)});
      }
      break;
    case 2:
      if (auto* m = any_of(sim, meetings)) {
        static const char* kOwners[] = {"carer-1", "ssw-1", "csw-1", "ftm-1"};
        (void)r.submit(ops::AddAction{model::new_uuid_v7(), m->id, kOwners[sim.pick(4)], "2026-12-01",
                                      "action " + std::to_string(sim.rng())});
      }
      break;
    case 3:
      if (auto* a = any_of(sim, actions)) {
        auto from = model::parse_action_status(a->value("status")).value_or(model::ActionStatus::open);
        auto to = static_cast<model::ActionStatus>(sim.pick(4));
        (void)r.submit(
            ops::UpdateActionStatus{a->id, model::new_uuid_v7(), from, to, "note " + std::to_string(sim.rng())});
      }
      break;
    case 4:
      if (auto* a = any_of(sim, actions)) {
        std::map<std::string, model::Version> base{{"text", a->fields.at("text").version}};
        (void)r.submit(ops::EditAction{a->id, "edited " + std::to_string(sim.rng()), {}, {}}, base);
      }
      break;
    case 6:
      if (auto* m = any_of(sim, meetings)) {
        (void)r.submit(ops::ScheduleMeeting{m->id, 1'796'119'200'000ull + sim.rng() % 1'000'000'000ull, "Family centre",
                                            sim.chance(50) ? "ssw-1" : ""});
      }
      break;
    case 7: {
      auto invitations = r.list(col::kInvitations);
      if (auto* inv = any_of(sim, invitations)) {
        (void)r.submit(ops::RecordAttendance{
            inv->id, sim.chance(70) ? model::Attendance::attended : model::Attendance::apologies});
      }
      break;
    }
    case 8:
      if (auto* m = any_of(sim, meetings)) {
        (void)r.submit(ops::AddAgendaNote{model::new_uuid_v7(), m->id, "purpose", "note " + std::to_string(sim.rng())});
      }
      break;
    case 9:
      if (auto* m = any_of(sim, meetings)) {
        (void)r.submit(ops::FinaliseMinutes{m->id, "2027-01-20", sim.chance(50) ? "" : "reason"});
      }
      break;
    case 10:
      if (auto* m = any_of(sim, meetings)) {
        (void)r.submit(ops::AddSupportItem{model::new_uuid_v7(), m->id, "respite",
                                           "support " + std::to_string(sim.rng()), "Fostering service", "monthly",
                                           sim.chance(30)});
      }
      break;
    case 11:
      if (auto* m = any_of(sim, meetings)) {
        (void)r.submit(ops::RaiseConductConcern{model::new_uuid_v7(), m->id, "concern " + std::to_string(sim.rng())});
      }
      break;
    case 5: {
      std::vector<model::Record> open;
      for (auto& c : r.list(col::kConflicts)) {
        if (c.value("status") == "open") open.push_back(c);
      }
      if (auto* c = any_of(sim, open)) {
        (void)r.submit(ops::ResolveConflict{
            c->id, sim.chance(50) ? ops::ResolveConflict::Keep::current : ops::ResolveConflict::Keep::other});
      }
      break;
    }
  }
}

void faulty_sync(Sim& sim, World& w, Device& d) {
  LoopbackTransport t(w.server());
  const std::size_t fault_at = sim.pick(6);
  const int kind = static_cast<int>(sim.pick(3));  // 0 none, 1 drop delivery, 2 lose answer
  if (kind == 1) t.deliver_if = [=](std::size_t i) { return i != fault_at; };
  if (kind == 2) t.lose_answer_if = [=](std::size_t i) { return i == fault_at; };
  client::SyncReport report;
  (void)client::sync_once(*d.replica, t, report);
}

std::map<std::pair<std::string, std::string>, model::Record> server_view(World& w, Device& d) {
  server::Identity who{d.replica->meta("device_id").value(), d.username, d.username, d.replica->actor().role};
  const auto scopes = w.service().scopes_of(who);
  std::map<std::pair<std::string, std::string>, model::Record> out;
  for (auto c : kCollections) {
    for (auto& r : w.store().all_in(c)) {
      if (!scopes.count(r.scope)) continue;
      if (r.professionals_only && !model::is_professional(who.role)) continue;
      out[{r.collection, r.id}] = r;
    }
  }
  return out;
}

std::map<std::pair<std::string, std::string>, model::Record> replica_view(Device& d) {
  std::map<std::pair<std::string, std::string>, model::Record> out;
  for (auto c : kCollections) {
    for (auto& r : d.replica->list(c)) out[{r.collection, r.id}] = r;
  }
  return out;
}

void run_history(std::uint64_t seed, int steps) {
  SCOPED_TRACE("convergence seed " + std::to_string(seed) +
               " (rerun with PSM_CONVERGENCE_SEED=" + std::to_string(seed) + ")");
  Sim sim(seed);
  World w;
  std::vector<std::unique_ptr<Device>> devices;
  for (const char* user : {"carer-1", "ssw-1", "ssw-1", "csw-1", "ftm-1", "iro-1"}) devices.push_back(w.enrol(user));

  for (int step = 0; step < steps; ++step) {
    auto& d = *devices[sim.pick(devices.size())];
    if (sim.chance(25)) {
      faulty_sync(sim, w, d);
    } else {
      random_local_work(sim, d);
    }
  }
  // The network comes back: everyone syncs until quiet.
  for (int round = 0; round < 3; ++round) {
    for (auto& d : devices) ASSERT_FALSE(w.sync(*d)) << d->username;
  }

  for (auto& d : devices) {
    SCOPED_TRACE(d->username);
    EXPECT_EQ(d->replica->pending_count(), 0u);
    auto expected = server_view(w, *d);
    auto actual = replica_view(*d);
    for (const auto& [key, rec] : actual) {
      EXPECT_TRUE(expected.count(key)) << key.first << "/" << key.second << " on the device but not on the server";
    }
    ASSERT_EQ(actual.size(), expected.size());
    for (const auto& [key, rec] : expected) {
      auto it = actual.find(key);
      ASSERT_NE(it, actual.end()) << key.first << "/" << key.second << " missing";
      ASSERT_EQ(it->second, rec) << key.first << "/" << key.second << " differs";
    }
    // Every operation the server answered is recorded on the device with the same verdict.
    for (const auto& e : d->replica->outbox()) {
      auto verdict = w.store().find_applied(e.op_id);
      ASSERT_TRUE(verdict) << "operation " << e.op_id << " never reached the server";
      const auto expected_state = verdict->kind == 2   ? OpState::rejected
                                  : verdict->kind == 1 ? OpState::conflict
                                                       : OpState::accepted;
      EXPECT_EQ(e.state, expected_state);
      // Append-only entries of accepted operations are all present.
      if (e.state != OpState::rejected) {
        if (auto* v = std::get_if<ops::RecordView>(&e.op.payload)) {
          EXPECT_TRUE(w.store().get(col::kViews, v->view_id));
        }
        if (auto* n = std::get_if<ops::AddAgendaNote>(&e.op.payload)) {
          EXPECT_TRUE(w.store().get(col::kAgendaNotes, n->note_id));
        }
        if (auto* u = std::get_if<ops::UpdateActionStatus>(&e.op.payload)) {
          EXPECT_TRUE(w.store().get(col::kActionUpdates, u->update_id));
        }
      }
    }
  }
  // Every conflict kept two different values.
  for (const auto& c : w.store().all_in(col::kConflicts)) {
    EXPECT_NE(c.value("kept_value"), c.value("other_value"));
  }
}

TEST(Convergence, RandomOfflineHistories_AllReplicasConverge) {
  if (const char* one = std::getenv("PSM_CONVERGENCE_SEED")) {
    run_history(std::strtoull(one, nullptr, 10), 60);
    return;
  }
  const int histories =
      std::getenv("PSM_CONVERGENCE_HISTORIES") ? std::atoi(std::getenv("PSM_CONVERGENCE_HISTORIES")) : 40;
  for (int seed = 1; seed <= histories; ++seed) {
    run_history(static_cast<std::uint64_t>(seed), 60);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace psm::testing
