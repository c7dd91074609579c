// Fuzz target for apply(): any bytes that decode as an operation are checked
// for shape and applied, as several people, to a small fixed state. apply()
// must never crash, a refusal always says why, and every record an accepted
// operation writes has a collection, an id and a scope (without a scope, no
// device would ever receive it).
#include "common/ops/apply.hpp"
#include "common/protocol/codec.hpp"
#include "testing/memory_state.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>
#include <utility>

namespace {

using namespace psm;
using model::Record;
using model::Role;
namespace col = model::collection;

using testing::MemoryState;

constexpr std::uint64_t kNow = 1'700'000'000'000ull;

ops::ApplyContext as(const char* person, Role role) {
  // A foster carer sees the placement and the directory; professionals see everything.
  if (role == Role::foster_carer) {
    return {
        {person, role}, kNow, [](std::string_view scope) { return scope == "placement:p1" || scope == "directory"; }};
  }
  return {{person, role}, kNow, [](std::string_view) { return true; }};
}

// Applies an operation that must succeed while building the state.
void must_apply(MemoryState& state, const ops::Operation& op, const ops::ApplyContext& ctx) {
  auto outcome = ops::apply(state, op, ctx);
  if (!outcome.ok()) __builtin_trap();
  for (const auto& w : outcome.writes) state.add(w);
}

ops::Operation make_op(const char* id, std::uint64_t seq, ops::Payload payload) {
  ops::Operation op;
  op.op_id = id;
  op.device_id = "dev-1";
  op.seq = seq;
  op.hlc = model::Hlc::from(kNow + seq, 0);
  op.payload = std::move(payload);
  return op;
}

// People, one in-house placement p1, a meeting m1 with an action a1 owned by
// the carer, a professionals-only view v1, and an open conflict on a1's text.
// Built with apply() itself so the records look exactly like real ones.
MemoryState make_state() {
  MemoryState state;
  const model::Version v{model::Hlc::from(1, 0), "server"};
  for (auto [id, role] :
       {std::pair{"carer-1", "foster-carer"}, std::pair{"csw-1", "child-social-worker"},
        std::pair{"ssw-1", "supervising-social-worker"}, std::pair{"ftm-1", "fostering-team-manager"}}) {
    Record r;
    r.collection = col::kPeople;
    r.id = id;
    r.scope = model::scope::kDirectory;
    r.set("role", role, v);
    state.add(r);
  }
  Record placement;
  placement.collection = col::kPlacements;
  placement.id = "p1";
  placement.scope = model::scope::placement("p1");
  placement.set("child_id", "c1", v);
  placement.set("household_id", "h1", v);
  placement.set("type", "in-house", v);
  placement.set("start_date", "2025-01-06", v);
  placement.set("team_manager_id", "ftm-1", v);
  state.add(placement);

  const auto ssw = as("ssw-1", Role::supervising_social_worker);
  must_apply(state, make_op("op-1", 1, ops::RequestMeeting{"m1", "p1", model::MeetingType::support, "Bedtimes", 0}),
             ssw);
  must_apply(state, make_op("op-2", 2, ops::AddAction{"a1", "m1", "carer-1", "2026-12-01", "Attend training"}), ssw);
  must_apply(state, make_op("op-3", 3, ops::RecordView{"v1", "m1", model::ViewSubject::child, "Views", true}),
             as("csw-1", Role::child_social_worker));
  // Two edits from the same starting point make the conflict "op-5.text".
  const auto seen = state.get(col::kActions, "a1")->fields.at("text").version;
  auto first = make_op("op-4", 4, ops::EditAction{"a1", std::string("First"), {}, {}});
  first.base["text"] = seen;
  must_apply(state, first, ssw);
  auto second = make_op("op-5", 5, ops::EditAction{"a1", std::string("Second"), {}, {}});
  second.base["text"] = seen;
  must_apply(state, second, as("csw-1", Role::child_social_worker));
  return state;
}

void check(const ops::Outcome& outcome) {
  if (!outcome.ok()) {
    if (outcome.reason.empty()) __builtin_trap();
    return;
  }
  for (const auto& w : outcome.writes) {
    if (w.collection.empty() || w.id.empty() || w.scope.empty()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const MemoryState state = make_state();
  static const ops::ApplyContext actors[] = {as("carer-1", Role::foster_carer), as("csw-1", Role::child_social_worker),
                                             as("ssw-1", Role::supervising_social_worker), as("iro-1", Role::iro)};

  auto op = protocol::decode_operation(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!op) return 0;
  const bool well_formed = !ops::validate_shape(*op);
  for (const auto& actor : actors) {
    auto outcome = ops::apply(state, *op, actor);
    if (!well_formed && outcome.ok()) __builtin_trap();  // apply() checks the shape first
    check(outcome);
  }
  return 0;
}
