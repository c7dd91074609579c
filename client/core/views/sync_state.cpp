#include "client/core/views/sync_state.hpp"

#include <type_traits>
#include <variant>

namespace psm::client::views {

namespace json = boost::json;
namespace col = model::collection;

namespace {

constexpr std::string_view kConflictReason = "changed on two devices at the same time: choose which to keep";

// The record an operation creates or changes, for showing its sync state;
// ("", "") for the kinds whose records a person does not act on afterwards.
std::pair<std::string, std::string> target_of(const ops::Operation& op) {
  std::pair<std::string, std::string> out;
  std::visit(
      [&](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, ops::RequestMeeting>) out = {std::string(col::kMeetings), p.meeting_id};
        if constexpr (std::is_same_v<T, ops::RecordView>) out = {std::string(col::kViews), p.view_id};
        if constexpr (std::is_same_v<T, ops::AddAction>) out = {std::string(col::kActions), p.action_id};
        if constexpr (std::is_same_v<T, ops::UpdateActionStatus>) out = {std::string(col::kActions), p.action_id};
        if constexpr (std::is_same_v<T, ops::EditAction>) out = {std::string(col::kActions), p.action_id};
        if constexpr (std::is_same_v<T, ops::ResolveConflict>) out = {std::string(col::kConflicts), p.conflict_id};
        if constexpr (std::is_same_v<T, ops::ScheduleMeeting>) out = {std::string(col::kMeetings), p.meeting_id};
        if constexpr (std::is_same_v<T, ops::FinaliseMinutes>) out = {std::string(col::kMeetings), p.meeting_id};
        if constexpr (std::is_same_v<T, ops::RecordAttendance>) out = {std::string(col::kInvitations), p.invitation_id};
        if constexpr (std::is_same_v<T, ops::AddAgendaNote>) out = {std::string(col::kAgendaNotes), p.note_id};
        if constexpr (std::is_same_v<T, ops::AddSupportItem>) out = {std::string(col::kSupportItems), p.item_id};
        if constexpr (std::is_same_v<T, ops::DecidePanelRequest>)
          out = {std::string(col::kPanelRequests), p.request_id};
      },
      op.payload);
  return out;
}

RecordSync from_operation(OpState state, const std::string& reason) {
  switch (state) {
    case OpState::queued:
      return {SyncState::waiting, ""};
    case OpState::sent:
      return {SyncState::sent, ""};
    case OpState::rejected:
      return {SyncState::attention, reason};
    case OpState::conflict:
    case OpState::accepted:
      break;
  }
  return {SyncState::accepted, ""};
}

bool is_open(const model::Record& conflict) {
  return conflict.get(model::schema::conflicts::status) == model::ConflictStatus::open;
}

}  // namespace

SyncStates::SyncStates(Replica& r) {
  // The outbox is in the order the work was done: the newest operation on a record decides.
  for (const auto& e : r.outbox()) {
    auto target = target_of(e.op);
    if (target.first.empty()) continue;
    newest_[target] = from_operation(e.state, e.reason);
  }
  for (const auto& c : r.list(col::kConflicts)) {
    if (is_open(c))
      open_conflicts_.insert(
          {c.value(model::schema::conflicts::target_collection), c.value(model::schema::conflicts::target_id)});
  }
}

RecordSync SyncStates::of(std::string_view collection, std::string_view id) const {
  const std::pair<std::string, std::string> key{std::string(collection), std::string(id)};
  if (open_conflicts_.contains(key)) return {SyncState::attention, std::string(kConflictReason)};
  auto it = newest_.find(key);
  return it == newest_.end() ? RecordSync{} : it->second;
}

std::string_view sync_state_words(SyncState state) {
  switch (state) {
    case SyncState::waiting:
      return "waiting to send";
    case SyncState::sent:
      return "sent";
    case SyncState::attention:
      return "needs attention";
    case SyncState::accepted:
      break;
  }
  return "synced";
}

json::object sync_json(const RecordSync& sync) {
  std::string_view state = "accepted";
  switch (sync.state) {
    case SyncState::waiting:
      state = "waiting";
      break;
    case SyncState::sent:
      state = "sent";
      break;
    case SyncState::attention:
      state = "attention";
      break;
    case SyncState::accepted:
      break;
  }
  return {{"state", state}, {"reason", sync.reason}};
}

std::size_t needs_attention_count(Replica& r) {
  std::size_t attention = r.outbox(OpState::rejected).size();
  for (const auto& c : r.list(col::kConflicts)) {
    if (is_open(c)) ++attention;
  }
  return attention;
}

}  // namespace psm::client::views
