// Receipts: the server's signed statement of which operations it received
// from a device and when (docs/protocol.md, *Receipts*; docs/security.md).
// One statement covers the operations of one push batch that were accepted
// (or answered from the exactly-once ledger); it is plain text, one field per
// line, so a third party can read it and check its Ed25519 signature with
// nothing but the server's public key.
//
// Canonical form (every line ends in "\n"; fields are separated by one space):
//
//   psm-receipt-v1
//   key <key id: 16 hex digits>
//   signed <server time the statement was made, UTC ms since 1970>
//   user <person id of the signed-in person>
//   device <device id>
//   op <op id> <kind> <subject id> <children> <made at ms> <received at ms> <sha256 hex>
//   ... one "op" line per covered operation, in the order they were sent
//
// <children> is the comma-separated ids of the children whose records the
// operation wrote, or "-". <made at ms> is the device's own clock for the
// operation (its HLC wall time), <received at ms> the server's when it first
// accepted it, and <sha256 hex> the SHA-256 of the operation's cereal encoding
// as the device sent it (protocol::encode_operation). Every field is a
// non-empty run of printable ASCII without spaces; anything else cannot be
// written or parsed.
//
// Thread-safe: pure functions.
#pragma once

#include "common/error.hpp"
#include "common/ops/operation.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace psm::protocol {

inline constexpr std::string_view kReceiptHeader = "psm-receipt-v1";

struct ReceiptEntry {
  std::string op_id;
  std::string kind;      // ops::kind_name
  std::string subject;   // the id of the record the operation creates or changes
  std::string children;  // comma-separated child ids, or "-"
  std::uint64_t made_at_ms = 0;
  std::uint64_t received_at_ms = 0;
  std::string op_sha256;  // 64 lowercase hex digits
  bool operator==(const ReceiptEntry&) const = default;
};

struct ReceiptStatement {
  std::string key_id;
  std::uint64_t signed_at_ms = 0;
  std::string person_id;
  std::string device_id;
  std::vector<ReceiptEntry> entries;
  bool operator==(const ReceiptStatement&) const = default;
};

// The id of the record an operation creates or changes (a meeting, a view, an action…).
std::string subject_of(const ops::Payload& payload);

// SHA-256 (hex) of an operation's encoding (protocol::encode_operation).
std::string operation_sha256(const ops::Operation& op);
std::string operation_sha256(std::string_view encoded_operation);

// The entry for `op` as the device sent it, received at `received_at_ms`.
ReceiptEntry receipt_entry_for(const ops::Operation& op, std::string children, std::uint64_t received_at_ms);

// True when `field` can be written in a statement: 1 to 256 printable ASCII
// characters, none of them a space.
bool is_receipt_field(std::string_view field);

// One "op …\n" line; Errc::invalid_argument when a field cannot be written.
Result<std::string> encode_receipt_entry(const ReceiptEntry& entry);
Result<ReceiptEntry> parse_receipt_entry(std::string_view line);  // with or without its "\n"

// The canonical text; Errc::invalid_argument when a field cannot be written.
Result<std::string> encode_receipt_statement(const ReceiptStatement& statement);
// Parses canonical text only: anything encode_receipt_statement would not
// have written exactly so is Errc::malformed_message.
Result<ReceiptStatement> parse_receipt_statement(std::string_view text);

}  // namespace psm::protocol
