#include "common/ops/records.hpp"

namespace psm::ops {

namespace schema = model::schema;
using model::Record;

Record make_meeting_request(const Record& placement, const MeetingRequest& request, const model::Version& version,
                            std::string_view author) {
  namespace m = schema::meetings;
  Record r;
  r.collection = std::string(m::kName);
  r.id = request.id;
  r.scope = request.scope;
  r.set(m::placement_id, placement.id, version, author);
  r.set(m::child_id, placement.value(schema::placements::child_id), version, author);
  r.set(m::household_id, placement.value(schema::placements::household_id), version, author);
  r.set(m::type, request.type, version, author);
  r.set(m::status, model::MeetingStatus::requested, version, author);
  r.set(m::reason, request.reason, version, author);
  r.set(m::requested_by, request.requested_by, version, author);
  r.set(m::requested_at_ms, request.requested_at_ms, version, author);
  r.set(m::identified_at_ms, request.identified_at_ms, version, author);
  r.set(m::deadline_ms, request.deadline_ms, version, author);
  r.set(m::chair_id, placement.value(schema::placements::team_manager_id), version, author);
  return r;
}

Record make_notification(const Notification& n, const model::Version& version, std::string_view author) {
  namespace f = schema::notifications;
  Record r;
  r.collection = std::string(f::kName);
  r.id = n.id;
  r.scope = model::scope::person(n.recipient_id);
  r.set(f::recipient_id, n.recipient_id, version, author);
  r.set(f::kind, n.kind, version, author);
  if (n.meeting_id) r.set(f::meeting_id, *n.meeting_id, version, author);
  if (n.placement_id) r.set(f::placement_id, *n.placement_id, version, author);
  switch (n.about) {
    case Notification::About::nothing:
      break;
    case Notification::About::action:
      r.set(f::action_id, n.about_id, version, author);
      break;
    case Notification::About::concern:
      r.set(f::concern_id, n.about_id, version, author);
      break;
    case Notification::About::panel_request:
      r.set(f::request_id, n.about_id, version, author);
      break;
  }
  r.set(f::text, n.text, version, author);
  r.set(f::created_at_ms, n.created_at_ms, version, author);
  return r;
}

}  // namespace psm::ops
