// The server's receipt keys: the Ed25519 key that signs receipts for accepted
// operations (docs/security.md, *Receipts*) and the public halves of the keys
// it replaced. The private key lives in DATA/receipt-key.pem, mode 0600; the
// server refuses to start if group or others may read it.
//
// Thread-safety: immutable once loaded; share it freely.
#pragma once

#include "common/crypto/signature.hpp"
#include "common/error.hpp"
#include "common/protocol/messages.hpp"
#include "common/protocol/receipt.hpp"
#include "server/store/server_store.hpp"

#include <memory>
#include <string>
#include <vector>

namespace psm::server {

class ReceiptKeys {
 public:
  // Loads the receipt key, first making one (0600) when there is none;
  // `created` says which. Errc::permission_denied for a key file group or
  // others may read; Errc::corrupt_data for one that is not an Ed25519
  // private key; each Error's message names the file for the operator.
  static Expected<std::shared_ptr<const ReceiptKeys>> load_or_create(const DataPaths& paths, bool* created = nullptr);
  // Replaces the signing key with a new one, keeping the old public key in
  // DATA/receipt-keys-retired.pem; the new key's id. The server must be
  // restarted to use it. Crash-safe: the old public key is kept before the
  // new key replaces it.
  static Expected<std::string> rotate(const DataPaths& paths);

  const crypto::SigningKey& signing_key() const { return key_; }
  // Every key a receipt from this server may be signed with: the current one first.
  const std::vector<protocol::ReceiptKey>& public_keys() const { return public_keys_; }
  // PEM of each of public_keys(), in the same order.
  const std::vector<std::string>& public_pems() const { return public_pems_; }

  // Signs a statement for `person_id`'s device covering `entries` (made by
  // the caller; none may be empty). Errc::invalid_argument when a field
  // cannot be written in a statement (then no receipt is given).
  Result<protocol::Receipt> sign(const std::string& person_id, const std::string& device_id,
                                 std::vector<protocol::ReceiptEntry> entries, std::uint64_t now_ms) const;

 private:
  explicit ReceiptKeys(crypto::SigningKey key) : key_(std::move(key)) {}
  crypto::SigningKey key_;
  std::vector<protocol::ReceiptKey> public_keys_;
  std::vector<std::string> public_pems_;
};

}  // namespace psm::server
