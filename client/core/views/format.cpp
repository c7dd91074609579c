#include "client/core/views/format.hpp"

#include "common/policy/calendar.hpp"

namespace psm::client::views {

namespace col = model::collection;

std::string name_of(Replica& r, std::string_view person_id) {
  if (person_id.empty()) return "";
  auto p = r.get(col::kPeople, person_id);
  return p ? p->value(model::schema::people::name) : std::string(person_id);
}

std::string date_in_words(std::string_view date) {
  static constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
  const auto d = policy::parse_date(date);
  if (!d) return std::string(date);
  return std::to_string(static_cast<unsigned>(d->day())) + " " + kMonths[static_cast<unsigned>(d->month()) - 1] + " " +
         std::to_string(static_cast<int>(d->year()));
}

std::string ms_field_local(const model::Record& rec, const model::Field<model::kind::Millis>& field) {
  const auto ms = rec.get(field);
  return ms ? policy::format_local_datetime(*ms) : "";
}

std::string ms_field_utc(const model::Record& rec, const model::Field<model::kind::Millis>& field) {
  const auto ms = rec.get(field);
  return ms ? policy::format_utc(*ms) : "";
}

}  // namespace psm::client::views
