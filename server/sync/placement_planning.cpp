#include "server/sync/placement_planning.hpp"

#include "common/model/domain.hpp"
#include "common/model/ids.hpp"
#include "common/ops/records.hpp"
#include "common/policy/access.hpp"
#include "common/policy/deadlines.hpp"

#include <string>

namespace psm::server {

using model::Record;

std::vector<Record> arrange_placement_planning(const Record& placement, std::uint64_t now_ms,
                                               const model::Version& version) {
  namespace p_ = model::schema::placements;
  const std::string start_date = placement.value(p_::start_date);
  const auto start = policy::parse_date(start_date);
  if (!start || !placement.value(p_::end_date).empty()) return {};
  const auto earliest = std::chrono::sys_days{policy::uk_date_of(now_ms)} - std::chrono::days{kPlanningLookbackDays};
  if (std::chrono::sys_days{*start} < earliest) return {};

  std::optional<std::uint64_t> made_at;
  if (placement.get(p_::emergency) == true) {
    const std::string made = placement.value(p_::made_at);
    // Without the hour it was made, the start of its first day: the deadline
    // can only come early, never late.
    const std::uint64_t first_day =
        policy::uk_end_of_day(policy::Date{std::chrono::sys_days{*start} - std::chrono::days{1}}) + 1;
    made_at = made.empty() ? first_day : policy::parse_local_datetime(made).value_or(first_day);
  }
  const std::uint64_t deadline = policy::placement_planning_deadline(*start, made_at);

  ops::MeetingRequest request;
  request.id = model::new_uuid_v7(now_ms);
  request.scope = model::scope::placement(placement.id);
  request.type = model::MeetingType::placement_planning;
  request.reason =
      made_at
          ? "Emergency placement starting " + start_date + ": a placement planning meeting within 72 hours (policy 2)"
          : "Placement starting " + start_date + ": a placement planning meeting before it starts (policy 2)";
  request.requested_by = "system";
  request.requested_at_ms = now_ms;
  request.identified_at_ms = now_ms;
  request.deadline_ms = deadline;
  const Record m = ops::make_meeting_request(placement, request, version, "system");

  std::vector<Record> out{m};
  const std::string manager = placement.value(p_::team_manager_id);
  if (!manager.empty()) {
    ops::Notification n;
    n.id = m.id + ".n1";
    n.recipient_id = manager;
    n.kind = model::NotificationKind::meeting_requested;
    n.meeting_id = m.id;
    n.placement_id = placement.id;
    n.text = "Placement planning meeting to arrange for placement " + placement.id + ", due by " +
             policy::format_local_datetime(deadline);
    n.created_at_ms = now_ms;
    out.push_back(ops::make_notification(n, version, "system"));
  }
  // The invariant every builder of records keeps (policy::inherit_professionals_only):
  // these derive only from the placement (reference data) and from each other.
  policy::inherit_professionals_only(out, [](std::string_view, std::string_view) { return std::optional<Record>{}; });
  return out;
}

}  // namespace psm::server
