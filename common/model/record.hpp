// The unit of sync: a record is (collection, id, scope, fields), and every field
// carries the version of its last write. Download is records; upload is
// operations (common/ops) that produce records.
#pragma once

#include "common/model/field.hpp"
#include "common/model/hlc.hpp"
#include "common/model/schema.hpp"

#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace psm::model {

// The collections' names: aliases of each schema's kName (common/model/schema.hpp),
// kept for code that predates the schema.
namespace collection {
// Reference data, imported on the server.
inline constexpr std::string_view kPeople = schema::people::kName;
inline constexpr std::string_view kHouseholds = schema::households::kName;
inline constexpr std::string_view kChildren = schema::children::kName;
inline constexpr std::string_view kPlacements = schema::placements::kName;
// Work data, created on any device.
inline constexpr std::string_view kMeetings = schema::meetings::kName;
inline constexpr std::string_view kViews = schema::views::kName;
inline constexpr std::string_view kActions = schema::actions::kName;
inline constexpr std::string_view kActionUpdates = schema::action_updates::kName;
inline constexpr std::string_view kConflicts = schema::conflicts::kName;
inline constexpr std::string_view kInvitations =
    schema::invitations::kName;  // who is asked to a meeting, and whether they came
inline constexpr std::string_view kDecisions =
    schema::decisions::kName;  // append-only: e.g. not inviting the child, and why
inline constexpr std::string_view kAgendaNotes = schema::agenda_notes::kName;  // append-only notes against agenda items
inline constexpr std::string_view kNotifications = schema::notifications::kName;
inline constexpr std::string_view kConcerns =
    schema::concerns::kName;  // R13: concerns about a carer's conduct (professionals only)
inline constexpr std::string_view kShortBreaks = schema::short_breaks::kName;  // R15
inline constexpr std::string_view kSupportItems =
    schema::support_items::kName;  // R10: the Placement Support Plan's items
inline constexpr std::string_view kPanelRequests =
    schema::panel_requests::kName;  // R11: support needing the Practice and Resources Panel
inline constexpr std::string_view kPlanCopies =
    schema::plan_copies::kName;  // R10: the carer household's minimised copy
inline constexpr std::string_view kCswReports =
    schema::csw_reports::kName;  // S1 3.3: the child's social worker's report to the chair (professionals only)
// Directory-wide settings the rules read, e.g. which service managers are told of every support meeting.
inline constexpr std::string_view kSettings = schema::settings::kName;
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
  void serialize(Archive& ar) {
    ar(value, version, author);
  }
};

struct Record {
  std::string collection;
  std::string id;
  std::string scope;
  // Never sent to a foster carer's device (e.g. a child's views about their carer).
  bool professionals_only = false;
  std::map<std::string, FieldValue> fields;

  bool operator==(const Record&) const = default;

  // Typed access through the schema (common/model/schema.hpp): the field's
  // value parsed as its kind, or nullopt when absent or not of that kind.
  template <class Kind>
  std::optional<typename Field<Kind>::value_type> get(const Field<Kind>& field) const {
    auto it = fields.find(std::string(field.name));
    if (it == fields.end()) return std::nullopt;
    return FieldCodec<Kind>::parse(it->second.value);
  }
  // A text-like field's value, or "" when absent.
  template <class Kind>
  requires is_text_field_v<Kind> std::string value(const Field<Kind>& field)
  const { return get(field).value_or(std::string()); }
  // Any field's value as stored, or "" when absent (e.g. to name an
  // unexpected status in a message).
  template <class Kind>
  std::string spelling(const Field<Kind>& field) const {
    auto it = fields.find(std::string(field.name));
    return it == fields.end() ? std::string() : it->second.value;
  }
  // Whether the record has the field at all, whatever its value (even "", or
  // a value not of the field's kind).
  template <class Kind>
  bool has(const Field<Kind>& field) const {
    return fields.contains(std::string(field.name));
  }
  // Writes a typed field with the given version.
  template <class Kind>
  void set(const Field<Kind>& field, typename Field<Kind>::value_type v, const Version& version,
           std::string_view author = {}) {
    set(field.name, FieldCodec<Kind>::format(std::move(v)), version, author);
  }

  // By name, for names known only at run time (a conflict's field, a
  // field-level merge). Elsewhere use the typed forms above.
  // The field's value, or nullopt when the record has no such field.
  std::optional<std::string> get(std::string_view field) const;
  // The field's value, or "" when absent.
  std::string value(std::string_view field) const;
  // Sets a field with the given version (used by operations and importers).
  void set(std::string_view field, std::string value, const Version& version, std::string_view author = {});
  // The newest version among the fields (the record's "last modified").
  Version latest_version() const;

  template <class Archive>
  void serialize(Archive& ar, std::uint32_t const /*version*/) {
    ar(collection, id, scope, professionals_only, fields);
  }
};

// The free form of Record::set: set(rec, schema::actions::status, ActionStatus::done, version, author).
template <class Kind>
void set(Record& record, const Field<Kind>& field, typename Field<Kind>::value_type value, const Version& version,
         std::string_view author = {}) {
  record.set(field, std::move(value), version, author);
}

}  // namespace psm::model

CEREAL_CLASS_VERSION(psm::model::Record, 1);
