#include "common/policy/access.hpp"

namespace psm::policy {

using model::Record;
using model::Role;
namespace col = model::collection;
namespace schema = model::schema;

std::vector<std::string> split_ids(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto part = list.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

bool placement_is_active(const Record& placement) { return placement.value(schema::placements::end_date).empty(); }

void ReferenceData::upsert(const Record& record) {
  Table* t = const_cast<Table*>(table(record.collection));
  if (t) (*t)[record.id] = record;
}

const ReferenceData::Table* ReferenceData::table(std::string_view collection) const {
  if (collection == col::kPeople) return &people_;
  if (collection == col::kHouseholds) return &households_;
  if (collection == col::kChildren) return &children_;
  if (collection == col::kPlacements) return &placements_;
  return nullptr;
}

const Record* ReferenceData::find(std::string_view collection, std::string_view id) const {
  const Table* t = table(collection);
  if (!t) return nullptr;
  auto it = t->find(id);
  return it == t->end() ? nullptr : &it->second;
}

void ReferenceData::add_placement_scopes(const Record& placement, std::set<std::string>& out) const {
  out.insert(model::scope::placement(placement.id));
  out.insert(model::scope::child(placement.value(schema::placements::child_id)));
  out.insert(model::scope::household(placement.value(schema::placements::household_id)));
}

std::string ReferenceData::team_of(std::string_view person_id) const {
  const Record* person = find(col::kPeople, person_id);
  return person ? person->value(schema::people::team) : std::string();
}

std::vector<const Record*> ReferenceData::placements_for(std::string_view person_id, Role role) const {
  std::vector<const Record*> out;
  const std::string my_team =
      role == Role::fostering_team_manager || role == Role::cla_team_manager ? team_of(person_id) : std::string();
  for (const auto& [id, placement] : placements_) {
    const Record* child = find(col::kChildren, placement.value(schema::placements::child_id));
    const Record* household = find(col::kHouseholds, placement.value(schema::placements::household_id));
    bool related = false;
    switch (role) {
      case Role::foster_carer:
        // A carer's access ends with the placement: their device loses it.
        if (household && placement_is_active(placement)) {
          for (const auto& carer : split_ids(household->value(schema::households::carer_ids))) {
            related |= carer == person_id;
          }
        }
        break;
      case Role::child_social_worker:
        related = child && child->value(schema::children::social_worker_id) == person_id;
        break;
      case Role::iro:
        related = child && child->value(schema::children::iro_id) == person_id;
        break;
      case Role::supervising_social_worker:
        related = household && household->value(schema::households::ssw_id) == person_id;
        break;
      case Role::fostering_team_manager:
      case Role::cla_team_manager:
        // Their team's cases: placements they manage (R1/R4), and those whose
        // child's social worker or household's supervising social worker is
        // in their team.
        related = placement.value(schema::placements::team_manager_id) == person_id;
        if (!related && !my_team.empty()) {
          related = (child && team_of(child->value(schema::children::social_worker_id)) == my_team) ||
                    (household && team_of(household->value(schema::households::ssw_id)) == my_team);
        }
        break;
      case Role::service_manager:
      case Role::senior_manager:
      case Role::admin:
        related = true;
        break;
      case Role::panel_member:
      case Role::lado:
      case Role::minute_taker:
        // Given access case by case (panel requests, referrals, bookings): a
        // later rule adds those; by default they see no placement.
        break;
    }
    if (related) out.push_back(&placement);
  }
  return out;
}

std::set<std::string> ReferenceData::visible_scopes(std::string_view person_id, Role role) const {
  std::set<std::string> out;
  // Everyone sees the directory of professionals (names and roles, no child data),
  // so a carer can see who owns an action.
  out.insert(std::string(model::scope::kDirectory));
  out.insert(model::scope::person(person_id));
  for (const Record* placement : placements_for(person_id, role)) add_placement_scopes(*placement, out);
  // R11: panel members see the requests sent to the panel, not children's records.
  if (role == Role::panel_member) out.insert(std::string(model::scope::kPanel));
  if (role == Role::foster_carer) {
    // A carer always sees their own household record, even between placements.
    for (const auto& [id, household] : households_) {
      for (const auto& carer : split_ids(household.value(schema::households::carer_ids))) {
        if (carer == person_id) out.insert(model::scope::household(id));
      }
    }
  }
  return out;
}

}  // namespace psm::policy

namespace psm::policy {

namespace {

// A field naming the record this one is derived from, and that record's collection.
// The link fields have the same stored name in every collection that has them
// (schema.hpp); the names are taken from one collection that holds each.
struct Link {
  std::string_view field;
  std::string_view collection;
};
constexpr Link kLinks[] = {
    {schema::views::meeting_id.name, col::kMeetings},
    {schema::action_updates::action_id.name, col::kActions},
    {schema::actions::concern_id.name, col::kConcerns},
    {schema::panel_requests::item_id.name, col::kSupportItems},
    {schema::notifications::request_id.name, col::kPanelRequests},
    {schema::invitations::decision_id.name, col::kDecisions},
};

bool is_reference_data(std::string_view collection) {
  return collection == col::kPeople || collection == col::kHouseholds || collection == col::kChildren ||
         collection == col::kPlacements || collection == col::kSettings;
}

}  // namespace

std::vector<DerivedFrom> derived_from(const Record& record) {
  std::vector<DerivedFrom> out;
  if (is_reference_data(record.collection)) return out;
  for (const auto& link : kLinks) {
    auto id = record.get(link.field);
    if (id && !id->empty()) out.push_back({std::string(link.collection), std::move(*id)});
  }
  if (record.collection == col::kConflicts) {
    auto collection = record.value(schema::conflicts::target_collection);
    auto id = record.value(schema::conflicts::target_id);
    if (!collection.empty() && !id.empty()) out.push_back({std::move(collection), std::move(id)});
  }
  return out;
}

void inherit_professionals_only(std::vector<Record>& writes, const FindRecord& find) {
  using Key = std::pair<std::string, std::string>;
  // The last write of a record in one outcome is the one that is stored.
  std::map<Key, std::size_t> written;
  for (std::size_t i = 0; i < writes.size(); ++i) written[{writes[i].collection, writes[i].id}] = i;
  std::map<Key, bool> stored;  // sources read with `find`, each once
  enum class Mark : std::uint8_t { unseen, resolving, resolved };
  std::vector<Mark> marks(writes.size(), Mark::unseen);
  // Depth is bounded by the number of writes; a cycle (which no builder makes)
  // stops at the record already being resolved.
  std::function<bool(std::size_t)> resolve = [&](std::size_t i) {
    if (marks[i] != Mark::unseen) return writes[i].professionals_only;
    marks[i] = Mark::resolving;
    for (const auto& source : derived_from(writes[i])) {
      if (writes[i].professionals_only) break;
      Key key{source.collection, source.id};
      bool source_only = false;
      if (auto w = written.find(key); w != written.end()) {
        source_only = resolve(w->second);
      } else if (auto s = stored.find(key); s != stored.end()) {
        source_only = s->second;
      } else {
        auto record = find(source.collection, source.id);
        source_only = record && record->professionals_only;
        stored.emplace(std::move(key), source_only);
      }
      if (source_only) writes[i].professionals_only = true;
    }
    marks[i] = Mark::resolved;
    return writes[i].professionals_only;
  };
  for (std::size_t i = 0; i < writes.size(); ++i) resolve(i);
}

}  // namespace psm::policy

namespace psm::policy {

namespace {

// What a minute taker records and finalises: the records of the meeting itself.
bool minute_taker_records(std::string_view collection) {
  return collection == col::kInvitations || collection == col::kViews || collection == col::kAgendaNotes ||
         collection == col::kActions || collection == col::kSupportItems || collection == col::kDecisions;
}

}  // namespace

std::string Grant::scope() const { return (kind == Kind::minute_taker ? "meeting:" : "concern:") + id; }

std::string granted_reference_scope(std::string_view placement_id) { return "granted:" + std::string(placement_id); }

void Grants::observe(const Record& record) {
  if (record.collection == col::kMeetings) {
    const auto taker = record.value(schema::meetings::minute_taker_id);
    if (taker.empty()) {
      minute_taker_of_.erase(record.id);
      placement_of_.erase(record.id);
    } else {
      minute_taker_of_[record.id] = taker;
      placement_of_[record.id] = record.value(schema::meetings::placement_id);
    }
  } else if (record.collection == col::kConcerns) {
    concerns_[record.id] = {record.value(schema::concerns::meeting_id), record.value(schema::concerns::placement_id)};
  }
}

std::vector<Grant> Grants::of(std::string_view person_id, bool is_lado) const {
  std::vector<Grant> out;
  for (const auto& [meeting, taker] : minute_taker_of_) {
    if (taker != person_id) continue;
    auto placement = placement_of_.find(meeting);
    out.push_back({Grant::Kind::minute_taker, meeting, meeting, placement->second});
  }
  if (is_lado) {
    for (const auto& [concern, where] : concerns_) {
      out.push_back({Grant::Kind::lado, concern, where.meeting_id, where.placement_id});
    }
  }
  return out;
}

GrantedAccess::GrantedAccess(const ReferenceData& reference, std::vector<Grant> grants,
                             const std::set<std::string>& visible) {
  for (auto& grant : grants) {
    const auto placement_scope = model::scope::placement(grant.placement_id);
    if (visible.count(placement_scope)) continue;  // sees the whole placement already
    Resolved r{std::move(grant), {}, {}, {}};
    const auto reference_scope = granted_reference_scope(r.grant.placement_id);
    reads_[placement_scope].insert(r.grant.scope());
    reads_[placement_scope].insert(reference_scope);
    if (const Record* placement = reference.find(col::kPlacements, r.grant.placement_id)) {
      r.child_id = placement->value(schema::placements::child_id);
      r.household_id = placement->value(schema::placements::household_id);
      if (const Record* household = reference.find(col::kHouseholds, r.household_id)) {
        for (auto& carer : split_ids(household->value(schema::households::carer_ids))) r.carer_ids.insert(carer);
      }
    }
    if (!r.child_id.empty()) reads_[model::scope::child(r.child_id)].insert(reference_scope);
    if (!r.household_id.empty()) reads_[model::scope::household(r.household_id)].insert(reference_scope);
    grants_.push_back(std::move(r));
  }
}

std::set<std::string> GrantedAccess::scopes() const {
  std::set<std::string> out;
  for (const auto& r : grants_) {
    out.insert(r.grant.scope());
    out.insert(granted_reference_scope(r.grant.placement_id));
  }
  return out;
}

std::optional<std::string> GrantedAccess::scope_for(const Record& record) const {
  // The grant's own records first, so a record two grants cover stays under
  // the same one whichever pull sends it.
  if (auto scope = own_scope_for(record)) return scope;
  return reference_scope_for(record);
}

std::optional<std::string> GrantedAccess::own_scope_for(const Record& record) const {
  const std::string_view c = record.collection;
  for (const auto& r : grants_) {
    const Grant& g = r.grant;
    if (record.scope != model::scope::placement(g.placement_id)) continue;
    if (g.kind == Grant::Kind::minute_taker) {
      // Nothing about a concern: the LADO task has the meeting's id too.
      if (c == col::kMeetings && record.id == g.meeting_id) return g.scope();
      if (minute_taker_records(c) && record.value(schema::views::meeting_id) == g.meeting_id &&
          record.value(schema::actions::concern_id).empty()) {
        return g.scope();
      }
    } else {
      if (c == col::kConcerns && record.id == g.id) return g.scope();
      if (c == col::kActions && record.value(schema::actions::concern_id) == g.id) return g.scope();
      if (c == col::kMeetings && record.id == g.meeting_id) return g.scope();
    }
  }
  return std::nullopt;
}

bool GrantedAccess::acts_on(const Record& record) const {
  const auto scope = own_scope_for(record);
  if (!scope) return false;
  for (const auto& r : grants_) {
    if (r.grant.scope() != *scope) continue;
    return r.grant.kind == Grant::Kind::minute_taker || record.collection != col::kMeetings;
  }
  return false;
}

std::optional<std::string> GrantedAccess::reference_scope_for(const Record& record) const {
  const std::string_view c = record.collection;
  for (const auto& r : grants_) {
    const auto reference_scope = granted_reference_scope(r.grant.placement_id);
    if (c == col::kPlacements && record.id == r.grant.placement_id) return reference_scope;
    if (c == col::kChildren && record.id == r.child_id) return reference_scope;
    if (c == col::kHouseholds && record.id == r.household_id) return reference_scope;
    if (c == col::kPeople && r.carer_ids.count(record.id)) return reference_scope;
  }
  return std::nullopt;
}

}  // namespace psm::policy
