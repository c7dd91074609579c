#include "server/sync/receipts.hpp"

#include "common/platform/platform.hpp"

namespace psm::server {

namespace fs = std::filesystem;

namespace {

// The PEM blocks of a file of concatenated public keys.
std::vector<std::string> pem_blocks(std::string_view text) {
  static constexpr std::string_view kEnd = "-----END PUBLIC KEY-----";
  std::vector<std::string> out;
  for (;;) {
    const auto begin = text.find("-----BEGIN PUBLIC KEY-----");
    if (begin == std::string_view::npos) return out;
    const auto end = text.find(kEnd, begin);
    if (end == std::string_view::npos) return out;
    out.emplace_back(text.substr(begin, end + kEnd.size() - begin));
    out.back() += "\n";
    text.remove_prefix(end + kEnd.size());
  }
}

protocol::ReceiptKey receipt_key_of(std::span<const std::uint8_t> raw) {
  return {crypto::signing_key_id(raw), std::string(reinterpret_cast<const char*>(raw.data()), raw.size())};
}

}  // namespace

Expected<std::shared_ptr<const ReceiptKeys>> ReceiptKeys::load_or_create(const DataPaths& paths, bool* created) {
  if (created) *created = false;
  std::error_code fs_ec;
  if (!fs::exists(paths.receipt_key(), fs_ec)) {
    auto fresh = crypto::SigningKey::generate();
    if (auto ec = platform::write_private_file(paths.receipt_key(), fresh.private_pem(), /*exclusive=*/true)) {
      return Error{ec, "cannot write the receipt key " + paths.receipt_key().string()};
    }
    if (created) *created = true;
  }
  if (auto owned = platform::check_owner_only(paths.receipt_key(), "receipt key"); !owned) return owned.error();
  auto pem = platform::read_file(paths.receipt_key());
  if (!pem) return Error{pem.error(), "cannot read the receipt key " + paths.receipt_key().string()};
  auto key = crypto::SigningKey::from_private_pem(*pem);
  std::fill(pem->begin(), pem->end(), '\0');
  if (!key) {
    return Error{make_error_code(Errc::corrupt_data),
                 "the receipt key " + paths.receipt_key().string() + " is not an Ed25519 private key"};
  }
  std::shared_ptr<ReceiptKeys> keys(new ReceiptKeys(std::move(*key)));
  keys->public_keys_.push_back(receipt_key_of(keys->key_.public_key()));
  keys->public_pems_.push_back(keys->key_.public_pem());
  if (auto retired = platform::read_file(paths.retired_receipt_keys())) {
    for (auto& block : pem_blocks(*retired)) {
      auto raw = crypto::public_key_from_pem(block);
      if (!raw) {
        return Error{make_error_code(Errc::corrupt_data),
                     paths.retired_receipt_keys().string() + " holds something that is not an Ed25519 public key"};
      }
      auto entry = receipt_key_of(*raw);
      bool known = false;
      for (const auto& k : keys->public_keys_) known = known || k.key_id == entry.key_id;
      if (known) continue;
      keys->public_keys_.push_back(std::move(entry));
      keys->public_pems_.push_back(std::move(block));
    }
  }
  return std::shared_ptr<const ReceiptKeys>(std::move(keys));
}

Expected<std::string> ReceiptKeys::rotate(const DataPaths& paths) {
  auto current = load_or_create(paths);
  if (!current) return current.error();
  // Keep the old public key first: a crash after this and before the new key
  // is written leaves the old key in use and listed twice (harmless).
  auto existing = platform::read_file(paths.retired_receipt_keys());
  std::string retired = existing ? std::move(*existing) : std::string();
  retired += (*current)->signing_key().public_pem();
  if (auto ec = platform::write_private_file(paths.retired_receipt_keys(), retired)) {
    return Error{ec, "cannot write " + paths.retired_receipt_keys().string()};
  }
  auto fresh = crypto::SigningKey::generate();
  if (auto ec = platform::write_private_file(paths.receipt_key(), fresh.private_pem())) {
    return Error{ec, "cannot write the receipt key " + paths.receipt_key().string()};
  }
  return fresh.key_id();
}

Result<protocol::Receipt> ReceiptKeys::sign(const std::string& person_id, const std::string& device_id,
                                            std::vector<protocol::ReceiptEntry> entries, std::uint64_t now_ms) const {
  protocol::ReceiptStatement statement{key_.key_id(), now_ms, person_id, device_id, std::move(entries)};
  auto text = protocol::encode_receipt_statement(statement);
  if (!text) return text.error();
  protocol::Receipt receipt;
  receipt.key_id = key_.key_id();
  receipt.signature = key_.sign(*text);
  receipt.statement = std::move(*text);
  return receipt;
}

}  // namespace psm::server
