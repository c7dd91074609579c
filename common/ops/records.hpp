// The builders of the records more than one place makes: a meeting request
// (ops::apply() for a person's request, the server's placement planning), a
// notification (apply(), placement planning, the escalation sweep) and the
// carers' copy of a support plan (apply() at finalisation, the server as the
// plan changes). Each takes
// plain values and writes the fields through the schema
// (common/model/schema.hpp); the callers decide ids, scopes and versions.
#pragma once

#include "common/model/domain.hpp"
#include "common/model/record.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace psm::ops {

// A meeting as requested (status requested), for `placement`.
struct MeetingRequest {
  std::string id;
  std::string scope;  // the placement's scope
  model::MeetingType type = model::MeetingType::support;
  std::string reason;
  std::string requested_by;  // a person id, or "system"
  std::uint64_t requested_at_ms = 0;
  std::uint64_t identified_at_ms = 0;
  std::uint64_t deadline_ms = 0;  // R2
};

// The meeting record: placement, child and household from `placement`; the
// placement's team manager chairs (R4).
model::Record make_meeting_request(const model::Record& placement, const MeetingRequest& request,
                                   const model::Version& version, std::string_view author);

// A notification in one person's inbox (scope person:<recipient>).
struct Notification {
  std::string id;  // derived from what made it, so every replica makes the same
  std::string recipient_id;
  model::NotificationKind kind = model::NotificationKind::meeting_requested;
  std::optional<std::string> meeting_id;
  std::optional<std::string> placement_id;
  // The record it tells of beyond the meeting (policy::derived_from follows it):
  // a notification about a professionals-only record is professionals-only.
  enum class About : std::uint8_t { nothing, action, concern, panel_request } about = About::nothing;
  std::string about_id;
  std::string text;
  std::uint64_t created_at_ms = 0;
};

model::Record make_notification(const Notification& notification, const model::Version& version,
                                std::string_view author);

class StateReader;

// R10: the Placement Support Plan as the carer household's file holds it
// (scope household:<id>, id "<meeting>.plan"): the plan's support items and
// actions that are not professionals-only, each once and with where it stands
// (the panel's decision; open, in progress or done), the review date and when
// the child was told of the plan. Nothing else about the child or their family.
// Built from `state` as it is now, so the copy follows the plan: apply() makes
// it when the minutes are finalised, and the server rebuilds it whenever the
// plan changes after (server/sync/plan_copies.hpp). nullopt when `meeting` is
// not a support meeting whose minutes are finalised: there is no plan yet.
std::optional<model::Record> make_plan_copy(const StateReader& state, const model::Record& meeting,
                                            const model::Version& version, std::string_view author);

}  // namespace psm::ops
