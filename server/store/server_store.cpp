#include "server/store/server_store.hpp"

#include "common/crypto/hash.hpp"
#include "common/crypto/random.hpp"
#include "common/crypto/secure_bytes.hpp"
#include "common/model/ids.hpp"
#include "common/platform/platform.hpp"
#include "common/protocol/codec.hpp"
#include "common/store/clean_close.hpp"
#include "common/store/migrate.hpp"
#include "common/store/transaction.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>

namespace psm::server {

namespace fs = std::filesystem;
using model::Record;
using store::Statement;

namespace {

// Schema, one step per version (PRAGMA user_version). Documented in docs/architecture.md.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE accounts (
  username TEXT PRIMARY KEY,
  person_id TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL
);
CREATE TABLE devices (
  device_id TEXT PRIMARY KEY,
  username TEXT NOT NULL REFERENCES accounts(username),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  enrolled_at_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE records (
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  scope TEXT NOT NULL,
  professionals_only INTEGER NOT NULL,
  seq INTEGER NOT NULL UNIQUE,
  body BLOB NOT NULL,
  PRIMARY KEY (collection, id)
);
CREATE INDEX records_by_scope ON records(scope, seq);
CREATE TABLE applied_ops (
  op_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  device_seq INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  error INTEGER NOT NULL,
  reason TEXT NOT NULL,
  applied_at_ms INTEGER NOT NULL,
  UNIQUE (device_id, device_seq)
);
)sql";

// v2: device tokens expire and renew (the previous token stays valid until the
// new one is first used, so a renewal lost in transit locks nobody out); the
// hash-chained audit log (server/store/audit_log.hpp).
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE devices ADD COLUMN token_expires_at_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN previous_token_hash TEXT NOT NULL DEFAULT '';
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  server_time_ms INTEGER NOT NULL,
  device_time_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  username TEXT NOT NULL,
  device_id TEXT NOT NULL,
  address TEXT NOT NULL,
  children TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_by_user ON audit_log(username, seq);
CREATE INDEX audit_by_device ON audit_log(device_id, seq);
)sql";

// v3: each ledger entry keeps the receipt line the server signed for it
// (common/protocol/receipt.hpp), so a re-sent operation's receipt says what
// was received and when the first time. Empty for rejected operations and for
// entries made before receipts.
constexpr std::string_view kSchemaV3 = R"sql(
ALTER TABLE applied_ops ADD COLUMN receipt_line TEXT NOT NULL DEFAULT '';
)sql";

constexpr std::array<std::string_view, 3> kMigrations{kSchemaV1, kSchemaV2, kSchemaV3};

// Reads the 32-byte store key, refusing a file others could read.
Expected<crypto::SecureBytes> read_key(const fs::path& path) {
  if (auto owned = platform::check_owner_only(path, "store key"); !owned) {
    auto e = owned.error();
    if (e.code == Errc::not_found) e.message += " (run psm-server init first)";
    return e;
  }
  std::ifstream in(path);
  std::string hex;
  in >> hex;
  auto bytes = crypto::from_hex(hex);
  std::fill(hex.begin(), hex.end(), '\0');
  if (!bytes || bytes->size() != 32) {
    return Error{make_error_code(Errc::corrupt_data), "store key " + path.string() + " is not 64 hex digits"};
  }
  crypto::SecureBytes key(32);
  std::copy(bytes->begin(), bytes->end(), key.data());
  std::fill(bytes->begin(), bytes->end(), std::uint8_t{0});
  return key;
}

// Quick structural check (every page's MAC, every b-tree) of a database
// about to become the store, or about to be served. `problem` receives
// SQLite's first finding (page numbers and b-tree names, never a value).
bool intact(store::Database& db, std::string* problem = nullptr) {
  try {
    auto check = db.prepare("PRAGMA quick_check(1)");
    if (!check.step()) return false;
    const auto first = check.column_text(0);
    if (problem) *problem = first;
    return first == "ok";
  } catch (const StoreError& e) {
    // A page whose MAC fails stops the check with SQLITE_CORRUPT or NOTADB.
    if (problem) *problem = e.what();
    return false;
  }
}

