// Over 400 lines because it is the whole of what database.hpp declares, one
// thin layer over SQLCipher's C API: opening with a raw key, rekey and backup
// and the statements share the raw-handle helpers and the SQLite error mapping
// below; the allocator that wipes what SQLite frees is the one other part.
#include "common/store/database.hpp"

#include "common/crypto/secure_bytes.hpp"

#include <sqlcipher/sqlite3.h>

#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

namespace psm::store {
namespace {

// Closes a connection on every early return in open()/backup_to().
struct ConnectionGuard {
  sqlite3* db = nullptr;
  ~ConnectionGuard() {
    if (db != nullptr) sqlite3_close_v2(db);
  }
  sqlite3* release() noexcept { return std::exchange(db, nullptr); }
};

std::string sqlite_message(sqlite3* db, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return message;
}

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view what) {
  throw StoreError(error_from_sqlite(rc), sqlite_message(db, what));
}

// Runs parameterless SQL, returning SQLite's code instead of throwing: open()
// must report through Result.
int exec_rc(sqlite3* db, const std::string& sql) { return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr); }

// The raw-key form x'<64 hex>' makes SQLCipher use the bytes as the key
// directly, skipping its per-open PBKDF2: our keys are already random.
// The text is built in a SecureBytes so it is wiped on every path.
int apply_key(sqlite3* db, std::span<const std::uint8_t> key, bool rekey) {
  static constexpr char kDigits[] = "0123456789abcdef";
  crypto::SecureBytes text(3 + 2 * key.size());
  std::size_t at = 0;
  text[at++] = 'x';
  text[at++] = '\'';
  for (std::uint8_t b : key) {
    text[at++] = static_cast<std::uint8_t>(kDigits[b >> 4]);
    text[at++] = static_cast<std::uint8_t>(kDigits[b & 0x0f]);
  }
  text[at++] = '\'';
  const int length = static_cast<int>(text.size());
  return rekey ? sqlite3_rekey(db, text.data(), length) : sqlite3_key(db, text.data(), length);
}

// PRAGMA journal_mode reports the resulting mode rather than failing when
// the change is refused, so the outcome has to be read back.
bool journal_mode_is(sqlite3* db, std::string_view expected) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr) != SQLITE_OK) return false;
  bool matches = false;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    matches = mode != nullptr && expected == mode;
  }
  sqlite3_finalize(stmt);
  return matches;
}

bool options_valid(const OpenOptions& options) {
  const int page = options.cipher_page_size;
  const bool page_ok = page >= 512 && page <= 65536 && (page & (page - 1)) == 0;
  const bool sync_ok = options.synchronous == "OFF" || options.synchronous == "NORMAL" ||
                       options.synchronous == "FULL" || options.synchronous == "EXTRA";
  const bool busy_ok = options.busy_timeout.count() >= 0 && options.busy_timeout.count() <= INT_MAX;
  return page_ok && sync_ok && busy_ok;
}

void remove_with_sidecars(const std::filesystem::path& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::path p = path;
    p += suffix;
    std::filesystem::remove(p, ignored);
  }
}

}  // namespace

error_code error_from_sqlite(int sqlite_code) noexcept {
  switch (sqlite_code & 0xff) {
    case SQLITE_OK:
      return {};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return make_error_code(Errc::busy);
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return make_error_code(Errc::io_error);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return make_error_code(Errc::corrupt_data);
    case SQLITE_CONSTRAINT:
      // Only a duplicate key means "already exists"; a failed CHECK, NOT NULL
      // or foreign key means the caller passed something invalid.
      switch (sqlite_code) {
        case SQLITE_CONSTRAINT:
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
        case SQLITE_CONSTRAINT_ROWID:
          return make_error_code(Errc::already_exists);
        default:
          return make_error_code(Errc::invalid_argument);
      }
    default:
      return make_error_code(Errc::internal);
  }
}

// ---- Wiping what SQLite frees ----------------------------------------------

