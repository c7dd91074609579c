#include "common/policy/tracking.hpp"

#include <algorithm>
#include <map>

namespace psm::policy {
namespace {

using namespace std::chrono;

std::optional<TrackedPlacement> read_placement(const model::Record& p, const std::set<std::string>& planned_endings) {
  namespace f = model::schema::placements;
  const auto start = parse_date(p.value(f::start_date));
  if (!start) return std::nullopt;
  TrackedPlacement t{
      p.id, p.value(f::child_id), p.value(f::household_id), *start, parse_date(p.value(f::end_date)), std::nullopt,
      false};
  if (!t.end) return t;
  if (const auto recorded = p.get(f::ending)) {
    t.ending = *recorded == model::PlacementEnding::planned ? EndingKind::planned : EndingKind::unplanned;
    t.ending_recorded = true;
  } else if (planned_endings.count(p.id)) {
    t.ending = EndingKind::planned;
    t.ending_recorded = true;
  } else {
    t.ending = EndingKind::unplanned;
  }
  return t;
}

}  // namespace

std::string_view to_string(EndingKind k) { return k == EndingKind::planned ? "planned" : "unplanned"; }

Date tracking_window_start(const Date& today) {
  year_month_day a_year_ago = today - years{1};
  // 29 February a year on does not exist: the last day of that February.
  if (!a_year_ago.ok()) a_year_ago = a_year_ago.year() / a_year_ago.month() / last;
  return Date{sys_days{a_year_ago} + days{1}};
}

std::set<std::string> placements_with_planned_ending(const std::vector<model::Record>& meetings) {
  std::set<std::string> out;
  for (const auto& m : meetings) {
    if (m.get(model::schema::meetings::outcome) == model::MeetingOutcome::planned_ending) {
      out.insert(m.value(model::schema::meetings::placement_id));
    }
  }
  return out;
}

StabilityTracking track_placement_stability(const std::vector<model::Record>& placements,
                                            const std::set<std::string>& planned_endings, const Date& today) {
  StabilityTracking out;
  out.from = tracking_window_start(today);
  out.to = today;
  const sys_days from{out.from};
  const sys_days to{today};

  std::map<std::string, TrackedChild> children;
  std::map<std::string, TrackedCarers> carers;
  for (const auto& record : placements) {
    const auto p = read_placement(record, planned_endings);
    if (!p || sys_days{p->start} > to) continue;
    if (p->end && sys_days{*p->end} < from) continue;
    const bool ended_in_window = p->end && sys_days{*p->end} <= to;
    TrackedChild& child = children[p->child_id];
    child.child_id = p->child_id;
    child.placements.push_back(*p);
    if (ended_in_window) ++child.endings;
    if (ended_in_window && p->ending == EndingKind::unplanned) {
      TrackedCarers& household = carers[p->household_id];
      household.household_id = p->household_id;
      household.unplanned_endings.push_back(*p);
    }
  }
  for (auto& [id, child] : children) {
    if (child.placements.size() < kTrackedChildPlacements) continue;
    std::sort(child.placements.begin(), child.placements.end(),
              [](const auto& a, const auto& b) { return sys_days{a.start} < sys_days{b.start}; });
    out.children.push_back(std::move(child));
  }
  for (auto& [id, household] : carers) {
    if (household.unplanned_endings.size() < kTrackedCarerUnplannedEndings) continue;
    std::sort(household.unplanned_endings.begin(), household.unplanned_endings.end(),
              [](const auto& a, const auto& b) { return sys_days{*a.end} < sys_days{*b.end}; });
    out.carers.push_back(std::move(household));
  }
  return out;
}

}  // namespace psm::policy
