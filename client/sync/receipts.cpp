#include "client/sync/receipts.hpp"

#include "common/crypto/signature.hpp"

#include <algorithm>
#include <map>

namespace psm::client {

namespace {

Error bad_receipt(const std::string& what) {
  return {make_error_code(Errc::malformed_message),
          "the server's receipt for the changes just sent " + what +
              "; nothing of its answer was recorded and the changes will be sent again"};
}

bool signature_ok(Replica& replica, const std::string& key_id, const std::string& statement,
                  const std::string& signature) {
  auto key = replica.receipt_public_key(key_id);
  return key && crypto::verify_signature(std::span(reinterpret_cast<const std::uint8_t*>(key->data()), key->size()),
                                         statement, signature);
}

}  // namespace

std::variant<std::vector<protocol::ReceiptEntry>, Error> check_receipt(Replica& replica,
                                                                       const protocol::PushResponse& response) {
  const auto& receipt = response.receipt;
  if (receipt.empty()) return std::vector<protocol::ReceiptEntry>{};
  if (!replica.receipt_public_key(receipt.key_id)) {
    return bad_receipt("is signed with a key (" + receipt.key_id + ") the server never gave this device");
  }
  if (!signature_ok(replica, receipt.key_id, receipt.statement, receipt.signature)) {
    return bad_receipt("has a signature that does not verify");
  }
  auto statement = protocol::parse_receipt_statement(receipt.statement);
  if (!statement) return bad_receipt("cannot be read");
  if (statement->key_id != receipt.key_id || statement->device_id != replica.meta("device_id").value_or("") ||
      statement->person_id != replica.meta("person_id").value_or("")) {
    return bad_receipt("is for another key, device or person");
  }
  std::map<std::string, std::uint8_t> answered;
  for (const auto& r : response.results) answered[r.op_id] = r.kind;
  for (const auto& e : statement->entries) {
    auto it = answered.find(e.op_id);
    if (it == answered.end() || it->second == static_cast<std::uint8_t>(ops::OutcomeKind::rejected)) {
      return bad_receipt("covers an operation (" + e.op_id + ") the server did not accept in this batch");
    }
  }
  return std::move(statement->entries);
}

std::string verify_stored_receipt(Replica& replica, const StoredReceipt& receipt) {
  if (!replica.receipt_public_key(receipt.key_id)) return "the key " + receipt.key_id + " is not known on this device";
  if (!signature_ok(replica, receipt.key_id, receipt.statement, receipt.signature)) {
    return "the signature does not verify";
  }
  auto statement = protocol::parse_receipt_statement(receipt.statement);
  if (!statement) return "the signed statement cannot be read";
  if (std::find(statement->entries.begin(), statement->entries.end(), receipt.entry) == statement->entries.end()) {
    return "the signed statement does not contain this operation's line";
  }
  return {};
}

}  // namespace psm::client
