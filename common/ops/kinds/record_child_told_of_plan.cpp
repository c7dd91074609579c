// child-told-of-plan (R10): the date the child was told about the support
// plan. Writes the meeting.
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/calendar.hpp"

namespace psm::ops::kinds {

Problem check_shape(const RecordChildToldOfPlan& p) {
  if (!id_ok(p.meeting_id)) return bad("meeting id is not valid");
  if (!policy::parse_date(p.told_on)) return bad("the date the child was told must be YYYY-MM-DD");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const RecordChildToldOfPlan& p) {
  auto meeting = cx.visible(schema::meetings::kName, p.meeting_id);
  if (!meeting) return cx.not_found(schema::meetings::kCollection, p.meeting_id);
  if (auto refused = cx.refuse_unless(policy::Act::record_child_told_of_plan)) return *refused;
  cx.set(*meeting, schema::meetings::child_told_of_plan_on, p.told_on);
  return accept({std::move(*meeting)});
}

}  // namespace psm::ops::kinds
