// add-agenda-note (R7): a note against one item of the meeting's agenda.
// Append-only. Notes under "The child's views" are professionals-only unless
// shared with the carers. Every other item's notes are the minutes, so they
// wait until the meeting is recorded as held; the child's views may be
// gathered in advance (the agenda's own words). Writes the note.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/agenda.hpp"

namespace psm::ops::kinds {

namespace {
// The agenda item whose notes are the child's views (common/policy/agenda.cpp).
constexpr std::string_view kChildViewsItem = "child-views";
}  // namespace

Problem check_shape(const AddAgendaNote& p) {
  if (!id_ok(p.note_id) || !id_ok(p.meeting_id)) return bad("note or meeting id is not valid");
  if (p.item.empty() || p.item.size() > limits::kMaxShortStringBytes) return bad("agenda item is not valid");
  if (!text_ok(p.text, limits::kMaxTextBytes)) return bad("the note is empty or too long");
  if (p.professionals_only && p.share_with_carers) {
    return bad("a note is either professionals-only or shared with the carers, not both");
  }
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const AddAgendaNote& p) {
  namespace f = schema::agenda_notes;
  auto meeting = cx.visible(schema::meetings::kName, p.meeting_id);
  if (!meeting) return cx.not_found(schema::meetings::kCollection, p.meeting_id);
  if (auto refused = cx.refuse_unless(policy::Act::add_agenda_note)) return *refused;
  const auto type = meeting->get(schema::meetings::type).value_or(model::MeetingType::support);
  if (!policy::find_agenda_item(type, p.item)) {
    return reject(Errc::invalid_argument, "\"" + p.item + "\" is not an item of the " +
                                              std::string(model::to_string(type)) + " meeting agenda");
  }
  if (p.item != kChildViewsItem) {
    if (auto held = cx.held_meeting(p.meeting_id); !held.ok()) return held.error;
  }
  if (cx.state().get(f::kName, p.note_id)) return reject(Errc::already_exists, "note already recorded");
  Record n = cx.new_record(f::kName, p.note_id, meeting->scope);
  // As for views: notes under "The child's views" are for professionals
  // unless shared with the carers; any note may be marked professionals-only.
  // A note from before the choice existed (version 1) reads as not shared.
  n.professionals_only = p.professionals_only || (p.item == kChildViewsItem && !p.share_with_carers);
  cx.set(n, f::meeting_id, p.meeting_id);
  cx.set(n, f::item, p.item);
  cx.set(n, f::text, p.text);
  cx.set(n, f::author_id, cx.me());
  cx.set(n, f::at_ms, cx.now_ms());
  return accept({std::move(n)});
}

}  // namespace psm::ops::kinds
