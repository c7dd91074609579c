#include "common/ops/apply.hpp"

#include "common/limits.hpp"
#include "common/merge/merge.hpp"
#include "common/model/ids.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"
#include "common/policy/rules.hpp"

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
    if (!policy::placement_is_active(*placement)) {
      return reject(Errc::rule_violation, "placement " + p.placement_id + " has ended");
    }
    if (state_.get(col::kMeetings, p.meeting_id)) {
      return reject(Errc::already_exists, "meeting " + p.meeting_id + " already exists");
    }
    const std::uint64_t identified = p.identified_at_ms ? p.identified_at_ms : ctx_.now_ms;
    Record m = new_record(col::kMeetings, p.meeting_id, placement->scope);
    set(m, "placement_id", p.placement_id);
    set(m, "child_id", placement->value("child_id"));
    set(m, "household_id", placement->value("household_id"));
    set(m, "type", std::string(model::to_string(p.type)));
    set(m, "status", std::string(model::to_string(model::MeetingStatus::requested)));
    set(m, "reason", p.reason);
    set(m, "requested_by", ctx_.actor.person_id);
    set(m, "requested_at_ms", std::to_string(ctx_.now_ms));
    set(m, "identified_at_ms", std::to_string(identified));
    set(m, "deadline_ms", std::to_string(policy::meeting_deadline(p.type, identified)));
    set(m, "chair_id", placement->value("team_manager_id"));
    return accept({std::move(m)});
  }

  Outcome operator()(const RecordView& p) {
    auto meeting = visible(col::kMeetings, p.meeting_id, "meeting");
    if (!meeting) return not_found("meeting", p.meeting_id);
    if (!policy::may_record_view(ctx_.actor.role, p.subject)) {
      return reject(Errc::permission_denied,
                    "a foster carer records their own views or their birth children's; the "
                    "child's social worker records the child's");
    }
    if (p.professionals_only && !model::is_professional(ctx_.actor.role)) {
      return reject(Errc::permission_denied, "only professionals can mark views as professionals-only");
    }
    if (state_.get(col::kViews, p.view_id)) return reject(Errc::already_exists, "view already recorded");
    Record v = new_record(col::kViews, p.view_id, meeting->scope);
    v.professionals_only = p.professionals_only || meeting->professionals_only;
    set(v, "meeting_id", p.meeting_id);
    set(v, "subject", std::string(model::to_string(p.subject)));
    set(v, "text", p.text);
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
};

bool text_ok(const std::string& s, std::size_t max) { return !s.empty() && s.size() <= max; }

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
          if (!text_ok(p.text, limits::kMaxTextBytes)) return bad("the views text is empty or too long");
          if (static_cast<int>(p.subject) < 0 || static_cast<int>(p.subject) > 4) return bad("unknown view subject");
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
  Applier applier(state, op, ctx);
  return std::visit(applier, op.payload);
}

std::string_view kind_name(const Payload& p) {
  static constexpr std::string_view kNames[] = {"request-meeting", "record-view", "add-action",
                                                "update-action", "edit-action", "resolve-conflict"};
  return kNames[p.index()];
}

}  // namespace psm::ops
