#include "common/ops/apply.hpp"

#include "common/limits.hpp"
#include "common/merge/merge.hpp"
#include "common/model/ids.hpp"
#include "common/policy/access.hpp"
#include "common/policy/agenda.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"
#include "common/policy/rules.hpp"

#include <map>
#include <utility>

namespace psm::ops {

using model::Record;
namespace col = model::collection;

namespace {

Outcome reject(Errc code, std::string reason) {
  Outcome o;
  o.kind = OutcomeKind::rejected;
  o.code = code;
  o.reason = std::move(reason);
  return o;
}

Outcome accept(std::vector<Record> writes) {
  Outcome o;
  o.kind = OutcomeKind::accepted;
  o.writes = std::move(writes);
  return o;
}

std::string_view short_name(model::Role role) { return model::to_string(role); }

// The agenda item whose notes are the child's views (common/policy/agenda.cpp).
constexpr std::string_view kChildViewsItem = "child-views";

class Applier {
 public:
  Applier(const StateReader& state, const Operation& op, const ApplyContext& ctx)
      : state_(state), op_(op), ctx_(ctx), version_{op.hlc, op.device_id} {}

  Outcome operator()(const RequestMeeting& p) {
    auto placement = visible(col::kPlacements, p.placement_id, "placement");
    if (!placement) return not_found("placement", p.placement_id);
    if (!policy::may_request_meeting(ctx_.actor.role)) {
      return reject(Errc::permission_denied,
                    "a " + std::string(short_name(ctx_.actor.role)) +
                        " cannot request a meeting: a foster carer, the child's social worker or the "
                        "supervising social worker asks for it");
    }
    if (p.type == model::MeetingType::placement_planning) {
      return reject(Errc::invalid_argument, "placement planning meetings are arranged, not requested");
    }
    return request_meeting(*placement, p.meeting_id, p.type, p.reason, p.identified_at_ms);
  }

  // R3: agreeing a permanence match always brings a support meeting.
  Outcome operator()(const MarkPermanenceMatch& p) {
    auto placement = visible(col::kPlacements, p.placement_id, "placement");
    if (!placement) return not_found("placement", p.placement_id);
    if (!model::is_professional(ctx_.actor.role) || ctx_.actor.role == model::Role::minute_taker) {
      return reject(Errc::permission_denied,
                    "a permanence match is recorded by a professional working with the child, not by a carer "
                    "or a minute taker");
    }
    auto outcome = request_meeting(*placement, p.meeting_id, model::MeetingType::support,
                                   "Permanence match agreed on " + p.agreed_on +
                                       ": a Placement Support Meeting is always held (policy 3)",
                                   0);
    if (!outcome.ok()) return outcome;
    set(*placement, "permanence_match_date", p.agreed_on);
    outcome.writes.insert(outcome.writes.begin(), std::move(*placement));
    return outcome;
  }

  Outcome operator()(const RecordView& p) {
    auto meeting = visible(col::kMeetings, p.meeting_id, "meeting");
    if (!meeting) return not_found("meeting", p.meeting_id);
    if (!policy::may_record_view(ctx_.actor.role, p.subject)) {
      return reject(Errc::permission_denied,
                    "a foster carer records their own views or their birth children's; the "
                    "child's social worker records the child's");
    }
    const bool professional = model::is_professional(ctx_.actor.role);
    if (p.professionals_only && !professional) {
      return reject(Errc::permission_denied, "only professionals can mark views as professionals-only");
    }
    if (state_.get(col::kViews, p.view_id)) return reject(Errc::already_exists, "view already recorded");
    Record v = new_record(col::kViews, p.view_id, meeting->scope);
    // The rule, here so that device and server agree offline: the child's
    // views recorded by a professional are for professionals unless they chose
    // to share them with the carers. An operation from before the choice
    // existed (RecordView version 1 or 2) reads as not shared.
    const bool childs_views_kept = professional && p.subject == model::ViewSubject::child && !p.share_with_carers;
    v.professionals_only = p.professionals_only || childs_views_kept;
    set(v, "meeting_id", p.meeting_id);
    set(v, "subject", std::string(model::to_string(p.subject)));
    set(v, "text", p.text);
    if (!p.sought_on.empty()) set(v, "sought_on", p.sought_on);
    set(v, "recorded_by", ctx_.actor.person_id);
    set(v, "recorded_at_ms", std::to_string(ctx_.now_ms));
    return accept({std::move(v)});
  }

  Outcome operator()(const AddAction& p) {
    auto meeting = visible(col::kMeetings, p.meeting_id, "meeting");
    if (!meeting) return not_found("meeting", p.meeting_id);
    if (!model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "actions are agreed and recorded by the professionals at the meeting");
    }
    if (!state_.get(col::kPeople, p.owner_id)) {
      return reject(Errc::invalid_argument, "owner " + p.owner_id + " is not a known person");
    }
    if (state_.get(col::kActions, p.action_id)) return reject(Errc::already_exists, "action already exists");
    Record a = new_record(col::kActions, p.action_id, meeting->scope);
    set(a, "meeting_id", p.meeting_id);
    set(a, "owner_id", p.owner_id);
    set(a, "due_date", p.due_date);
    set(a, "text", p.text);
    set(a, "status", std::string(model::to_string(model::ActionStatus::open)));
    set(a, "created_by", ctx_.actor.person_id);
    set(a, "created_at_ms", std::to_string(ctx_.now_ms));
    return accept({std::move(a)});
  }

