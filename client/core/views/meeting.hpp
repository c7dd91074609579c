// One meeting in full, as JSON: what `psm meeting ID --json` prints
// (docs/cli.md) and the app's GET /api/meetings/ID starts from. Reads the
// replica, never writes; same thread rules as Replica.
#pragma once

#include "client/replica/replica.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace psm::client::views {

// nullopt when there is no such meeting this person can see.
std::optional<boost::json::object> meeting_json(Replica& r, const std::string& id);

}  // namespace psm::client::views
