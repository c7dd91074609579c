#include "client/cli/meetings.hpp"

#include "client/core/views/format.hpp"
#include "client/core/views/listings.hpp"
#include "client/core/views/meeting.hpp"
#include "client/core/views/people.hpp"

#include "common/model/ids.hpp"
#include "common/policy/agenda.hpp"
#include "common/policy/calendar.hpp"

#include <iostream>
#include <set>

namespace psm::client::cli {

namespace json = boost::json;
namespace col = model::collection;

void add_meeting_commands(CLI::App& app, MeetingCommands& m, const std::function<void(CLI::App*)>& add_json) {
  m.schedule = app.add_subcommand("schedule-meeting", "fix when and where a meeting is held; invitations go out");
  m.schedule->add_option("MEETING_ID", m.meeting_id)->required();
  m.schedule->add_option("--at", m.at, "YYYY-MM-DDTHH:MM (UK time)")->required();
  m.schedule->add_option("--location", m.location);
  m.schedule->add_option("--minute-taker", m.minute_taker,
                         "the person's name (psm people) or id (in-house: booked by the SSW)");

  m.invite = app.add_subcommand("invite", "invite someone else: a known person, or a name and organisation");
  m.invite->add_option("MEETING_ID", m.meeting_id)->required();
  m.invite->add_option("--person", m.person, "a person on this device: their name (psm people) or id");
  m.invite->add_option("--name", m.name);
  m.invite->add_option("--organisation", m.organisation, "e.g. school, Virtual School, CAMHS, YOT");

  m.child_not_invited = app.add_subcommand("child-not-invited", "record the shared decision not to invite the child");
  m.child_not_invited->add_option("MEETING_ID", m.meeting_id)->required();
  m.child_not_invited->add_option("--reason", m.reason)->required();
  m.child_not_invited
      ->add_option("--social-worker", m.social_worker,
                   "who decided for children's social work: name (psm people) or id")
      ->required();
  m.child_not_invited->add_option("--fostering", m.fostering, "who decided for fostering: name (psm people) or id")
      ->required();

  m.held =
      app.add_subcommand("record-held", "record that the meeting took place, and when (before attendance, minutes)");
  m.held->add_option("MEETING_ID", m.meeting_id)->required();
  m.held->add_option("--at", m.at, "\"YYYY-MM-DD HH:MM\" (UK time): when it really took place")->required();
  m.held->add_option("--location", m.location, "where, if not where it was booked");

  m.cancel = app.add_subcommand("cancel-meeting", "the meeting will not take place; everyone invited is told why");
  m.cancel->add_option("MEETING_ID", m.meeting_id)->required();
  m.cancel->add_option("--reason", m.reason, "why it is cancelled")->required();

  m.move = app.add_subcommand("move-meeting", "a new time for a booked meeting; everyone invited is told");
  m.move->add_option("MEETING_ID", m.meeting_id)->required();
  m.move->add_option("--at", m.at, "\"YYYY-MM-DD HH:MM\" (UK time)")->required();
  m.move->add_option("--location", m.location, "where, if it moves too");

  m.change_chair = app.add_subcommand("change-chair", "someone else chairs: a team manager or a service manager");
  m.change_chair->add_option("MEETING_ID", m.meeting_id)->required();
  m.change_chair->add_option("--to", m.person, "the new chair: their name (psm people) or id")->required();

  m.csw_report = app.add_subcommand("record-csw-report", "the child's social worker's report or briefing to the chair");
  m.csw_report->add_option("MEETING_ID", m.meeting_id)->required();
  m.csw_report->add_option("--text", m.text)->required();

  m.attendance =
      app.add_subcommand("record-attendance",
                         "record whether someone invited came: MEETING_ID \"NAME\" STATUS, or INVITATION_ID --status");
  m.attendance->add_option("MEETING_OR_INVITATION", m.invitation_id, "the meeting (with NAME), or an invitation's id")
      ->required();
  m.attendance->add_option("NAME", m.attendee, "the invitee's name, within the meeting");
  m.attendance->add_option("STATUS", m.attendance_status, "attended, attended-part, apologies or absent");
  m.attendance->add_option("--status", m.status, "attended, attended-part, apologies or absent");

  m.agenda_note = app.add_subcommand("add-agenda-note", "a note against an item of the meeting's agenda");
  m.agenda_note->add_option("MEETING_ID", m.meeting_id)->required();
  m.agenda_note->add_option("--item", m.item, "agenda item key (see: psm meeting ID)")->required();
  m.agenda_note->add_option("--text", m.text)->required();
  m.agenda_note->add_flag("--professionals-only", m.professionals_only,
                          "never shown to the foster carers (the default under child-views)");
  m.agenda_note->add_flag("--share-with-carers", m.share_with_carers,
                          "a note under child-views: show it to the foster carers too");

  m.finalise = app.add_subcommand("finalise-minutes", "close the minutes; refused with everything still missing");
  m.finalise->add_option("MEETING_ID", m.meeting_id)->required();
  m.finalise->add_option("--review-date", m.review_date, "YYYY-MM-DD")->required();
  m.finalise->add_option("--review-reason", m.review_reason, "why, if not 6 weeks to 3 months ahead");

  m.permanence = app.add_subcommand("mark-permanence", "record a permanence match (a support meeting follows)");
  m.permanence->add_option("--placement", m.placement)->required();
  m.permanence->add_option("--agreed-on", m.agreed_on, "YYYY-MM-DD")->required();

  m.show = app.add_subcommand("meeting", "one meeting in full: invitations, views, agenda, actions");
  m.show->add_option("MEETING_ID", m.meeting_id)->required();
  add_json(m.show);

  m.notifications = app.add_subcommand("notifications", "your notifications");
  add_json(m.notifications);

  m.concern = app.add_subcommand("raise-concern", "a concern about the carers' conduct: an urgent LADO task follows");
  m.concern->add_option("MEETING_ID", m.meeting_id)->required();
  m.concern->add_option("--text", m.text)->required();

  m.support_item = app.add_subcommand("add-support-item", "add an item to a support meeting's Placement Support Plan");
  m.support_item->add_option("MEETING_ID", m.meeting_id)->required();
  m.support_item
      ->add_option("--kind", m.kind,
                   "camhs, respite, short-break, practical, buddy, support-group, training, extra-visits, other")
      ->required();
  m.support_item->add_option("--text", m.text, "what support")->required();
  m.support_item->add_option("--provider", m.provider);
  m.support_item->add_option("--frequency", m.frequency);
  m.support_item->add_flag("--professionals-only", m.professionals_only, "left out of the carer's copy");
  m.support_item->add_flag("--needs-panel", m.needs_panel,
                           "significant extra resources: pending until the Practice and Resources Panel decides (R11)");
  m.panel_requests =
      app.add_subcommand("panel-requests", "support waiting for, or decided by, the Practice and Resources Panel");
  add_json(m.panel_requests);
  m.panel_decision =
      app.add_subcommand("panel-decision", "record the Practice and Resources Panel's decision (panel members)");
  m.panel_decision->add_option("REQUEST_ID", m.request_id)->required();
  auto* approve = m.panel_decision->add_flag("--approve", m.approve, "approve the support");
  auto* decline = m.panel_decision->add_flag("--decline", m.decline, "decline it (give --reason)");
  approve->excludes(decline);
  m.panel_decision->add_option("--reason", m.reason, "why (required to decline)");

  m.child_told = app.add_subcommand("child-told-of-plan", "record when the child was told about the support plan");
  m.child_told->add_option("MEETING_ID", m.meeting_id)->required();
  m.child_told->add_option("--on", m.told_on, "YYYY-MM-DD")->required();

  m.pd_outcome = app.add_subcommand("pre-disruption-outcome", "what a pre-disruption meeting decided");
  m.pd_outcome->add_option("MEETING_ID", m.meeting_id)->required();
  m.pd_outcome->add_flag("--planned-ending", m.planned_ending,
                         "an ending is planned (otherwise: continue with support)");
  m.pd_outcome->add_option("--future-contact", m.future_contact);
  m.pd_outcome->add_option("--carers-support-move", m.carers_support_move, "yes or no");
  m.pd_outcome->add_option("--lessons", m.lessons, "for the End of Placement Review");

  m.plan = app.add_subcommand("plan", "Placement Support Plans: items, and the copies on carer households' records");
  add_json(m.plan);

  m.short_break = app.add_subcommand("record-short-break", "a short break (respite) for the child");
  m.short_break->add_option("--placement", m.placement)->required();
  m.short_break->add_option("--from", m.from, "first day, YYYY-MM-DD")->required();
  m.short_break->add_option("--to", m.to, "last day, YYYY-MM-DD")->required();
  m.short_break->add_option("--with", m.with_whom, "who the child stays with");
}

namespace {

// A pre-disruption meeting's outcome (R12) and the concerns raised at the meeting (R13), when there are any.
void print_outcome_and_concerns(const json::object& o) {
  const auto& outcome = o.at("outcome").as_object();
  const auto decision = str(outcome.at("decision"));
  if (!decision.empty()) {
    std::cout << "outcome: " << (decision == "planned-ending" ? "a planned ending" : "continue with support") << "\n";
    for (const auto& [key, label] : {std::pair{"future_contact", "future contact"},
                                     std::pair{"carers_support_move", "the carers support the move"},
                                     std::pair{"lessons", "lessons for the End of Placement Review"}}) {
      if (!outcome.at(key).as_string().empty()) std::cout << "  " << label << ": " << str(outcome.at(key)) << "\n";
    }
  }
  const auto& concerns = o.at("concerns").as_array();
  if (concerns.empty()) return;
  std::cout << "concerns about the carers' conduct (professionals only):\n";
  for (const auto& c : concerns) {
    std::cout << "  " << str(c.at("text")) << " (raised by " << str(c.at("raised_by")) << ")\n";
  }
}

// What became of the meeting, in words: held when, moved from when, or
// cancelled and why; nothing while it is only requested or booked.
std::string meeting_state_line(const model::Record& m) {
  namespace fm = model::schema::meetings;
  std::string out;
  if (const auto moved = m.get(fm::moved_from_ms)) {
    out += "  moved: from " + policy::datetime_in_words(*moved) + "\n";
  }
  if (const auto held = m.get(fm::held_at_ms)) out += "  held: " + policy::datetime_in_words(*held) + "\n";
  if (m.get(fm::status) == model::MeetingStatus::cancelled) {
    out += "  cancelled: " + m.value(fm::cancelled_reason) + "\n";
  }
  return out;
}

int show_meeting(Session& s, const std::string& id, bool as_json) {
  auto& r = *s.replica;
  auto found = views::meeting_json(r, id);
  if (!found) return fail(kExitRefused, "no meeting " + id + " that you can see");
  const auto& o = *found;
  if (as_json) {
    print_json(o);
    return kExitOk;
  }
  auto m = r.get(col::kMeetings, id);
  namespace fm = model::schema::meetings;
  std::cout << str(o.at("type")) << " meeting " << id << " — " << str(o.at("status"))
            << "\n  reason: " << str(o.at("reason"))
            << "\n  to be held by: " << views::ms_field_local(*m, fm::deadline_ms)
            << "\n  chair: " << str(o.at("chair")) << "\n";
  std::cout << meeting_state_line(*m);
  if (!m->spelling(fm::scheduled_for_ms).empty()) {
    std::cout << "  scheduled: " << views::ms_field_local(*m, fm::scheduled_for_ms) << " at " << str(o.at("location"))
              << "; minutes: " << str(o.at("minute_taker")) << "\n";
  }
  std::cout << "invitations:\n";
  for (const auto& inv : o.at("invitations").as_array()) {
    const auto& i = inv.as_object();
    const auto organisation = str(i.at("organisation"));
    std::cout << "  " << str(i.at("id")) << "  " << str(i.at("who"))
              << (organisation.empty() ? "" : ", " + organisation) << " (" << str(i.at("kind"))
              << (i.at("mandatory").as_bool() ? ", must attend" : "") << "): " << str(i.at("attendance")) << "\n";
  }
  for (const auto& d : o.at("decisions").as_array()) {
    std::cout << "  the child was not invited: " << str(d.at("reason")) << " (decided by " << str(d.at("social_work"))
              << " for children's social work and " << str(d.at("fostering")) << " for fostering)\n";
  }
  std::cout << "views:\n";
  for (const auto& v : o.at("views").as_array()) {
    const auto& w = v.as_object();
    std::cout << "  " << str(w.at("subject")) << ": "
              << (w.at("text").as_string().empty() ? "sought on " + str(w.at("sought_on")) + ", none given"
                                                   : str(w.at("text")))
              << " (recorded by " << str(w.at("recorded_by")) << ")"
              << (w.at("professionals_only").as_bool() ? "  (professionals only)" : "") << "\n";
  }
  std::cout << "agenda:\n";
  for (const auto& item : o.at("agenda").as_array()) {
    const auto key = str(item.at("key"));
    std::cout << "  [" << key << "] " << str(item.at("title")) << "\n";
    for (const auto& n : o.at("agenda_notes").as_array()) {
      if (str(n.at("item")) != key) continue;
      std::cout << "      - " << str(n.at("text"))
                << (n.at("professionals_only").as_bool() ? "  (professionals only)" : "") << "\n";
    }
  }
  std::cout << "actions:\n";
  for (const auto& a : o.at("actions").as_array()) {
    std::cout << "  [" << str(a.at("status")) << "] " << str(a.at("text")) << " — " << str(a.at("owner")) << ", due "
              << views::date_in_words(str(a.at("due_date"))) << "\n";
  }
  print_outcome_and_concerns(o);
  return kExitOk;
}

int show_notifications(Session& s, bool as_json) {
  auto& r = *s.replica;
  const auto arr = views::notifications_json(r);
  if (as_json) {
    print_json(arr);
    return kExitOk;
  }
  const auto me = r.actor().person_id;
  namespace f = model::schema::notifications;
  for (const auto& n : r.list_in_scope(col::kNotifications, model::scope::person(me))) {
    const auto about = views::notification_about(r, n);
    std::cout << views::ms_field_local(n, f::created_at_ms) << "  " << n.value(f::text)
              << (about.empty() ? "" : " (" + about + ")") << "\n";
  }
  return kExitOk;
}

int show_panel_requests(Session& s, bool as_json) {
  auto& r = *s.replica;
  const auto arr = views::panel_requests_json(r);
  if (as_json) {
    print_json(arr);
    return kExitOk;
  }
  if (arr.empty()) std::cout << "no requests to the panel\n";
  namespace f = model::schema::panel_requests;
  for (const auto& q : r.list(col::kPanelRequests)) {
    std::cout << q.id << "  " << q.spelling(f::status) << "  " << q.value(f::kind) << ": " << q.value(f::description)
              << " (" << q.value(f::provider) << ", " << q.value(f::frequency) << "), placement "
              << q.value(f::placement_id) << ", asked by " << views::name_of(r, q.value(f::requested_by))
              << (q.value(f::reason).empty() ? "" : "; reason: " + q.value(f::reason)) << "\n";
  }
  return kExitOk;
}

int show_plans(Session& s, bool as_json) {
  const auto plans = views::plans_json(*s.replica);
  if (as_json) {
    print_json(plans);
    return kExitOk;
  }
  // A plan with a carer's copy on this device is shown as the copy (it lists
  // each item and action once, where it stands); other items below.
  std::set<std::string> copied;
  const auto in_words = [](const std::string& iso) {
    const auto d = policy::parse_date(iso);
    return d ? policy::date_in_words(*d) : iso;
  };
  for (const auto& c : plans.at("carer_copies").as_array()) {
    copied.insert(str(c.at("meeting_id")));
    const auto told = str(c.at("child_told_of_plan_on"));
    std::cout << "Placement Support Plan for " << views::placement_words(*s.replica, str(c.at("placement_id")))
              << ", to be reviewed by " << in_words(str(c.at("review_date"))) << "\n"
              << (told.empty() ? "  the child has not yet been told of the plan\n"
                               : "  the child was told of the plan on " + in_words(told) + "\n")
              << str(c.at("support_items")) << str(c.at("actions"));
  }
  for (const auto& i : plans.at("support_items").as_array()) {
    if (copied.count(str(i.at("meeting_id")))) continue;
    const auto panel = str(i.at("panel_status"));
    const bool awaiting = model::parse_as<model::PanelStatus>(panel) == model::PanelStatus::pending;
    std::cout << "  item " << str(i.at("kind")) << ": " << str(i.at("description")) << " (" << str(i.at("provider"))
              << ", " << str(i.at("frequency")) << ")"
              << (panel.empty() ? ""
                  : awaiting    ? "  [awaiting the panel's decision]"
                                : "  [panel: " + panel + "]")
              << "\n";
  }
  return kExitOk;
}

}  // namespace

std::optional<int> run_meeting_command(Session& s, const MeetingCommands& m, bool as_json) {
  auto& r = *s.replica;
  if (*m.schedule) {
    std::string minute_taker = m.minute_taker;
    if (auto rc = to_person_id(r, "--minute-taker", minute_taker)) return *rc;
    return submit_and_report(r, intents::prepare_schedule_meeting(m.meeting_id, m.at, m.location, minute_taker));
  }
  if (*m.invite) {
    std::string person = m.person;
    if (auto rc = to_person_id(r, "--person", person)) return *rc;
    ops::InviteAttendee p{model::new_uuid_v7(), m.meeting_id, person, m.name, m.organisation};
    return report_outcome(r.submit(p), "invited to meeting " + m.meeting_id + ":", p.invitation_id, r);
  }
  if (*m.child_not_invited) {
    std::string social_worker = m.social_worker, fostering = m.fostering;
    if (auto rc = to_person_id(r, "--social-worker", social_worker)) return *rc;
    if (auto rc = to_person_id(r, "--fostering", fostering)) return *rc;
    ops::DecideChildNotInvited p{model::new_uuid_v7(), m.meeting_id, m.reason, social_worker, fostering};
    return report_outcome(r.submit(p), "recorded the decision", p.decision_id, r);
  }
  if (*m.held) return submit_and_report(r, intents::prepare_record_held(m.meeting_id, m.at, m.location));
  if (*m.cancel) {
    return report_outcome(r.submit(ops::CancelMeeting{m.meeting_id, m.reason}), "cancelled meeting", m.meeting_id, r);
  }
  if (*m.move) return submit_and_report(r, intents::prepare_move_meeting(m.meeting_id, m.at, m.location));
  if (*m.change_chair) {
    std::string chair = m.person;
    if (auto rc = to_person_id(r, "--to", chair)) return *rc;
    return report_outcome(r.submit(ops::ChangeChair{m.meeting_id, chair, model::new_uuid_v7()}),
                          "changed the chair of meeting", m.meeting_id, r);
  }
  if (*m.csw_report) {
    ops::RecordCswReport p{model::new_uuid_v7(), m.meeting_id, m.text};
    return report_outcome(r.submit(p), "recorded the report to the chair (professionals only)", p.report_id, r);
  }
  if (*m.attendance) {
    // Either MEETING_ID "NAME" STATUS, or INVITATION_ID --status STATUS.
    const std::string status = m.attendance_status.empty() ? m.status : m.attendance_status;
    if (status.empty()) return fail(kExitUsage, "say whether they attended, sent apologies or were absent");
    if (m.attendee.empty()) return submit_and_report(r, intents::prepare_record_attendance(m.invitation_id, status));
    const auto invitation = views::resolve_invitation(r, m.invitation_id, m.attendee);
    if (const auto* bad = std::get_if<intents::InvalidRequest>(&invitation)) return fail(bad->exit_code, bad->message);
    return submit_and_report(r, intents::prepare_record_attendance(std::get<std::string>(invitation), status));
  }
  if (*m.agenda_note) {
    return submit_and_report(
        r, intents::prepare_agenda_note(m.meeting_id, m.item, m.text, m.professionals_only, m.share_with_carers));
  }
  if (*m.finalise) {
    return submit_and_report(r, intents::prepare_finalise_minutes(m.meeting_id, m.review_date, m.review_reason));
  }
  if (*m.permanence) {
    if (auto rc = check_date_option("--agreed-on", m.agreed_on)) return *rc;
    ops::MarkPermanenceMatch p{m.placement, m.agreed_on, model::new_uuid_v7()};
    return report_outcome(r.submit(p), "recorded the permanence match; requested support meeting", p.meeting_id, r);
  }
  if (*m.concern) {
    ops::RaiseConductConcern p{model::new_uuid_v7(), m.meeting_id, m.text};
    return report_outcome(r.submit(p), "recorded the concern (professionals only); LADO task", p.concern_id + ".lado",
                          r);
  }
  if (*m.short_break) {
    if (auto rc = check_date_option("--from", m.from)) return *rc;
    if (auto rc = check_date_option("--to", m.to)) return *rc;
    ops::RecordShortBreak p{model::new_uuid_v7(), m.placement, m.from, m.to, m.with_whom};
    return report_outcome(r.submit(p), "recorded short break", p.break_id, r);
  }
  if (*m.support_item) {
    return submit_and_report(r, intents::prepare_support_item(m.meeting_id, m.kind, m.text, m.provider, m.frequency,
                                                              m.professionals_only, m.needs_panel));
  }
  if (*m.panel_decision) {
    if (m.approve == m.decline) return fail(kExitUsage, "give --approve or --decline");
    ops::DecidePanelRequest p{m.request_id, m.approve, m.reason};
    return report_outcome(r.submit(p),
                          m.approve ? "recorded the panel's approval of" : "recorded the panel's decision to decline",
                          m.request_id, r);
  }
  if (*m.panel_requests) return show_panel_requests(s, as_json);
  if (*m.child_told) {
    if (auto rc = check_date_option("--on", m.told_on)) return *rc;
    return report_outcome(r.submit(ops::RecordChildToldOfPlan{m.meeting_id, m.told_on}),
                          "recorded that the child was told of the plan for meeting", m.meeting_id, r);
  }
  if (*m.pd_outcome) {
    ops::RecordPreDisruptionOutcome p{m.meeting_id, m.planned_ending, m.future_contact, m.carers_support_move,
                                      m.lessons};
    return report_outcome(r.submit(p), "recorded the outcome of meeting", m.meeting_id, r);
  }
  if (*m.plan) return show_plans(s, as_json);
  if (*m.show) return show_meeting(s, m.meeting_id, as_json);
  if (*m.notifications) return show_notifications(s, as_json);
  return std::nullopt;
}

}  // namespace psm::client::cli
