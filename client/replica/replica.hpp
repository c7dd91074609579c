// The device's encrypted replica: what its user may see, the outbox of
// operations not yet accepted by the server, the sync cursor and the results.
// Everything lives in one SQLCipher database in the home directory, opened with
// a random 256-bit data key that is stored only wrapped (AES-256-GCM) under a
// key derived by scrypt from the user's passphrase.
//
// Two copies of each record are kept: `base` (what the server last sent) and
// the `view` people see (base with this device's pending operations re-applied
// on top). Pulling server state therefore never hides unsent local work.
//
// Thread-safety: none; one Replica per process, used from one thread.
#pragma once

#include "common/crypto/kdf.hpp"
#include "common/crypto/secure_bytes.hpp"
#include "common/error.hpp"
#include "common/model/hlc.hpp"
#include "common/ops/apply.hpp"
#include "common/protocol/messages.hpp"
#include "common/protocol/receipt.hpp"
#include "common/store/database.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace psm::client {

struct HomePaths {
  explicit HomePaths(std::filesystem::path dir) : root(std::move(dir)) {}
  std::filesystem::path root;
  std::filesystem::path replica() const { return root / "replica.db"; }
  std::filesystem::path wrapped_key() const { return root / "replica.key"; }
  std::filesystem::path config() const { return root / "config.json"; }
  std::filesystem::path ca() const { return root / "server-ca.pem"; }
  // The replica file's size, times and inode as the last clean close left it
  // (no personal data): an unchanged file is not re-checked page by page.
  std::filesystem::path closed_clean() const { return root / "replica.closed"; }
};

// Where this device syncs to. Holds no personal data, so it is plain JSON.
struct ClientConfig {
  std::string server_url;
  std::string username;
  std::string pin;  // the server key's pin (crypto/pin.hpp), if one was given at enrolment
};

enum class OpState { queued, sent, accepted, conflict, rejected };
std::string_view to_string(OpState);

struct OutboxEntry {
  std::uint64_t seq = 0;
  std::string op_id;
  std::string kind;
  OpState state = OpState::queued;
  std::uint16_t error = 0;
  std::string reason;
  std::uint64_t created_at_ms = 0;
  ops::Operation op;
};

// A receipt the server signed for one of this device's operations, as kept.
struct StoredReceipt {
  protocol::ReceiptEntry entry;  // this operation's line of the statement
  std::string key_id;
  std::string statement;  // the whole signed statement (all the batch's operations)
  std::string signature;
};

class Replica final : public ops::StateReader {
 public:
  // Creates a new, empty replica in `home` protected by `passphrase`.
  static Result<std::unique_ptr<Replica>> create(const HomePaths& home, std::string_view passphrase,
                                                 crypto::ScryptParams params = crypto::kScryptReplica);
  // Opens the replica; Errc::wrong_passphrase leaves every file untouched, and
  // so does Errc::corrupt_data: the database file or the key file is truncated
  // or damaged, and `damaged`, when given, receives which of the two files.
  static Result<std::unique_ptr<Replica>> open(const HomePaths& home, std::string_view passphrase,
                                               std::filesystem::path* damaged = nullptr);
  // Re-wraps the data key under a new passphrase; the database is not re-encrypted.
  static error_code change_passphrase(const HomePaths& home, std::string_view old_passphrase,
                                      std::string_view new_passphrase);
  // Removes the replica and its key (device revoked or user asked): the data
  // key is gone, so any copy of the database file left on disk is unreadable.
  static error_code wipe(const HomePaths& home);

  ~Replica() override;

  // --- identity and sync state (meta table)
  std::optional<std::string> meta(std::string_view key);
  void set_meta(std::string_view key, std::string_view value);
  bool enrolled() { return meta("device_id").has_value(); }
  ops::Actor actor();

  // --- local work
  // Stamps, applies and queues an operation in one transaction. A rule broken
  // offline is refused here with the same message the server would give, and
  // nothing is stored.
  ops::Outcome submit(ops::Payload payload, std::map<std::string, model::Version> base = {});

  std::vector<OutboxEntry> outbox(std::optional<OpState> only = std::nullopt, std::size_t limit = 0);
  std::size_t pending_count();
  // Operations still waiting for the server's answer (queued or sent), oldest
  // first, at most `limit`: the next push batch.
  std::vector<ops::Operation> pending_operations(std::size_t limit);
  void mark_sent(const std::vector<std::string>& op_ids);
  // Records the server's answer. A rejected operation's local effects are
  // removed from the view (the others stay). `receipt` (already checked,
  // client/sync/receipts.hpp) and its `covered` entries are kept in the same
  // transaction, so an operation is never marked answered without its receipt.
  void record_results(const std::vector<protocol::OpResult>& results, const protocol::Receipt& receipt = {},
                      const std::vector<protocol::ReceiptEntry>& covered = {});

  // --- receipts
  // Keeps the server's receipt public keys (told over the verified TLS
  // channel). Keys already known are left as they are.
  void remember_receipt_keys(const std::vector<protocol::ReceiptKey>& keys);
  // The raw public key with this id, if the server ever sent it.
  std::optional<std::string> receipt_public_key(std::string_view key_id);
  std::optional<StoredReceipt> receipt_for(std::string_view op_id);
  // Receipts newest first (by when the server received the operation), at
  // most `limit` (0: all); only those for the record `record` and for the
  // child `child`, when they are not empty.
  std::vector<StoredReceipt> receipts(std::size_t limit, std::string_view record = {}, std::string_view child = {});
  // SHA-256 (hex) of the operation exactly as this device queued it.
  std::optional<std::string> operation_sha256(std::string_view op_id);

  // The server's store was restored from a backup (its epoch changed): it may
  // have lost operations it had accepted from this device, and records this
  // device holds. In one transaction: every accepted (or conflicting)
  // operation is queued again, to be re-sent (the server answers those it
  // still has from its ledger and applies the others), the server copies
  // are dropped with the cursor so the next pull starts afresh, and
  // `new_epoch` is remembered. Unsent work is untouched. Returns how many
  // operations were queued again.
  std::size_t start_over_after_server_restore(std::string_view new_epoch);

  // --- server state
  // Applies one pull page in one transaction: records into base and view,
  // scopes the device lost are purged, pending operations re-applied on top.
  void apply_pull(const protocol::PullResponse& page);
  std::uint64_t cursor();
  std::vector<std::string> known_scopes();

  // --- reading
  std::optional<model::Record> get(std::string_view collection, std::string_view id) const override;
  std::vector<model::Record> list_in_scope(std::string_view collection, std::string_view scope) const override;
  std::vector<model::Record> list(std::string_view collection);
  std::size_t record_count();

 private:
  Replica(HomePaths home, store::Database db);
  // Opens (or creates) the database with the unwrapped data key and migrates it.
  static Result<std::unique_ptr<Replica>> open_with_key(const HomePaths& home, std::span<const std::uint8_t> key,
                                                        bool create);
  void prepare();
  void put_view(const model::Record& r);
  void rebase(const std::set<std::pair<std::string, std::string>>& touched);
  std::vector<std::pair<std::string, std::string>> touched_by(const ops::Operation& op);
  // Outbox rows (seq) of answered operations that touched a record held in one of `scopes`.
  std::vector<std::int64_t> answered_operations_in(const std::set<std::string>& scopes);

  HomePaths home_;
  store::Database db_;
  model::HlcClock clock_;
  struct Statements;
  std::unique_ptr<Statements> st_;
};

}  // namespace psm::client
