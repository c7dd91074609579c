#include "server/sync/plan_copies.hpp"

#include "common/model/schema.hpp"
#include "common/ops/apply.hpp"
#include "common/ops/records.hpp"

namespace psm::server {

namespace schema = model::schema;
using model::Record;

namespace {

// The meeting whose plan `r` is part of, or "" when none.
std::string plan_meeting_of(Store& store, const Record& r) {
  if (r.collection == schema::meetings::kName) return r.id;
  if (r.collection == schema::support_items::kName) return r.value(schema::support_items::meeting_id);
  if (r.collection == schema::actions::kName) return r.value(schema::actions::meeting_id);
  if (r.collection == schema::panel_requests::kName) return r.value(schema::panel_requests::meeting_id);
  if (r.collection == schema::action_updates::kName) {
    auto action = store.get(schema::actions::kName, r.value(schema::action_updates::action_id));
    return action ? action->value(schema::actions::meeting_id) : std::string();
  }
  return {};
}

bool same_fields(const Record& a, const Record& b) {
  if (a.fields.size() != b.fields.size() || a.scope != b.scope) return false;
  for (const auto& [name, field] : a.fields) {
    auto it = b.fields.find(name);
    if (it == b.fields.end() || it->second.value != field.value) return false;
  }
  return true;
}

}  // namespace

std::set<std::string> follow_plan_copies(Store& store, model::HlcClock& clock, const std::vector<Record>& writes) {
  std::set<std::string> meetings;
  for (const auto& w : writes) {
    if (auto id = plan_meeting_of(store, w); !id.empty()) meetings.insert(std::move(id));
  }
  std::set<std::string> scopes;
  for (const auto& id : meetings) {
    auto meeting = store.get(schema::meetings::kName, id);
    if (!meeting) continue;
    auto rebuilt = ops::make_plan_copy(store, *meeting, {}, "system");
    if (!rebuilt) continue;
    auto stored = store.get(schema::plan_copies::kName, rebuilt->id);
    if (stored && same_fields(*stored, *rebuilt)) continue;
    // Written again with one new version, so it wins over every copy a device made.
    std::vector<Record> made{*ops::make_plan_copy(store, *meeting, {clock.tick(), "server"}, "system")};
    ops::inherit_professionals_only(made, store);
    store.put(made.front());
    scopes.insert(made.front().scope);
  }
  return scopes;
}

}  // namespace psm::server
