#include "common/merge/merge.hpp"

#include <string_view>

namespace psm::merge {

using model::FieldValue;
using model::Record;
using model::Version;

Record make_conflict(const Record& target, const std::string& field, const FieldValue& kept, const FieldValue& other,
                     const Write& write) {
  Record c;
  c.collection = std::string(model::collection::kConflicts);
  c.id = write.op_id + "." + field;
  c.scope = target.scope;
  // professionals_only comes from the target through ops::apply()'s
  // inherit_professionals_only (target_collection, target_id).
  namespace f = model::schema::conflicts;
  auto put = [&](const auto& field_of_conflict, auto value) {
    c.set(field_of_conflict, std::move(value), write.version, write.author_id);
  };
  put(f::target_collection, target.collection);
  put(f::target_id, target.id);
  put(f::field, field);
  put(f::status, model::ConflictStatus::open);
  put(f::kept_value, kept.value);
  put(f::kept_author, kept.author);
  put(f::kept_device, kept.version.device);
  put(f::kept_hlc, kept.version.hlc.value);
  put(f::other_value, other.value);
  put(f::other_author, other.author);
  put(f::other_device, other.version.device);
  put(f::other_hlc, other.version.hlc.value);
  put(f::detected_at_ms, write.at_ms);
  return c;
}

FieldMergeResult merge_fields(const Record& current, const std::map<std::string, std::string>& changes,
                              const std::map<std::string, Version>& base, const Write& write) {
  FieldMergeResult out{current, {}};
  for (const auto& [field, value] : changes) {
    const FieldValue incoming{value, write.version, write.author_id};
    auto stored_it = current.fields.find(field);
    if (stored_it == current.fields.end()) {
      out.record.fields[field] = incoming;
      continue;
    }
    const FieldValue& stored = stored_it->second;
    auto base_it = base.find(field);
    const Version seen = base_it == base.end() ? Version{} : base_it->second;
    const bool concurrent = seen != stored.version;
    const bool incoming_wins = incoming.version > stored.version;
    if (incoming_wins) out.record.fields[field] = incoming;
    if (concurrent && stored.value != incoming.value) {
      const FieldValue& kept = incoming_wins ? incoming : stored;
      const FieldValue& lost = incoming_wins ? stored : incoming;
      out.conflicts.push_back(make_conflict(out.record, field, kept, lost, write));
    }
  }
  return out;
}

}  // namespace psm::merge
