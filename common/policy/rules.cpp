#include "common/policy/rules.hpp"

#include "common/policy/permissions.hpp"

namespace psm::policy {

using model::ActionStatus;
using model::Role;

// These read the permission table (common/policy/permissions.hpp), the one
// place who may do what is written.
bool may_request_meeting(Role role) { return !refusal(Act::request_meeting, role); }

Act record_view_act(model::ViewSubject subject) {
  return subject == model::ViewSubject::carer || subject == model::ViewSubject::birth_child
             ? Act::record_carer_household_views
             : Act::record_others_views;
}

bool may_record_view(Role role, model::ViewSubject subject) { return !refusal(record_view_act(subject), role); }

Act schedule_meeting_act(model::PlacementType type) {
  return type == model::PlacementType::in_house ? Act::schedule_in_house_meeting : Act::schedule_agency_meeting;
}

bool may_schedule_meeting(Role role, model::PlacementType type) { return !refusal(schedule_meeting_act(type), role); }

bool is_usual_review_interval(const Date& meeting_day, const Date& review_day) {
  using namespace std::chrono;
  const sys_days meeting{meeting_day};
  const sys_days review{review_day};
  Date later = meeting_day + months{3};
  if (!later.ok()) later = later.year() / later.month() / std::chrono::last;  // 30 Nov → 28/29 Feb
  const sys_days three_months{later};
  return review >= meeting + days{42} && review <= three_months;
}

namespace {
constexpr std::string_view kSupportItemKinds[] = {"camhs",         "respite",  "short-break",  "practical", "buddy",
                                                  "support-group", "training", "extra-visits", "other"};
}  // namespace

bool is_support_item_kind(std::string_view kind) {
  for (auto k : kSupportItemKinds) {
    if (k == kind) return true;
  }
  return false;
}

std::string support_item_kinds() {
  std::string out;
  for (auto k : kSupportItemKinds) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

bool is_legal_action_transition(ActionStatus from, ActionStatus to) {
  if (from == to) return false;
  switch (from) {
    case ActionStatus::open:
    case ActionStatus::in_progress:
      return true;
    case ActionStatus::done:
      return to == ActionStatus::open;
    case ActionStatus::cancelled:
      return false;
  }
  return false;
}

}  // namespace psm::policy