std::string restore_advice(const DataPaths& paths) {
  return "Keep a copy of " + paths.root.string() +
         " as it is, then restore the newest good backup: psm-server restore --data " + paths.root.string() +
         " --from FILE (docs/operations.md, \"Backup and restore\")";
}

class StoreCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "psm-server-store"; }
  std::string message(int value) const override {
    switch (static_cast<StoreErrc>(value)) {
      case StoreErrc::store_missing:
        return "the store is missing";
      case StoreErrc::store_damaged:
        return "the store is damaged";
    }
    return "unknown store error";
  }
};

}  // namespace

const boost::system::error_category& store_category() noexcept {
  static const StoreCategory category;
  return category;
}

// Every statement the store prepares, once, at open: each member's name beside
// its SQL. Members are prepared in the order they are declared.
struct ServerStore::Statements {
  explicit Statements(store::Database& database) : db(database) {}
  store::Database& db;

  // --- records
  Statement get_record{db.prepare("SELECT body FROM records WHERE collection = ?1 AND id = ?2")};
  // (UPDATE ... WHERE collection = ?1 AND id = ?2, else INSERT; see store::Upsert)
  store::Upsert put_record{db, "records", {"collection", "id"}, {"scope", "professionals_only", "seq", "body"}};
  Statement max_seq{db.prepare("SELECT coalesce(max(seq), 0) FROM records")};
  Statement pull_scope{db.prepare(
      "SELECT seq, body, professionals_only FROM records WHERE scope = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")};
  Statement all_in{db.prepare("SELECT body FROM records WHERE collection = ?1 ORDER BY id")};
  Statement list_in_scope{db.prepare("SELECT body FROM records WHERE scope = ?1 AND collection = ?2 ORDER BY id")};
  // Counted on the (scope, seq) index alone; the carer's variant must read
  // each row, and carers' scopes are small.
  Statement count_after{db.prepare("SELECT count(*) FROM records WHERE scope = ?1 AND seq > ?2")};
  Statement count_visible_after{
      db.prepare("SELECT count(*) FROM records WHERE scope = ?1 AND seq > ?2 AND professionals_only = 0")};

  // --- exactly-once ledger
  Statement find_applied{
      db.prepare("SELECT kind, error, reason, receipt_line, device_id FROM applied_ops WHERE op_id = ?1")};
  Statement find_applied_by_device_seq{
      db.prepare("SELECT op_id FROM applied_ops WHERE device_id = ?1 AND device_seq = ?2")};
  Statement insert_applied{
      db.prepare("INSERT INTO applied_ops(op_id, device_id, device_seq, kind, error, reason, applied_at_ms, "
                 "receipt_line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")};
  Statement count_applied{db.prepare("SELECT count(*) FROM applied_ops")};

  // --- accounts
  Statement insert_account{db.prepare(
      "INSERT INTO accounts(username, person_id, role, display_name, password_hash) VALUES (?1, ?2, ?3, ?4, ?5)")};
  Statement find_account{
      db.prepare("SELECT username, person_id, role, display_name, password_hash FROM accounts WHERE username = ?1")};
  Statement find_account_by_person{
      db.prepare("SELECT username, person_id, role, display_name, password_hash FROM accounts WHERE person_id = ?1")};

  // --- devices (read_device() reads these columns in this order)
  Statement insert_device{
      db.prepare("INSERT INTO devices(device_id, username, name, token_hash, enrolled_at_ms, last_seen_ms, revoked, "
                 "token_expires_at_ms, previous_token_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")};
  Statement find_device{
      db.prepare("SELECT device_id, username, name, token_hash, enrolled_at_ms, last_seen_ms, revoked, "
                 "token_expires_at_ms, previous_token_hash FROM devices WHERE device_id = ?1")};
  Statement list_devices{
      db.prepare("SELECT device_id, username, name, token_hash, enrolled_at_ms, last_seen_ms, revoked, "
                 "token_expires_at_ms, previous_token_hash FROM devices ORDER BY enrolled_at_ms, device_id")};
  // OR FAIL: no statement journal (see store::Upsert).
  Statement revoke_device{db.prepare("UPDATE OR FAIL devices SET revoked = 1 WHERE device_id = ?1")};
  Statement touch_device{db.prepare("UPDATE OR FAIL devices SET last_seen_ms = ?2 WHERE device_id = ?1")};
  Statement set_token{
      db.prepare("UPDATE OR FAIL devices SET token_hash = ?2, previous_token_hash = ?3, token_expires_at_ms = ?4 "
                 "WHERE device_id = ?1")};
  Statement forget_previous{db.prepare("UPDATE OR FAIL devices SET previous_token_hash = '' WHERE device_id = ?1")};

