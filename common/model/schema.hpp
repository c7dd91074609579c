// The typed schema: every collection's stored fields, once. A field's C++ name
// is its stored name (on the wire and in both stores: never rename one), its
// kind says how the value is spelled (common/model/field.hpp). Read and write
// records through these (`rec.get(schema::actions::status)` is an
// optional<ActionStatus>; `set(rec, schema::actions::status,
// ActionStatus::done, version, author)`), never with a field name as a string:
// scripts/check_schema.sh fails the build's checks when one appears.
//
// Over 400 lines because it is one table: a collection per block, a field per
// line, so a newcomer reads every record the system stores in one place.
//
// Each collection also says its singular noun (for "no meeting X that you can
// see"), whether its records are append-only (written once, never changed),
// whether it is reference data (imported on the server), and lists its fields
// for tests and tools (kFields).
#pragma once

#include "common/model/domain.hpp"
#include "common/model/field.hpp"

#include <span>
#include <string_view>

namespace psm::model::schema {

// A field's stored name and a word for its kind, for listings and tests.
struct FieldInfo {
  std::string_view name;
  std::string_view kind;
};

template <class Kind>
consteval std::string_view kind_word() {
  if constexpr (std::is_same_v<Kind, kind::Text>)
    return "text";
  else if constexpr (std::is_same_v<Kind, kind::PersonId>)
    return "person id";
  else if constexpr (std::is_same_v<Kind, kind::RecordId>)
    return "record id";
  else if constexpr (std::is_same_v<Kind, kind::Date>)
    return "date";
  else if constexpr (std::is_same_v<Kind, kind::Millis>)
    return "milliseconds";
  else if constexpr (std::is_same_v<Kind, kind::Count>)
    return "count";
  else if constexpr (std::is_same_v<Kind, kind::YesNo>)
    return "yes/no";
  else if constexpr (std::is_same_v<Kind, kind::IdList>)
    return "id list";
  else
    return "enum";
}

template <class Kind>
consteval FieldInfo info(const Field<Kind>& f) {
  return {f.name, kind_word<Kind>()};
}

struct Collection {
  std::string_view name;        // the stored collection name
  std::string_view noun;        // singular, for messages
  bool append_only = false;     // records are written once and never changed
  bool reference_data = false;  // imported on the server, never made by an operation
  std::span<const FieldInfo> fields;
};

// Reference data: professionals and carers (directory scope, or a carer's household).
namespace people {
inline constexpr std::string_view kName = "people";
inline constexpr Field<kind::Text> name{"name"};
inline constexpr Field<Role> role{"role"};
inline constexpr Field<kind::Text> team{"team"};
inline constexpr Field<kind::Text> service{"service"};
inline constexpr FieldInfo kFields[] = {info(name), info(role), info(team), info(service)};
inline constexpr Collection kCollection{kName, "person", false, true, kFields};
}  // namespace people

// Reference data: a carer household.
namespace households {
inline constexpr std::string_view kName = "households";
inline constexpr Field<kind::Text> name{"name"};
inline constexpr Field<CarerType> carer_type{"carer_type"};
inline constexpr Field<kind::IdList> carer_ids{"carer_ids"};
inline constexpr Field<kind::PersonId> ssw_id{"ssw_id"};
inline constexpr FieldInfo kFields[] = {info(name), info(carer_type), info(carer_ids), info(ssw_id)};
inline constexpr Collection kCollection{kName, "household", false, true, kFields};
}  // namespace households

// Reference data: a looked-after child.
namespace children {
inline constexpr std::string_view kName = "children";
inline constexpr Field<kind::Text> name{"name"};
inline constexpr Field<kind::Date> date_of_birth{"date_of_birth"};
inline constexpr Field<kind::PersonId> social_worker_id{"social_worker_id"};
inline constexpr Field<kind::PersonId> iro_id{"iro_id"};
inline constexpr FieldInfo kFields[] = {info(name), info(date_of_birth), info(social_worker_id), info(iro_id)};
inline constexpr Collection kCollection{kName, "child", false, true, kFields};
}  // namespace children

// Reference data: a child placed with a household; R3 adds the permanence match date.
namespace placements {
inline constexpr std::string_view kName = "placements";
inline constexpr Field<kind::RecordId> child_id{"child_id"};
inline constexpr Field<kind::RecordId> household_id{"household_id"};
inline constexpr Field<PlacementType> type{"type"};
inline constexpr Field<kind::Date> start_date{"start_date"};
inline constexpr Field<kind::Date> end_date{"end_date"};
inline constexpr Field<PlacementEnding> ending{"ending"};
inline constexpr Field<kind::YesNo> emergency{"emergency"};
inline constexpr Field<kind::Text> made_at{"made_at"};
inline constexpr Field<kind::PersonId> team_manager_id{"team_manager_id"};
inline constexpr Field<kind::Date> permanence_match_date{"permanence_match_date"};
inline constexpr FieldInfo kFields[] = {
    info(child_id), info(household_id), info(type),    info(start_date),      info(end_date),
    info(ending),   info(emergency),    info(made_at), info(team_manager_id), info(permanence_match_date)};
inline constexpr Collection kCollection{kName, "placement", false, true, kFields};
}  // namespace placements

// Directory-wide settings the rules read (ids lists, the escalation ladder, the calendar).
namespace settings {
inline constexpr std::string_view kName = "settings";
inline constexpr Field<kind::IdList> ids{"ids"};
inline constexpr Field<kind::Text> ladder{"ladder"};
inline constexpr Field<kind::Text> calendar{"calendar"};
inline constexpr Field<kind::Count> version{"version"};
inline constexpr FieldInfo kFields[] = {info(ids), info(ladder), info(calendar), info(version)};
inline constexpr Collection kCollection{kName, "setting", false, true, kFields};
}  // namespace settings

// A Placement Support, Pre-disruption or placement planning meeting (R1-R6, R12).
namespace meetings {
inline constexpr std::string_view kName = "meetings";
inline constexpr Field<kind::RecordId> placement_id{"placement_id"};
inline constexpr Field<kind::RecordId> child_id{"child_id"};
inline constexpr Field<kind::RecordId> household_id{"household_id"};
inline constexpr Field<MeetingType> type{"type"};
inline constexpr Field<MeetingStatus> status{"status"};
inline constexpr Field<kind::Text> reason{"reason"};
inline constexpr Field<kind::PersonId> requested_by{"requested_by"};
inline constexpr Field<kind::Millis> requested_at_ms{"requested_at_ms"};
inline constexpr Field<kind::Millis> identified_at_ms{"identified_at_ms"};
inline constexpr Field<kind::Millis> deadline_ms{"deadline_ms"};
inline constexpr Field<kind::PersonId> chair_id{"chair_id"};
inline constexpr Field<kind::Millis> scheduled_for_ms{"scheduled_for_ms"};
inline constexpr Field<kind::Text> location{"location"};
inline constexpr Field<kind::PersonId> minute_taker_id{"minute_taker_id"};
inline constexpr Field<kind::PersonId> scheduled_by{"scheduled_by"};
inline constexpr Field<kind::Date> review_date{"review_date"};
inline constexpr Field<kind::Text> review_interval_reason{"review_interval_reason"};
inline constexpr Field<kind::PersonId> finalised_by{"finalised_by"};
inline constexpr Field<kind::Millis> finalised_at_ms{"finalised_at_ms"};
inline constexpr Field<kind::Date> child_told_of_plan_on{"child_told_of_plan_on"};
inline constexpr Field<MeetingOutcome> outcome{"outcome"};
inline constexpr Field<kind::Text> future_contact{"future_contact"};
inline constexpr Field<kind::Text> carers_support_move{"carers_support_move"};
inline constexpr Field<kind::Text> lessons{"lessons"};
// A review meeting: the meeting whose plan it reviews (R6, made when that
// meeting's minutes are finalised with a review date).
inline constexpr Field<kind::RecordId> reviews_meeting_id{"reviews_meeting_id"};
// When the meeting really took place, and who recorded it (record-meeting-held).
inline constexpr Field<kind::Millis> held_at_ms{"held_at_ms"};
inline constexpr Field<kind::PersonId> held_recorded_by{"held_recorded_by"};
// Why it will not take place, who said so and when (cancel-meeting).
inline constexpr Field<kind::Text> cancelled_reason{"cancelled_reason"};
inline constexpr Field<kind::PersonId> cancelled_by{"cancelled_by"};
inline constexpr Field<kind::Millis> cancelled_at_ms{"cancelled_at_ms"};
// The booked time before the latest move (move-meeting).
inline constexpr Field<kind::Millis> moved_from_ms{"moved_from_ms"};
inline constexpr FieldInfo kFields[] = {info(placement_id),
                                        info(child_id),
                                        info(household_id),
                                        info(type),
                                        info(status),
                                        info(reason),
                                        info(requested_by),
                                        info(requested_at_ms),
                                        info(identified_at_ms),
                                        info(deadline_ms),
                                        info(chair_id),
                                        info(scheduled_for_ms),
                                        info(location),
                                        info(minute_taker_id),
                                        info(scheduled_by),
                                        info(review_date),
                                        info(review_interval_reason),
                                        info(finalised_by),
                                        info(finalised_at_ms),
                                        info(child_told_of_plan_on),
                                        info(outcome),
                                        info(future_contact),
                                        info(carers_support_move),
                                        info(lessons),
                                        info(reviews_meeting_id),
                                        info(held_at_ms),
                                        info(held_recorded_by),
                                        info(cancelled_reason),
                                        info(cancelled_by),
                                        info(cancelled_at_ms),
                                        info(moved_from_ms)};
inline constexpr Collection kCollection{kName, "meeting", false, false, kFields};
}  // namespace meetings

// Who is asked to a meeting, and whether they came (R5).
namespace invitations {
inline constexpr std::string_view kName = "invitations";
inline constexpr Field<kind::RecordId> meeting_id{"meeting_id"};
inline constexpr Field<kind::PersonId> person_id{"person_id"};
inline constexpr Field<InvitationKind> kind{"kind"};
inline constexpr Field<kind::YesNo> mandatory{"mandatory"};
inline constexpr Field<Attendance> attendance{"attendance"};
inline constexpr Field<kind::Text> name{"name"};
inline constexpr Field<kind::Text> organisation{"organisation"};
inline constexpr Field<kind::RecordId> decision_id{"decision_id"};
inline constexpr FieldInfo kFields[] = {info(meeting_id), info(person_id), info(kind),         info(mandatory),
                                        info(attendance), info(name),      info(organisation), info(decision_id)};
inline constexpr Collection kCollection{kName, "invitation", false, false, kFields};
}  // namespace invitations

// Someone's views for a meeting; a correction is a new view (R6).
namespace views {
inline constexpr std::string_view kName = "views";
inline constexpr Field<kind::RecordId> meeting_id{"meeting_id"};
inline constexpr Field<ViewSubject> subject{"subject"};
inline constexpr Field<kind::Text> text{"text"};
inline constexpr Field<kind::Date> sought_on{"sought_on"};
inline constexpr Field<kind::PersonId> recorded_by{"recorded_by"};
inline constexpr Field<kind::Millis> recorded_at_ms{"recorded_at_ms"};
inline constexpr FieldInfo kFields[] = {info(meeting_id), info(subject),     info(text),
                                        info(sought_on),  info(recorded_by), info(recorded_at_ms)};
inline constexpr Collection kCollection{kName, "view", true, false, kFields};
}  // namespace views

// A note against one agenda item (R7).
namespace agenda_notes {
inline constexpr std::string_view kName = "agenda_notes";
inline constexpr Field<kind::RecordId> meeting_id{"meeting_id"};
inline constexpr Field<kind::Text> item{"item"};
inline constexpr Field<kind::Text> text{"text"};
inline constexpr Field<kind::PersonId> author_id{"author_id"};
inline constexpr Field<kind::Millis> at_ms{"at_ms"};
inline constexpr FieldInfo kFields[] = {info(meeting_id), info(item), info(text), info(author_id), info(at_ms)};
inline constexpr Collection kCollection{kName, "agenda note", true, false, kFields};
}  // namespace agenda_notes

// A recorded shared decision, e.g. not inviting the child, and why (R5).
namespace decisions {
inline constexpr std::string_view kName = "decisions";
inline constexpr Field<kind::RecordId> meeting_id{"meeting_id"};
inline constexpr Field<DecisionKind> kind{"kind"};
inline constexpr Field<kind::Text> reason{"reason"};
inline constexpr Field<kind::PersonId> social_work_decider_id{"social_work_decider_id"};
inline constexpr Field<kind::PersonId> fostering_decider_id{"fostering_decider_id"};
inline constexpr Field<kind::PersonId> recorded_by{"recorded_by"};
inline constexpr Field<kind::Millis> recorded_at_ms{"recorded_at_ms"};
inline constexpr FieldInfo kFields[] = {
    info(meeting_id),           info(kind),        info(reason),        info(social_work_decider_id),
    info(fostering_decider_id), info(recorded_by), info(recorded_at_ms)};
inline constexpr Collection kCollection{kName, "decision", true, false, kFields};
}  // namespace decisions

// An action agreed at a meeting, with an owner and a due date (R8, R13).
namespace actions {
inline constexpr std::string_view kName = "actions";
inline constexpr Field<kind::RecordId> meeting_id{"meeting_id"};
inline constexpr Field<kind::PersonId> owner_id{"owner_id"};
inline constexpr Field<kind::Date> due_date{"due_date"};
inline constexpr Field<kind::Text> text{"text"};
inline constexpr Field<ActionStatus> status{"status"};
inline constexpr Field<kind::PersonId> created_by{"created_by"};
inline constexpr Field<kind::Millis> created_at_ms{"created_at_ms"};
inline constexpr Field<kind::RecordId> concern_id{"concern_id"};
inline constexpr Field<kind::YesNo> urgent{"urgent"};
inline constexpr Field<kind::Count> escalation_level{"escalation_level"};
// An action to arrange and hold a meeting (a plan's review): done when that
// meeting's minutes are finalised; its owner is reminded before it is due.
inline constexpr Field<kind::RecordId> arranges_meeting_id{"arranges_meeting_id"};
inline constexpr Field<kind::Millis> reminded_at_ms{"reminded_at_ms"};
inline constexpr FieldInfo kFields[] = {
    info(meeting_id),          info(owner_id),      info(due_date),   info(text),   info(status),
    info(created_by),          info(created_at_ms), info(concern_id), info(urgent), info(escalation_level),
    info(arranges_meeting_id), info(reminded_at_ms)};
inline constexpr Collection kCollection{kName, "action", false, false, kFields};
}  // namespace actions

// A move of an action's status, with its note.
namespace action_updates {
inline constexpr std::string_view kName = "action_updates";
inline constexpr Field<kind::RecordId> action_id{"action_id"};
inline constexpr Field<ActionStatus> from{"from"};
inline constexpr Field<ActionStatus> to{"to"};
inline constexpr Field<kind::Text> note{"note"};
inline constexpr Field<kind::PersonId> author_id{"author_id"};
inline constexpr Field<kind::Millis> at_ms{"at_ms"};
inline constexpr FieldInfo kFields[] = {info(action_id), info(from),      info(to),
                                        info(note),      info(author_id), info(at_ms)};
inline constexpr Collection kCollection{kName, "action update", true, false, kFields};
}  // namespace action_updates

// R13: a concern about a carer's conduct (professionals only).
namespace concerns {
inline constexpr std::string_view kName = "concerns";
inline constexpr Field<kind::RecordId> meeting_id{"meeting_id"};
inline constexpr Field<kind::RecordId> placement_id{"placement_id"};
inline constexpr Field<kind::Text> text{"text"};
inline constexpr Field<kind::PersonId> raised_by{"raised_by"};
inline constexpr Field<kind::Millis> raised_at_ms{"raised_at_ms"};
inline constexpr FieldInfo kFields[] = {info(meeting_id), info(placement_id), info(text), info(raised_by),
                                        info(raised_at_ms)};
inline constexpr Collection kCollection{kName, "concern", false, false, kFields};
}  // namespace concerns

// R15: a short break with other carers.
namespace short_breaks {
inline constexpr std::string_view kName = "short_breaks";
inline constexpr Field<kind::RecordId> placement_id{"placement_id"};
inline constexpr Field<kind::Date> start_date{"start_date"};
inline constexpr Field<kind::Date> end_date{"end_date"};
inline constexpr Field<kind::Count> days{"days"};      // the days it touches, first and last counted
inline constexpr Field<kind::Count> nights{"nights"};  // nights away: what "two weeks" counts
inline constexpr Field<kind::Text> with_whom{"with_whom"};
inline constexpr Field<kind::PersonId> recorded_by{"recorded_by"};
inline constexpr Field<kind::YesNo> over_two_weeks{"over_two_weeks"};
inline constexpr FieldInfo kFields[] = {info(placement_id), info(start_date), info(end_date),    info(days),
                                        info(nights),       info(with_whom),  info(recorded_by), info(over_two_weeks)};
inline constexpr Collection kCollection{kName, "short break", false, false, kFields};
}  // namespace short_breaks

// R10: an item of the Placement Support Plan (R11: its panel decision).
namespace support_items {
inline constexpr std::string_view kName = "support_items";
inline constexpr Field<kind::RecordId> meeting_id{"meeting_id"};
inline constexpr Field<kind::Text> kind{"kind"};
inline constexpr Field<kind::Text> description{"description"};
inline constexpr Field<kind::Text> provider{"provider"};
inline constexpr Field<kind::Text> frequency{"frequency"};
inline constexpr Field<kind::PersonId> added_by{"added_by"};
inline constexpr Field<PanelStatus> panel_status{"panel_status"};
inline constexpr Field<kind::Text> panel_reason{"panel_reason"};
inline constexpr FieldInfo kFields[] = {info(meeting_id), info(kind),     info(description),  info(provider),
                                        info(frequency),  info(added_by), info(panel_status), info(panel_reason)};
inline constexpr Collection kCollection{kName, "support item", false, false, kFields};
}  // namespace support_items

// R11: support needing the Practice and Resources Panel (panel scope).
namespace panel_requests {
inline constexpr std::string_view kName = "panel_requests";
inline constexpr Field<kind::RecordId> item_id{"item_id"};
inline constexpr Field<kind::RecordId> meeting_id{"meeting_id"};
inline constexpr Field<kind::RecordId> placement_id{"placement_id"};
inline constexpr Field<kind::Text> kind{"kind"};
inline constexpr Field<kind::Text> description{"description"};
inline constexpr Field<kind::Text> provider{"provider"};
inline constexpr Field<kind::Text> frequency{"frequency"};
inline constexpr Field<kind::PersonId> requested_by{"requested_by"};
inline constexpr Field<kind::Millis> requested_at_ms{"requested_at_ms"};
inline constexpr Field<PanelStatus> status{"status"};
inline constexpr Field<kind::Text> reason{"reason"};
inline constexpr Field<kind::PersonId> decided_by{"decided_by"};
inline constexpr Field<kind::Millis> decided_at_ms{"decided_at_ms"};
inline constexpr FieldInfo kFields[] = {info(item_id),         info(meeting_id), info(placement_id), info(kind),
                                        info(description),     info(provider),   info(frequency),    info(requested_by),
                                        info(requested_at_ms), info(status),     info(reason),       info(decided_by),
                                        info(decided_at_ms)};
inline constexpr Collection kCollection{kName, "panel request", false, false, kFields};
}  // namespace panel_requests

// R10: the carer household's minimised copy of a support plan.
namespace plan_copies {
inline constexpr std::string_view kName = "plan_copies";
inline constexpr Field<kind::RecordId> meeting_id{"meeting_id"};
inline constexpr Field<kind::RecordId> placement_id{"placement_id"};
inline constexpr Field<kind::Date> review_date{"review_date"};
inline constexpr Field<kind::Date> child_told_of_plan_on{"child_told_of_plan_on"};
inline constexpr Field<kind::Text> support_items{"support_items"};
inline constexpr Field<kind::Text> actions{"actions"};
inline constexpr FieldInfo kFields[] = {info(meeting_id),    info(placement_id),
                                        info(review_date),   info(child_told_of_plan_on),
                                        info(support_items), info(actions)};
inline constexpr Collection kCollection{kName, "plan copy", false, false, kFields};
}  // namespace plan_copies

// A message in one person's inbox (scope person:<id>) (R1, R8, R9).
namespace notifications {
inline constexpr std::string_view kName = "notifications";
inline constexpr Field<kind::PersonId> recipient_id{"recipient_id"};
inline constexpr Field<NotificationKind> kind{"kind"};
inline constexpr Field<kind::RecordId> meeting_id{"meeting_id"};
inline constexpr Field<kind::RecordId> placement_id{"placement_id"};
inline constexpr Field<kind::RecordId> action_id{"action_id"};
inline constexpr Field<kind::RecordId> concern_id{"concern_id"};
inline constexpr Field<kind::RecordId> request_id{"request_id"};
inline constexpr Field<kind::Text> text{"text"};
inline constexpr Field<kind::Millis> created_at_ms{"created_at_ms"};
inline constexpr FieldInfo kFields[] = {info(recipient_id), info(kind),      info(meeting_id),
                                        info(placement_id), info(action_id), info(concern_id),
                                        info(request_id),   info(text),      info(created_at_ms)};
inline constexpr Collection kCollection{kName, "notification", false, false, kFields};
}  // namespace notifications

// Two concurrent values of one field, kept for review (common/merge).
namespace conflicts {
inline constexpr std::string_view kName = "conflicts";
inline constexpr Field<kind::Text> target_collection{"target_collection"};
inline constexpr Field<kind::RecordId> target_id{"target_id"};
inline constexpr Field<kind::Text> field{"field"};
inline constexpr Field<ConflictStatus> status{"status"};
inline constexpr Field<kind::Text> kept_value{"kept_value"};
inline constexpr Field<kind::PersonId> kept_author{"kept_author"};
inline constexpr Field<kind::Text> kept_device{"kept_device"};
inline constexpr Field<kind::Count> kept_hlc{"kept_hlc"};
inline constexpr Field<kind::Text> other_value{"other_value"};
inline constexpr Field<kind::PersonId> other_author{"other_author"};
inline constexpr Field<kind::Text> other_device{"other_device"};
inline constexpr Field<kind::Count> other_hlc{"other_hlc"};
inline constexpr Field<kind::Millis> detected_at_ms{"detected_at_ms"};
inline constexpr Field<ConflictKept> kept{"kept"};
inline constexpr Field<kind::PersonId> resolved_by{"resolved_by"};
inline constexpr Field<kind::Millis> resolved_at_ms{"resolved_at_ms"};
inline constexpr FieldInfo kFields[] = {
    info(target_collection), info(target_id),    info(field),        info(status),
    info(kept_value),        info(kept_author),  info(kept_device),  info(kept_hlc),
    info(other_value),       info(other_author), info(other_device), info(other_hlc),
    info(detected_at_ms),    info(kept),         info(resolved_by),  info(resolved_at_ms)};
inline constexpr Collection kCollection{kName, "conflict", false, false, kFields};
}  // namespace conflicts

// S1 3.3: the child's social worker's written report or briefing to the chair
// before a meeting. Professionals-only; a correction is a new report.
namespace csw_reports {
inline constexpr std::string_view kName = "csw_reports";
inline constexpr Field<kind::RecordId> meeting_id{"meeting_id"};
inline constexpr Field<kind::Text> text{"text"};
inline constexpr Field<kind::PersonId> author_id{"author_id"};
inline constexpr Field<kind::Millis> at_ms{"at_ms"};
inline constexpr FieldInfo kFields[] = {info(meeting_id), info(text), info(author_id), info(at_ms)};
inline constexpr Collection kCollection{kName, "report", true, false, kFields};
}  // namespace csw_reports

// Every collection, reference data first.
inline constexpr const Collection* kAll[] = {
    &people::kCollection,       &households::kCollection,    &children::kCollection,      &placements::kCollection,
    &settings::kCollection,     &meetings::kCollection,      &invitations::kCollection,   &views::kCollection,
    &agenda_notes::kCollection, &decisions::kCollection,     &actions::kCollection,       &action_updates::kCollection,
    &concerns::kCollection,     &short_breaks::kCollection,  &support_items::kCollection, &panel_requests::kCollection,
    &plan_copies::kCollection,  &notifications::kCollection, &conflicts::kCollection,     &csw_reports::kCollection};

// The collection named `name`, or nullptr.
constexpr const Collection* find(std::string_view name) {
  for (const Collection* c : kAll) {
    if (c->name == name) return c;
  }
  return nullptr;
}

}  // namespace psm::model::schema
