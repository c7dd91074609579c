// What the device's records look like to a person, as JSON: the listings the
// CLI prints with --json (docs/cli.md) and the local app's API returns. One
// builder per listing, so the two front ends cannot drift apart. One meeting
// in full is in meeting.hpp, receipts in receipts.hpp.
//
// Each takes the open replica; none writes to it. Same thread rules as Replica.
#pragma once

#include "client/replica/replica.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

namespace psm::client::views {

boost::json::object status_json(Replica& r, const std::optional<ClientConfig>& config);
boost::json::array placements_json(Replica& r);
// Each with `sync_state` in the CLI's words (sync_state.hpp).
boost::json::array meetings_json(Replica& r);
boost::json::array actions_json(Replica& r);
boost::json::array conflicts_json(Replica& r);
boost::json::array notifications_json(Replica& r);
boost::json::object plans_json(Replica& r);
// People on this device, by name: `role` (a role's spelling) and `search` (a
// part of the name, ignoring case) leave out the others when given.
boost::json::array people_json(Replica& r, std::string_view role = {}, std::string_view search = {});
boost::json::array panel_requests_json(Replica& r);

}  // namespace psm::client::views