  // --- meta
  Statement get_meta{db.prepare("SELECT value FROM meta WHERE key = ?1")};
};

// Prepared on first use (admin commands never need it).
constexpr std::string_view kDataVersionSql = "PRAGMA data_version";

ServerStore::ServerStore(store::Database db, fs::path file, fs::path closed_clean)
    : db_(std::move(db)), file_(std::move(file)), closed_clean_(std::move(closed_clean)) {}

ServerStore::~ServerStore() {
  // Every statement first, so the close is real and, when this was the last
  // connection, folds the write-ahead log into the file; then the file's
  // state is recorded so the next serve need not check every page again.
  audit_.reset();
  st_.reset();
  data_version_.reset();
  db_.close();
  if (!file_.empty()) store::record_clean_close(file_, closed_clean_);
}

Expected<std::unique_ptr<ServerStore>> ServerStore::create(const DataPaths& paths) {
  std::error_code fs_ec;
  fs::create_directories(paths.root, fs_ec);
  if (fs_ec) {
    return Error{make_error_code(Errc::io_error), "cannot create " + paths.root.string() + ": " + fs_ec.message()};
  }
  fs::permissions(paths.root, fs::perms::owner_all, fs::perm_options::replace, fs_ec);
  if (fs::exists(paths.store()) || fs::exists(paths.key())) {
    return Error{make_error_code(Errc::already_exists), paths.root.string() + " already holds a psm store"};
  }
  std::array<std::uint8_t, 32> raw{};
  crypto::random_bytes(raw);
  std::string hex = crypto::to_hex(raw);
  std::fill(raw.begin(), raw.end(), std::uint8_t{0});
  auto ec = platform::write_private_file(paths.key(), hex + "\n", /*exclusive=*/true);
  std::fill(hex.begin(), hex.end(), '\0');
  if (ec) return Error{ec, "cannot write " + paths.key().string()};
  auto store = open_existing_or_new(paths, StoreCheck::none, nullptr, /*create=*/true);
  if (!store) return store.error();
  auto& db = (*store)->db_;
  store::Transaction tx(db);
  db.exec("INSERT INTO meta(key, value) VALUES ('epoch', '" + model::new_uuid_v7() + "')");
  tx.commit();
  return store;
}

Expected<std::unique_ptr<ServerStore>> ServerStore::open(const DataPaths& paths, StoreCheck check, bool* checked) {
  return open_existing_or_new(paths, check, checked, /*create=*/false);
}

