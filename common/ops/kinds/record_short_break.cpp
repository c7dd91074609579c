// record-short-break (R15): a short break (respite) for the child with other
// carers. Writes the break; one over two weeks is flagged, and the outcome
// says why. A break is counted in nights (the child sleeps away from the
// carers): Saturday to the Saturday two weeks later is 14 nights, two weeks.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/calendar.hpp"

#include <chrono>

namespace psm::ops::kinds {

Problem check_shape(const RecordShortBreak& p) {
  if (!id_ok(p.break_id) || !id_ok(p.placement_id)) return bad("break or placement id is not valid");
  if (p.with_whom.size() > limits::kMaxShortStringBytes) return bad("who the child stays with is too long");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const RecordShortBreak& p) {
  namespace f = schema::short_breaks;
  auto placement = cx.visible(schema::placements::kName, p.placement_id);
  if (!placement) return cx.not_found(schema::placements::kCollection, p.placement_id);
  if (auto refused = cx.refuse_unless(policy::Act::record_short_break)) return *refused;
  const auto start = policy::parse_date(p.start_date);
  const auto end = policy::parse_date(p.end_date);
  if (!start || !end || std::chrono::sys_days{*end} < std::chrono::sys_days{*start}) {
    return reject(Errc::invalid_argument, "a short break needs a start date and an end date on or after it");
  }
  if (cx.state().get(f::kName, p.break_id)) return reject(Errc::already_exists, "short break already recorded");
  const auto nights = (std::chrono::sys_days{*end} - std::chrono::sys_days{*start}).count();
  Record b = cx.new_record(f::kName, p.break_id, placement->scope);
  cx.set(b, f::placement_id, p.placement_id);
  cx.set(b, f::start_date, p.start_date);
  cx.set(b, f::end_date, p.end_date);
  cx.set(b, f::days, static_cast<std::uint64_t>(nights + 1));  // days it touches, both ends counted
  cx.set(b, f::nights, static_cast<std::uint64_t>(nights));
  cx.set(b, f::with_whom, p.with_whom);
  cx.set(b, f::recorded_by, cx.me());
  // The allowance is not reduced for agreed breaks of up to two weeks; a
  // longer one is flagged so someone decides about the allowance.
  cx.set(b, f::over_two_weeks, nights > 14);
  Outcome o = accept({std::move(b)});
  if (nights > 14) {
    o.reason = "this break is " + std::to_string(nights) +
               " nights: the allowance rule (not reduced for breaks up to two weeks) does not cover it";
  }
  return o;
}

}  // namespace psm::ops::kinds
