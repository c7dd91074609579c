#include "server/sync/placement_planning.hpp"

#include "common/model/domain.hpp"
#include "common/model/ids.hpp"
#include "common/policy/access.hpp"
#include "common/policy/deadlines.hpp"

#include <string>

namespace psm::server {

namespace col = model::collection;
using model::Record;

std::vector<Record> arrange_placement_planning(const Record& placement, std::uint64_t now_ms,
                                               const model::Version& version) {
  const auto start = policy::parse_date(placement.value("start_date"));
  if (!start || !placement.value("end_date").empty()) return {};
  const auto earliest = std::chrono::sys_days{policy::uk_date_of(now_ms)} - std::chrono::days{kPlanningLookbackDays};
  if (std::chrono::sys_days{*start} < earliest) return {};

  std::optional<std::uint64_t> made_at;
  if (placement.value("emergency") == "yes") {
    const std::string made = placement.value("made_at");
    // Without the hour it was made, the start of its first day: the deadline
    // can only come early, never late.
    const std::uint64_t first_day =
        policy::uk_end_of_day(policy::Date{std::chrono::sys_days{*start} - std::chrono::days{1}}) + 1;
    made_at = made.empty() ? first_day : policy::parse_local_datetime(made).value_or(first_day);
  }
  const std::uint64_t deadline = policy::placement_planning_deadline(*start, made_at);
  auto set = [&](Record& r, std::string_view field, std::string value) {
    r.set(field, std::move(value), version, "system");
  };

  Record m;
  m.collection = std::string(col::kMeetings);
  m.id = model::new_uuid_v7(now_ms);
  m.scope = model::scope::placement(placement.id);
  set(m, "placement_id", placement.id);
  set(m, "child_id", placement.value("child_id"));
  set(m, "household_id", placement.value("household_id"));
  set(m, "type", std::string(model::to_string(model::MeetingType::placement_planning)));
  set(m, "status", std::string(model::to_string(model::MeetingStatus::requested)));
  set(m, "reason",
      made_at ? "Emergency placement starting " + placement.value("start_date") +
                    ": a placement planning meeting within 72 hours (policy 2)"
              : "Placement starting " + placement.value("start_date") +
                    ": a placement planning meeting before it starts (policy 2)");
  set(m, "requested_by", "system");
  set(m, "requested_at_ms", std::to_string(now_ms));
  set(m, "identified_at_ms", std::to_string(now_ms));
  set(m, "deadline_ms", std::to_string(deadline));
  set(m, "chair_id", placement.value("team_manager_id"));

  std::vector<Record> out{m};
  const std::string manager = placement.value("team_manager_id");
  if (!manager.empty()) {
    Record n;
    n.collection = std::string(col::kNotifications);
    n.id = m.id + ".n1";
    n.scope = model::scope::person(manager);
    set(n, "recipient_id", manager);
    set(n, "kind", "meeting-requested");
    set(n, "meeting_id", m.id);
    set(n, "placement_id", placement.id);
    set(n, "text",
        "Placement planning meeting to arrange for placement " + placement.id + ", due by " +
            policy::format_local_datetime(deadline));
    set(n, "created_at_ms", std::to_string(now_ms));
    out.push_back(std::move(n));
  }
  // The invariant every builder of records keeps (policy::inherit_professionals_only):
  // these derive only from the placement (reference data) and from each other.
  policy::inherit_professionals_only(out, [](std::string_view, std::string_view) { return std::optional<Record>{}; });
  return out;
}

}  // namespace psm::server