Expected<std::unique_ptr<ServerStore>> ServerStore::open_existing_or_new(const DataPaths& paths, StoreCheck check,
                                                                         bool* checked, bool create) {
  if (checked) *checked = false;
  auto key = read_key(paths.key());
  if (!key) return key.error();
  // The key is written by init before the store, so a directory holding it
  // was initialised: a store file that is gone or empty was lost (deleted,
  // truncated, a failed copy), and a new empty store in its place would
  // serve devices an empty world and an audit trail that starts again.
  std::error_code fs_ec;
  const auto store_missing = [&](bool present) {
    return Error{make_error_code(StoreErrc::store_missing),
                 "the store " + paths.store().string() + (present ? " is empty (0 bytes)" : " is missing") + ", but " +
                     paths.root.string() + " was initialised (it holds its store key " + paths.key().string() +
                     "); psm-server will not start a new, empty store in its place. " + restore_advice(paths)};
  };
  if (!create) {
    const bool present = fs::exists(paths.store(), fs_ec);
    if (!present || fs::file_size(paths.store(), fs_ec) == 0) return store_missing(present);
  }
  // Decided before the marker goes: a crash while open means a full check next time.
  const bool unchanged = check == StoreCheck::unless_closed_clean &&
                         store::unchanged_since_clean_close(paths.store(), paths.closed_clean());
  store::forget_clean_close(paths.closed_clean());
  store::OpenOptions options;
  options.synchronous = "FULL";  // an acknowledged operation survives power loss
  options.create = create;
  auto db = store::Database::open(paths.store(), key->span(), options);
  if (!db && db.error() == Errc::not_found && !create) return store_missing(false);  // removed just now
  if (fs::exists(paths.next_key(), fs_ec)) {
    // A key rotation was interrupted. Before the re-encryption committed, the
    // old key still opens the store and the new one is dropped; after it, the
    // new key opens it and becomes the key.
    if (db) {
      fs::remove(paths.next_key(), fs_ec);
    } else if (db.error() == Errc::wrong_passphrase) {
      auto next = read_key(paths.next_key());
      if (!next) return next.error();
      db = store::Database::open(paths.store(), next->span(), options);
      if (db) fs::rename(paths.next_key(), paths.key(), fs_ec);
      if (fs_ec) {
        return Error{make_error_code(Errc::io_error),
                     "cannot finish the key rotation: rename " + paths.next_key().string() + ": " + fs_ec.message()};
      }
    }
  }
  if (!db && db.error() == Errc::wrong_passphrase) {
    // The key was read from this directory's key file; a store it does not
    // open has a damaged first page or is another store's file.
    // Kept as wrong_passphrase: exit 3 with the data directory's other problems.
    return Error{db.error(), "the store key " + paths.key().string() + " does not open the store " +
                                 paths.store().string() +
                                 ": the store's first page is damaged, or one of the two files was replaced. " +
                                 restore_advice(paths)};
  }
  if (!db) {
    return Error{db.error(), "cannot open the store " + paths.store().string() + ": " + db.error().message()};
  }
  if (check == StoreCheck::full || (check == StoreCheck::unless_closed_clean && !unchanged)) {
    if (checked) *checked = true;
    std::string problem;
    if (!intact(*db, &problem)) {
      return Error{make_error_code(StoreErrc::store_damaged),
                   "the store " + paths.store().string() + " is damaged (it failed its integrity check: " + problem +
                       "); psm-server will not serve it or write to it. " + restore_advice(paths)};
    }
  }
  try {
    store::migrate(*db, kMigrations);
    std::unique_ptr<ServerStore> s(new ServerStore(std::move(*db), paths.store(), paths.closed_clean()));
    s->prepare_statements();
    s->audit_ = std::make_unique<AuditLog>(s->db_);
    s->next_seq_ = s->last_seq() + 1;
    return s;
  } catch (const StoreError& e) {
    return e.error();
  }
}

Expected<void> ServerStore::rotate_key(const DataPaths& paths) {
  auto store = open(paths);
  if (!store) return store.error();
  std::array<std::uint8_t, 32> raw{};
  crypto::random_bytes(raw);
  std::string hex = crypto::to_hex(raw);
  auto ec = platform::write_private_file(paths.next_key(), hex + "\n", /*exclusive=*/true);
  std::fill(hex.begin(), hex.end(), '\0');
  if (ec) {
    std::fill(raw.begin(), raw.end(), std::uint8_t{0});
    return Error{ec, "cannot write " + paths.next_key().string()};
  }
  auto rekeyed = (*store)->db_.rekey(raw);
  std::fill(raw.begin(), raw.end(), std::uint8_t{0});
  std::error_code fs_ec;
  if (!rekeyed) {
    fs::remove(paths.next_key(), fs_ec);
    return Error{rekeyed.error(), rekeyed.error() == Errc::busy
                                      ? "the store is in use: stop psm-server serve first"
                                      : "cannot re-encrypt the store: " + rekeyed.error().message()};
  }
  store->reset();
  fs::rename(paths.next_key(), paths.key(), fs_ec);
  if (fs_ec) {
    return Error{make_error_code(Errc::io_error),
                 "re-encrypted, but cannot rename " + paths.next_key().string() + "; the next start finishes it"};
  }
  return {};
}

