// Reference data (people, households, children, placements; format:
// docs/reference-data.md) checked and written to the store by
// `psm-server import`, with the settings every device derives from it (who is
// told of support meetings and LADO referrals) and, for each new placement,
// its planning meeting (R1/R2, placement_planning.hpp).
#pragma once

#include "common/error.hpp"
#include "server/store/store.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace psm::server {

// Imports reference data from a JSON document (format: docs/reference-data.md).
// All or nothing: any invalid entry → nothing is imported and the Error
// (Errc::invalid_argument) names it; otherwise the number of records imported.
// Written in one unit of work, which also moves Store::kReferenceVersion so a
// serving process re-reads reference data at its next request.
Expected<std::size_t> import_reference_data(Store& store, std::string_view json);

}  // namespace psm::server
