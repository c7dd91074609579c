// The server's signed receipts for this device's operations, as JSON: what
// `psm receipt` and `psm receipts` print (docs/cli.md). Reads the replica,
// never writes; same thread rules as Replica.
#pragma once

#include "client/replica/replica.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace psm::client::views {

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
boost::json::array receipts_json(Replica& r, std::size_t limit, const std::string& record,
                                 const std::string& child = {});

}  // namespace psm::client::views
