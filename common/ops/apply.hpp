// apply(): the one place an operation turns into records. The device runs it
// against its replica offline; the server runs it authoritatively against its
// store. Same code, same rules, same messages.
#pragma once

#include "common/error.hpp"
#include "common/model/record.hpp"
#include "common/ops/operation.hpp"
#include "common/policy/working_days.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace psm::ops {

// Read access to current state. Implemented by the replica and by the server store.
class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual std::optional<model::Record> get(std::string_view collection, std::string_view id) const = 0;
  // Every record of `collection` in `scope` (e.g. a meeting's invitations,
  // which live in its placement's scope). Scopes are small: one placement's work.
  virtual std::vector<model::Record> list_in_scope(std::string_view collection, std::string_view scope) const = 0;
};

struct Actor {
  std::string person_id;
  model::Role role = model::Role::foster_carer;
};

struct ApplyContext {
  Actor actor;
  std::uint64_t now_ms = 0;
  // Whether the actor may see records in `scope`. The server answers from the
  // reference data; a device answers "yes" for anything it holds.
  std::function<bool(std::string_view scope)> can_see;
  // Whether the actor may see and act on `record` although can_see says no
  // to its scope: a grant (the meeting a minute taker is booked for, a LADO's concern;
  // policy::GrantedAccess). Empty: no grants (a device, which holds only what
  // it may see, answers everything with can_see).
  std::function<bool(const model::Record& record)> granted;
};

enum class OutcomeKind : std::uint8_t { accepted, conflict, rejected };

// The answer to one operation. A rejection's `code` and `reason` are an
// Error's two fields (error()); they stay separate fields because the rules
// and their tests read them so, and OpResult carries them so on the wire.
struct Outcome {
  OutcomeKind kind = OutcomeKind::rejected;
  Errc code = Errc::ok;
  std::string reason;                 // for people: names what was wrong; no child data
  std::vector<model::Record> writes;  // whole records to store, conflicts included

  bool ok() const { return kind != OutcomeKind::rejected; }
  // Why it was rejected (meaningful when !ok()).
  Error error() const { return {make_error_code(code), reason}; }
};

// Every write of an accepted outcome has been through
// inherit_professionals_only: a record derived from a professionals-only one
// is professionals-only.
Outcome apply(const StateReader& state, const Operation& op, const ApplyContext& ctx);

// The invariant of policy::inherit_professionals_only (common/policy/access.hpp),
// reading the records `writes` derive from in `state`. apply() runs it on every
// outcome; code that makes records outside apply() (the server's escalation
// sweep and placement planning) runs it on what it makes, before storing them.
void inherit_professionals_only(std::vector<model::Record>& writes, const StateReader& state);

// R16: the working-day calendar the rules use with this state: the edition the
// server distributed (a settings record) when there is one, else the built-in
// calendar (policy::calendar_in_force). apply() counts working days with it.
policy::WorkingDayCalendar calendar_in_force(const StateReader& state);

// Checks an operation's shape (ids, lengths, enum ranges, dates) without state:
// nullopt, or the Error that rejects it (invalid_argument, unsupported_version).
// apply() calls it first; the codec's callers may call it early.
std::optional<Error> validate_shape(const Operation& op);

}  // namespace psm::ops
