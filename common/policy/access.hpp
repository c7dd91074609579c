// Who may see what: access follows relationships (DESIGN.md §5). A record's
// scope names the placement, household or child it belongs to; a person sees a
// scope when they are related to it. The server decides with this code; the
// device never needs to, because it only ever holds what it was sent.
#pragma once

#include "common/model/domain.hpp"
#include "common/model/record.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace psm::policy {

// Reference data (people, households, children, placements) held in memory with
// the indexes the access rules need. One local authority's reference data is a
// few thousand records, so this is small. Not thread-safe; the owner serialises use.
class ReferenceData {
 public:
  // Adds or replaces a reference record; records of other collections are ignored.
  void upsert(const model::Record& record);

  const model::Record* find(std::string_view collection, std::string_view id) const;
  // A person's team ("" when unknown or none).
  std::string team_of(std::string_view person_id) const;

  // Every scope `person_id` (holding `role`) may see. Managers and admins see
  // every scope; carers their households' placements; social workers and IROs
  // their allocated children's placements; SSWs their supervised households'.
  std::set<std::string> visible_scopes(std::string_view person_id, model::Role role) const;

  // Placements whose child or household this person is related to (for listings).
  std::vector<const model::Record*> placements_for(std::string_view person_id, model::Role role) const;

 private:
  using Table = std::map<std::string, model::Record, std::less<>>;
  const Table* table(std::string_view collection) const;
  void add_placement_scopes(const model::Record& placement, std::set<std::string>& out) const;

  Table people_, households_, children_, placements_;
};

// Whether a reference record is a current placement (not ended).
bool placement_is_active(const model::Record& placement);

// Splits a comma-separated id list field ("p1,p2").
std::vector<std::string> split_ids(std::string_view list);

}  // namespace psm::policy