  Outcome operator()(const UpdateActionStatus& p) {
    auto action = visible(col::kActions, p.action_id, "action");
    if (!action) return not_found("action", p.action_id);
    if (!model::is_professional(ctx_.actor.role) && action->value("owner_id") != ctx_.actor.person_id) {
      return reject(Errc::permission_denied, "only the action's owner or a professional can update it");
    }
    if (state_.get(col::kActionUpdates, p.update_id)) return reject(Errc::already_exists, "update already recorded");
    auto current = model::parse_action_status(action->value("status")).value_or(model::ActionStatus::open);
    const std::string to_name{model::to_string(p.to)};

    // The note is append-only and kept whatever happens to the status.
    Record u = new_record(col::kActionUpdates, p.update_id, action->scope);
    set(u, "action_id", p.action_id);
    set(u, "from", std::string(model::to_string(p.from)));
    set(u, "to", to_name);
    set(u, "note", p.note);
    set(u, "author_id", ctx_.actor.person_id);
    set(u, "at_ms", std::to_string(ctx_.now_ms));

    if (current == p.from) {
      if (!policy::is_legal_action_transition(current, p.to)) {
        return reject(Errc::illegal_transition, "an action cannot move from " +
                                                    std::string(model::to_string(current)) + " to " + to_name);
      }
      set(*action, "status", to_name);
      return accept({std::move(*action), std::move(u)});
    }
    // Someone else moved it first. Same destination: nothing to do. A move that
    // is still legal from where it now stands: apply it. Otherwise keep both.
    if (current == p.to) return accept({std::move(u)});
    if (policy::is_legal_action_transition(current, p.to)) {
      set(*action, "status", to_name);
      return accept({std::move(*action), std::move(u)});
    }
    const merge::Write w = write_info();
    const model::FieldValue other{to_name, version_, ctx_.actor.person_id};
    Record conflict = merge::make_conflict(*action, "status", action->fields["status"], other, w);
    Outcome o = accept({std::move(u), std::move(conflict)});
    o.kind = OutcomeKind::conflict;
    o.reason = "someone else changed this action's status to " + std::string(model::to_string(current)) +
               " first; both changes are kept in a conflict for review";
    return o;
  }

  Outcome operator()(const EditAction& p) {
    auto action = visible(col::kActions, p.action_id, "action");
    if (!action) return not_found("action", p.action_id);
    if (!model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "only professionals edit an agreed action");
    }
    std::map<std::string, std::string> changes;
    if (p.text) changes["text"] = *p.text;
    if (p.due_date) changes["due_date"] = *p.due_date;
    if (p.owner_id) {
      if (!state_.get(col::kPeople, *p.owner_id)) {
        return reject(Errc::invalid_argument, "owner " + *p.owner_id + " is not a known person");
      }
      changes["owner_id"] = *p.owner_id;
    }
    auto merged = merge::merge_fields(*action, changes, op_.base, write_info());
    Outcome o = accept({std::move(merged.record)});
    if (!merged.conflicts.empty()) {
      o.kind = OutcomeKind::conflict;
      o.reason = "someone else edited this action at the same time; both versions are kept in a conflict for review";
      for (auto& c : merged.conflicts) o.writes.push_back(std::move(c));
    }
    return o;
  }

  // R4/R5.
  Outcome operator()(const ScheduleMeeting& p) {
    auto meeting = visible(col::kMeetings, p.meeting_id, "meeting");
    if (!meeting) return not_found("meeting", p.meeting_id);
    auto placement = state_.get(col::kPlacements, meeting->value("placement_id"));
    if (!placement) return not_found("placement", meeting->value("placement_id"));
    const auto type = model::parse_placement_type(placement->value("type")).value_or(model::PlacementType::in_house);
    if (!policy::may_schedule_meeting(ctx_.actor.role, type)) {
      return reject(Errc::permission_denied,
                    type == model::PlacementType::in_house
                        ? "for an in-house placement the supervising social worker or the Fostering Team Manager arranges the meeting"
                        : "for an agency placement the CLA Team Manager or the child's social worker arranges the meeting");
    }
    const auto status = meeting->value("status");
    if (status != "requested" && status != "scheduled") {
      return reject(Errc::rule_violation, "meeting " + p.meeting_id + " is " + status + " and cannot be rescheduled");
    }
    if (p.scheduled_for_ms == 0) return reject(Errc::invalid_argument, "a date and time for the meeting is required");
    std::string minute_taker = p.minute_taker_id;
    if (type != model::PlacementType::in_house) minute_taker = meeting->value("chair_id");  // R4: CLA TM minutes
    if (!minute_taker.empty() && !state_.get(col::kPeople, minute_taker)) {
      return reject(Errc::invalid_argument, "minute taker " + minute_taker + " is not a known person");
    }
    std::vector<Record> writes;
    if (status == "requested") {
      auto household = state_.get(col::kHouseholds, placement->value("household_id"));
      auto child = state_.get(col::kChildren, placement->value("child_id"));
      int n = 0;
      auto invite = [&](const std::string& person, std::string_view kind, bool mandatory) {
        if (person.empty()) return;
        Record inv = new_record(col::kInvitations, p.meeting_id + ".i" + std::to_string(++n), meeting->scope);
        set(inv, "meeting_id", p.meeting_id);
        set(inv, "person_id", person);
        set(inv, "kind", std::string(kind));
        set(inv, "mandatory", mandatory ? "yes" : "no");
        set(inv, "attendance", std::string(model::to_string(model::Attendance::invited)));
        writes.push_back(std::move(inv));
      };
      if (household) {
        for (const auto& carer : policy::split_ids(household->value("carer_ids"))) invite(carer, "carer", true);
      }
      if (child) invite(child->value("social_worker_id"), "child-social-worker", true);
      invite(meeting->value("chair_id"), "team-manager", true);
      if (household) invite(household->value("ssw_id"), "supervising-social-worker", true);
      if (child) invite(child->value("iro_id"), "iro", false);
      // R5: children are always invited, unless a recorded shared decision says otherwise.
      Record inv = new_record(col::kInvitations, p.meeting_id + ".child", meeting->scope);
      set(inv, "meeting_id", p.meeting_id);
      set(inv, "kind", "child");
      set(inv, "name", child ? child->value("name") : std::string("the child"));
      set(inv, "mandatory", "no");
      set(inv, "attendance", std::string(model::to_string(model::Attendance::invited)));
      writes.push_back(std::move(inv));
    }
    set(*meeting, "status", std::string(model::to_string(model::MeetingStatus::scheduled)));
    set(*meeting, "scheduled_for_ms", std::to_string(p.scheduled_for_ms));
    set(*meeting, "location", p.location);
    set(*meeting, "minute_taker_id", minute_taker);
    set(*meeting, "scheduled_by", ctx_.actor.person_id);
    writes.insert(writes.begin(), std::move(*meeting));
    return accept(std::move(writes));
  }

