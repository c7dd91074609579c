// The operation kinds, one file each (common/ops/kinds/<kind>.cpp), behind
// ops::apply()'s dispatcher. A kind's file holds everything about it: its
// shape check (no state), its permission row (common/policy/permissions.hpp),
// its rule, the records it writes, in order, and who is told.
//
// Internal to common/ops: only apply.cpp and the kinds include this.
#pragma once

#include "common/error.hpp"
#include "common/merge/merge.hpp"
#include "common/model/domain.hpp"
#include "common/model/record.hpp"
#include "common/ops/apply.hpp"
#include "common/ops/operation.hpp"
#include "common/ops/records.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/permissions.hpp"
#include "common/policy/working_days.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace psm::ops::kinds {

namespace schema = model::schema;
using model::Record;

// A shape problem: the code and the message; nullopt when the shape is fine.
using Problem = std::optional<Error>;

Outcome reject(Errc code, std::string reason);
Outcome accept(std::vector<Record> writes);
Problem bad(std::string message);  // invalid_argument
bool id_ok(const std::string& id);
bool text_ok(const std::string& s, std::size_t max);

// What one operation's kind works with: the state, the operation, the actor,
// and the helpers every kind shares. One per apply() call.
class Context {
 public:
  Context(const StateReader& state, const Operation& op, const ApplyContext& ctx)
      : state_(state), op_(op), ctx_(ctx), version_{op.hlc, op.device_id} {}

  const StateReader& state() const { return state_; }
  const Operation& op() const { return op_; }
  const Actor& actor() const { return ctx_.actor; }
  const std::string& me() const { return ctx_.actor.person_id; }
  bool professional() const { return model::is_professional(ctx_.actor.role); }
  std::uint64_t now_ms() const { return ctx_.now_ms; }
  const model::Version& version() const { return version_; }

  // The permission row's answer for this actor: nullopt to go on, else the
  // refusal (permission_denied). `related`: the row's relation holds.
  std::optional<Outcome> refuse_unless(policy::Act act, bool related = false) const;

  // A record the actor may see, or nullopt. Records outside the actor's scopes
  // are reported exactly as missing ones, so their existence is not revealed.
  std::optional<Record> visible(std::string_view collection, const std::string& id) const;
  // "no <noun> <id> that you can see", the noun from the schema or given.
  Outcome not_found(std::string_view noun, const std::string& id) const;
  Outcome not_found(const model::schema::Collection& collection, const std::string& id) const {
    return not_found(collection.noun, id);
  }

  struct MeetingOrError {
    std::optional<Record> record;
    Outcome error;
    bool ok() const { return record.has_value(); }
  };
  // A visible meeting that has been scheduled (invitations exist) or held.
  MeetingOrError scheduled_meeting(const std::string& id) const;
  // A visible meeting recorded as held (record-meeting-held), before its
  // minutes are finalised: attendance and minutes need it. Otherwise the
  // refusal, which says to record that the meeting was held first.
  MeetingOrError held_meeting(const std::string& id) const;

  Record new_record(std::string_view collection, const std::string& id, const std::string& scope) const;

  // Writes a field with this operation's version and the actor as author.
  template <class Kind>
  void set(Record& r, const model::Field<Kind>& field, typename model::Field<Kind>::value_type value) const {
    r.set(field, std::move(value), version_, ctx_.actor.person_id);
  }
  // By name, for a field known only at run time (a conflict's).
  void set_named(Record& r, std::string_view field, std::string value) const {
    r.set(field, std::move(value), version_, ctx_.actor.person_id);
  }

  // A notification in `recipient`'s inbox about `meeting`, appended to
  // `writes` (nothing when `recipient` is empty). Ids derive from the
  // operation (<op_id>.n1, .n2, ...), so every replica makes the same ones.
  void notify(std::vector<Record>& writes, const std::string& recipient, model::NotificationKind kind,
              const Record& meeting, const std::string& text, Notification::About about = Notification::About::nothing,
              const std::string& about_id = {});

  // R16: the working-day calendar both sides hold, read once per operation.
  const policy::WorkingDayCalendar& calendar();

