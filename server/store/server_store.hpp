// The server's authoritative store: accounts, devices, records, the
// exactly-once ledger of applied operations. All SQL of the server lives here,
// each statement prepared once. Encrypted at rest with SQLCipher, keyed from
// DATA/store.key (which must be readable by its owner only).
//
// Thread-safety: none. The sync service owns the store and touches it only from
// its one store thread; admin commands open it when the server is not serving.
#pragma once

#include "common/error.hpp"
#include "common/model/record.hpp"
#include "common/ops/apply.hpp"
#include "common/policy/access.hpp"
#include "common/protocol/messages.hpp"
#include "common/store/database.hpp"
#include "server/store/audit_log.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace psm::server {

struct Account {
  std::string username;
  std::string person_id;
  model::Role role = model::Role::foster_carer;
  std::string display_name;
  std::string password_hash;
};

struct Device {
  std::string device_id;
  std::string username;
  std::string name;
  std::string token_hash;  // SHA-256 of the token, hex; the token itself is never stored
  std::uint64_t enrolled_at_ms = 0;
  std::uint64_t last_seen_ms = 0;
  bool revoked = false;
  std::uint64_t token_expires_at_ms = 0;  // 0: enrolled before tokens expired; counts from enrolment
  // After a renewal, the token it replaced, until the device first uses the new one.
  std::string previous_token_hash;
};

struct PullPage {
  std::vector<model::Record> records;
  std::uint64_t cursor = 0;
  bool more = false;
  std::uint64_t remaining = 0;  // records the device will still receive after this page (0 when !more)
};

// Paths inside a server data directory.
struct DataPaths {
  explicit DataPaths(std::filesystem::path dir) : root(std::move(dir)) {}
  std::filesystem::path root;
  std::filesystem::path store() const { return root / "store.db"; }
  std::filesystem::path key() const { return root / "store.key"; }
  // A new key during rotation, until the store is re-encrypted under it.
  std::filesystem::path next_key() const { return root / "store.key.next"; }
  std::filesystem::path tls_dir() const { return root / "tls"; }
  // The Ed25519 key receipts are signed with (mode 0600), and the public
  // halves of keys it replaced, so receipts signed before a rotation still verify.
  std::filesystem::path receipt_key() const { return root / "receipt-key.pem"; }
  std::filesystem::path retired_receipt_keys() const { return root / "receipt-keys-retired.pem"; }
  // Held (flock) by a serving psm-server, so a restore cannot replace the store under it.
  std::filesystem::path serve_lock() const { return root / "serve.lock"; }
  // The store file's state as the last clean close left it (common/store/clean_close.hpp).
  std::filesystem::path closed_clean() const { return root / "store.closed"; }
};

// What is wrong with a data directory's store, beside the project's Errc.
enum class StoreErrc {
  // DATA was initialised (it holds its store key) but store.db is gone or
  // empty (0 bytes). Never replaced by a new, empty store: restore a backup.
  store_missing = 1,
  // The store failed its integrity check (a damaged page or b-tree).
  store_damaged,
};
const boost::system::error_category& store_category() noexcept;
inline error_code make_error_code(StoreErrc e) noexcept { return {static_cast<int>(e), store_category()}; }

// How much of the store open() checks before anything is written.
enum class StoreCheck {
  none,                 // the schema only (admin commands: seconds matter, and serve checks at start)
  unless_closed_clean,  // every page (PRAGMA quick_check), unless the file is as a clean close left it
  full,                 // every page, always
};

class ServerStore final : public ops::StateReader {
 public:
  // Creates DATA (0700), a new random store key (0600) and an empty store.
  // Fails with already_exists when DATA already holds a store.
  static Result<std::unique_ptr<ServerStore>> create(const DataPaths& paths, std::string* detail);
  // Opens an existing store. Refuses a key file readable by group or others
  // (Errc::permission_denied); Errc::not_found when DATA was never
  // initialised (no store key). In an initialised directory a store file that
  // is missing or 0 bytes is StoreErrc::store_missing: it is never silently
  // replaced by a new empty store. With `check` other than none, a store that
  // fails PRAGMA quick_check is StoreErrc::store_damaged and is left as it is.
  // `checked`, when given, says whether the page-by-page check ran.
  static Result<std::unique_ptr<ServerStore>> open(const DataPaths& paths, std::string* detail,
                                                   StoreCheck check = StoreCheck::none, bool* checked = nullptr);

  // Re-encrypts the store under a new random key and replaces the key file.
  // The server must be stopped (Errc::busy otherwise). Crash-safe: the new key
  // is written (0600) before the store is re-encrypted in one transaction, and
  // open() finishes a rotation that was interrupted either side of that.
  static error_code rotate_key(const DataPaths& paths, std::string* detail);
  // Writes a consistent copy of the store at `to` (mode 0600), encrypted
  // under the same store key, while other processes (a serving psm-server)
  // keep reading and writing. The copy is useless without DATA/store.key.
  static error_code backup(const DataPaths& paths, const std::filesystem::path& to, std::string* detail);
  // Replaces the store with the backup `from` (which must have been made with
  // this data directory's store key) and gives it a new epoch, so devices
  // notice and re-send what the backup lacks. The server must not be serving
  // this directory (the caller checks serve_lock()). On any failure the
  // current store is left as it was. `new_epoch` receives the epoch.
  static error_code restore(const DataPaths& paths, const std::filesystem::path& from, std::string* detail,
                            std::string* new_epoch = nullptr);