  // R5: others may be added.
  Outcome operator()(const InviteAttendee& p) {
    auto meeting = scheduled_meeting(p.meeting_id);
    if (!meeting.ok()) return meeting.error;
    if (!model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "invitations are sent by the professionals arranging the meeting");
    }
    if (!p.person_id.empty() && !state_.get(col::kPeople, p.person_id)) {
      return reject(Errc::invalid_argument, "person " + p.person_id + " is not known; give a name and organisation instead");
    }
    if (p.person_id.empty() && (p.name.empty() || p.organisation.empty())) {
      return reject(Errc::invalid_argument, "an invitation needs a known person, or a name and an organisation");
    }
    if (state_.get(col::kInvitations, p.invitation_id)) return reject(Errc::already_exists, "invitation already exists");
    Record inv = new_record(col::kInvitations, p.invitation_id, meeting.record->scope);
    set(inv, "meeting_id", p.meeting_id);
    if (!p.person_id.empty()) set(inv, "person_id", p.person_id);
    if (!p.name.empty()) set(inv, "name", p.name);
    if (!p.organisation.empty()) set(inv, "organisation", p.organisation);
    set(inv, "kind", "other");
    set(inv, "mandatory", "no");
    set(inv, "attendance", std::string(model::to_string(model::Attendance::invited)));
    return accept({std::move(inv)});
  }

  // R5: not inviting the child is a shared professional decision with a recorded reason.
  Outcome operator()(const DecideChildNotInvited& p) {
    auto meeting = scheduled_meeting(p.meeting_id);
    if (!meeting.ok()) return meeting.error;
    if (!model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "only professionals decide whether the child is invited");
    }
    if (!has_role(p.social_work_decider_id, {model::Role::child_social_worker, model::Role::cla_team_manager})) {
      return reject(Errc::rule_violation,
                    "the decision not to invite the child needs someone from children's social work (the child's "
                    "social worker or the CLA Team Manager)");
    }
    if (!has_role(p.fostering_decider_id, {model::Role::supervising_social_worker, model::Role::fostering_team_manager})) {
      return reject(Errc::rule_violation,
                    "the decision not to invite the child needs someone from fostering (the supervising social "
                    "worker or the Fostering Team Manager)");
    }
    auto child_invitation = state_.get(col::kInvitations, p.meeting_id + ".child");
    if (!child_invitation) return not_found("invitation for the child at meeting", p.meeting_id);
    if (state_.get(col::kDecisions, p.decision_id)) return reject(Errc::already_exists, "decision already recorded");
    Record d = new_record(col::kDecisions, p.decision_id, meeting.record->scope);
    set(d, "meeting_id", p.meeting_id);
    set(d, "kind", "child-not-invited");
    set(d, "reason", p.reason);
    set(d, "social_work_decider_id", p.social_work_decider_id);
    set(d, "fostering_decider_id", p.fostering_decider_id);
    set(d, "recorded_by", ctx_.actor.person_id);
    set(d, "recorded_at_ms", std::to_string(ctx_.now_ms));
    set(*child_invitation, "attendance", std::string(model::to_string(model::Attendance::not_invited)));
    set(*child_invitation, "decision_id", p.decision_id);
    return accept({std::move(d), std::move(*child_invitation)});
  }

  Outcome operator()(const RecordAttendance& p) {
    auto invitation = visible(col::kInvitations, p.invitation_id, "invitation");
    if (!invitation) return not_found("invitation", p.invitation_id);
    auto meeting = scheduled_meeting(invitation->value("meeting_id"));
    if (!meeting.ok()) return meeting.error;
    if (!model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "attendance is recorded by the chair or the minute taker");
    }
    if (p.attendance == model::Attendance::not_invited || p.attendance == model::Attendance::invited) {
      return reject(Errc::invalid_argument, "attendance is attended, apologies or absent");
    }
    if (invitation->value("attendance") == model::to_string(model::Attendance::not_invited)) {
      return reject(Errc::rule_violation, "the child was not invited to this meeting (a recorded decision)");
    }
    set(*invitation, "attendance", std::string(model::to_string(p.attendance)));
    return accept({std::move(*invitation)});
  }

  // R7.
  Outcome operator()(const AddAgendaNote& p) {
    auto meeting = visible(col::kMeetings, p.meeting_id, "meeting");
    if (!meeting) return not_found("meeting", p.meeting_id);
    if (!model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "agenda notes are written by the professionals at the meeting");
    }
    const auto type = model::parse_meeting_type(meeting->value("type")).value_or(model::MeetingType::support);
    if (!policy::find_agenda_item(type, p.item)) {
      return reject(Errc::invalid_argument, "\"" + p.item + "\" is not an item of the " +
                                                std::string(model::to_string(type)) + " meeting agenda");
    }
    if (state_.get(col::kAgendaNotes, p.note_id)) return reject(Errc::already_exists, "note already recorded");
    Record n = new_record(col::kAgendaNotes, p.note_id, meeting->scope);
    // As for views: notes under "The child's views" are for professionals
    // unless shared with the carers; any note may be marked professionals-only.
    // A note from before the choice existed (version 1) reads as not shared.
    n.professionals_only = p.professionals_only || (p.item == kChildViewsItem && !p.share_with_carers);
    set(n, "meeting_id", p.meeting_id);
    set(n, "item", p.item);
    set(n, "text", p.text);
    set(n, "author_id", ctx_.actor.person_id);
    set(n, "at_ms", std::to_string(ctx_.now_ms));
    return accept({std::move(n)});
  }

  // R6.
  Outcome operator()(const FinaliseMinutes& p) {
    auto meeting = scheduled_meeting(p.meeting_id);
    if (!meeting.ok()) return meeting.error;
    Record& m = *meeting.record;
    auto placement = state_.get(col::kPlacements, m.value("placement_id"));
    auto household = placement ? state_.get(col::kHouseholds, placement->value("household_id")) : std::nullopt;
    auto child = placement ? state_.get(col::kChildren, placement->value("child_id")) : std::nullopt;
    const std::string& me = ctx_.actor.person_id;
    const bool may = me == m.value("chair_id") || me == m.value("minute_taker_id") ||
                     (household && me == household->value("ssw_id"));
    if (!may) {
      return reject(Errc::permission_denied, "the minutes are finalised by the chair, the minute taker or the supervising social worker");
    }
    std::vector<std::string> missing;
    const auto invitations = state_.list_in_scope(col::kInvitations, m.scope);
    bool iro_attended = false;
    for (const auto& inv : invitations) {
      if (inv.value("meeting_id") != m.id) continue;
      const auto attendance = inv.value("attendance");
      if (inv.value("kind") == "iro" && attendance == "attended") iro_attended = true;
      if (inv.value("mandatory") == "yes" && attendance != "attended" && attendance != "apologies") {
        missing.push_back("attendance or apologies for " + person_name(inv.value("person_id")) + " (" +
                          inv.value("kind") + ")");
      }
    }
    bool child_views = false;
    bool iro_views = false;
    for (const auto& v : state_.list_in_scope(col::kViews, m.scope)) {
      if (v.value("meeting_id") != m.id) continue;
      if (v.value("subject") == "child" && !v.value("text").empty()) child_views = true;
      if (v.value("subject") == "iro") iro_views = true;  // views, or a record that they were sought
    }
    if (!child_views) {
      missing.push_back("the child's views (recorded at the meeting, or gathered in advance by the child's social worker)");
    }
    if (child && !child->value("iro_id").empty() && !iro_attended && !iro_views) {
      missing.push_back("the IRO's views (or a record that they were sought, and when)");
    }
    for (const auto& a : state_.list_in_scope(col::kActions, m.scope)) {
      if (a.value("meeting_id") != m.id || a.value("status") == "cancelled") continue;
      if (a.value("owner_id").empty() || a.value("due_date").empty()) {
        missing.push_back("an owner and a due date for action \"" + a.value("text") + "\"");
      }
    }
    const auto review = policy::parse_date(p.review_date);
    if (!review) {
      missing.push_back("a review date");
    } else {
      const auto held_on = policy::uk_date_of(std::stoull(m.value("scheduled_for_ms")));
      if (!policy::is_usual_review_interval(held_on, *review) && p.review_interval_reason.empty()) {
        missing.push_back("a reason for reviewing on " + p.review_date +
                          " (reviews are usually 6 weeks to 3 months after the meeting)");
      }
    }
    if (!missing.empty()) {
      std::string message = "the minutes cannot be finalised yet; missing: ";
      for (std::size_t i = 0; i < missing.size(); ++i) {
        message += (i ? "; " : "") + std::to_string(i + 1) + ". " + missing[i];
      }
      return reject(Errc::rule_violation, message);
    }
    set(m, "status", std::string(model::to_string(model::MeetingStatus::minutes_finalised)));
    set(m, "review_date", p.review_date);
    if (!p.review_interval_reason.empty()) set(m, "review_interval_reason", p.review_interval_reason);
    set(m, "finalised_by", me);
    set(m, "finalised_at_ms", std::to_string(ctx_.now_ms));
    std::vector<Record> writes{m};
    // R10: the plan is copied, minimised, to the carer household's record:
    // items and actions that are not professionals-only, the review date and
    // whether the child was told. Nothing else about the child or their family.
    if (m.value("type") == "support" && placement) {
      Record copy = new_record(col::kPlanCopies, m.id + ".plan", model::scope::household(placement->value("household_id")));
      set(copy, "meeting_id", m.id);
      set(copy, "placement_id", m.value("placement_id"));
      set(copy, "review_date", p.review_date);
      set(copy, "child_told_of_plan_on", m.value("child_told_of_plan_on"));
      std::string items;
      for (const auto& item : state_.list_in_scope(col::kSupportItems, m.scope)) {
        if (item.value("meeting_id") != m.id || item.professionals_only) continue;
        items += item.value("kind") + ": " + item.value("description") + " (" + item.value("provider") + ", " +
                 item.value("frequency") + ")\n";
      }
      std::string plan_actions;
      for (const auto& a : state_.list_in_scope(col::kActions, m.scope)) {
        if (a.value("meeting_id") != m.id || a.professionals_only || a.value("status") == "cancelled") continue;
        plan_actions += a.value("text") + " — " + person_name(a.value("owner_id")) + ", by " + a.value("due_date") + "\n";
      }
      set(copy, "support_items", items);
      set(copy, "actions", plan_actions);
      writes.push_back(std::move(copy));
    }
    // R9: minutes finalised → the IRO is told.
    if (child) notify(writes, child->value("iro_id"), "minutes-finalised", m, "Minutes finalised for placement " + m.value("placement_id"));
    return accept(std::move(writes));
  }

  // R13.
  Outcome operator()(const RaiseConductConcern& p) {
    auto meeting = visible(col::kMeetings, p.meeting_id, "meeting");
    if (!meeting) return not_found("meeting", p.meeting_id);
    if (!model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "concerns about a carer's conduct are raised by professionals");
    }
    if (state_.get(col::kConcerns, p.concern_id)) return reject(Errc::already_exists, "concern already recorded");
    Record c = new_record(col::kConcerns, p.concern_id, meeting->scope);
    c.professionals_only = true;
    set(c, "meeting_id", p.meeting_id);
    set(c, "placement_id", meeting->value("placement_id"));
    set(c, "text", p.text);
    set(c, "raised_by", ctx_.actor.person_id);
    set(c, "raised_at_ms", std::to_string(ctx_.now_ms));
    // The urgent task: discuss with the LADO by the end of the next working day.
    // Professionals-only because it derives from the concern (concern_id).
    Record task = new_record(col::kActions, p.concern_id + ".lado", meeting->scope);
    set(task, "concern_id", p.concern_id);
    const std::string owner = meeting->value("chair_id").empty() ? ctx_.actor.person_id : meeting->value("chair_id");
    const auto due = policy::uk_date_of(policy::end_of_nth_working_day_after(ctx_.now_ms, 1, calendar()));
    set(task, "meeting_id", p.meeting_id);
    set(task, "owner_id", owner);
    set(task, "due_date", policy::format_date(due));
    set(task, "text", "Urgent: discuss the concern about the carers' conduct with the LADO");
    set(task, "status", std::string(model::to_string(model::ActionStatus::open)));
    set(task, "urgent", "yes");
    set(task, "created_by", ctx_.actor.person_id);
    set(task, "created_at_ms", std::to_string(ctx_.now_ms));
    std::vector<Record> writes{c, task};
    // R9: a LADO referral → the LADO and the Fostering Service Manager.
    for (const char* setting : {"lados", "fostering-service-managers"}) {
      if (auto ids = state_.get(col::kSettings, setting)) {
        for (const auto& id : policy::split_ids(ids->value("ids"))) {
          notify(writes, id, "lado-referral", *meeting,
                 "Concern about carers' conduct raised at a meeting for placement " + meeting->value("placement_id"),
                 {"concern_id", p.concern_id});
        }
      }
    }
    return accept(std::move(writes));
  }

  // R15.
  Outcome operator()(const RecordShortBreak& p) {
    auto placement = visible(col::kPlacements, p.placement_id, "placement");
    if (!placement) return not_found("placement", p.placement_id);
    if (!model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "short breaks are recorded by the supervising or child's social worker");
    }
    const auto start = policy::parse_date(p.start_date);
    const auto end = policy::parse_date(p.end_date);
    if (!start || !end || std::chrono::sys_days{*end} < std::chrono::sys_days{*start}) {
      return reject(Errc::invalid_argument, "a short break needs a start date and an end date on or after it");
    }
    if (state_.get(col::kShortBreaks, p.break_id)) return reject(Errc::already_exists, "short break already recorded");
    const auto nights = (std::chrono::sys_days{*end} - std::chrono::sys_days{*start}).count() + 1;
    Record b = new_record(col::kShortBreaks, p.break_id, placement->scope);
    set(b, "placement_id", p.placement_id);
    set(b, "start_date", p.start_date);
    set(b, "end_date", p.end_date);
    set(b, "days", std::to_string(nights));
    set(b, "with_whom", p.with_whom);
    set(b, "recorded_by", ctx_.actor.person_id);
    // The allowance is not reduced for agreed breaks of up to two weeks; a
    // longer one is flagged so someone decides about the allowance.
    set(b, "over_two_weeks", nights > 14 ? "yes" : "no");
    Outcome o = accept({std::move(b)});
    if (nights > 14) {
      o.reason = "this break is " + std::to_string(nights) +
                 " days: the allowance rule (not reduced for breaks up to two weeks) does not cover it";
    }
    return o;
  }

  // R10.
  Outcome operator()(const AddSupportItem& p) {
    auto meeting = visible(col::kMeetings, p.meeting_id, "meeting");
    if (!meeting) return not_found("meeting", p.meeting_id);
    if (!model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "the support plan is agreed and recorded by the professionals at the meeting");
    }
    if (meeting->value("type") != "support") {
      return reject(Errc::rule_violation, "a Placement Support Plan comes out of a Placement Support Meeting");
    }
    if (!policy::is_support_item_kind(p.kind)) {
      return reject(Errc::invalid_argument, "support item kind must be one of " + policy::support_item_kinds());
    }
    if (state_.get(col::kSupportItems, p.item_id)) return reject(Errc::already_exists, "support item already recorded");
    Record item = new_record(col::kSupportItems, p.item_id, meeting->scope);
    item.professionals_only = p.professionals_only;
    set(item, "meeting_id", p.meeting_id);
    set(item, "kind", p.kind);
    set(item, "description", p.description);
    set(item, "provider", p.provider);
    set(item, "frequency", p.frequency);
    set(item, "added_by", ctx_.actor.person_id);
    if (!p.needs_panel) return accept({std::move(item)});
    // R11: significant extra resources wait for the Practice and Resources
    // Panel, which sees the request (not the child's record) in its own scope.
    set(item, "panel_status", "pending");
    Record request = new_record(col::kPanelRequests, p.item_id, std::string(model::scope::kPanel));
    request.professionals_only = true;
    set(request, "item_id", p.item_id);
    set(request, "meeting_id", p.meeting_id);
    set(request, "placement_id", meeting->value("placement_id"));
    set(request, "kind", p.kind);
    set(request, "description", p.description);
    set(request, "provider", p.provider);
    set(request, "frequency", p.frequency);
    set(request, "requested_by", ctx_.actor.person_id);
    set(request, "requested_at_ms", std::to_string(ctx_.now_ms));
    set(request, "status", "pending");
    std::vector<Record> writes{std::move(item), std::move(request)};
    // R9: a resource request → the panel.
    if (auto ids = state_.get(col::kSettings, "panel-members")) {
      for (const auto& id : policy::split_ids(ids->value("ids"))) {
        notify(writes, id, "resource-request", *meeting,
               "Support needing the Practice and Resources Panel's approval, for placement " +
                   meeting->value("placement_id"),
               {"request_id", p.item_id});
      }
    }
    return accept(std::move(writes));
  }

  // R11.
  Outcome operator()(const DecidePanelRequest& p) {
    auto request = visible(col::kPanelRequests, p.request_id, "panel request");
    if (!request) return not_found("panel request", p.request_id);
    if (ctx_.actor.role != model::Role::panel_member) {
      return reject(Errc::permission_denied, "only a member of the Practice and Resources Panel records its decision");
    }
    if (request->value("status") != "pending") {
      return reject(Errc::illegal_transition, "the panel has already decided on request " + p.request_id + " (" +
                                                  request->value("status") + ")");
    }
    if (!p.approve && p.reason.empty()) return reject(Errc::rule_violation, "a decision to decline must give the reason");
    const std::string status = p.approve ? "approved" : "declined";
    set(*request, "status", status);
    set(*request, "reason", p.reason);
    set(*request, "decided_by", ctx_.actor.person_id);
    set(*request, "decided_at_ms", std::to_string(ctx_.now_ms));
    std::vector<Record> writes{*request};
    // The support item on the child's record, where this replica holds it (the
    // server always does; a panel member's device does not).
    if (auto item = state_.get(col::kSupportItems, request->value("item_id"))) {
      set(*item, "panel_status", status);
      set(*item, "panel_reason", p.reason);
      writes.push_back(std::move(*item));
    }
    Record meeting = new_record(col::kMeetings, request->value("meeting_id"), "");
    set(meeting, "placement_id", request->value("placement_id"));
    notify(writes, request->value("requested_by"), "panel-decision", meeting,
           "The Practice and Resources Panel " + status + " the support requested for placement " +
               request->value("placement_id"),
           {"request_id", p.request_id});
    return accept(std::move(writes));
  }

  Outcome operator()(const RecordChildToldOfPlan& p) {
    auto meeting = visible(col::kMeetings, p.meeting_id, "meeting");
    if (!meeting) return not_found("meeting", p.meeting_id);
    if (!model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "the child's social worker records that the child was told");
    }
    set(*meeting, "child_told_of_plan_on", p.told_on);
    return accept({std::move(*meeting)});
  }

  // R12.
  Outcome operator()(const RecordPreDisruptionOutcome& p) {
    auto meeting = scheduled_meeting(p.meeting_id);
    if (!meeting.ok()) return meeting.error;
    Record& m = *meeting.record;
    if (m.value("type") != "pre-disruption") {
      return reject(Errc::rule_violation, "only a pre-disruption meeting records this outcome");
    }
    if (!model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "the outcome is recorded by the chair or the supervising social worker");
    }
    std::vector<std::string> missing;
    if (p.planned_ending) {
      if (p.future_contact.empty()) missing.push_back("future contact between the child and the carers");
      if (p.carers_support_move != "yes" && p.carers_support_move != "no") {
        missing.push_back("whether the carers will support the move (yes or no)");
      }
      if (p.lessons.empty()) missing.push_back("lessons for the End of Placement Review");
    }
    if (!missing.empty()) {
      std::string message = "a planned ending must record: ";
      for (std::size_t i = 0; i < missing.size(); ++i) message += (i ? "; " : "") + missing[i];
      return reject(Errc::rule_violation, message);
    }
    set(m, "outcome", p.planned_ending ? "planned-ending" : "continue-with-support");
    std::vector<Record> writes;
    if (p.planned_ending) {
      set(m, "future_contact", p.future_contact);
      set(m, "carers_support_move", p.carers_support_move);
      set(m, "lessons", p.lessons);
      // A planned ending prompts an End of Placement Review and informing the IRO.
      Record review = new_record(col::kActions, m.id + ".epr", m.scope);
      const std::string owner = m.value("chair_id").empty() ? ctx_.actor.person_id : m.value("chair_id");
      set(review, "meeting_id", m.id);
      set(review, "owner_id", owner);
      set(review, "due_date", policy::format_date(policy::uk_date_of(policy::end_of_nth_working_day_after(ctx_.now_ms, 20, calendar()))));
      set(review, "text", "Arrange the End of Placement Review");
      set(review, "status", std::string(model::to_string(model::ActionStatus::open)));
      set(review, "created_by", ctx_.actor.person_id);
      set(review, "created_at_ms", std::to_string(ctx_.now_ms));
      writes.push_back(std::move(review));
    }
    writes.insert(writes.begin(), m);
    if (p.planned_ending) {
      if (auto child = state_.get(col::kChildren, m.value("child_id"))) {
        notify(writes, child->value("iro_id"), "planned-ending", m,
               "A planned ending was agreed at a pre-disruption meeting for placement " + m.value("placement_id"));
      }
    }
    return accept(std::move(writes));
  }

  Outcome operator()(const ResolveConflict& p) {
    auto conflict = visible(col::kConflicts, p.conflict_id, "conflict");
    if (!conflict) return not_found("conflict", p.conflict_id);
    if (!model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "conflicts are resolved by the professionals responsible");
    }
    if (conflict->value("status") != "open") {
      return reject(Errc::rule_violation, "conflict " + p.conflict_id + " is already resolved");
    }
    std::vector<Record> writes;
    if (p.keep == ResolveConflict::Keep::other) {
      auto target = state_.get(conflict->value("target_collection"), conflict->value("target_id"));
      if (!target) return not_found("record", conflict->value("target_id"));
      set(*target, conflict->value("field"), conflict->value("other_value"));
      writes.push_back(std::move(*target));
    }
    set(*conflict, "status", "resolved");
    set(*conflict, "kept", p.keep == ResolveConflict::Keep::other ? "other" : "kept");
    set(*conflict, "resolved_by", ctx_.actor.person_id);
    set(*conflict, "resolved_at_ms", std::to_string(ctx_.now_ms));
    writes.push_back(std::move(*conflict));
    return accept(std::move(writes));
  }

 private:
  Outcome request_meeting(const Record& placement, const std::string& meeting_id, model::MeetingType type,
                          const std::string& reason, std::uint64_t identified_at_ms) {
    if (!policy::placement_is_active(placement)) {
      return reject(Errc::rule_violation, "placement " + placement.id + " has ended");
    }
    if (state_.get(col::kMeetings, meeting_id)) {
      return reject(Errc::already_exists, "meeting " + meeting_id + " already exists");
    }
    const std::uint64_t identified = identified_at_ms ? identified_at_ms : ctx_.now_ms;
    Record m = new_record(col::kMeetings, meeting_id, placement.scope);
    set(m, "placement_id", placement.id);
    set(m, "child_id", placement.value("child_id"));
    set(m, "household_id", placement.value("household_id"));
    set(m, "type", std::string(model::to_string(type)));
    set(m, "status", std::string(model::to_string(model::MeetingStatus::requested)));
    set(m, "reason", reason);
    set(m, "requested_by", ctx_.actor.person_id);
    set(m, "requested_at_ms", std::to_string(ctx_.now_ms));
    set(m, "identified_at_ms", std::to_string(identified));
    set(m, "deadline_ms", std::to_string(policy::meeting_deadline(type, identified, calendar())));
    // R4: the placement's team manager chairs (Fostering for in-house, CLA for IFA).
    set(m, "chair_id", placement.value("team_manager_id"));
    std::vector<Record> writes{m};
    // R1: the request goes to the team manager, who is told.
    const std::string what = std::string(type == model::MeetingType::support ? "Placement Support Meeting"
                                                                              : "Pre-disruption meeting");
    notify(writes, placement.value("team_manager_id"), "meeting-requested", m,
           what + " requested for placement " + placement.id);
    // R9: every support meeting is made known to the Fostering, Family
    // Safeguarding and CLA Service Managers.
    if (type == model::MeetingType::support) {
      if (auto managers = state_.get(col::kSettings, "service-managers")) {
        for (const auto& id : policy::split_ids(managers->value("ids"))) {
          notify(writes, id, "support-meeting", m, "Placement Support Meeting requested for placement " + placement.id);
        }
      }
    }
    return accept(std::move(writes));
  }

  // A notification in `recipient`'s inbox (scope person:<id>). Ids derive from
  // the operation, so every replica makes the same ones. `about` names the
  // record it tells of, beyond the meeting (a field of policy::derived_from,
  // e.g. {"concern_id", id}): a notification about a professionals-only record
  // is professionals-only.
  void notify(std::vector<Record>& writes, const std::string& recipient, std::string_view kind, const Record& meeting,
              const std::string& text, const std::pair<std::string_view, std::string>& about = {}) {
    if (recipient.empty()) return;
    Record n = new_record(col::kNotifications, op_.op_id + ".n" + std::to_string(++notifications_),
                          model::scope::person(recipient));
    set(n, "recipient_id", recipient);
    set(n, "kind", std::string(kind));
    set(n, "meeting_id", meeting.id);
    set(n, "placement_id", meeting.value("placement_id"));
    if (!about.first.empty()) set(n, about.first, about.second);
    set(n, "text", text);
    set(n, "created_at_ms", std::to_string(ctx_.now_ms));
    writes.push_back(std::move(n));
  }

  struct MeetingOrError {
    std::optional<Record> record;
    Outcome error;
    bool ok() const { return record.has_value(); }
  };
  // A visible meeting that has been scheduled (invitations exist).
  MeetingOrError scheduled_meeting(const std::string& id) {
    auto m = visible(col::kMeetings, id, "meeting");
    if (!m) return {std::nullopt, not_found("meeting", id)};
    const auto status = m->value("status");
    if (status == "requested") {
      return {std::nullopt, reject(Errc::rule_violation, "meeting " + id + " has not been scheduled yet")};
    }
    if (status != "scheduled" && status != "held") {
      return {std::nullopt, reject(Errc::rule_violation, "meeting " + id + " is " + status)};
    }
    return {std::move(m), {}};
  }

  // R16: the working-day calendar both sides hold (the server's edition once
  // synced, else the built-in one), read once per operation.
  const policy::WorkingDayCalendar& calendar() {
    if (!calendar_) calendar_ = calendar_in_force(state_);
    return *calendar_;
  }

  bool has_role(const std::string& person_id, std::initializer_list<model::Role> roles) {
    auto person = state_.get(col::kPeople, person_id);
    if (!person) return false;
    const std::string role = person->value("role");
    for (auto r : roles) {
      if (model::to_string(r) == role) return true;
    }
    return false;
  }

  std::string person_name(const std::string& id) {
    auto p = state_.get(col::kPeople, id);
    return p ? p->value("name") : id;
  }

  // A record the actor may see, or nullopt. Records outside the actor's scopes
  // are reported exactly as missing ones, so their existence is not revealed.
  std::optional<Record> visible(std::string_view collection, const std::string& id, std::string_view) {
    auto r = state_.get(collection, id);
    if (!r || !ctx_.can_see(r->scope)) return std::nullopt;
    if (r->professionals_only && !model::is_professional(ctx_.actor.role)) return std::nullopt;
    return r;
  }

  Outcome not_found(std::string_view what, const std::string& id) {
    return reject(Errc::not_found, "no " + std::string(what) + " " + id + " that you can see");
  }

  Record new_record(std::string_view collection, const std::string& id, const std::string& scope) {
    Record r;
    r.collection = std::string(collection);
    r.id = id;
    r.scope = scope;
    return r;
  }

  void set(Record& r, std::string_view field, std::string value) {
    r.set(field, std::move(value), version_, ctx_.actor.person_id);
  }

  merge::Write write_info() const { return {version_, ctx_.actor.person_id, ctx_.now_ms, op_.op_id}; }

  const StateReader& state_;
  const Operation& op_;
  const ApplyContext& ctx_;
  model::Version version_;
  int notifications_ = 0;
  std::optional<policy::WorkingDayCalendar> calendar_;
};