Expected<void> ServerStore::backup(const DataPaths& paths, const fs::path& to) {
  auto key = read_key(paths.key());
  if (!key) return key.error();
  auto store = open(paths);
  if (!store) return store.error();
  if (auto ec = (*store)->db_.backup_to(to, key->span())) {
    return Error{ec, "cannot write the backup " + to.string() + ": " + ec.message()};
  }
  std::error_code fs_ec;
  fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, fs_ec);
  return {};
}

Expected<std::string> ServerStore::restore(const DataPaths& paths, const fs::path& from) {
  auto key = read_key(paths.key());
  if (!key) return key.error();
  // Work on a copy beside the store, so neither the backup nor (until the
  // final rename) the current store is changed by anything that goes wrong.
  const fs::path staged = paths.store().string() + ".restoring";
  auto remove_staged = [&] {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(staged.string() + suffix, ignored);
  };
  remove_staged();
  std::error_code fs_ec;
  fs::copy_file(from, staged, fs::copy_options::overwrite_existing, fs_ec);
  if (fs_ec) {
    remove_staged();
    return Error{make_error_code(fs_ec == std::errc::no_such_file_or_directory ? Errc::not_found : Errc::io_error),
                 "cannot read the backup " + from.string() + ": " + fs_ec.message()};
  }
  fs::permissions(staged, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, fs_ec);
  const std::string epoch = model::new_uuid_v7();
  {
    store::OpenOptions options;
    options.synchronous = "FULL";
    auto db = store::Database::open(staged, key->span(), options);
    if (!db) {
      remove_staged();
      if (db.error() == Errc::wrong_passphrase) {
        return Error{make_error_code(Errc::corrupt_data),
                     from.string() + " is not a backup made with this data directory's store key"};
      }
      return Error{db.error(), "cannot open the backup " + from.string() + ": " + db.error().message()};
    }
    try {
      if (!intact(*db) || db->user_version() < 1) {
        remove_staged();
        return Error{make_error_code(Errc::corrupt_data),
                     "the backup " + from.string() + " is damaged or is not a psm store"};
      }
      store::Transaction tx(*db);
      auto set = db->prepare("INSERT OR REPLACE INTO meta(key, value) VALUES ('epoch', ?1)");
      set.bind(1, epoch);
      set.step();
      tx.commit();
      db->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const StoreError& e) {
      remove_staged();
      return Error{make_error_code(Errc::corrupt_data), "the backup " + from.string() + " is damaged: " + e.what()};
    }
  }
  // A write-ahead log left by the old store (e.g. after a crash) belongs to
  // that file and must not be replayed onto the restored one.
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(paths.store().string() + suffix, fs_ec);
  fs::rename(staged, paths.store(), fs_ec);
  if (fs_ec) {
    remove_staged();
    return Error{make_error_code(Errc::io_error), "cannot replace " + paths.store().string() + ": " + fs_ec.message()};
  }
  remove_staged();
  return epoch;
}

void ServerStore::prepare_statements() { st_ = std::make_unique<Statements>(db_); }

namespace {
Account read_account(Statement& s) {
  Account a;
  a.username = s.column_text(0);
  a.person_id = s.column_text(1);
  a.role = model::parse_role(s.column_text(2)).value_or(model::Role::foster_carer);
  a.display_name = s.column_text(3);
  a.password_hash = s.column_text(4);
  return a;
}
Device read_device(Statement& s) {
  Device d;
  d.device_id = s.column_text(0);
  d.username = s.column_text(1);
  d.name = s.column_text(2);
  d.token_hash = s.column_text(3);
  d.enrolled_at_ms = static_cast<std::uint64_t>(s.column_int64(4));
  d.last_seen_ms = static_cast<std::uint64_t>(s.column_int64(5));
  d.revoked = s.column_int64(6) != 0;
  d.token_expires_at_ms = static_cast<std::uint64_t>(s.column_int64(7));
  d.previous_token_hash = s.column_text(8);
  return d;
}
}  // namespace