  ~ServerStore() override;

  // --- accounts and devices
  error_code add_account(const Account& account);
  std::optional<Account> find_account(std::string_view username);
  std::optional<Account> find_account_by_person(std::string_view person_id);
  void add_device(const Device& device);
  std::optional<Device> find_device(std::string_view device_id);
  std::vector<Device> list_devices();
  bool revoke_device(std::string_view device_id);
  // Records when a device was last seen, in its own commit without an fsync
  // (made durable by the next synchronous commit). Outside a transaction only.
  void touch_device(std::string_view device_id, std::uint64_t now_ms);
  // Runs `work` in one transaction committed without waiting for the disk:
  // for bookkeeping not worth an fsync on every sync (when a device was last
  // seen, the audit entries of connections and reads). A power cut may lose the
  // newest such commits, never part of one; in WAL mode the next synchronous
  // commit (any push) makes them durable with everything before it. Call
  // outside a transaction; commits after it are synchronous again.
  void commit_without_fsync(const std::function<void()>& work);
  // Gives a device a new token hash and expiry. `previous_hash` stays valid
  // until forget_previous_token() (pass "" to end the old token at once).
  void set_device_token(std::string_view device_id, std::string_view token_hash, std::string_view previous_hash,
                        std::uint64_t expires_at_ms);
  void forget_previous_token(std::string_view device_id);

  // The audit trail, in the same encrypted file and transactions.
  AuditLog& audit() { return *audit_; }

  // --- records
  std::optional<model::Record> get(std::string_view collection, std::string_view id) const override;
  std::vector<model::Record> list_in_scope(std::string_view collection, std::string_view scope) const override;
  // Stores a record, giving it the next change sequence number.
  void put(const model::Record& record);
  // Changes in each scope after that scope's start sequence (the device's
  // cursor, or 0 for a scope it is new to), oldest first, at most `limit`.
  // Professionals-only records are left out unless `professional`. The page's
  // cursor is where the device has now seen everything up to.
  // Reads one snapshot (a read transaction of its own: not to be called
  // inside another transaction), so a commit by another connection or process
  // during the pull is wholly in this page or wholly after its cursor.
  PullPage pull(const std::map<std::string, std::uint64_t>& scope_starts, std::uint64_t cursor,
                std::size_t limit, bool professional);
  // A seam for tests: runs inside pull() after each scope's rows are read,
  // where another process's commit could land.
  void set_after_pull_scope_read_for_tests(std::function<void()> hook) { after_pull_scope_read_ = std::move(hook); }
  std::uint64_t last_seq();
  std::vector<model::Record> all_in(std::string_view collection);

  // --- exactly-once ledger
  // `receipt_line`, when given, receives the receipt line kept with the
  // entry ("" for a rejected operation or one applied before receipts), and
  // `device_id` the device that sent it.
  std::optional<protocol::OpResult> find_applied(std::string_view op_id, std::string* receipt_line = nullptr,
                                                 std::string* device_id = nullptr);
  // The operation this device sent with sequence number `seq`, if any.
  std::optional<std::string> op_at_device_seq(std::string_view device_id, std::uint64_t seq);
  // Throws StoreError if the op id, or the device's sequence number, is
  // already in the ledger (callers check both first).
  void record_applied(const ops::Operation& op, const protocol::OpResult& result, std::uint64_t at_ms,
                      std::string_view receipt_line = {});
  std::uint64_t applied_count();

  // Reference data (people, households, children, placements) for access decisions.
  policy::ReferenceData load_reference_data();

  // A random id set when the store is created and replaced by each restore
  // from a backup. Devices keep the epoch they last synced with; a different
  // one tells them the server's history was rewound (docs/protocol.md).
  std::string epoch();

  // Small named values (meta table): the epoch, the reference-data version.
  std::string meta(std::string_view key);
  void set_meta(std::string_view key, std::string_view value);
  // Changes whenever reference data is imported, so a serving process knows
  // to re-read it (an import may run while the server serves).
  static constexpr std::string_view kReferenceVersion = "reference_version";

  store::Database& database() { return db_; }

  // Changes whenever another connection to the store file (another
  // psm-server process: device revoke, import) commits; stays the same
  // across this store's own commits (SQLite's PRAGMA data_version).
  std::int64_t data_version();

 private:
  explicit ServerStore(store::Database db, std::filesystem::path file, std::filesystem::path closed_clean);
  static Result<std::unique_ptr<ServerStore>> open_existing_or_new(const DataPaths& paths, std::string* detail,
                                                                   StoreCheck check, bool* checked, bool create);
  void prepare_statements();

  store::Database db_;
  std::filesystem::path file_, closed_clean_;  // for the clean-close marker (destructor)
  struct Statements;
  std::unique_ptr<Statements> st_;
  std::unique_ptr<AuditLog> audit_;
  std::uint64_t next_seq_ = 1;
  std::function<void()> after_pull_scope_read_;
  std::unique_ptr<store::Statement> data_version_;  // prepared on first use
};

}  // namespace psm::server

template <>
struct boost::system::is_error_code_enum<psm::server::StoreErrc> : std::true_type {};
