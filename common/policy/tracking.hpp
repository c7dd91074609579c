// Rule R14: tracking placement stability. The second policy says "Service
// Managers (Brokerage, Fostering, CLA) will be tracking children/young people
// who have had 2 placements on a regular basis"; this project counts over the
// 12 months up to the day of the report, and also flags carer households with
// 2 unplanned endings in those 12 months. Pure functions over reference and
// meeting records, so the server's report and tests run the same code.
#pragma once

#include "common/model/record.hpp"
#include "common/policy/calendar.hpp"

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace psm::policy {

// A child is flagged with this many placements in the window.
inline constexpr std::size_t kTrackedChildPlacements = 2;
// A carer household is flagged with this many unplanned endings in the window.
inline constexpr std::size_t kTrackedCarerUnplannedEndings = 2;

enum class EndingKind { planned, unplanned };
std::string_view to_string(EndingKind);

struct TrackedPlacement {
  std::string placement_id;
  std::string child_id;
  std::string household_id;
  Date start;
  std::optional<Date> end;
  std::optional<EndingKind> ending;  // set when `end` is
  bool ending_recorded = false;      // false: no record says planned or unplanned, counted as unplanned
};

struct TrackedChild {
  std::string child_id;
  std::vector<TrackedPlacement> placements;  // every placement in the window, by start date
  std::size_t endings = 0;                   // how many of them ended in the window
};

struct TrackedCarers {
  std::string household_id;
  std::vector<TrackedPlacement> unplanned_endings;  // by end date
};

struct StabilityTracking {
  Date from;                           // the window: from this day …
  Date to;                             // … up to and including this one (the report's day)
  std::vector<TrackedChild> children;  // flagged children, by child id
  std::vector<TrackedCarers> carers;   // flagged households, by household id
};

// The first day of the 12 months that end on `today` (a year earlier, plus a day).
Date tracking_window_start(const Date& today);

// Placements whose pre-disruption meeting agreed a planned ending (R12): the
// placement id of every meeting whose "outcome" is "planned-ending".
std::set<std::string> placements_with_planned_ending(const std::vector<model::Record>& meetings);

// R14. A placement is in the window when it started on or before `today` and
// had not ended before the window began; an ending is in the window when its
// end date is. An ending is planned when the placement's "ending" field says
// "planned" or a pre-disruption meeting agreed a planned ending for it
// (`planned_endings`); unplanned when the field says so, or when nothing
// records either (so an unrecorded ending is never missed by the tracking).
// Placements with an unreadable start date are skipped.
StabilityTracking track_placement_stability(const std::vector<model::Record>& placements,
                                            const std::set<std::string>& planned_endings, const Date& today);

}  // namespace psm::policy
