// Rule R8 on the server: a sweep that moves overdue actions up the escalation
// ladder (common/policy/escalation.hpp) and notifies each new step once; and
// R6: it reminds whoever must arrange a plan's review, once, before the date. The
// server runs it on its store thread every few minutes and at start-up;
// `psm-server escalate` runs it once (for cron, or a test with a given date).
#pragma once

#include "common/model/hlc.hpp"
#include "common/policy/calendar.hpp"
#include "server/store/store.hpp"

#include <set>
#include <string>

namespace psm::server {

struct EscalationResult {
  std::size_t actions_escalated = 0;
  std::size_t notifications = 0;  // escalations and reminders
  std::size_t reviews_reminded = 0;
  std::set<std::string> changed_scopes;
};

// One sweep, in one transaction. Each notification's id is the action's id and
// the step, and the level reached is stored on the action, so running the sweep
// again (or after a crash) never notifies a step twice.
EscalationResult run_escalation_sweep(Store& store, model::HlcClock& clock, const policy::Date& today,
                                      std::uint64_t now_ms);

}  // namespace psm::server