namespace {

// SQLite's own allocator, which the wiping one wraps. Written once, before
// SQLite is initialised again with the wrapper, and only read afterwards.
sqlite3_mem_methods g_sqlite_memory{};
std::atomic<std::uint64_t> g_wiped_bytes{0};
std::mutex g_wipe_setup;
bool g_wiping = false;  // guarded by g_wipe_setup

void wipe_block(void* p) {
  const int size = g_sqlite_memory.xSize(p);
  if (size <= 0) return;
  OPENSSL_cleanse(p, static_cast<std::size_t>(size));
  g_wiped_bytes.fetch_add(static_cast<std::uint64_t>(size), std::memory_order_relaxed);
}
void* wiping_malloc(int n) { return g_sqlite_memory.xMalloc(n); }
void wiping_free(void* p) {
  if (!p) return;
  wipe_block(p);
  g_sqlite_memory.xFree(p);
}
// A realloc that moved the block would leave the old one unwiped: always
// copy into a new block and wipe the old one.
void* wiping_realloc(void* p, int n) {
  if (!p) return g_sqlite_memory.xMalloc(n);
  void* moved = g_sqlite_memory.xMalloc(n);
  if (!moved) return nullptr;
  std::memcpy(moved, p, static_cast<std::size_t>(std::min(g_sqlite_memory.xSize(p), n)));
  wiping_free(p);
  return moved;
}
int wiping_size(void* p) { return g_sqlite_memory.xSize(p); }
int wiping_roundup(int n) { return g_sqlite_memory.xRoundup(n); }
int wiping_init(void* app) { return g_sqlite_memory.xInit(app); }
void wiping_shutdown(void* app) { g_sqlite_memory.xShutdown(app); }

}  // namespace

error_code wipe_memory_when_freed() {
  std::lock_guard lock(g_wipe_setup);
  if (g_wiping) return {};
  // Allocators can be changed only while SQLite is shut down.
  if (sqlite3_shutdown() != SQLITE_OK) return make_error_code(Errc::busy);
  sqlite3_mem_methods current{};
  if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &current) != SQLITE_OK) {
    sqlite3_initialize();
    return make_error_code(Errc::busy);
  }
  g_sqlite_memory = current;
  sqlite3_mem_methods wiping{wiping_malloc,  wiping_free, wiping_realloc,  wiping_size,
                             wiping_roundup, wiping_init, wiping_shutdown, nullptr};
  const int rc = sqlite3_config(SQLITE_CONFIG_MALLOC, &wiping);
  sqlite3_initialize();
  if (rc != SQLITE_OK) return make_error_code(Errc::busy);
  g_wiping = true;
  return {};
}

std::uint64_t memory_wiped_bytes() noexcept { return g_wiped_bytes.load(std::memory_order_relaxed); }

// ---- Database -------------------------------------------------------------

Result<Database> Database::open(const std::filesystem::path& path, std::span<const std::uint8_t> key,
                                const OpenOptions& options) {
  if (key.size() != kDatabaseKeyBytes || !options_valid(options)) {
    return make_error_code(Errc::invalid_argument);
  }
  std::error_code fs_error;
  if (!options.create && !std::filesystem::exists(path, fs_error)) {
    return make_error_code(fs_error ? Errc::io_error : Errc::not_found);
  }

  if (options.create && !path.empty() && path != ":memory:") {
    // A new database file is its owner's alone from the start (SQLite would
    // create it, and its -wal and -shm after it, with the process umask:
    // usually 0644). SQLite gives the journal files the main file's mode.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) ::close(fd);
  }

  ConnectionGuard guard;
  const int flags = SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &guard.db, flags, nullptr);
  if (rc != SQLITE_OK) return error_from_sqlite(rc);
  sqlite3* const db = guard.db;
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));

  rc = apply_key(db, key, /*rekey=*/false);
  if (rc != SQLITE_OK) return error_from_sqlite(rc);
  // The page size is not stored in the file, so it must be set before the
  // first read, on every open.
  rc = exec_rc(db, "PRAGMA cipher_page_size = " + std::to_string(options.cipher_page_size));
  if (rc != SQLITE_OK) return error_from_sqlite(rc);

  // SQLCipher only tries the key when a page is first read. Read the schema
  // now, before any pragma that could write (journal_mode), so a wrong key
  // is reported here and leaves the file exactly as it was.
  rc = exec_rc(db, "SELECT count(*) FROM sqlite_master");
  if ((rc & 0xff) == SQLITE_NOTADB) return make_error_code(Errc::wrong_passphrase);
  if (rc != SQLITE_OK) return error_from_sqlite(rc);

  // temp_store=MEMORY: SQLCipher does not encrypt temporary files, so sorts,
  // temp tables and indices must never spill to disk.
  const std::string pragmas = std::string("PRAGMA temp_store = MEMORY;") +
                              "PRAGMA journal_mode = " + (options.wal ? "WAL" : "DELETE") + ";" +
                              "PRAGMA synchronous = " + options.synchronous + ";" + "PRAGMA foreign_keys = ON;" +
                              "PRAGMA cache_size = " + std::to_string(options.cache_pages) + ";";
  rc = exec_rc(db, pragmas);
  if (rc != SQLITE_OK) return error_from_sqlite(rc);

  return Database(guard.release(), options);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), options_(std::move(other.options_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    options_ = std::move(other.options_);
  }
  return *this;
}

