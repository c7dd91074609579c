// The unit of sync: a record is (collection, id, scope, fields), and every field
// carries the version of its last write. Download is records; upload is
// operations (common/ops) that produce records.
#pragma once

#include "common/model/hlc.hpp"

#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace psm::model {

namespace collection {
// Reference data, imported on the server.
inline constexpr std::string_view kPeople = "people";
inline constexpr std::string_view kHouseholds = "households";
inline constexpr std::string_view kChildren = "children";
inline constexpr std::string_view kPlacements = "placements";
// Work data, created on any device.
inline constexpr std::string_view kMeetings = "meetings";
inline constexpr std::string_view kViews = "views";
inline constexpr std::string_view kActions = "actions";
inline constexpr std::string_view kActionUpdates = "action_updates";
inline constexpr std::string_view kConflicts = "conflicts";
inline constexpr std::string_view kInvitations = "invitations";    // who is asked to a meeting, and whether they came
inline constexpr std::string_view kDecisions = "decisions";        // append-only: e.g. not inviting the child, and why
inline constexpr std::string_view kAgendaNotes = "agenda_notes";   // append-only notes against agenda items
inline constexpr std::string_view kNotifications = "notifications";
inline constexpr std::string_view kConcerns = "concerns";          // R13: concerns about a carer's conduct (professionals only)
inline constexpr std::string_view kShortBreaks = "short_breaks";   // R15
inline constexpr std::string_view kSupportItems = "support_items"; // R10: the Placement Support Plan's items
inline constexpr std::string_view kPanelRequests = "panel_requests"; // R11: support needing the Practice and Resources Panel
inline constexpr std::string_view kPlanCopies = "plan_copies";     // R10: the carer household's minimised copy
// Directory-wide settings the rules read, e.g. which service managers are told of every support meeting.
inline constexpr std::string_view kSettings = "settings";
}  // namespace collection

// Scopes decide who receives a record (common/policy/access.hpp).
namespace scope {
inline std::string placement(std::string_view id) { return "placement:" + std::string(id); }
inline std::string household(std::string_view id) { return "household:" + std::string(id); }
inline std::string child(std::string_view id) { return "child:" + std::string(id); }
// A person's own inbox (notifications addressed to them).
inline std::string person(std::string_view id) { return "person:" + std::string(id); }
inline constexpr std::string_view kDirectory = "directory";  // professionals' names and roles
// R11: requests sent to the Practice and Resources Panel, seen by its members.
inline constexpr std::string_view kPanel = "panel";
}  // namespace scope

struct FieldValue {
  std::string value;
  Version version;     // orders concurrent writes (HLC, then device)
  std::string author;  // person id of who wrote it, so a conflict can say who

  bool operator==(const FieldValue&) const = default;

  template <class Archive>
  void serialize(Archive& ar) { ar(value, version, author); }
};

struct Record {
  std::string collection;
  std::string id;
  std::string scope;
  // Never sent to a foster carer's device (e.g. a child's views about their carer).
  bool professionals_only = false;
  std::map<std::string, FieldValue> fields;

  bool operator==(const Record&) const = default;

  // The field's value, or nullopt when the record has no such field.
  std::optional<std::string> get(std::string_view field) const;
  // The field's value, or "" when absent.
  std::string value(std::string_view field) const;
  // Sets a field with the given version (used by operations and importers).
  void set(std::string_view field, std::string value, const Version& version,
           std::string_view author = {});
  // The newest version among the fields (the record's "last modified").
  Version latest_version() const;

  template <class Archive>
  void serialize(Archive& ar, std::uint32_t const /*version*/) {
    ar(collection, id, scope, professionals_only, fields);
  }
};

}  // namespace psm::model

CEREAL_CLASS_VERSION(psm::model::Record, 1);
