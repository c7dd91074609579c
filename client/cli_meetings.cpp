#include "client/cli_meetings.hpp"

#include "common/model/ids.hpp"
#include "common/policy/agenda.hpp"
#include "common/policy/calendar.hpp"

#include <iostream>

namespace psm::client::cli {

namespace json = boost::json;
using model::Record;
namespace col = model::collection;

void add_meeting_commands(CLI::App& app, MeetingCommands& m, const std::function<void(CLI::App*)>& add_json) {
  m.schedule = app.add_subcommand("schedule-meeting", "fix when and where a meeting is held; invitations go out");
  m.schedule->add_option("MEETING_ID", m.meeting_id)->required();
  m.schedule->add_option("--at", m.at, "YYYY-MM-DDTHH:MM (UK time)")->required();
  m.schedule->add_option("--location", m.location);
  m.schedule->add_option("--minute-taker", m.minute_taker, "person id (in-house: booked by the SSW)");

  m.invite = app.add_subcommand("invite", "invite someone else: a known person, or a name and organisation");
  m.invite->add_option("MEETING_ID", m.meeting_id)->required();
  m.invite->add_option("--person", m.person, "person id");
  m.invite->add_option("--name", m.name);
  m.invite->add_option("--organisation", m.organisation, "e.g. school, Virtual School, CAMHS, YOT");

  m.child_not_invited = app.add_subcommand("child-not-invited", "record the shared decision not to invite the child");
  m.child_not_invited->add_option("MEETING_ID", m.meeting_id)->required();
  m.child_not_invited->add_option("--reason", m.reason)->required();
  m.child_not_invited->add_option("--social-worker", m.social_worker, "who decided for children's social work")->required();
  m.child_not_invited->add_option("--fostering", m.fostering, "who decided for fostering")->required();

  m.attendance = app.add_subcommand("record-attendance", "record whether someone invited came");
  m.attendance->add_option("INVITATION_ID", m.invitation_id)->required();
  m.attendance->add_option("--status", m.status, "attended, apologies or absent")->required();

  m.agenda_note = app.add_subcommand("add-agenda-note", "a note against an item of the meeting's agenda");
  m.agenda_note->add_option("MEETING_ID", m.meeting_id)->required();
  m.agenda_note->add_option("--item", m.item, "agenda item key (see: psm meeting ID)")->required();
  m.agenda_note->add_option("--text", m.text)->required();

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
  m.support_item->add_option("--kind", m.kind, "camhs, respite, short-break, practical, buddy, support-group, training, extra-visits, other")
      ->required();
  m.support_item->add_option("--text", m.text, "what support")->required();
  m.support_item->add_option("--provider", m.provider);
  m.support_item->add_option("--frequency", m.frequency);
  m.support_item->add_flag("--professionals-only", m.professionals_only, "left out of the carer's copy");

  m.child_told = app.add_subcommand("child-told-of-plan", "record when the child was told about the support plan");
  m.child_told->add_option("MEETING_ID", m.meeting_id)->required();
  m.child_told->add_option("--on", m.told_on, "YYYY-MM-DD")->required();

  m.pd_outcome = app.add_subcommand("pre-disruption-outcome", "what a pre-disruption meeting decided");
  m.pd_outcome->add_option("MEETING_ID", m.meeting_id)->required();
  m.pd_outcome->add_flag("--planned-ending", m.planned_ending, "an ending is planned (otherwise: continue with support)");
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

bool about(const Record& r, const std::string& meeting_id) { return r.value("meeting_id") == meeting_id; }

// A JSON string's text (streaming a json::string would print it quoted).
std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

int show_meeting(Session& s, const std::string& id, bool as_json) {
  auto& r = *s.replica;
  auto m = r.get(col::kMeetings, id);
  if (!m) return fail(kExitRefused, "no meeting " + id + " that you can see");
  const auto type = model::parse_meeting_type(m->value("type")).value_or(model::MeetingType::support);
  json::array invitations, views, notes, actions, agenda, decisions;
  for (const auto& inv : r.list_in_scope(col::kInvitations, m->scope)) {
    if (!about(inv, id)) continue;
    const std::string who = inv.value("person_id").empty() ? inv.value("name") : name_of(r, inv.value("person_id"));
    invitations.push_back({{"id", inv.id}, {"who", who}, {"person_id", inv.value("person_id")},
                           {"organisation", inv.value("organisation")}, {"kind", inv.value("kind")},
                           {"mandatory", inv.value("mandatory") == "yes"}, {"attendance", inv.value("attendance")}});
  }
  for (const auto& v : r.list_in_scope(col::kViews, m->scope)) {
    if (!about(v, id)) continue;
    views.push_back({{"id", v.id}, {"subject", v.value("subject")}, {"text", v.value("text")},
                     {"sought_on", v.value("sought_on")}, {"recorded_by", name_of(r, v.value("recorded_by"))},
                     {"professionals_only", v.professionals_only}});
  }
  for (const auto& n : r.list_in_scope(col::kAgendaNotes, m->scope)) {
    if (about(n, id)) notes.push_back({{"item", n.value("item")}, {"text", n.value("text")}, {"author", name_of(r, n.value("author_id"))}});
  }
  for (const auto& item : policy::agenda_for(type)) agenda.push_back({{"key", item.key}, {"title", item.title}});
  for (const auto& a : r.list_in_scope(col::kActions, m->scope)) {
    if (about(a, id)) {
      actions.push_back({{"id", a.id}, {"text", a.value("text")}, {"owner", name_of(r, a.value("owner_id"))},
                         {"due_date", a.value("due_date")}, {"status", a.value("status")}});
    }
  }
  for (const auto& d : r.list_in_scope(col::kDecisions, m->scope)) {
    if (about(d, id)) {
      decisions.push_back({{"kind", d.value("kind")}, {"reason", d.value("reason")},
                           {"social_work", name_of(r, d.value("social_work_decider_id"))},
                           {"fostering", name_of(r, d.value("fostering_decider_id"))}});
    }
  }
  if (as_json) {
    print_json({{"id", id}, {"type", m->value("type")}, {"status", m->value("status")}, {"reason", m->value("reason")},
                {"placement_id", m->value("placement_id")}, {"chair", name_of(r, m->value("chair_id"))},
                {"minute_taker", name_of(r, m->value("minute_taker_id"))}, {"deadline", ms_field_utc(*m, "deadline_ms")},
                {"scheduled_for", ms_field_utc(*m, "scheduled_for_ms")}, {"location", m->value("location")},
                {"review_date", m->value("review_date")}, {"invitations", invitations}, {"views", views},
                {"agenda", agenda}, {"agenda_notes", notes}, {"actions", actions}, {"decisions", decisions}});
    return kExitOk;
  }
  std::cout << m->value("type") << " meeting " << id << " — " << m->value("status") << "\n  reason: " << m->value("reason")
            << "\n  to be held by: " << ms_field_local(*m, "deadline_ms") << "\n  chair: " << name_of(r, m->value("chair_id"))
            << "\n";
  if (!m->value("scheduled_for_ms").empty()) {
    std::cout << "  scheduled: " << ms_field_local(*m, "scheduled_for_ms") << " at " << m->value("location")
              << "; minutes: " << name_of(r, m->value("minute_taker_id")) << "\n";
  }
  std::cout << "invitations:\n";
  for (const auto& inv : invitations) {
    const auto& o = inv.as_object();
    std::cout << "  " << str(o.at("id")) << "  " << str(o.at("who")) << " (" << str(o.at("kind"))
              << (o.at("mandatory").as_bool() ? ", must attend" : "") << "): " << str(o.at("attendance")) << "\n";
  }
  std::cout << "views:\n";
  for (const auto& v : views) {
    const auto& o = v.as_object();
    std::cout << "  " << str(o.at("subject")) << ": "
              << (o.at("text").as_string().empty() ? "sought on " + str(o.at("sought_on")) + ", none given"
                                                   : str(o.at("text")))
              << "\n";
  }
  std::cout << "agenda:\n";
  for (const auto& item : policy::agenda_for(type)) {
    std::cout << "  [" << item.key << "] " << item.title << "\n";
    for (const auto& n : notes) {
      if (str(n.at("item")) == item.key) std::cout << "      - " << str(n.at("text")) << "\n";
    }
  }
  std::cout << "actions:\n";
  for (const auto& a : actions) {
    std::cout << "  [" << str(a.at("status")) << "] " << str(a.at("text")) << " — "
              << str(a.at("owner")) << ", due " << str(a.at("due_date")) << "\n";
  }
  return kExitOk;
}

int show_notifications(Session& s, bool as_json) {
  auto& r = *s.replica;
  const auto me = r.actor().person_id;
  json::array out;
  for (const auto& n : r.list_in_scope(col::kNotifications, model::scope::person(me))) {
    if (as_json) {
      out.push_back({{"id", n.id}, {"kind", n.value("kind")}, {"text", n.value("text")},
                     {"meeting_id", n.value("meeting_id")}, {"at", ms_field_utc(n, "created_at_ms")}});
    } else {
      std::cout << ms_field_local(n, "created_at_ms") << "  " << n.value("text") << " (meeting " << n.value("meeting_id")
                << ")\n";
    }
  }
  if (as_json) print_json(out);
  return kExitOk;
}

int show_plans(Session& s, bool as_json) {
  auto& r = *s.replica;
  json::array items, copies;
  for (const auto& i : r.list(col::kSupportItems)) {
    items.push_back({{"id", i.id}, {"meeting_id", i.value("meeting_id")}, {"kind", i.value("kind")},
                     {"description", i.value("description")}, {"provider", i.value("provider")},
                     {"frequency", i.value("frequency")}, {"professionals_only", i.professionals_only}});
  }
  for (const auto& c : r.list(col::kPlanCopies)) {
    copies.push_back({{"id", c.id}, {"meeting_id", c.value("meeting_id")}, {"placement_id", c.value("placement_id")},
                      {"review_date", c.value("review_date")}, {"child_told_of_plan_on", c.value("child_told_of_plan_on")},
                      {"support_items", c.value("support_items")}, {"actions", c.value("actions")}});
  }
  if (as_json) {
    print_json({{"support_items", items}, {"carer_copies", copies}});
    return kExitOk;
  }
  for (const auto& c : copies) {
    std::cout << "Placement Support Plan (placement " << str(c.at("placement_id")) << "), review "
              << str(c.at("review_date")) << "\n" << str(c.at("support_items")) << str(c.at("actions"));
  }
  for (const auto& i : items) {
    std::cout << "  item " << str(i.at("kind")) << ": " << str(i.at("description")) << " ("
              << str(i.at("provider")) << ", " << str(i.at("frequency")) << ")\n";
  }
  return kExitOk;
}

}  // namespace

std::optional<int> run_meeting_command(Session& s, const MeetingCommands& m, bool as_json) {
  auto& r = *s.replica;
  if (*m.schedule) {
    auto at = policy::parse_local_datetime(m.at);
    if (!at) return fail(kExitUsage, "--at must be YYYY-MM-DDTHH:MM (UK time)");
    return report_outcome(r.submit(ops::ScheduleMeeting{m.meeting_id, *at, m.location, m.minute_taker}),
                          "scheduled meeting", m.meeting_id, r);
  }
  if (*m.invite) {
    ops::InviteAttendee p{model::new_uuid_v7(), m.meeting_id, m.person, m.name, m.organisation};
    return report_outcome(r.submit(p), "invited to meeting " + m.meeting_id + ":", p.invitation_id, r);
  }
  if (*m.child_not_invited) {
    ops::DecideChildNotInvited p{model::new_uuid_v7(), m.meeting_id, m.reason, m.social_worker, m.fostering};
    return report_outcome(r.submit(p), "recorded the decision", p.decision_id, r);
  }
  if (*m.attendance) {
    auto attendance = model::parse_attendance(m.status);
    if (!attendance) return fail(kExitUsage, "--status must be attended, apologies or absent");
    return report_outcome(r.submit(ops::RecordAttendance{m.invitation_id, *attendance}), "recorded attendance for",
                          m.invitation_id, r);
  }
  if (*m.agenda_note) {
    ops::AddAgendaNote p{model::new_uuid_v7(), m.meeting_id, m.item, m.text};
    return report_outcome(r.submit(p), "added agenda note", p.note_id, r);
  }
  if (*m.finalise) {
    return report_outcome(r.submit(ops::FinaliseMinutes{m.meeting_id, m.review_date, m.review_reason}),
                          "finalised the minutes of meeting", m.meeting_id, r);
  }
  if (*m.permanence) {
    ops::MarkPermanenceMatch p{m.placement, m.agreed_on, model::new_uuid_v7()};
    return report_outcome(r.submit(p), "recorded the permanence match; requested support meeting", p.meeting_id, r);
  }
  if (*m.concern) {
    ops::RaiseConductConcern p{model::new_uuid_v7(), m.meeting_id, m.text};
    return report_outcome(r.submit(p), "recorded the concern (professionals only); LADO task", p.concern_id + ".lado", r);
  }
  if (*m.short_break) {
    ops::RecordShortBreak p{model::new_uuid_v7(), m.placement, m.from, m.to, m.with_whom};
    return report_outcome(r.submit(p), "recorded short break", p.break_id, r);
  }
  if (*m.support_item) {
    ops::AddSupportItem p{model::new_uuid_v7(), m.meeting_id, m.kind, m.text, m.provider, m.frequency, m.professionals_only};
    return report_outcome(r.submit(p), "added support item", p.item_id, r);
  }
  if (*m.child_told) {
    return report_outcome(r.submit(ops::RecordChildToldOfPlan{m.meeting_id, m.told_on}),
                          "recorded that the child was told of the plan for meeting", m.meeting_id, r);
  }
  if (*m.pd_outcome) {
    ops::RecordPreDisruptionOutcome p{m.meeting_id, m.planned_ending, m.future_contact, m.carers_support_move, m.lessons};
    return report_outcome(r.submit(p), "recorded the outcome of meeting", m.meeting_id, r);
  }
  if (*m.plan) return show_plans(s, as_json);
  if (*m.show) return show_meeting(s, m.meeting_id, as_json);
  if (*m.notifications) return show_notifications(s, as_json);
  return std::nullopt;
}

}  // namespace psm::client::cli
