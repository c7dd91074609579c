#include "common/model/ids.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/access.hpp"

namespace psm::ops::kinds {

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

Problem bad(std::string message) { return Error{make_error_code(Errc::invalid_argument), std::move(message)}; }

bool id_ok(const std::string& id) { return model::is_valid_id(id); }

bool text_ok(const std::string& s, std::size_t max) { return !s.empty() && s.size() <= max; }

std::optional<Outcome> Context::refuse_unless(policy::Act act, bool related) const {
  if (auto message = policy::refusal(act, ctx_.actor.role, related)) {
    return reject(Errc::permission_denied, std::move(*message));
  }
  return std::nullopt;
}

std::optional<Record> Context::visible(std::string_view collection, const std::string& id) const {
  auto r = state_.get(collection, id);
  if (!r || !(ctx_.can_see(r->scope) || (ctx_.granted && ctx_.granted(*r)))) return std::nullopt;
  if (r->professionals_only && !professional()) return std::nullopt;
  return r;
}

Outcome Context::not_found(std::string_view noun, const std::string& id) const {
  return reject(Errc::not_found, "no " + std::string(noun) + " " + id + " that you can see");
}

Context::MeetingOrError Context::scheduled_meeting(const std::string& id) const {
  auto m = visible(schema::meetings::kName, id);
  if (!m) return {std::nullopt, not_found(schema::meetings::kCollection, id)};
  const auto status = m->get(schema::meetings::status);
  if (status == model::MeetingStatus::requested) {
    return {std::nullopt, reject(Errc::rule_violation, "meeting " + id + " has not been scheduled yet")};
  }
  if (status != model::MeetingStatus::scheduled && status != model::MeetingStatus::held) {
    return {std::nullopt,
            reject(Errc::rule_violation, "meeting " + id + " is " + m->spelling(schema::meetings::status))};
  }
  return {std::move(m), {}};
}

Context::MeetingOrError Context::held_meeting(const std::string& id) const {
  auto m = scheduled_meeting(id);
  if (!m.ok() || m.record->get(schema::meetings::status) == model::MeetingStatus::held) return m;
  return {std::nullopt, reject(Errc::rule_violation,
                               "the meeting has not been held yet: record that the meeting was held first "
                               "(psm record-held " +
                                   id + " --at \"YYYY-MM-DD HH:MM\")")};
}

Record Context::new_record(std::string_view collection, const std::string& id, const std::string& scope) const {
  Record r;
  r.collection = std::string(collection);
  r.id = id;
  r.scope = scope;
  return r;
}

void Context::notify(std::vector<Record>& writes, const std::string& recipient, model::NotificationKind kind,
                     const Record& meeting, const std::string& text, Notification::About about,
                     const std::string& about_id) {
  if (recipient.empty()) return;
  Notification n;
  n.id = op_.op_id + ".n" + std::to_string(++notifications_);
  n.recipient_id = recipient;
  n.kind = kind;
  n.meeting_id = meeting.id;
  n.placement_id = meeting.value(schema::meetings::placement_id);
  n.about = about;
  n.about_id = about_id;
  n.text = text;
  n.created_at_ms = ctx_.now_ms;
  writes.push_back(make_notification(n, version_, ctx_.actor.person_id));
}

const policy::WorkingDayCalendar& Context::calendar() {
  if (!calendar_) calendar_ = calendar_in_force(state_);
  return *calendar_;
}

bool Context::has_role(const std::string& person_id, std::initializer_list<model::Role> roles) const {
  auto person = state_.get(schema::people::kName, person_id);
  if (!person) return false;
  const auto role = person->get(schema::people::role);
  for (auto r : roles) {
    if (role == r) return true;
  }
  return false;
}

std::string Context::person_name(const std::string& id) const {
  auto p = state_.get(schema::people::kName, id);
  return p && !p->value(schema::people::name).empty() ? p->value(schema::people::name) : id;
}

std::vector<std::string> Context::setting_ids(std::string_view setting_id) const {
  auto setting = state_.get(schema::settings::kName, setting_id);
  if (!setting) return {};
  return policy::split_ids(setting->value(schema::settings::ids));
}

bool is_chair_minute_taker_or_ssw(const Context& cx, const Record& meeting) {
  namespace m_ = schema::meetings;
  const std::string& me = cx.me();
  if (me == meeting.value(m_::chair_id) || me == meeting.value(m_::minute_taker_id)) return true;
  auto placement = cx.state().get(schema::placements::kName, meeting.value(m_::placement_id));
  auto household = placement
                       ? cx.state().get(schema::households::kName, placement->value(schema::placements::household_id))
                       : std::nullopt;
  return household && me == household->value(schema::households::ssw_id);
}

void notify_invitees(Context& cx, std::vector<Record>& writes, const Record& meeting, model::NotificationKind kind,
                     const std::string& text) {
  namespace f = schema::invitations;
  for (const auto& inv : cx.state().list_in_scope(f::kName, meeting.scope)) {
    if (inv.value(f::meeting_id) != meeting.id || inv.value(f::person_id) == cx.me()) continue;
    cx.notify(writes, inv.value(f::person_id), kind, meeting, text);
  }
}

}  // namespace psm::ops::kinds

