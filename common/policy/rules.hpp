// Domain rules from the seeds that both sides run. Each function states the
// rule it implements.
#pragma once

#include "common/model/domain.hpp"
#include "common/policy/access.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/permissions.hpp"

namespace psm::policy {

// R1: a foster carer (for their own placement — enforced by scope), the child's
// social worker or the supervising social worker may request a meeting.
bool may_request_meeting(model::Role role);

// A carer records their own views and their birth children's; professionals
// record anyone's (the child's views are gathered by the child's social worker).
bool may_record_view(model::Role role, model::ViewSubject subject);
// The permission row that decides whether views about `subject` may be recorded.
Act record_view_act(model::ViewSubject subject);

// R4: who arranges (schedules) a meeting. In-house: the supervising social
// worker convenes and the Fostering Team Manager chairs; IFA/independent: the
// CLA (Social Work) Team Manager arranges, or the child's social worker.
bool may_schedule_meeting(model::Role role, model::PlacementType type);
// The permission row that decides who schedules a meeting for a placement of `type`.
Act schedule_meeting_act(model::PlacementType type);

// R6: a review 6 weeks to 3 months after the meeting needs no reason; any
// other interval does.
bool is_usual_review_interval(const Date& meeting_day, const Date& review_day);

// R10: the kinds of support a Placement Support Plan can hold.
bool is_support_item_kind(std::string_view kind);
std::string support_item_kinds();

// Action status machine: open → in-progress | done | cancelled;
// in-progress → open | done | cancelled; done → open (reopened); cancelled is final.
bool is_legal_action_transition(model::ActionStatus from, model::ActionStatus to);

}  // namespace psm::policy