  // Whether `person_id` is a known person holding one of `roles`.
  bool has_role(const std::string& person_id, std::initializer_list<model::Role> roles) const;
  // A person's name, or their id when unknown.
  std::string person_name(const std::string& id) const;
  // The ids listed in setting `setting_id` (e.g. "service-managers").
  std::vector<std::string> setting_ids(std::string_view setting_id) const;

  merge::Write write_info() const { return {version_, ctx_.actor.person_id, ctx_.now_ms, op_.op_id}; }

 private:
  const StateReader& state_;
  const Operation& op_;
  const ApplyContext& ctx_;
  model::Version version_;
  int notifications_ = 0;
  std::optional<policy::WorkingDayCalendar> calendar_;
};

// What a notification about `meeting` says, the same way for every kind:
// the kind of meeting in the policies' words, the child and the carers by
// name, `words` (what happened: "requested by Jo Patel", "booked"), then when:
// its date, time (UK) and place once booked, else the date it must be held by.
// E.g. "Placement Support Meeting for Amira Khan (placed with Sam Patel and Jo
// Patel) booked: on Monday 4 January 2027 at 10:30 GMT, at the Family Centre".
std::string describe_meeting(const Context& cx, const Record& meeting, std::string_view words);
// The child of `placement_id` by name and, in brackets, who they are placed
// with ("Amira Khan (placed with Sam Patel and Jo Patel)"); "the child" when
// the child is not known.
std::string child_and_carers(const Context& cx, const std::string& placement_id);

// R1/R3: a meeting request for `placement`, with who is told; shared by
// request-meeting and mark-permanence-match (request_meeting.cpp).
Outcome request_meeting(Context& cx, const Record& placement, const std::string& meeting_id, model::MeetingType type,
                        const std::string& reason, std::uint64_t identified_at_ms);

// The permission rows' relation chair_minute_taker_or_household_ssw: the actor
// chairs `meeting`, takes its minutes, or is the SSW of the carers' household.
bool is_chair_minute_taker_or_ssw(const Context& cx, const Record& meeting);

// Tells everyone invited to `meeting` who has an account (an invitation with
// a person), but the actor, `text`: one notification each, appended to
// `writes`.
void notify_invitees(Context& cx, std::vector<Record>& writes, const Record& meeting, model::NotificationKind kind,
                     const std::string& text);
// "the Placement Support Meeting for Amelia Jones (placed with Jo Okafor)":
// the meeting in words, for messages (describe_meeting's first part).
std::string meeting_in_words(const Context& cx, const Record& meeting);

// One line per operation kind: its shape check and its apply.
#define PSM_OPERATION_KIND(Payload)      \
  Problem check_shape(const Payload& p); \
  Outcome apply_kind(Context& cx, const Payload& p);

PSM_OPERATION_KIND(RequestMeeting)
PSM_OPERATION_KIND(RecordView)
PSM_OPERATION_KIND(AddAction)
PSM_OPERATION_KIND(UpdateActionStatus)
PSM_OPERATION_KIND(EditAction)
PSM_OPERATION_KIND(ResolveConflict)
PSM_OPERATION_KIND(ScheduleMeeting)
PSM_OPERATION_KIND(InviteAttendee)
PSM_OPERATION_KIND(DecideChildNotInvited)
PSM_OPERATION_KIND(RecordAttendance)
PSM_OPERATION_KIND(AddAgendaNote)
PSM_OPERATION_KIND(FinaliseMinutes)
PSM_OPERATION_KIND(MarkPermanenceMatch)
PSM_OPERATION_KIND(RaiseConductConcern)
PSM_OPERATION_KIND(RecordShortBreak)
PSM_OPERATION_KIND(AddSupportItem)
PSM_OPERATION_KIND(RecordChildToldOfPlan)
PSM_OPERATION_KIND(RecordPreDisruptionOutcome)
PSM_OPERATION_KIND(DecidePanelRequest)
PSM_OPERATION_KIND(RecordMeetingHeld)
PSM_OPERATION_KIND(CancelMeeting)
PSM_OPERATION_KIND(MoveMeeting)
PSM_OPERATION_KIND(ChangeChair)
PSM_OPERATION_KIND(RecordCswReport)

#undef PSM_OPERATION_KIND

}  // namespace psm::ops::kinds
