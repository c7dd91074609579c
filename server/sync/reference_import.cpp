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
      auto err = read_entry(v, model::collection::kPeople,
                            {{"name", true}, {"role", true}, {"team", false}, {"service", false}}, version, r);
      if (!err.empty()) return fail(err);
      if (!model::parse_role(r.value("role"))) {
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
      auto err = read_entry(v, model::collection::kHouseholds,
                            {{"name", true}, {"carer_type", true}, {"carer_ids", true}, {"ssw_id", true}}, version, r);
      if (!err.empty()) return fail(err);
      if (!model::parse_carer_type(r.value("carer_type"))) return fail("households " + r.id + ": unknown carer_type");
      for (const auto& carer : policy::split_ids(r.value("carer_ids"))) {
        if (!ref.find(model::collection::kPeople, carer))
          return fail("households " + r.id + ": unknown carer " + carer);
      }
      if (!ref.find(model::collection::kPeople, r.value("ssw_id")))
        return fail("households " + r.id + ": unknown ssw_id");
      r.scope = model::scope::household(r.id);
      // A carer's own person record belongs to their household, not to the
      // directory every user receives: carers never learn of other carers.
      for (const auto& carer : policy::split_ids(r.value("carer_ids"))) {
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
      auto err = read_entry(v, model::collection::kChildren,
                            {{"name", true}, {"date_of_birth", false}, {"social_worker_id", true}, {"iro_id", false}},
                            version, r);
      if (!err.empty()) return fail(err);
      if (!ref.find(model::collection::kPeople, r.value("social_worker_id"))) {
        return fail("children " + r.id + ": unknown social_worker_id");
      }
      if (r.get("date_of_birth") && !policy::parse_date(r.value("date_of_birth"))) {
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
      auto err = read_entry(v, model::collection::kPlacements,
                            {{"child_id", true},
                             {"household_id", true},
                             {"type", true},
                             {"start_date", true},
                             {"end_date", false},
                             {"ending", false},
                             {"emergency", false},
                             {"made_at", false},
                             {"team_manager_id", true}},
                            version, r);
      if (!err.empty()) return fail(err);
      if (!ref.find(model::collection::kChildren, r.value("child_id")))
        return fail("placements " + r.id + ": unknown child_id");
      if (!ref.find(model::collection::kHouseholds, r.value("household_id"))) {
        return fail("placements " + r.id + ": unknown household_id");
      }
      if (!model::parse_placement_type(r.value("type")))
        return fail("placements " + r.id + ": type must be in-house, ifa or independent");
      if (!policy::parse_date(r.value("start_date")))
        return fail("placements " + r.id + ": start_date must be YYYY-MM-DD");
      if (!r.value("end_date").empty() && !policy::parse_date(r.value("end_date"))) {
        return fail("placements " + r.id + ": end_date must be YYYY-MM-DD");
      }
      // R14: whether an ending was planned (agreed, e.g. at a pre-disruption meeting) or not.
      if (r.get("ending") &&
          (r.value("end_date").empty() || (r.value("ending") != "planned" && r.value("ending") != "unplanned"))) {
        return fail("placements " + r.id + ": ending must be planned or unplanned, with an end_date");
      }
      // R2: an emergency placement's planning meeting is due 72 hours after it was made.
      if (r.get("emergency") && r.value("emergency") != "yes" && r.value("emergency") != "no") {
        return fail("placements " + r.id + ": emergency must be yes or no");
      }
      if (r.get("made_at") && (r.value("emergency") != "yes" || !policy::parse_local_datetime(r.value("made_at")))) {
        return fail("placements " + r.id + ": made_at is YYYY-MM-DDTHH:MM (UK time), for an emergency placement");
      }
      // R1/R4: in-house placements' meetings go to (and are chaired by) the
      // Fostering Team Manager; agency placements' by the CLA Team Manager.
      const auto* manager = ref.find(model::collection::kPeople, r.value("team_manager_id"));
      const bool in_house = r.value("type") == "in-house";
      const std::string_view wanted = in_house ? "fostering-team-manager" : "cla-team-manager";
      if (!manager || manager->value("role") != wanted) {
        return fail("placements " + r.id + ": team_manager_id must be a " + std::string(wanted) + " for a " +
                    r.value("type") + " placement");
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
      s.set("ids", ids, version, "import");
      records.push_back(std::move(s));
    };
    setting("service-managers", [](const Record& p) { return p.value("role") == "service-manager"; });
    setting("fostering-service-managers",
            [](const Record& p) { return p.value("role") == "service-manager" && p.value("service") == "fostering"; });
    setting("lados", [](const Record& p) { return p.value("role") == "lado"; });
    setting("panel-members", [](const Record& p) { return p.value("role") == "panel-member"; });
  }
  auto work = store.begin();
  for (const auto& r : records) store.put(r);
  store.set_meta(Store::kReferenceVersion, model::new_uuid_v7());
  work.commit();
  return records.size();
}

}  // namespace psm::server