bool text_ok(const std::string& s, std::size_t max) { return !s.empty() && s.size() <= max; }

// Remembers what one apply() read, so that inherit_professionals_only reads
// nothing a second time: the meeting or action an operation acts on is almost
// always the record its writes derive from, and on the server each read is a
// query and a decryption. Lives for one call, during which the state does not
// change.
class ReadOnce final : public StateReader {
 public:
  explicit ReadOnce(const StateReader& state) : state_(state) {}
  std::optional<Record> get(std::string_view collection, std::string_view id) const override {
    auto key = std::pair{std::string(collection), std::string(id)};
    if (auto it = seen_.find(key); it != seen_.end()) return it->second;
    auto record = state_.get(collection, id);
    seen_.emplace(std::move(key), record);
    return record;
  }
  std::vector<Record> list_in_scope(std::string_view collection, std::string_view scope) const override {
    return state_.list_in_scope(collection, scope);
  }

 private:
  const StateReader& state_;
  mutable std::map<std::pair<std::string, std::string>, std::optional<Record>> seen_;
};

}  // namespace

std::optional<std::pair<Errc, std::string>> validate_shape(const Operation& op) {
  using R = std::optional<std::pair<Errc, std::string>>;
  auto bad = [](std::string msg) -> R { return std::pair{Errc::invalid_argument, std::move(msg)}; };
  if (op.schema_version < kMinSchemaVersion || op.schema_version > kSchemaVersion) {
    return std::pair{Errc::unsupported_version,
                     "operation schema version " + std::to_string(op.schema_version) + " is not supported"};
  }
  if (!model::is_valid_id(op.op_id)) return bad("operation id is not valid");
  if (!model::is_valid_id(op.device_id)) return bad("device id is not valid");
  if (op.seq == 0) return bad("operation sequence numbers start at 1");
  if (op.base.size() > limits::kMaxFieldsPerRecord) return bad("too many base versions");
  auto id_ok = [](const std::string& id) { return model::is_valid_id(id); };
  return std::visit(
      [&](const auto& p) -> R {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, RequestMeeting>) {
          if (!id_ok(p.meeting_id) || !id_ok(p.placement_id)) return bad("meeting or placement id is not valid");
          if (!text_ok(p.reason, limits::kMaxTextBytes)) return bad("a reason for the meeting is required");
          if (static_cast<int>(p.type) < 0 || static_cast<int>(p.type) > 2) return bad("unknown meeting type");
        } else if constexpr (std::is_same_v<T, RecordView>) {
          if (!id_ok(p.view_id) || !id_ok(p.meeting_id)) return bad("view or meeting id is not valid");
          if (!p.sought_on.empty()) {
            if (!policy::parse_date(p.sought_on)) return bad("the date views were sought must be YYYY-MM-DD");
            if (p.text.size() > limits::kMaxTextBytes) return bad("the views text is too long");
          } else if (!text_ok(p.text, limits::kMaxTextBytes)) {
            return bad("the views text is empty or too long");
          }
          if (static_cast<int>(p.subject) < 0 || static_cast<int>(p.subject) > 4) return bad("unknown view subject");
          if (p.professionals_only && p.share_with_carers) {
            return bad("views are either professionals-only or shared with the carers, not both");
          }
        } else if constexpr (std::is_same_v<T, AddAction>) {
          if (!id_ok(p.action_id) || !id_ok(p.meeting_id)) return bad("action or meeting id is not valid");
          if (!id_ok(p.owner_id)) return bad("every action needs an owner");
          if (!policy::parse_date(p.due_date)) return bad("every action needs a due date (YYYY-MM-DD)");
          if (!text_ok(p.text, limits::kMaxTextBytes)) return bad("the action's text is empty or too long");
        } else if constexpr (std::is_same_v<T, UpdateActionStatus>) {
          if (!id_ok(p.action_id) || !id_ok(p.update_id)) return bad("action or update id is not valid");
          if (static_cast<int>(p.to) < 0 || static_cast<int>(p.to) > 3 || static_cast<int>(p.from) < 0 ||
              static_cast<int>(p.from) > 3) {
            return bad("unknown action status");
          }
          if (p.note.size() > limits::kMaxTextBytes) return bad("the note is too long");
        } else if constexpr (std::is_same_v<T, EditAction>) {
          if (!id_ok(p.action_id)) return bad("action id is not valid");
          if (!p.text && !p.due_date && !p.owner_id) return bad("nothing to change");
          if (p.text && !text_ok(*p.text, limits::kMaxTextBytes)) return bad("the action's text is empty or too long");
          if (p.due_date && !policy::parse_date(*p.due_date)) return bad("the due date must be YYYY-MM-DD");
          if (p.owner_id && !id_ok(*p.owner_id)) return bad("owner id is not valid");
        } else if constexpr (std::is_same_v<T, ScheduleMeeting>) {
          if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
          if (p.location.size() > limits::kMaxShortStringBytes) return bad("the location is too long");
          if (!p.minute_taker_id.empty() && !id_ok(p.minute_taker_id)) return bad("minute taker id is not valid");
        } else if constexpr (std::is_same_v<T, InviteAttendee>) {
          if (!id_ok(p.invitation_id) || !id_ok(p.meeting_id)) return bad("invitation or meeting id is not valid");
          if (!p.person_id.empty() && !id_ok(p.person_id)) return bad("person id is not valid");
          if (p.name.size() > limits::kMaxShortStringBytes || p.organisation.size() > limits::kMaxShortStringBytes) {
            return bad("name or organisation too long");
          }
        } else if constexpr (std::is_same_v<T, DecideChildNotInvited>) {
          if (!id_ok(p.decision_id) || !id_ok(p.meeting_id)) return bad("decision or meeting id is not valid");
          if (!text_ok(p.reason, limits::kMaxTextBytes)) return bad("the reason for not inviting the child must be recorded");
          if (!id_ok(p.social_work_decider_id) || !id_ok(p.fostering_decider_id)) {
            return bad("the two professionals who made the decision must be named");
          }
        } else if constexpr (std::is_same_v<T, RecordAttendance>) {
          if (!id_ok(p.invitation_id)) return bad("invitation id is not valid");
          if (static_cast<int>(p.attendance) < 0 || static_cast<int>(p.attendance) > 4) return bad("unknown attendance");
        } else if constexpr (std::is_same_v<T, AddAgendaNote>) {
          if (!id_ok(p.note_id) || !id_ok(p.meeting_id)) return bad("note or meeting id is not valid");
          if (p.item.empty() || p.item.size() > limits::kMaxShortStringBytes) return bad("agenda item is not valid");
          if (!text_ok(p.text, limits::kMaxTextBytes)) return bad("the note is empty or too long");
          if (p.professionals_only && p.share_with_carers) {
            return bad("a note is either professionals-only or shared with the carers, not both");
          }
        } else if constexpr (std::is_same_v<T, FinaliseMinutes>) {
          if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
          if (p.review_interval_reason.size() > limits::kMaxTextBytes) return bad("the reason is too long");
        } else if constexpr (std::is_same_v<T, MarkPermanenceMatch>) {
          if (!id_ok(p.placement_id) || !id_ok(p.meeting_id)) return bad("placement or meeting id is not valid");
          if (!policy::parse_date(p.agreed_on)) return bad("the date the match was agreed must be YYYY-MM-DD");
        } else if constexpr (std::is_same_v<T, RaiseConductConcern>) {
          if (!id_ok(p.concern_id) || !id_ok(p.meeting_id)) return bad("concern or meeting id is not valid");
          if (!text_ok(p.text, limits::kMaxTextBytes)) return bad("describe the concern");
        } else if constexpr (std::is_same_v<T, RecordShortBreak>) {
          if (!id_ok(p.break_id) || !id_ok(p.placement_id)) return bad("break or placement id is not valid");
          if (p.with_whom.size() > limits::kMaxShortStringBytes) return bad("who the child stays with is too long");
        } else if constexpr (std::is_same_v<T, AddSupportItem>) {
          if (!id_ok(p.item_id) || !id_ok(p.meeting_id)) return bad("item or meeting id is not valid");
          if (!text_ok(p.description, limits::kMaxTextBytes)) return bad("describe the support");
          if (p.provider.size() > limits::kMaxShortStringBytes || p.frequency.size() > limits::kMaxShortStringBytes) {
            return bad("provider or frequency too long");
          }
        } else if constexpr (std::is_same_v<T, RecordChildToldOfPlan>) {
          if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
          if (!policy::parse_date(p.told_on)) return bad("the date the child was told must be YYYY-MM-DD");
        } else if constexpr (std::is_same_v<T, RecordPreDisruptionOutcome>) {
          if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
          for (const auto* t : {&p.future_contact, &p.carers_support_move, &p.lessons}) {
            if (t->size() > limits::kMaxTextBytes) return bad("text too long");
          }
        } else if constexpr (std::is_same_v<T, DecidePanelRequest>) {
          if (!id_ok(p.request_id)) return bad("panel request id is not valid");
          if (p.reason.size() > limits::kMaxTextBytes) return bad("the reason is too long");
        } else if constexpr (std::is_same_v<T, ResolveConflict>) {
          if (!id_ok(p.conflict_id)) return bad("conflict id is not valid");
          if (static_cast<int>(p.keep) > 1) return bad("keep must be current or other");
        }
        return std::nullopt;
      },
      op.payload);
}

