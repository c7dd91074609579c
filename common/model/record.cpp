#include "common/model/record.hpp"

namespace psm::model {

std::optional<std::string> Record::get(std::string_view field) const {
  auto it = fields.find(std::string(field));
  if (it == fields.end()) return std::nullopt;
  return it->second.value;
}

std::string Record::value(std::string_view field) const { return get(field).value_or(""); }

void Record::set(std::string_view field, std::string new_value, const Version& version, std::string_view author) {
  fields[std::string(field)] = FieldValue{std::move(new_value), version, std::string(author)};
}

Version Record::latest_version() const {
  Version latest;
  for (const auto& [name, field] : fields) {
    if (field.version > latest) latest = field.version;
  }
  return latest;
}

}  // namespace psm::model
