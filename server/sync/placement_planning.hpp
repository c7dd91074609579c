// R2, placement planning: psm arranges a placement planning meeting for each
// new placement the reference import brings, due before the placement starts
// or, for an emergency placement, within 72 hours of it being made
// (policy::placement_planning_deadline). The team manager is told, as for any
// request (R1); from then on it is scheduled, attended and minuted like any
// other meeting, and the timeliness report shows whether it was held in time.
#pragma once

#include "common/model/record.hpp"

#include <cstdint>
#include <vector>

namespace psm::server {

// How far back a new placement may have started and still get a planning
// meeting: an emergency placement's 72 hours. A placement already longer under
// way when first imported (the authority's existing caseload, or history) had
// its planning before psm, and gets none.
inline constexpr int kPlanningLookbackDays = 3;

// The meeting request and the team manager's notification for a placement new
// to the store, or nothing when it has ended or started more than
// kPlanningLookbackDays before `now_ms`. The placement's optional "emergency"
// ("yes") and "made_at" (YYYY-MM-DDTHH:MM, UK time; default: the start of its
// start date) fields choose the deadline.
std::vector<model::Record> arrange_placement_planning(const model::Record& placement, std::uint64_t now_ms,
                                                      const model::Version& version);

}  // namespace psm::server
