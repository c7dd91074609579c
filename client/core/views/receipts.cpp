#include "client/core/views/receipts.hpp"

#include "client/sync/receipts.hpp"
#include "common/crypto/hash.hpp"
#include "common/crypto/signature.hpp"
#include "common/policy/calendar.hpp"

namespace psm::client::views {

namespace json = boost::json;

namespace {

json::object receipt_object(Replica& r, const StoredReceipt& receipt, bool evidence) {
  const auto& e = receipt.entry;
  json::array problems;
  if (auto wrong = verify_stored_receipt(r, receipt); !wrong.empty()) problems.push_back(json::string(wrong));
  const auto local_hash = r.operation_sha256(e.op_id);
  if (!local_hash) {
    problems.push_back(json::string("this device holds no operation " + e.op_id));
  } else if (*local_hash != e.op_sha256) {
    problems.push_back("the signed operation hash differs from the operation this device made");
  }
  json::object out{{"op_id", e.op_id},
                   {"kind", e.kind},
                   {"record", e.subject},
                   {"children", e.children == "-" ? "" : e.children},
                   {"made_at", policy::format_utc(e.made_at_ms)},
                   {"received_at", policy::format_utc(e.received_at_ms)},
                   {"made_at_ms", e.made_at_ms},
                   {"received_at_ms", e.received_at_ms},
                   {"op_sha256", e.op_sha256},
                   {"key_id", receipt.key_id},
                   {"verified", problems.empty()},
                   {"problems", std::move(problems)}};
  if (evidence) {
    out["statement_base64"] = crypto::to_base64(receipt.statement);
    out["signature_base64"] = crypto::to_base64(receipt.signature);
    const auto key = r.receipt_public_key(receipt.key_id);
    out["public_key_pem"] =
        key ? crypto::public_pem_of(std::span(reinterpret_cast<const std::uint8_t*>(key->data()), key->size())) : "";
  }
  return out;
}

}  // namespace

std::optional<json::object> receipt_json(Replica& r, const std::string& op_id, bool evidence) {
  auto receipt = r.receipt_for(op_id);
  if (!receipt) return std::nullopt;
  return receipt_object(r, *receipt, evidence);
}

json::array receipts_json(Replica& r, std::size_t limit, const std::string& record, const std::string& child) {
  json::array out;
  for (const auto& receipt : r.receipts(limit, record, child)) out.push_back(receipt_object(r, receipt, false));
  return out;
}

}  // namespace psm::client::views
