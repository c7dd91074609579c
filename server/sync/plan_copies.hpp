// R10 on the server: the carers' copy of a support plan follows the plan.
// After each operation the server applies, the copies of the plans it touched
// are rebuilt from the store (ops::make_plan_copy) and written where they
// differ, so the child being told of the plan, the panel's decision and each
// action's progress reach the carers' file. The server is the copy's one
// writer (its store thread), so two devices changing one plan at once never
// lose each other's change in the copy.
#pragma once

#include "common/model/hlc.hpp"
#include "common/model/record.hpp"
#include "server/store/store.hpp"

#include <set>
#include <string>
#include <vector>

namespace psm::server {

// Rebuilds the copies of the plans `writes` touched (a support item, an
// action or its update, a panel decision, the meeting itself) and stores those
// that changed, with a version from `clock`. Returns the scopes written.
std::set<std::string> follow_plan_copies(Store& store, model::HlcClock& clock,
                                         const std::vector<model::Record>& writes);

}  // namespace psm::server
