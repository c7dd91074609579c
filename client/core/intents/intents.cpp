#include "client/core/intents/intents.hpp"

#include "common/model/ids.hpp"
#include "common/policy/calendar.hpp"

namespace psm::client::intents {

namespace col = model::collection;

namespace {
InvalidRequest usage(std::string message) { return {kExitUsage, std::move(message)}; }
}  // namespace

std::optional<InvalidRequest> check_date(std::string_view option, const std::string& text) {
  if (policy::parse_date(text)) return std::nullopt;
  return usage(std::string(option) + " must be a date written YYYY-MM-DD, e.g. 2027-01-15 for 15 January 2027" +
               (text.empty() ? std::string() : " (\"" + text + "\" is not)"));
}

Prepared prepare_request_meeting(const std::string& placement, const std::string& type_name, const std::string& reason,
                                 const std::string& identified_at) {
  auto type = model::parse_meeting_type(type_name);
  if (!type) return usage("--type must be support or pre-disruption");
  ops::RequestMeeting p;
  p.meeting_id = model::new_uuid_v7();
  p.placement_id = placement;
  p.type = *type;
  p.reason = reason;
  if (!identified_at.empty()) {
    auto t = policy::parse_local_datetime(identified_at);
    if (!t) return usage("--identified-at must be YYYY-MM-DDTHH:MM (UK time)");
    p.identified_at_ms = *t;
  }
  const auto id = p.meeting_id;
  return PreparedOperation{p, {}, id, "requested meeting"};
}

Prepared prepare_record_view(const std::string& meeting, const std::string& subject_name, const std::string& text,
                             bool professionals_only, bool share_with_carers, const std::string& sought_on) {
  auto subject = model::parse_view_subject(subject_name);
  if (!subject) return usage("--subject must be one of " + model::spellings_of_view_subject());
  if (professionals_only && share_with_carers) {
    return usage(
        "views are either professionals-only or shared with the carers: give --professionals-only or "
        "--share-with-carers, not both");
  }
  if (!sought_on.empty()) {
    if (auto bad = check_date("--sought-on", sought_on)) return *bad;
  }
  ops::RecordView p{model::new_uuid_v7(), meeting, *subject, text, professionals_only, sought_on, share_with_carers};
  const auto id = p.view_id;
  return PreparedOperation{p, {}, id, "recorded views"};
}

Prepared prepare_add_action(const std::string& meeting, const std::string& owner, const std::string& due,
                            const std::string& text) {
  if (auto bad = check_date("--due", due)) return *bad;
  ops::AddAction p{model::new_uuid_v7(), meeting, owner, due, text};
  const auto id = p.action_id;
  return PreparedOperation{p, {}, id, "added action"};
}

Prepared prepare_update_action(Replica& r, const std::string& id, const std::string& status_name,
                               const std::string& note) {
  auto to = model::parse_action_status(status_name);
  if (!to) return usage("--status must be one of " + model::spellings_of_action_status());
  auto action = r.get(col::kActions, id);
  if (!action) return InvalidRequest{kExitRefused, "no action " + id + " that you can see"};
  auto from = action->get(model::schema::actions::status).value_or(model::ActionStatus::open);
  return PreparedOperation{
      ops::UpdateActionStatus{id, model::new_uuid_v7(), from, *to, note}, {}, id, "updated action"};
}

Prepared prepare_edit_action(Replica& r, const std::string& id, const std::optional<std::string>& text,
                             const std::optional<std::string>& due, const std::optional<std::string>& owner) {
  if (due) {
    if (auto bad = check_date("--due", *due)) return *bad;
  }
  auto action = r.get(col::kActions, id);
  if (!action) return InvalidRequest{kExitRefused, "no action " + id + " that you can see"};
  // The versions this person is looking at: a concurrent edit elsewhere is then detected.
  std::map<std::string, model::Version> base;
  namespace f = model::schema::actions;
  for (const std::string_view name : {f::text.name, f::due_date.name, f::owner_id.name}) {
    auto it = action->fields.find(std::string(name));
    if (it != action->fields.end()) base[it->first] = it->second.version;
  }
  return PreparedOperation{ops::EditAction{id, text, due, owner}, std::move(base), id, "edited action"};
}

Prepared prepare_resolve_conflict(Replica& r, const std::string& id, const std::string& keep) {
  auto c = r.get(col::kConflicts, id);
  if (!c) return InvalidRequest{kExitRefused, "no conflict " + id + " that you can see"};
  const auto me = r.actor().person_id;
  ops::ResolveConflict p;
  p.conflict_id = id;
  if (keep == "current") {
    p.keep = ops::ResolveConflict::Keep::current;
  } else if (keep == "other") {
    p.keep = ops::ResolveConflict::Keep::other;
  } else if (keep == "mine" || keep == "theirs") {
    const bool current_is_mine = c->value(model::schema::conflicts::kept_author) == me;
    const bool other_is_mine = c->value(model::schema::conflicts::other_author) == me;
    if (current_is_mine == other_is_mine) {
      return usage("neither or both values are yours; use --keep current or --keep other");
    }
    const bool keep_mine = keep == "mine";
    p.keep = (keep_mine == current_is_mine) ? ops::ResolveConflict::Keep::current : ops::ResolveConflict::Keep::other;
  } else {
    return usage("--keep must be mine, theirs, current or other");
  }
  return PreparedOperation{p, {}, id, "resolved conflict"};
}

Prepared prepare_schedule_meeting(const std::string& meeting, const std::string& at, const std::string& location,
                                  const std::string& minute_taker) {
  auto when = policy::parse_local_datetime(at);
  if (!when) return usage("--at must be YYYY-MM-DDTHH:MM (UK time)");
  return PreparedOperation{
      ops::ScheduleMeeting{meeting, *when, location, minute_taker}, {}, meeting, "scheduled meeting"};
}

Prepared prepare_record_attendance(const std::string& invitation, const std::string& status) {
  auto attendance = model::parse_attendance(status);
  if (!attendance) return usage("--status must be attended, attended-part, apologies or absent");
  return PreparedOperation{ops::RecordAttendance{invitation, *attendance}, {}, invitation, "recorded attendance for"};
}

Prepared prepare_agenda_note(const std::string& meeting, const std::string& item, const std::string& text,
                             bool professionals_only, bool share_with_carers) {
  if (professionals_only && share_with_carers) {
    return usage(
        "a note is either professionals-only or shared with the carers: give --professionals-only or "
        "--share-with-carers, not both");
  }
  ops::AddAgendaNote p{model::new_uuid_v7(), meeting, item, text, professionals_only, share_with_carers};
  const auto id = p.note_id;
  return PreparedOperation{p, {}, id, "added agenda note"};
}

Prepared prepare_finalise_minutes(const std::string& meeting, const std::string& review_date,
                                  const std::string& review_reason) {
  if (auto bad = check_date("--review-date", review_date)) return *bad;
  return PreparedOperation{
      ops::FinaliseMinutes{meeting, review_date, review_reason}, {}, meeting, "finalised the minutes of meeting"};
}

Prepared prepare_support_item(const std::string& meeting, const std::string& kind, const std::string& text,
                              const std::string& provider, const std::string& frequency, bool professionals_only,
                              bool needs_panel) {
  ops::AddSupportItem p{model::new_uuid_v7(), meeting,    kind, text, provider, frequency,
                        professionals_only,   needs_panel};
  const auto id = p.item_id;
  return PreparedOperation{p, {}, id, "added support item"};
}

Prepared prepare_record_held(const std::string& meeting, const std::string& at, const std::string& location) {
  auto when = policy::parse_local_datetime(at);
  if (!when) return usage("--at must be \"YYYY-MM-DD HH:MM\" (UK time): when the meeting really took place");
  return PreparedOperation{
      ops::RecordMeetingHeld{meeting, *when, location}, {}, meeting, "recorded that it was held: meeting"};
}

Prepared prepare_move_meeting(const std::string& meeting, const std::string& at, const std::string& location) {
  auto when = policy::parse_local_datetime(at);
  if (!when) return usage("--at must be \"YYYY-MM-DD HH:MM\" (UK time)");
  return PreparedOperation{ops::MoveMeeting{meeting, *when, location}, {}, meeting, "moved meeting"};
}

}  // namespace psm::client::intents