error_code ServerStore::add_account(const Account& a) {
  auto& s = st_->insert_account;
  store::ScopedReset r{s};
  try {
    s.bind(1, a.username)
        .bind(2, a.person_id)
        .bind(3, model::to_string(a.role))
        .bind(4, a.display_name)
        .bind(5, a.password_hash);
    s.step();
    return {};
  } catch (const StoreError& e) {
    return e.code();
  }
}

std::optional<Account> ServerStore::find_account(std::string_view username) {
  auto& s = st_->find_account;
  store::ScopedReset r{s};
  s.bind(1, username);
  if (!s.step()) return std::nullopt;
  return read_account(s);
}

std::optional<Account> ServerStore::find_account_by_person(std::string_view person_id) {
  auto& s = st_->find_account_by_person;
  store::ScopedReset r{s};
  s.bind(1, person_id);
  if (!s.step()) return std::nullopt;
  return read_account(s);
}

void ServerStore::add_device(const Device& d) {
  auto& s = st_->insert_device;
  store::ScopedReset r{s};
  s.bind(1, d.device_id)
      .bind(2, d.username)
      .bind(3, d.name)
      .bind(4, d.token_hash)
      .bind(5, static_cast<std::int64_t>(d.enrolled_at_ms))
      .bind(6, static_cast<std::int64_t>(d.last_seen_ms))
      .bind(7, std::int64_t{d.revoked ? 1 : 0})
      .bind(8, static_cast<std::int64_t>(d.token_expires_at_ms))
      .bind(9, d.previous_token_hash);
  s.step();
}

std::optional<Device> ServerStore::find_device(std::string_view device_id) {
  auto& s = st_->find_device;
  store::ScopedReset r{s};
  s.bind(1, device_id);
  if (!s.step()) return std::nullopt;
  return read_device(s);
}

std::vector<Device> ServerStore::list_devices() {
  auto& s = st_->list_devices;
  store::ScopedReset r{s};
  std::vector<Device> out;
  while (s.step()) out.push_back(read_device(s));
  return out;
}

std::int64_t ServerStore::data_version() {
  if (!data_version_) data_version_ = std::make_unique<Statement>(db_.prepare(kDataVersionSql));
  store::ScopedReset r{*data_version_};
  return data_version_->step() ? data_version_->column_int64(0) : 0;
}

bool ServerStore::revoke_device(std::string_view device_id) {
  auto& s = st_->revoke_device;
  store::ScopedReset r{s};
  s.bind(1, device_id);
  s.step();
  return db_.changes() > 0;
}

void ServerStore::touch_device(std::string_view device_id, std::uint64_t now_ms) {
  auto& s = st_->touch_device;
  store::ScopedReset r{s};
  s.bind(1, device_id).bind(2, static_cast<std::int64_t>(now_ms));
  s.step();
}

void ServerStore::begin_work(WorkKind kind) {
  if (work_) {
    throw StoreError(make_error_code(Errc::internal), "a unit of work began inside another");
  }
  if (kind == WorkKind::bookkeeping) {
    // Setting the pragma only sets a flag on the connection; if putting FULL
    // back ever failed, the StoreError reaches the session edge like any other.
    db_.exec("PRAGMA synchronous = NORMAL");
    restore_full_sync_ = false;
    try {
      work_.emplace(db_, store::TransactionMode::immediate);
    } catch (...) {
      db_.exec("PRAGMA synchronous = FULL");
      throw;
    }
    return;
  }
  if (restore_full_sync_) {
    db_.exec("PRAGMA synchronous = FULL");
    restore_full_sync_ = false;
  }
  work_.emplace(db_, kind == WorkKind::snapshot ? store::TransactionMode::deferred : store::TransactionMode::immediate);
}

void ServerStore::commit_work(WorkKind kind) {
  if (work_) {
    work_->commit();  // throws: still open; rollback_work follows
    work_.reset();
  }
  if (kind == WorkKind::bookkeeping) db_.exec("PRAGMA synchronous = FULL");
}

