// Small pieces of what a person sees, shared by the views and both front
// ends: a person's name, and a record's time field in UK time or UTC.
#pragma once

#include "client/replica/replica.hpp"

#include <string>
#include <string_view>

namespace psm::client::views {

// The name of the person with that id on this device; the id itself when the
// person is not known here, "" for "".
std::string name_of(Replica& r, std::string_view person_id);
// A date (YYYY-MM-DD) in words: "15 January 2027"; text that is not a date as it is.
std::string date_in_words(std::string_view date);
// A field holding UTC milliseconds, as UK local time ("YYYY-MM-DD HH:MM GMT|BST");
// "" when absent or not a number.
std::string ms_field_local(const model::Record& rec, const model::Field<model::kind::Millis>& field);
// The same as RFC 3339 UTC ("2026-12-01T23:59:59Z"); "" when absent or not a number.
std::string ms_field_utc(const model::Record& rec, const model::Field<model::kind::Millis>& field);

}  // namespace psm::client::views
