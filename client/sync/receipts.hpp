// Checking the server's receipt for a push batch before anything of the
// answer is stored (docs/security.md, *Receipts*).
//
// Thread-safety: as Replica.
#pragma once

#include "client/replica/replica.hpp"
#include "client/sync/sync_engine.hpp"

#include <variant>
#include <vector>

namespace psm::client {

// The receipt must be signed by a key the server gave this device over the
// verified TLS channel, be a canonical statement for this person and device,
// and cover only operations of this batch that the server accepted. Returns
// the entries it covers (none for an answer without a receipt: a server from
// before receipts), or an Error (Errc::malformed_message) saying what was
// wrong; then nothing of the answer may be recorded.
std::variant<std::vector<protocol::ReceiptEntry>, Error> check_receipt(Replica& replica,
                                                                       const protocol::PushResponse& response);

// Verifies a kept receipt: the signature under the key with its id, and the
// statement's line for the operation. "" when it verifies, otherwise what is wrong.
std::string verify_stored_receipt(Replica& replica, const StoredReceipt& receipt);

}  // namespace psm::client
