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
// R14: children who have had two or more placements in the 12 months up to
// today, among the placements this device holds (for the service managers who
// track them: Brokerage, Fostering, CLA), counted as the server's tracking
// report counts (policy::track_placement_stability); each `{child_id, child,
// from, to, endings, placements: [...as placements_json]}`, oldest first.
boost::json::array two_or_more_placements_json(Replica& r);
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
// R13: conduct concerns this device holds (professionals only), each with
// the child, carers and meeting it is about in words.
boost::json::array concerns_json(Replica& r);
boost::json::object concern_json(Replica& r, const model::Record& concern);
// R15: short breaks, of one placement when `placement_id` is given; `nights`
// is the stored count, `over_two_weeks` the rule's flag.
boost::json::array short_breaks_json(Replica& r, std::string_view placement_id = {});
// What a record is about, in words: a meeting as "the Placement Support
// meeting for Amelia Okafor with the Okafor household, on 10 January 2027 at
// 10:00 GMT" (or "to be held by …"), an action as its text and its meeting.
// "" when this device does not hold it.
std::string meeting_words(Replica& r, std::string_view meeting_id);
std::string record_words(Replica& r, std::string_view collection, std::string_view id);
// What a notification is about: its action, meeting or placement in words.
std::string notification_about(Replica& r, const model::Record& notification);
// A placement in words: "Amelia Okafor with the Okafor household"; "" when unknown.
std::string placement_words(Replica& r, std::string_view placement_id);

}  // namespace psm::client::views
