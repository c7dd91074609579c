// apply(): the dispatcher. Checks the envelope, then hands the payload to its
// kind (common/ops/kinds/<kind>.cpp: shape, permission, rule, records, who is
// told) and gives every write the professionals-only flag of what it derives
// from. Nothing about one kind lives here.
#include "common/ops/apply.hpp"

#include "common/limits.hpp"
#include "common/model/ids.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/access.hpp"
#include "common/policy/calendar.hpp"

#include <map>
#include <utility>

namespace psm::ops {

using model::Record;
namespace col = model::collection;

namespace {

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

std::optional<Error> validate_shape(const Operation& op) {
  using R = std::optional<Error>;
  if (op.schema_version < kMinSchemaVersion || op.schema_version > kSchemaVersion) {
    return Error{make_error_code(Errc::unsupported_version),
                 "operation schema version " + std::to_string(op.schema_version) + " is not supported"};
  }
  if (!model::is_valid_id(op.op_id)) return kinds::bad("operation id is not valid");
  if (!model::is_valid_id(op.device_id)) return kinds::bad("device id is not valid");
  if (op.seq == 0) return kinds::bad("operation sequence numbers start at 1");
  if (op.base.size() > limits::kMaxFieldsPerRecord) return kinds::bad("too many base versions");
  return std::visit([](const auto& p) -> R { return kinds::check_shape(p); }, op.payload);
}

Outcome apply(const StateReader& state, const Operation& op, const ApplyContext& ctx) {
  if (auto problem = validate_shape(op)) return kinds::reject(to_errc(problem->code), problem->message);
  const ReadOnce reads(state);
  kinds::Context cx(reads, op, ctx);
  Outcome outcome = std::visit([&](const auto& p) { return kinds::apply_kind(cx, p); }, op.payload);
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
  static constexpr std::string_view kNames[] = {"request-meeting",
                                                "record-view",
                                                "add-action",
                                                "update-action",
                                                "edit-action",
                                                "resolve-conflict",
                                                "schedule-meeting",
                                                "invite",
                                                "child-not-invited",
                                                "record-attendance",
                                                "add-agenda-note",
                                                "finalise-minutes",
                                                "mark-permanence-match",
                                                "raise-conduct-concern",
                                                "record-short-break",
                                                "add-support-item",
                                                "child-told-of-plan",
                                                "pre-disruption-outcome",
                                                "panel-decision",
                                                "record-held",
                                                "cancel-meeting",
                                                "move-meeting",
                                                "change-chair",
                                                "record-csw-report"};
  static_assert(std::size(kNames) == std::variant_size_v<Payload>);
  return kNames[p.index()];
}

}  // namespace psm::ops
