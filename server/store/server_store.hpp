// The server's authoritative store on SQLCipher: the Store interface
// (server/store/store.hpp) over one encrypted SQLite file, plus what only a
// file-backed store has (create, open with checks, key rotation, backup,
// restore). All SQL of the server lives here and in audit_log.cpp, each
// statement prepared once, its SQL beside its name (server_store.cpp).
// Encrypted at rest, keyed from DATA/store.key (readable by its owner only).
//
// Thread-safety: none. The sync service owns the store and touches it only from
// its one store thread; admin commands open it when the server is not serving.
#pragma once

#include "common/error.hpp"
#include "common/store/database.hpp"
#include "common/store/transaction.hpp"
#include "server/store/audit_log.hpp"
#include "server/store/store.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace psm::server {

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

class ServerStore final : public Store {
 public:
  // Creates DATA (0700), a new random store key (0600) and an empty store.
  // Fails with already_exists when DATA already holds a store.
  // Each failure's Error says, for the operator, what is wrong and what to do.
  static Expected<std::unique_ptr<ServerStore>> create(const DataPaths& paths);
  // Opens an existing store. Refuses a key file readable by group or others
  // (Errc::permission_denied); Errc::not_found when DATA was never
  // initialised (no store key). In an initialised directory a store file that
  // is missing or 0 bytes is StoreErrc::store_missing: it is never silently
  // replaced by a new empty store. With `check` other than none, a store that
  // fails PRAGMA quick_check is StoreErrc::store_damaged and is left as it is.
  // `checked`, when given, says whether the page-by-page check ran.
  static Expected<std::unique_ptr<ServerStore>> open(const DataPaths& paths, StoreCheck check = StoreCheck::none,
                                                     bool* checked = nullptr);

  // Re-encrypts the store under a new random key and replaces the key file.
  // The server must be stopped (Errc::busy otherwise). Crash-safe: the new key
  // is written (0600) before the store is re-encrypted in one transaction, and
  // open() finishes a rotation that was interrupted either side of that.
  static Expected<void> rotate_key(const DataPaths& paths);
  // Writes a consistent copy of the store at `to` (mode 0600), encrypted
  // under the same store key, while other processes (a serving psm-server)
  // keep reading and writing. The copy is useless without DATA/store.key.
  static Expected<void> backup(const DataPaths& paths, const std::filesystem::path& to);
  // Replaces the store with the backup `from` (which must have been made with
  // this data directory's store key) and gives it a new epoch, so devices
  // notice and re-send what the backup lacks. The server must not be serving
  // this directory (the caller checks serve_lock()). On any failure the
  // current store is left as it was. The new epoch.
  static Expected<std::string> restore(const DataPaths& paths, const std::filesystem::path& from);

  ~ServerStore() override;

  // --- accounts and devices (Store)
  error_code add_account(const Account& account) override;
  std::optional<Account> find_account(std::string_view username) override;
  std::optional<Account> find_account_by_person(std::string_view person_id) override;
  void add_device(const Device& device) override;
  std::optional<Device> find_device(std::string_view device_id) override;
  std::vector<Device> list_devices() override;
  bool revoke_device(std::string_view device_id) override;
  // Records when a device was last seen. Outside a unit of work it is a
  // durable commit of its own; the sync service calls it inside
  // commit_without_fsync.
  void touch_device(std::string_view device_id, std::uint64_t now_ms) override;
  void set_device_token(std::string_view device_id, std::string_view token_hash, std::string_view previous_hash,
                        std::uint64_t expires_at_ms) override;
  void forget_previous_token(std::string_view device_id) override;

  // The audit trail, in the same encrypted file and transactions.
  AuditLog& audit() override { return *audit_; }

  // --- records (Store)
  std::optional<model::Record> get(std::string_view collection, std::string_view id) const override;
  std::vector<model::Record> list_in_scope(std::string_view collection, std::string_view scope) const override;
  void put(const model::Record& record) override;
  PullPage pull(const std::map<std::string, std::uint64_t>& scope_starts, std::uint64_t cursor, std::size_t limit,
                bool professional) override;
  // A seam for tests: runs inside pull() after each scope's rows are read,
  // where another process's commit could land.
  void set_after_pull_scope_read_for_tests(std::function<void()> hook) { after_pull_scope_read_ = std::move(hook); }
  std::uint64_t last_seq() override;
  std::vector<model::Record> all_in(std::string_view collection) override;

  // --- exactly-once ledger (Store)
  std::optional<protocol::OpResult> find_applied(std::string_view op_id, std::string* receipt_line = nullptr,
                                                 std::string* device_id = nullptr) override;
  std::optional<std::string> op_at_device_seq(std::string_view device_id, std::uint64_t seq) override;
  void record_applied(const ops::Operation& op, const protocol::OpResult& result, std::uint64_t at_ms,
                      std::string_view receipt_line = {}) override;
  std::uint64_t applied_count() override;

  // --- small named values (Store): the meta table
  std::string meta(std::string_view key) override;
  void set_meta(std::string_view key, std::string_view value) override;

  // The SQLite connection, for admin tools and tests that work on the file
  // itself (integrity checks, rekeying, raw transactions). Not part of Store:
  // the sync service never uses it.
  store::Database& database() { return db_; }

  // SQLite's PRAGMA data_version.
  std::int64_t data_version() override;

 protected:
  // write: BEGIN IMMEDIATE; snapshot: BEGIN DEFERRED; bookkeeping: BEGIN
  // IMMEDIATE with PRAGMA synchronous = NORMAL until it ends (FULL again after).
  void begin_work(WorkKind kind) override;
  void commit_work(WorkKind kind) override;
  void rollback_work(WorkKind kind) noexcept override;

 private:
  explicit ServerStore(store::Database db, std::filesystem::path file, std::filesystem::path closed_clean);
  static Expected<std::unique_ptr<ServerStore>> open_existing_or_new(const DataPaths& paths, StoreCheck check,
                                                                     bool* checked, bool create);
  void prepare_statements();

  store::Database db_;
  std::filesystem::path file_, closed_clean_;  // for the clean-close marker (destructor)
  struct Statements;
  std::unique_ptr<Statements> st_;
  std::unique_ptr<AuditLog> audit_;
  std::uint64_t next_seq_ = 1;
  std::function<void()> after_pull_scope_read_;
  std::unique_ptr<store::Statement> data_version_;  // prepared on first use
  std::optional<store::Transaction> work_;          // the unit of work in progress, if any
  // PRAGMA synchronous = FULL could not be put back when a bookkeeping unit
  // rolled back (a destructor cannot throw): the next unit puts it back first.
  bool restore_full_sync_ = false;
};

}  // namespace psm::server

template <>
struct boost::system::is_error_code_enum<psm::server::StoreErrc> : std::true_type {};
