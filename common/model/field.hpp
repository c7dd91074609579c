// A typed name for one stored field of one collection. The collections' fields
// are defined once, in common/model/schema.hpp; everything else reads and
// writes records through those definitions, so a renamed or removed field is a
// compile error at every use, and a status is read as its enum.
//
// On the wire and in the stores a field is still a string (model::FieldValue):
// a Field only says how that string is spelled and parsed. Reading never
// throws: a value that does not parse as the field's type reads as nullopt.
#pragma once

#include "common/model/domain.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace psm::model {

// The kinds of value a field holds. Enum-valued fields use the enum from
// common/model/domain.hpp itself as their kind.
namespace kind {
struct Text {};      // free text, as written by a person or a rule
struct PersonId {};  // an id of a people record
struct RecordId {};  // an id of a record of some other collection
struct Date {};      // a calendar day, YYYY-MM-DD (parsed by common/policy/calendar.hpp)
struct Millis {};    // milliseconds since the Unix epoch, in decimal
struct Count {};     // a non-negative whole number, in decimal
struct YesNo {};     // "yes" or "no"
struct IdList {};    // comma-separated ids (policy::split_ids)
}  // namespace kind

// How a kind's values are spelled. Text-like kinds are kept as written.
template <class Kind, class = void>
struct FieldCodec;

template <class Kind>
inline constexpr bool is_text_kind_v =
    std::is_same_v<Kind, kind::Text> || std::is_same_v<Kind, kind::PersonId> || std::is_same_v<Kind, kind::RecordId> ||
    std::is_same_v<Kind, kind::Date> || std::is_same_v<Kind, kind::IdList>;

template <class Kind>
struct FieldCodec<Kind, std::enable_if_t<is_text_kind_v<Kind>>> {
  using value_type = std::string;
  static std::optional<std::string> parse(std::string_view s) { return std::string(s); }
  static std::string format(std::string value) { return value; }
};

template <class Kind>
struct FieldCodec<Kind, std::enable_if_t<std::is_same_v<Kind, kind::Millis> || std::is_same_v<Kind, kind::Count>>> {
  using value_type = std::uint64_t;
  static std::optional<std::uint64_t> parse(std::string_view s) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
  }
  static std::string format(std::uint64_t value) { return std::to_string(value); }
};

template <>
struct FieldCodec<kind::YesNo> {
  using value_type = bool;
  static std::optional<bool> parse(std::string_view s) {
    if (s == "yes") return true;
    if (s == "no") return false;
    return std::nullopt;
  }
  static std::string format(bool value) { return value ? "yes" : "no"; }
};

template <class E>
struct FieldCodec<E, std::enable_if_t<std::is_enum_v<E>>> {
  using value_type = E;
  static std::optional<E> parse(std::string_view s) { return parse_as<E>(s); }
  static std::string format(E value) { return std::string(to_string(value)); }
};

// One field of one collection: its stored name and the kind of its value.
// Constructed only in common/model/schema.hpp.
template <class Kind>
struct Field {
  using kind_type = Kind;
  using value_type = typename FieldCodec<Kind>::value_type;

  std::string_view name;

  consteval explicit Field(std::string_view stored_name) : name(stored_name) {}
};

template <class Kind>
inline constexpr bool is_text_field_v = is_text_kind_v<Kind>;

}  // namespace psm::model
