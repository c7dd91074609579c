// request-meeting (R1, R2, R9): a foster carer, the child's social worker or the
// supervising social worker asks for a Placement Support Meeting or a
// Pre-disruption meeting. Writes the meeting, then tells the placement's team
// manager, the household's supervising social worker (a carer's request) and
// every service manager.
#include "common/limits.hpp"
#include "common/ops/kinds/kinds.hpp"
#include "common/policy/access.hpp"
#include "common/policy/calendar.hpp"
#include "common/policy/deadlines.hpp"

#include <algorithm>
#include <set>

namespace psm::ops::kinds {

Problem check_shape(const RequestMeeting& p) {
  if (!id_ok(p.meeting_id) || !id_ok(p.placement_id)) return bad("meeting or placement id is not valid");
  if (!text_ok(p.reason, limits::kMaxTextBytes)) return bad("a reason for the meeting is required");
  if (static_cast<int>(p.type) < 0 || static_cast<int>(p.type) > 2) return bad("unknown meeting type");
  return std::nullopt;
}

Outcome apply_kind(Context& cx, const RequestMeeting& p) {
  auto placement = cx.visible(schema::placements::kName, p.placement_id);
  if (!placement) return cx.not_found(schema::placements::kCollection, p.placement_id);
  if (auto refused = cx.refuse_unless(policy::Act::request_meeting)) return *refused;
  if (p.type == model::MeetingType::placement_planning) {
    return reject(Errc::invalid_argument, "placement planning meetings are arranged, not requested");
  }
  return request_meeting(cx, *placement, p.meeting_id, p.type, p.reason, p.identified_at_ms);
}

Outcome request_meeting(Context& cx, const Record& placement, const std::string& meeting_id, model::MeetingType type,
                        const std::string& reason, std::uint64_t identified_at_ms) {
  if (!policy::placement_is_active(placement)) {
    return reject(Errc::rule_violation, "placement " + placement.id + " has ended");
  }
  if (cx.state().get(schema::meetings::kName, meeting_id)) {
    return reject(Errc::already_exists, "meeting " + meeting_id + " already exists");
  }
  // When the need was identified: when the person asked, unless they said
  // earlier. Clearly in the future is a mistake; a few minutes ahead is a
  // device clock the server pulled back, and reads as now.
  if (identified_at_ms > cx.now_ms() + static_cast<std::uint64_t>(limits::kMaxClockSkew.count())) {
    return reject(Errc::invalid_argument, "the need cannot have been identified at a time still to come (" +
                                              policy::datetime_in_words(identified_at_ms) + ")");
  }
  const std::uint64_t identified = identified_at_ms ? std::min(identified_at_ms, cx.now_ms()) : cx.now_ms();
  MeetingRequest request;
  request.id = meeting_id;
  request.scope = placement.scope;
  request.type = type;
  request.reason = reason;
  request.requested_by = cx.me();
  request.requested_at_ms = cx.now_ms();
  request.identified_at_ms = identified;
  request.deadline_ms = policy::meeting_deadline(type, identified, cx.calendar());
  // R4: the placement's team manager chairs (Fostering for in-house, CLA for IFA).
  Record m = make_meeting_request(placement, request, cx.version(), cx.me());
  std::vector<Record> writes{m};
  // R1: the request goes to the team manager, who is told; a carer's request
  // also to the supervising social worker who must convene it (R4, S1 3.5).
  // One notification each, never to the person who asked.
  const std::string text = describe_meeting(cx, m, "requested by " + cx.person_name(cx.me()));
  std::set<std::string> told{cx.me()};
  auto tell = [&](const std::string& id, model::NotificationKind kind) {
    if (id.empty() || !told.insert(id).second) return;
    cx.notify(writes, id, kind, m, text);
  };
  tell(placement.value(schema::placements::team_manager_id), model::NotificationKind::meeting_requested);
  if (cx.actor().role == model::Role::foster_carer) {
    if (auto household = cx.state().get(schema::households::kName, placement.value(schema::placements::household_id))) {
      tell(household->value(schema::households::ssw_id), model::NotificationKind::meeting_requested);
    }
  }
  // R9: every support meeting is made known to the Fostering, Family
  // Safeguarding and CLA Service Managers; S2 §4: so is a pre-disruption
  // meeting (they are made aware of stability issues).
  const auto to_managers = type == model::MeetingType::support ? model::NotificationKind::support_meeting
                                                               : model::NotificationKind::meeting_requested;
  for (const auto& id : cx.setting_ids("service-managers")) tell(id, to_managers);
  return accept(std::move(writes));
}

}  // namespace psm::ops::kinds
