// mark-permanence-match (R3): agreeing a permanence match always brings a
// support meeting. Writes the placement's match date, then the meeting request
// and its notifications (request_meeting.cpp). The meeting's time limit counts
// from the day the match was agreed, not from when it was typed in.
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/calendar.hpp"

#include <chrono>

namespace psm::ops::kinds {

Problem check_shape(const MarkPermanenceMatch& p) {
  if (!id_ok(p.placement_id) || !id_ok(p.meeting_id)) return bad("placement or meeting id is not valid");
  if (!policy::parse_date(p.agreed_on)) return bad("the date the match was agreed must be YYYY-MM-DD");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const MarkPermanenceMatch& p) {
  auto placement = cx.visible(schema::placements::kName, p.placement_id);
  if (!placement) return cx.not_found(schema::placements::kCollection, p.placement_id);
  if (auto refused = cx.refuse_unless(policy::Act::mark_permanence_match)) return *refused;
  const auto agreed = *policy::parse_date(p.agreed_on);
  const auto today = policy::uk_date_of(cx.now_ms());
  if (std::chrono::sys_days{agreed} > std::chrono::sys_days{today}) {
    return reject(Errc::invalid_argument,
                  "a permanence match cannot be agreed on a day still to come (" + policy::date_in_words(agreed) + ")");
  }
  // Agreed today: from now. On an earlier day: from the start of that day.
  const std::uint64_t identified =
      agreed == today ? cx.now_ms() : policy::uk_end_of_day(std::chrono::sys_days{agreed} - std::chrono::days{1}) + 1;
  auto outcome = request_meeting(cx, *placement, p.meeting_id, model::MeetingType::support,
                                 "Permanence match agreed on " + policy::date_in_words(agreed) +
                                     ": a Placement Support Meeting is always held (policy 3)",
                                 identified);
  if (!outcome.ok()) return outcome;
  cx.set(*placement, schema::placements::permanence_match_date, p.agreed_on);
  outcome.writes.insert(outcome.writes.begin(), std::move(*placement));
  return outcome;
}

}  // namespace psm::ops::kinds
