// Who may see what: access follows relationships (DESIGN.md §5). A record's
// scope names the placement, household or child it belongs to; a person sees a
// scope when they are related to it. The server decides with this code; the
// device never needs to, because it only ever holds what it was sent.
#pragma once

#include "common/model/domain.hpp"
#include "common/model/record.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
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

// ---- grants: access given by operational data ------------------------------
//
// Some people see a case because of what was done, not because reference data
// relates them to it: the minute taker booked for a meeting (S1 3.5) and the
// LADO told of a concern about carers' conduct (R9, R13). A grant gives one
// person the records of one meeting or one concern, and the reference records
// needed to show names (the placement, the child, the household and its
// carers), never the rest of the placement. The server derives the grants
// from the stored meetings and concerns (Grants) each time it answers a pull
// or applies an operation, so a grant ends when the booking changes.
//
// On the wire a grant is a scope of its own: the device keeps a granted
// record under the grant's scope ("meeting:<id>", "concern:<id>") and the
// reference records under "granted:<placement id>", so when the grant ends the
// device loses that scope and purges what it gave, as for any other scope.
struct Grant {
  enum class Kind : std::uint8_t {
    minute_taker,  // the meeting's records a minute taker records and finalises
    lado,          // the concern, its LADO task and the meeting it was raised at
  };
  Kind kind = Kind::minute_taker;
  std::string id;  // the meeting's id (minute taker) or the concern's (LADO)
  std::string meeting_id;
  std::string placement_id;

  // The scope the device keeps this grant's records under.
  std::string scope() const;
};

// The scope the device keeps a granted placement's reference records under.
std::string granted_reference_scope(std::string_view placement_id);

// What the stored meetings and concerns grant. Notes each meeting's minute
// taker and each concern's meeting; small (one entry per meeting with a minute
// taker and per concern). Not thread-safe; the owner serialises use.
class Grants {
 public:
  // Notes a meeting or a concern as now stored; other collections are ignored.
  void observe(const model::Record& record);
  // The grants `person_id` holds: a minute taker grant for each meeting they
  // are booked to minute, and (when `is_lado`: they are one of the LADOs the
  // setting names) a LADO grant for each concern.
  std::vector<Grant> of(std::string_view person_id, bool is_lado) const;

 private:
  struct Concern {
    std::string meeting_id, placement_id;
  };
  std::map<std::string, std::string, std::less<>> minute_taker_of_;  // meeting id → person id
  std::map<std::string, std::string, std::less<>> placement_of_;     // meeting id → placement id
  std::map<std::string, Concern, std::less<>> concerns_;             // concern id → where it was raised
};

// One person's grants, resolved against reference data: which stored scopes
// they read and under which scope the device keeps each record they cover.
class GrantedAccess {
 public:
  // Grants whose placement the person already sees in full (`visible`) add
  // nothing and are left out.
  GrantedAccess(const ReferenceData& reference, std::vector<Grant> grants, const std::set<std::string>& visible);

  // The grants' scopes, as the device knows them (a pull's scope list).
  std::set<std::string> scopes() const;
  // Each stored scope the grants read, with the grants' scopes that read it.
  const std::map<std::string, std::set<std::string>>& reads() const { return reads_; }
  // The scope the device keeps `record` (as stored) under, or nullopt when no
  // grant covers it. A minute taker's grant covers the meeting and its
  // invitations, views, agenda notes, actions, support items and decisions,
  // never a concern or what derives from one; a LADO's covers the concern,
  // its LADO task and the meeting record.
  std::optional<std::string> scope_for(const model::Record& record) const;
  // Whether the person may act on `record` (as stored) by a grant: a minute
  // taker on the meeting and its records (attendance, notes, views, actions,
  // support items, finalising); a LADO on the concern and its LADO task. The
  // meeting a LADO sees and the reference records are shown, not acted on.
  bool acts_on(const model::Record& record) const;
  bool empty() const { return grants_.empty(); }

 private:
  struct Resolved {
    Grant grant;
    std::string child_id, household_id;
    std::set<std::string> carer_ids;
  };
  std::optional<std::string> own_scope_for(const model::Record& record) const;
  std::optional<std::string> reference_scope_for(const model::Record& record) const;
  std::vector<Resolved> grants_;
  std::map<std::string, std::set<std::string>> reads_;
};

// Whether a reference record is a current placement (not ended).
bool placement_is_active(const model::Record& placement);

// Splits a comma-separated id list field ("p1,p2").
std::vector<std::string> split_ids(std::string_view list);

// ---- professionals-only records and what is derived from them ---------------
//
// The invariant: every record derived from a professionals-only record is
// professionals-only too (an action update of the LADO task, a conflict on a
// professionals-only view, a notification about a concern, a panel request's
// notifications). A carer's device never receives a professionals-only record
// (the server's pull filter reads the flag), so nothing derived from one can
// carry its words to a carer.
//
// This is the one place the invariant is written down and enforced:
// `derived_from` says which records a record is derived from, and
// `inherit_professionals_only` sets the flag from them. ops::apply() runs it on
// every write it produces, on the device and on the server alike; the server's
// own builders (escalation, placement planning) run it on theirs. Code that
// makes a record only sets the flag where the record itself is the source (a
// concern, a view, a support item or agenda note marked so, a panel request).

// A record another is derived from, named by collection and id.
struct DerivedFrom {
  std::string collection;
  std::string id;
};

// The records `record` is derived from, read from its own fields:
//   meeting_id → the meeting (views, actions, notes, invitations, notifications…)
//   action_id → the action (action updates, overdue notifications)
//   concern_id → the concern (the LADO task and its notifications, R13)
//   item_id → the support item (panel requests, R11)
//   request_id → the panel request (the panel's notifications, R11)
//   decision_id → the decision (the child's invitation, R5)
//   target_collection + target_id → the record a conflict is about
// Reference data (placements, children, households, people, settings) is never
// professionals-only and derives from nothing.
std::vector<DerivedFrom> derived_from(const model::Record& record);

// Finds a stored record by collection and id (nullopt when there is none).
using FindRecord = std::function<std::optional<model::Record>(std::string_view collection, std::string_view id)>;

// Marks professionals-only every record in `writes` derived, directly or
// through other records of `writes`, from a professionals-only record. A
// source among `writes` is taken as written there (an operation may create a
// concern and its LADO task together); any other is read with `find`, whose
// records already hold the invariant. Never clears the flag. Reads each
// source at most once.
void inherit_professionals_only(std::vector<model::Record>& writes, const FindRecord& find);

}  // namespace psm::policy