Database::~Database() { close(); }

void Database::close() noexcept {
  // close_v2 defers the real close until outstanding statements are
  // finalized, so destruction order between Database and Statement is free.
  if (db_ != nullptr) sqlite3_close_v2(std::exchange(db_, nullptr));
}

void Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string what = "exec: ";
    what += message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw StoreError(error_from_sqlite(rc), what);
  }
}

Statement Database::prepare(std::string_view sql) {
  if (sql.size() > static_cast<std::size_t>(INT_MAX)) {
    throw StoreError(make_error_code(Errc::invalid_argument), "prepare: SQL too long");
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
  if (rc != SQLITE_OK) throw_sqlite(db_, rc, "prepare");
  Statement statement(stmt);
  if (stmt == nullptr) throw StoreError(make_error_code(Errc::internal), "prepare: no SQL statement");
  // A second statement would be silently ignored; refuse it instead.
  const std::string_view rest = sql.substr(static_cast<std::size_t>(tail - sql.data()));
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    throw StoreError(make_error_code(Errc::internal), "prepare: more than one SQL statement");
  }
  return statement;
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int Database::changes() const { return sqlite3_changes(db_); }

// ---- Upsert -----------------------------------------------------------------

Upsert::Upsert(Database& db, std::string_view table, std::initializer_list<std::string_view> keys,
               std::initializer_list<std::string_view> values) {
  std::string set, where, columns, params;
  int index = 0;
  for (const auto key : keys) {
    ++index;
    where += (where.empty() ? "" : " AND ") + std::string(key) + " = ?" + std::to_string(index);
    columns += (columns.empty() ? "" : ", ") + std::string(key);
    params += (params.empty() ? "?" : ", ?") + std::to_string(index);
  }
  for (const auto value : values) {
    ++index;
    set += (set.empty() ? "" : ", ") + std::string(value) + " = ?" + std::to_string(index);
    columns += ", " + std::string(value);
    params += ", ?" + std::to_string(index);
  }
  const std::string name(table);
  update_ = db.prepare("UPDATE OR FAIL " + name + " SET " + set + " WHERE " + where);
  insert_ = db.prepare("INSERT OR FAIL INTO " + name + "(" + columns + ") VALUES (" + params + ")");
}

int Upsert::changes() const { return sqlite3_changes(sqlite3_db_handle(update_.handle())); }

int Database::user_version() {
  Statement statement = prepare("PRAGMA user_version");
  if (!statement.step()) throw StoreError(make_error_code(Errc::internal), "user_version: no row");
  return static_cast<int>(statement.column_int64(0));
}

void Database::set_user_version(int version) { exec("PRAGMA user_version = " + std::to_string(version)); }

Result<void> Database::rekey(std::span<const std::uint8_t> new_key) {
  if (new_key.size() != kDatabaseKeyBytes) return make_error_code(Errc::invalid_argument);
  // Rekeying in WAL mode would leave older WAL frames under the old key, which
  // a crash before the next checkpoint would make unreadable. So fold the WAL
  // into the main file and rekey in rollback-journal mode. Leaving WAL mode
  // fails with SQLITE_BUSY while other connections are open, which is also
  // what keeps them from reading pages under a key they no longer hold.
  if (options_.wal) {
    int rc = exec_rc(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (rc == SQLITE_OK) rc = exec_rc(db_, "PRAGMA journal_mode = DELETE");
    if (rc != SQLITE_OK) return error_from_sqlite(rc);
    if (!journal_mode_is(db_, "delete")) return make_error_code(Errc::busy);
  }
  const int rc = apply_key(db_, new_key, /*rekey=*/true);
  // Back to WAL whether or not the rekey worked, so the connection keeps its configuration.
  const int wal_rc = options_.wal ? exec_rc(db_, "PRAGMA journal_mode = WAL") : SQLITE_OK;
  if (rc != SQLITE_OK) return error_from_sqlite(rc);
  if (wal_rc != SQLITE_OK) return error_from_sqlite(wal_rc);
  return {};
}

error_code Database::backup_to(const std::filesystem::path& dest, std::span<const std::uint8_t> key) {
  std::filesystem::path partial = dest;
  partial += ".partial";
  remove_with_sidecars(partial);

  OpenOptions dest_options = options_;
  dest_options.create = true;
  // A rollback journal leaves the finished copy in a single file to rename.
  dest_options.wal = false;
  auto out = Database::open(partial, key, dest_options);
  if (!out) return out.error();

  sqlite3_backup* backup = sqlite3_backup_init(out->db_, "main", db_, "main");
  if (backup == nullptr) {
    const error_code ec = error_from_sqlite(sqlite3_errcode(out->db_));
    out->close();
    remove_with_sidecars(partial);
    return ec ? ec : make_error_code(Errc::internal);
  }
  // Copy everything in one step: one consistent snapshot, and with WAL the
  // source's writers are not blocked while it runs. Retry while locked.
  const auto deadline = std::chrono::steady_clock::now() + options_.busy_timeout;
  int rc = SQLITE_OK;
  while (true) {
    rc = sqlite3_backup_step(backup, -1);
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    break;
  }
  const int finish_rc = sqlite3_backup_finish(backup);
  rc = rc == SQLITE_DONE ? finish_rc : rc;
  out->close();
  if (rc != SQLITE_OK) {
    remove_with_sidecars(partial);
    return error_from_sqlite(rc);
  }

  std::error_code fs_error;
  std::filesystem::rename(partial, dest, fs_error);
  if (fs_error) {
    remove_with_sidecars(partial);
    return make_error_code(Errc::io_error);
  }
  return {};
}

// ---- Statement ------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

namespace {

void check_bind(sqlite3_stmt* stmt, int rc) {
  if (rc != SQLITE_OK) throw_sqlite(sqlite3_db_handle(stmt), rc, "bind");
}

}  // namespace

Statement& Statement::bind(int index, std::int64_t value) {
  check_bind(stmt_, sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  check_bind(stmt_, sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind_blob(int index, std::span<const std::uint8_t> blob) {
  // A null pointer would bind NULL; an empty blob must stay an empty blob.
  static constexpr std::uint8_t kEmpty = 0;
  const void* data = blob.empty() ? &kEmpty : static_cast<const void*>(blob.data());
  check_bind(stmt_, sqlite3_bind_blob64(stmt_, index, data, blob.size(), SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::bind_null(int index) {
  check_bind(stmt_, sqlite3_bind_null(stmt_, index));
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* const db = sqlite3_db_handle(stmt_);
  const std::string message = sqlite_message(db, "step");
  // Leave the statement ready to run again; bindings are kept.
  sqlite3_reset(stmt_);
  throw StoreError(error_from_sqlite(rc), message);
}

std::int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int length = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr || length <= 0) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(length));
}

std::vector<std::uint8_t> Statement::column_blob(int column) const {
  const auto* blob = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  const int length = sqlite3_column_bytes(stmt_, column);
  if (blob == nullptr || length <= 0) return {};
  return {blob, blob + length};
}

bool Statement::column_is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

void Statement::reset() {
  // sqlite3_reset repeats the last step's error, which step() already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

ScopedReset::~ScopedReset() {
  try {
    statement_.reset();
  } catch (...) {
    // reset() reports the last step's error again; that error was already
    // thrown to whoever ran the step.
  }
}

}  // namespace psm::store