Outcome apply(const StateReader& state, const Operation& op, const ApplyContext& ctx) {
  if (auto problem = validate_shape(op)) return reject(problem->first, problem->second);
  const ReadOnce reads(state);
  Applier applier(reads, op, ctx);
  Outcome outcome = std::visit(applier, op.payload);
  // The one place every write of every operation gets the flag of what it is
  // derived from (policy::inherit_professionals_only).
  if (outcome.ok()) inherit_professionals_only(outcome.writes, reads);
  return outcome;
}

void inherit_professionals_only(std::vector<Record>& writes, const StateReader& state) {
  policy::inherit_professionals_only(
      writes, [&](std::string_view collection, std::string_view id) { return state.get(collection, id); });
}

policy::WorkingDayCalendar calendar_in_force(const StateReader& state) {
  return policy::calendar_in_force(state.get(col::kSettings, policy::kCalendarSettingId));
}

std::string_view kind_name(const Payload& p) {
  static constexpr std::string_view kNames[] = {
      "request-meeting", "record-view",   "add-action",      "update-action",    "edit-action",
      "resolve-conflict", "schedule-meeting", "invite",       "child-not-invited", "record-attendance",
      "add-agenda-note", "finalise-minutes", "mark-permanence-match", "raise-conduct-concern", "record-short-break",
      "add-support-item", "child-told-of-plan", "pre-disruption-outcome", "panel-decision"};
  static_assert(std::size(kNames) == std::variant_size_v<Payload>);
  return kNames[p.index()];
}

}  // namespace psm::ops