void ServerStore::rollback_work(WorkKind kind) noexcept {
  work_.reset();  // store::Transaction rolls back; never throws
  if (kind != WorkKind::bookkeeping) return;
  try {
    db_.exec("PRAGMA synchronous = FULL");
  } catch (...) {
    restore_full_sync_ = true;
  }
}

void ServerStore::set_device_token(std::string_view device_id, std::string_view token_hash,
                                   std::string_view previous_hash, std::uint64_t expires_at_ms) {
  auto& s = st_->set_token;
  store::ScopedReset r{s};
  s.bind(1, device_id).bind(2, token_hash).bind(3, previous_hash).bind(4, static_cast<std::int64_t>(expires_at_ms));
  s.step();
}

void ServerStore::forget_previous_token(std::string_view device_id) {
  auto& s = st_->forget_previous;
  store::ScopedReset r{s};
  s.bind(1, device_id);
  s.step();
}

std::optional<Record> ServerStore::get(std::string_view collection, std::string_view id) const {
  auto& s = st_->get_record;
  store::ScopedReset r{s};
  s.bind(1, collection).bind(2, id);
  if (!s.step()) return std::nullopt;
  auto rec = protocol::decode_record(s.column_bytes(0));
  if (!rec) throw StoreError(make_error_code(Errc::corrupt_data), "undecodable record in store");
  return std::move(*rec);
}

std::vector<Record> ServerStore::list_in_scope(std::string_view collection, std::string_view scope) const {
  auto& s = st_->list_in_scope;
  store::ScopedReset r{s};
  s.bind(1, scope).bind(2, collection);
  std::vector<Record> out;
  while (s.step()) {
    auto rec = protocol::decode_record(s.column_bytes(0));
    if (!rec) throw StoreError(make_error_code(Errc::corrupt_data), "undecodable record in store");
    out.push_back(std::move(*rec));
  }
  return out;
}

void ServerStore::put(const Record& rec) {
  // Another process (an admin command: import, escalate) may have written
  // since; callers hold a write transaction, so max(seq) cannot move under us.
  next_seq_ = std::max(next_seq_, last_seq() + 1);
  const std::string body = protocol::encode_record(rec);
  st_->put_record.run([&](Statement& s) {
    s.bind(1, rec.collection)
        .bind(2, rec.id)
        .bind(3, rec.scope)
        .bind(4, std::int64_t{rec.professionals_only ? 1 : 0})
        .bind(5, static_cast<std::int64_t>(next_seq_))
        .bind_bytes(6, body);
  });
  ++next_seq_;
}

std::uint64_t ServerStore::last_seq() {
  auto& s = st_->max_seq;
  store::ScopedReset r{s};
  s.step();
  return static_cast<std::uint64_t>(s.column_int64(0));
}

PullPage ServerStore::pull(const std::map<std::string, std::uint64_t>& scope_starts, std::uint64_t cursor,
                           std::size_t limit, bool professional) {
  // One indexed range scan per scope, merged by sequence number: the cost
  // depends on what changed in this person's scopes, not on the store's size.
  struct Row {
    std::uint64_t seq;
    std::string body;
    bool prof_only;
  };
  std::vector<Row> rows;
  bool truncated = false;
  // Every query of this page reads one snapshot. Without it an import
  // committed by another process between two scopes' queries (psm-server
  // import while serving) could put a row below the last_seq() read at the
  // end into a scope already read: the cursor would pass a row the device
  // never received, for good. In WAL mode the snapshot blocks no writer.
  auto snapshot = begin(WorkKind::snapshot);
  auto& s = st_->pull_scope;
  for (const auto& [scope, start] : scope_starts) {
    {
      store::ScopedReset r{s};
      s.bind(1, scope).bind(2, static_cast<std::int64_t>(start)).bind(3, static_cast<std::int64_t>(limit + 1));
      std::size_t n = 0;
      while (s.step()) {
        ++n;
        rows.push_back({static_cast<std::uint64_t>(s.column_int64(0)), s.column_bytes(1), s.column_int64(2) != 0});
      }
      if (n > limit) truncated = true;
    }
    if (after_pull_scope_read_) after_pull_scope_read_();
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.seq < b.seq; });
  PullPage page;
  page.cursor = cursor;
  // A page that was cut short may only advance the cursor to the last row it
  // holds: every row at or below it, in every scope, is in this page.
  if (rows.size() > limit) {
    rows.resize(limit);
    truncated = true;
  }
  page.more = truncated;
  for (auto& row : rows) {
    page.cursor = row.seq;
    if (row.prof_only && !professional) continue;
    auto rec = protocol::decode_record(row.body);
    if (!rec) throw StoreError(make_error_code(Errc::corrupt_data), "undecodable record in store");
    page.records.push_back(std::move(*rec));
  }
  if (!page.more) {
    page.cursor = std::max(cursor, last_seq());
  } else {
    // What the device will still receive after this page (for its progress
    // display): its next request asks for every scope from page.cursor.
    auto& c = professional ? st_->count_after : st_->count_visible_after;
    for (const auto& entry : scope_starts) {
      store::ScopedReset rc{c};
      c.bind(1, entry.first).bind(2, static_cast<std::int64_t>(page.cursor));
      if (c.step()) page.remaining += static_cast<std::uint64_t>(c.column_int64(0));
    }
  }
  snapshot.commit();  // read only: ends the snapshot
  return page;
}

