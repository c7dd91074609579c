#include "server/sync/reference_import.hpp"

#include "common/limits.hpp"
#include "common/model/hlc.hpp"
#include "common/model/ids.hpp"
#include "common/policy/calendar.hpp"
#include "server/sync/placement_planning.hpp"

#include <boost/json.hpp>

#include <map>

namespace psm::server {

using model::Record;
namespace schema = model::schema;

namespace {

namespace json = boost::json;

struct FieldSpec {
  std::string_view name;
  bool required;
};

// Reads one reference entry into a record, checking fields; returns "" or what is wrong.
std::string read_entry(const json::value& v, std::string_view collection, std::initializer_list<FieldSpec> specs,
                       const model::Version& version, Record& out) {
  if (!v.is_object()) return std::string(collection) + ": each entry must be an object";
  const auto& obj = v.as_object();
  const auto* id = obj.if_contains("id");
  if (!id || !id->is_string() || !model::is_valid_id(id->as_string())) {
    return std::string(collection) + ": every entry needs a valid \"id\"";
  }
  out.collection = std::string(collection);
  out.id = std::string(id->as_string());
  for (const auto& spec : specs) {
    const auto* f = obj.if_contains(spec.name);
    if (!f || f->is_null()) {
      if (spec.required)
        return std::string(collection) + " " + out.id + ": \"" + std::string(spec.name) + "\" is required";
      continue;
    }
    std::string value;
    if (f->is_string()) {
      value = std::string(f->as_string());
    } else if (f->is_array()) {
      for (const auto& item : f->as_array()) {
        if (!item.is_string())
          return std::string(collection) + " " + out.id + ": \"" + std::string(spec.name) + "\" must list strings";
        if (!value.empty()) value += ",";
        value += std::string(item.as_string());
      }
    } else {
      return std::string(collection) + " " + out.id + ": \"" + std::string(spec.name) + "\" must be a string";
    }
    if (value.size() > limits::kMaxShortStringBytes * 16)
      return std::string(collection) + " " + out.id + ": value too long";
    out.set(spec.name, std::move(value), version, "import");
  }
  return {};
}

}  // namespace

Expected<std::size_t> import_reference_data(Store& store, std::string_view text) {
  auto fail = [](std::string msg) -> Expected<std::size_t> {
    return Error{make_error_code(Errc::invalid_argument), std::move(msg)};
  };
  boost::system::error_code jec;
  json::value doc = json::parse(text, jec);
  if (jec) return fail("not valid JSON: " + jec.message());
  if (!doc.is_object()) return fail("the document must be a JSON object");
  const auto& root = doc.as_object();
  const model::Version version{model::HlcClock().tick(), "server"};

  std::vector<Record> records;
  auto section = [&](std::string_view key) -> const json::array* {
    const auto* v = root.if_contains(key);
    return v && v->is_array() ? &v->as_array() : nullptr;
  };
  policy::ReferenceData ref = store.load_reference_data();
  // People first, then households, children, placements: later sections refer to earlier ones.
  if (auto* people = section("people")) {
    for (const auto& v : *people) {
      Record r;
      namespace f = schema::people;
      auto err = read_entry(
          v, model::collection::kPeople,
          {{f::name.name, true}, {f::role.name, true}, {f::team.name, false}, {f::service.name, false}}, version, r);
      if (!err.empty()) return fail(err);
      if (!r.get(f::role)) {
        return fail("people " + r.id + ": role must be one of " + model::spellings_of_role());
      }
      r.scope = std::string(model::scope::kDirectory);
      records.push_back(r);
      ref.upsert(r);
    }
  }
  if (auto* households = section("households")) {
    for (const auto& v : *households) {
      Record r;
      namespace f = schema::households;
      auto err = read_entry(
          v, model::collection::kHouseholds,
          {{f::name.name, true}, {f::carer_type.name, true}, {f::carer_ids.name, true}, {f::ssw_id.name, true}},
          version, r);
      if (!err.empty()) return fail(err);
      if (!r.get(f::carer_type)) return fail("households " + r.id + ": unknown carer_type");
      for (const auto& carer : policy::split_ids(r.value(f::carer_ids))) {
        if (!ref.find(model::collection::kPeople, carer))
          return fail("households " + r.id + ": unknown carer " + carer);
      }
      if (!ref.find(model::collection::kPeople, r.value(f::ssw_id)))
        return fail("households " + r.id + ": unknown ssw_id");
      r.scope = model::scope::household(r.id);
      // A carer's own person record belongs to their household, not to the
      // directory every user receives: carers never learn of other carers.
      for (const auto& carer : policy::split_ids(r.value(f::carer_ids))) {
        for (auto& p : records) {
          if (p.collection == model::collection::kPeople && p.id == carer) p.scope = r.scope;
        }
      }
      records.push_back(r);
      ref.upsert(r);
    }
  }
  if (auto* children = section("children")) {
    for (const auto& v : *children) {
      Record r;
      namespace f = schema::children;
      auto err = read_entry(v, model::collection::kChildren,
                            {{f::name.name, true},
                             {f::date_of_birth.name, false},
                             {f::social_worker_id.name, true},
                             {f::iro_id.name, false}},
                            version, r);
      if (!err.empty()) return fail(err);
      if (!ref.find(model::collection::kPeople, r.value(f::social_worker_id))) {
        return fail("children " + r.id + ": unknown social_worker_id");
      }
      if (r.has(f::date_of_birth) && !policy::parse_date(r.value(f::date_of_birth))) {
        return fail("children " + r.id + ": date_of_birth must be YYYY-MM-DD");
      }
      r.scope = model::scope::child(r.id);
      records.push_back(r);
      ref.upsert(r);
    }
  }
  if (auto* placements = section("placements")) {
    for (const auto& v : *placements) {
      Record r;
      namespace f = schema::placements;
      auto err = read_entry(v, model::collection::kPlacements,
                            {{f::child_id.name, true},
                             {f::household_id.name, true},
                             {f::type.name, true},
                             {f::start_date.name, true},
                             {f::end_date.name, false},
                             {f::ending.name, false},
                             {f::emergency.name, false},
                             {f::made_at.name, false},
                             {f::team_manager_id.name, true}},
                            version, r);
      if (!err.empty()) return fail(err);
      if (!ref.find(model::collection::kChildren, r.value(f::child_id)))
        return fail("placements " + r.id + ": unknown child_id");
      if (!ref.find(model::collection::kHouseholds, r.value(f::household_id))) {
        return fail("placements " + r.id + ": unknown household_id");
      }
      if (!r.get(f::type)) {
        return fail("placements " + r.id + ": type must be in-house, ifa or independent");
      }
      if (!policy::parse_date(r.value(f::start_date)))
        return fail("placements " + r.id + ": start_date must be YYYY-MM-DD");
      if (!r.value(f::end_date).empty() && !policy::parse_date(r.value(f::end_date))) {
        return fail("placements " + r.id + ": end_date must be YYYY-MM-DD");
      }
      // R14: whether an ending was planned (agreed, e.g. at a pre-disruption meeting) or not.
      if (r.has(f::ending) && (r.value(f::end_date).empty() || !r.get(f::ending))) {
        return fail("placements " + r.id + ": ending must be planned or unplanned, with an end_date");
      }
      // R2: an emergency placement's planning meeting is due 72 hours after it was made.
      if (r.has(f::emergency) && !r.get(f::emergency)) {
        return fail("placements " + r.id + ": emergency must be yes or no");
      }
      if (r.has(f::made_at) &&
          (!r.get(f::emergency).value_or(false) || !policy::parse_local_datetime(r.value(f::made_at)))) {
        return fail("placements " + r.id + ": made_at is YYYY-MM-DDTHH:MM (UK time), for an emergency placement");
      }
      // R1/R4: in-house placements' meetings go to (and are chaired by) the
      // Fostering Team Manager; agency placements' by the CLA Team Manager.
      const auto* manager = ref.find(model::collection::kPeople, r.value(f::team_manager_id));
      const bool in_house = r.get(f::type) == model::PlacementType::in_house;
      const model::Role wanted = in_house ? model::Role::fostering_team_manager : model::Role::cla_team_manager;
      if (!manager || manager->get(schema::people::role) != wanted) {
        return fail("placements " + r.id + ": team_manager_id must be a " + std::string(model::to_string(wanted)) +
                    " for a " + r.spelling(f::type) + " placement");
      }
      r.scope = model::scope::placement(r.id);
      records.push_back(r);
      ref.upsert(r);
      if (!store.get(model::collection::kPlacements, r.id)) {
        for (auto& planning : arrange_placement_planning(r, model::HlcClock::system_now_millis(), version)) {
          records.push_back(std::move(planning));
        }
      }
    }
  }
  // Settings every device holds so the rules run the same offline: who is told
  // of every support meeting (R9), of LADO referrals (R9/R13).
  {
    std::map<std::string, Record> people;
    for (auto& p : store.all_in(model::collection::kPeople)) people[p.id] = std::move(p);
    for (const auto& r : records) {
      if (r.collection == model::collection::kPeople) people[r.id] = r;
    }
    auto setting = [&](const char* id, auto&& wanted) {
      std::string ids;
      for (const auto& [pid, p] : people) {
        if (wanted(p)) ids += (ids.empty() ? "" : ",") + pid;
      }
      Record s;
      s.collection = std::string(model::collection::kSettings);
      s.id = id;
      s.scope = std::string(model::scope::kDirectory);
      set(s, schema::settings::ids, ids, version, "import");
      records.push_back(std::move(s));
    };
    namespace fp = schema::people;
    using model::Role;
    setting("service-managers", [](const Record& p) { return p.get(fp::role) == Role::service_manager; });
    setting("fostering-service-managers", [](const Record& p) {
      return p.get(fp::role) == Role::service_manager && p.value(fp::service) == "fostering";
    });
    setting("lados", [](const Record& p) { return p.get(fp::role) == Role::lado; });
    setting("panel-members", [](const Record& p) { return p.get(fp::role) == Role::panel_member; });
  }
  auto work = store.begin();
  for (const auto& r : records) store.put(r);
  store.set_meta(Store::kReferenceVersion, model::new_uuid_v7());
  work.commit();
  return records.size();
}

}  // namespace psm::server
