#include "client/core/views/format.hpp"

#include "common/policy/calendar.hpp"

namespace psm::client::views {

namespace col = model::collection;

std::string name_of(Replica& r, std::string_view person_id) {
  if (person_id.empty()) return "";
  auto p = r.get(col::kPeople, person_id);
  return p ? p->value("name") : std::string(person_id);
}

std::string ms_field_local(const model::Record& rec, std::string_view field) {
  auto v = rec.value(field);
  if (v.empty()) return "";
  return policy::format_local_datetime(std::stoull(v));
}

std::string ms_field_utc(const model::Record& rec, std::string_view field) {
  auto v = rec.value(field);
  if (v.empty()) return "";
  return policy::format_utc(std::stoull(v));
}

}  // namespace psm::client::views
