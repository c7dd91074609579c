// Record identifiers. Records created on a device get a UUIDv7 made there, so
// offline creation needs no coordination and ids sort roughly by creation time.
// Reference data imported on the server may use readable ids (e.g. "child-0042").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace psm::model {

// A new UUIDv7 in canonical lowercase text form, timestamped `unix_ms`.
std::string new_uuid_v7(std::uint64_t unix_ms);
std::string new_uuid_v7();

// True for 1 to 100 characters of [A-Za-z0-9._:-]: the ids we accept anywhere.
bool is_valid_id(std::string_view id);

}  // namespace psm::model
