// What the device's records look like to a person, as JSON: the objects the
// CLI prints with --json (docs/cli.md) and the local app's API returns. One
// builder per listing, so the two front ends cannot drift apart.
//
// Each takes the open replica; none writes to it. Same thread rules as Replica.
#pragma once

#include "client/replica/replica.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace psm::client::cli {

// The sync state of one record touched by this device's own work.
struct RecordSyncState {
  OpState state = OpState::accepted;
  std::string reason;  // for conflict / rejected: what the server said
};
// (collection, id) → the state of the newest operation of this device that
// touched the record (queued, sent, or the conflict / refusal it met).
std::map<std::pair<std::string, std::string>, RecordSyncState> record_sync_details(Replica& r);

boost::json::object status_json(Replica& r, const std::optional<ClientConfig>& config);
boost::json::array placements_json(Replica& r);
boost::json::array meetings_json(Replica& r);
boost::json::array actions_json(Replica& r);
boost::json::array conflicts_json(Replica& r);
boost::json::array notifications_json(Replica& r);
boost::json::object plans_json(Replica& r);
boost::json::array people_json(Replica& r);
// The server's receipt for one of this device's operations, checked again
// now: "verified" is true only when the signature verifies under the key the
// server gave this device and the signed hash is that of the operation as
// this device made it; "problems" says what failed. With `evidence`, also the
// signed statement and signature (base64) and the public key (PEM), so anyone
// can check it without psm. nullopt when the operation has no receipt.
std::optional<boost::json::object> receipt_json(Replica& r, const std::string& op_id, bool evidence);
// Receipts newest first (by received time), at most `limit` (0: all), only
// for the record `record` and the child `child` when they are not empty. Each
// as receipt_json without evidence.
boost::json::array receipts_json(Replica& r, std::size_t limit, const std::string& record, const std::string& child = {});
// One meeting in full, or nullopt when there is no such meeting this person can see.
std::optional<boost::json::object> meeting_json(Replica& r, const std::string& id);

}  // namespace psm::client::cli