std::vector<Record> ServerStore::all_in(std::string_view collection) {
  auto& s = st_->all_in;
  store::ScopedReset r{s};
  s.bind(1, collection);
  std::vector<Record> out;
  while (s.step()) {
    auto rec = protocol::decode_record(s.column_bytes(0));
    if (rec) out.push_back(std::move(*rec));
  }
  return out;
}

std::optional<protocol::OpResult> ServerStore::find_applied(std::string_view op_id, std::string* receipt_line,
                                                            std::string* device_id) {
  auto& s = st_->find_applied;
  store::ScopedReset r{s};
  s.bind(1, op_id);
  if (!s.step()) return std::nullopt;
  protocol::OpResult res;
  res.op_id = std::string(op_id);
  res.kind = static_cast<std::uint8_t>(s.column_int64(0));
  res.error = static_cast<std::uint16_t>(s.column_int64(1));
  res.reason = s.column_text(2);
  if (receipt_line) *receipt_line = s.column_text(3);
  if (device_id) *device_id = s.column_text(4);
  return res;
}

std::optional<std::string> ServerStore::op_at_device_seq(std::string_view device_id, std::uint64_t seq) {
  auto& s = st_->find_applied_by_device_seq;
  store::ScopedReset r{s};
  s.bind(1, device_id).bind(2, static_cast<std::int64_t>(seq));
  if (!s.step()) return std::nullopt;
  return s.column_text(0);
}

void ServerStore::record_applied(const ops::Operation& op, const protocol::OpResult& result, std::uint64_t at_ms,
                                 std::string_view receipt_line) {
  auto& s = st_->insert_applied;
  store::ScopedReset r{s};
  s.bind(1, op.op_id)
      .bind(2, op.device_id)
      .bind(3, static_cast<std::int64_t>(op.seq))
      .bind(4, std::int64_t{result.kind})
      .bind(5, std::int64_t{result.error})
      .bind(6, result.reason)
      .bind(7, static_cast<std::int64_t>(at_ms))
      .bind(8, receipt_line.data() ? receipt_line : std::string_view(""));  // a null view would bind NULL
  s.step();
}

std::uint64_t ServerStore::applied_count() {
  auto& s = st_->count_applied;
  store::ScopedReset r{s};
  s.step();
  return static_cast<std::uint64_t>(s.column_int64(0));
}

std::string ServerStore::meta(std::string_view key) {
  auto& s = st_->get_meta;
  store::ScopedReset r{s};
  s.bind(1, key);
  return s.step() ? s.column_text(0) : std::string();
}

void ServerStore::set_meta(std::string_view key, std::string_view value) {
  store::Upsert(db_, "meta", {"key"}, {"value"}).run([&](Statement& s) { s.bind(1, key).bind(2, value); });
}

}  // namespace psm::server
