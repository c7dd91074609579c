// Conflict resolution: pure, deterministic functions. Every replica that has
// seen the same operations in the same order holds the same state; the server's
// order is the order.
#pragma once

#include "common/model/record.hpp"

#include <map>
#include <string>
#include <vector>

namespace psm::merge {

struct Write {
  model::Version version;  // the operation's (HLC, device)
  std::string author_id;
  std::uint64_t at_ms = 0;  // for the conflict record's "when"
  std::string op_id;        // makes conflict ids deterministic
};

struct FieldMergeResult {
  model::Record record;                  // `current` with the changes merged in
  std::vector<model::Record> conflicts;  // one per field where a value would be lost
};

// Merges plain-field `changes` into `current`.
// Per field: the higher version wins (last writer by HLC, ties on device). When
// the writer had not seen the stored value (its base version differs from the
// stored one) and the two values differ, a conflict record keeps both values,
// their authors, devices and times, so nothing a person typed is lost.
FieldMergeResult merge_fields(const model::Record& current, const std::map<std::string, std::string>& changes,
                              const std::map<std::string, model::Version>& base, const Write& write);

// A conflict record for `field` of `target`: `kept` is the value in place,
// `other` the one that did not win. Its id is derived from the op id and field.
model::Record make_conflict(const model::Record& target, const std::string& field, const model::FieldValue& kept,
                            const model::FieldValue& other, const Write& write);

}  // namespace psm::merge
