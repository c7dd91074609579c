// An in-memory StateReader for tests of the shared rules (common/ops/apply):
// the same lookups the replica and the server store answer, over a map.
#pragma once

#include "common/ops/apply.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace psm::testing {

class MemoryState : public ops::StateReader {
 public:
  std::optional<model::Record> get(std::string_view c, std::string_view id) const override {
    auto it = records_.find({std::string(c), std::string(id)});
    if (it == records_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<model::Record> list_in_scope(std::string_view c, std::string_view scope) const override {
    std::vector<model::Record> out;
    for (const auto& [key, r] : records_) {
      if (r.collection == c && r.scope == scope) out.push_back(r);
    }
    return out;
  }
  void add(const model::Record& r) { records_[{r.collection, r.id}] = r; }
  // Stores what an accepted operation wrote.
  void apply_writes(const ops::Outcome& o) {
    for (const auto& w : o.writes) add(w);
  }

 private:
  std::map<std::pair<std::string, std::string>, model::Record> records_;
};

}  // namespace psm::testing
