#include "common/policy/rules.hpp"

namespace psm::policy {

using model::ActionStatus;
using model::Role;

bool may_request_meeting(Role role) {
  return role == Role::foster_carer || role == Role::child_social_worker ||
         role == Role::supervising_social_worker;
}

bool may_record_view(Role role, model::ViewSubject subject) {
  if (model::is_professional(role)) return true;
  return subject == model::ViewSubject::carer || subject == model::ViewSubject::birth_child;
}

bool is_legal_action_transition(ActionStatus from, ActionStatus to) {
  if (from == to) return false;
  switch (from) {
    case ActionStatus::open:
    case ActionStatus::in_progress: return true;
    case ActionStatus::done: return to == ActionStatus::open;
    case ActionStatus::cancelled: return false;
  }
  return false;
}

}  // namespace psm::policy