namespace psm::ops::kinds {

namespace {

std::string_view meeting_kind_words(model::MeetingType type) {
  switch (type) {
    case model::MeetingType::support:
      return "Placement Support Meeting";
    case model::MeetingType::pre_disruption:
      return "Pre-disruption meeting";
    case model::MeetingType::placement_planning:
      return "Placement Planning Meeting";
  }
  return "Meeting";
}

// "A", "A and B", "A, B and C".
std::string names_in_words(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

std::string child_and_carers(const Context& cx, const std::string& placement_id) {
  auto placement = cx.state().get(schema::placements::kName, placement_id);
  if (!placement) return "the child";
  auto child = cx.state().get(schema::children::kName, placement->value(schema::placements::child_id));
  std::string out = child && !child->value(schema::children::name).empty() ? child->value(schema::children::name)
                                                                           : std::string("the child");
  if (auto household = cx.state().get(schema::households::kName, placement->value(schema::placements::household_id))) {
    std::vector<std::string> carers;
    for (const auto& id : policy::split_ids(household->value(schema::households::carer_ids))) {
      const auto name = cx.person_name(id);
      carers.push_back(name.empty() ? id : name);
    }
    if (!carers.empty()) out += " (placed with " + names_in_words(carers) + ")";
  }
  return out;
}

std::string describe_meeting(const Context& cx, const Record& meeting, std::string_view words) {
  namespace m_ = schema::meetings;
  const auto type = meeting.get(m_::type).value_or(model::MeetingType::support);
  std::string out =
      std::string(meeting_kind_words(type)) + " for " + child_and_carers(cx, meeting.value(m_::placement_id));
  if (!words.empty()) out += " " + std::string(words);
  const auto status = meeting.get(m_::status).value_or(model::MeetingStatus::requested);
  const auto when = meeting.get(m_::scheduled_for_ms).value_or(0);
  if (status != model::MeetingStatus::requested && when != 0) {
    out += ": on " + policy::datetime_in_words(when);
    if (const auto where = meeting.value(m_::location); !where.empty()) out += ", at " + where;
  } else if (const auto deadline = meeting.get(m_::deadline_ms).value_or(0); deadline != 0) {
    out += ": to be held by " + policy::date_in_words(policy::uk_date_of(deadline));
  }
  return out;
}

std::string meeting_in_words(const Context& cx, const Record& meeting) {
  const auto type = meeting.get(schema::meetings::type).value_or(model::MeetingType::support);
  return "the " + std::string(meeting_kind_words(type)) + " for " +
         child_and_carers(cx, meeting.value(schema::meetings::placement_id));
}

}  // namespace psm::ops::kinds
