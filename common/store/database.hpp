// A small RAII wrapper over SQLCipher (SQLite with page-level AES encryption).
//
// This module only runs SQL; the SQL itself lives in each side's store layer.
// Everything a Database writes is encrypted: the main file and WAL by
// SQLCipher, and temporary tables and indices are kept in memory
// (temp_store=MEMORY), so no plaintext ever reaches the disk.
//
// Threading: a Database and its Statements belong to one thread at a time.
// Use one connection per thread (SQLite handles the locking between them).
//
// Errors: Database::open() and the key operations return error codes; exec,
// prepare, step and bind throw psm::StoreError (common/error.hpp), whose message is SQLite's (which
// names tables and constraints, never bound values) and never contains a key.
#pragma once

#include "common/error.hpp"

#include <chrono>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace psm::store {

inline constexpr std::size_t kDatabaseKeyBytes = 32;

// exec/prepare/step/bind throw psm::StoreError (common/error.hpp), with the
// codes documented there.

// Maps a (possibly extended) SQLite result code to the project's codes, as
// documented on psm::StoreError.
error_code error_from_sqlite(int sqlite_code) noexcept;

// Makes SQLite overwrite every block of memory it gives back (the decrypted
// pages of its cache, rows read) before the C library can reuse it, so once a
// connection is closed nothing it read stays in this process's memory.
// Process-wide, for the rest of the process's life. Call it before any
// database is opened (it restarts SQLite, which cannot tell whether a
// connection is open); Errc::busy if SQLite refused the change, which is then
// not made. Calling it again does nothing. Costs one memset per free. SQLCipher 4 calls this cipher_memory_security;
// SQLCipher 3.4 (Debian's) wipes only its own key material.
error_code wipe_memory_when_freed();
// Bytes wiped so far by that allocator (0 when it is not in use).
std::uint64_t memory_wiped_bytes() noexcept;

struct OpenOptions {
  // Create the file if it does not exist; otherwise a missing file is Errc::not_found.
  bool create = true;
  // Must be the same on every open of a given file (it is not stored in it).
  int cipher_page_size = 4096;
  bool wal = true;
  // One of OFF, NORMAL, FULL, EXTRA. NORMAL with WAL is durable across
  // application crashes and may lose the last commits on power loss.
  std::string synchronous = "NORMAL";
  // PRAGMA cache_size: positive = pages, negative = KiB.
  int cache_pages = 4000;
  std::chrono::milliseconds busy_timeout{5000};
};

class Statement;

class Database {
 public:
  // Opens (or creates) the encrypted database at `path` with a raw 32-byte key
  // (no per-open key derivation: the key is already strong). The key is
  // checked by reading the schema before anything is written, so a wrong key
  // leaves the file untouched. Errors:
  //   Errc::invalid_argument  key not 32 bytes, or an option out of range
  //   Errc::not_found         the file does not exist and options.create is false
  //   Errc::wrong_passphrase  the key does not open the file (or it is not a
  //                           SQLCipher database at all: they look the same)
  //   Errc::corrupt_data / io_error / busy   as in error_from_sqlite()
  static Result<Database> open(const std::filesystem::path& path, std::span<const std::uint8_t> key,
                               const OpenOptions& options = {});

  Database() = default;
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more `;`-separated statements that take no parameters.
  void exec(std::string_view sql);
  // Prepares one statement; prepare once and reuse with Statement::reset().
  Statement prepare(std::string_view sql);

  std::int64_t last_insert_rowid() const;
  // Rows changed by the most recent INSERT/UPDATE/DELETE.
  int changes() const;

  int user_version();
  void set_user_version(int version);

  // Re-encrypts the whole database under `new_key` (PRAGMA rekey). Takes time
  // proportional to the file size and needs this to be the only open
  // connection to the file (Errc::busy otherwise): other connections would be
  // left holding the old key. The connection stays open and usable with the
  // new key. Errc::invalid_argument for a key that is not 32 bytes.
  Result<void> rekey(std::span<const std::uint8_t> new_key);

  // Writes a consistent, encrypted copy of this database to `dest` under
  // `key` (which may differ from this database's key), using the online backup
  // API so other connections may keep writing meanwhile. The copy is written
  // to `dest` + ".partial" and renamed into place, so `dest` is either the old
  // file or a complete backup. Returns an empty code on success.
  error_code backup_to(const std::filesystem::path& dest, std::span<const std::uint8_t> key);

  // The raw handle, for what this wrapper does not cover. Still owned here.
  sqlite3* handle() const noexcept { return db_; }
  bool is_open() const noexcept { return db_ != nullptr; }

  // Closes the connection. Statements still alive keep the underlying
  // connection open until they are destroyed (sqlite3_close_v2).
  void close() noexcept;

 private:
  explicit Database(sqlite3* db, OpenOptions options) : db_(db), options_(std::move(options)) {}

  sqlite3* db_ = nullptr;
  OpenOptions options_;
};

class Statement;

// Resets a prepared statement when it goes out of scope, so a statement
// prepared once is ready for its next use whichever way this one ended.
class ScopedReset {
 public:
  explicit ScopedReset(Statement& statement) : statement_(statement) {}
  ~ScopedReset();
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  Statement& statement_;
};

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite. Values are copied (SQLITE_TRANSIENT).
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind_blob(int index, std::span<const std::uint8_t> blob);
  // A blob whose bytes are held in a string (encoded records and operations).
  Statement& bind_bytes(int index, std::string_view bytes) {
    return bind_blob(index, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
  }
  Statement& bind_null(int index);

  // Binds args to parameters 1..N. Accepts integers, strings, byte vectors and
  // spans (as blobs), std::nullopt / nullptr (as NULL) and std::optional of these.
  template <class... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind_value(++index, args), ...);
    return *this;
  }

  // Runs the statement one step: true when a row is available, false when done.
  bool step();

  // Column accessors are 0-based and valid only after step() returned true.
  std::int64_t column_int64(int column) const;
  std::string column_text(int column) const;
  std::vector<std::uint8_t> column_blob(int column) const;
  // A blob column's bytes as a string (for the codec).
  std::string column_bytes(int column) const {
    auto blob = column_blob(column);
    return std::string(reinterpret_cast<const char*>(blob.data()), blob.size());
  }
  bool column_is_null(int column) const;

  // Resets to run again and clears all bindings.
  void reset();

  sqlite3_stmt* handle() const noexcept { return stmt_; }

 private:
  friend class Database;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}

  template <class T>
  void bind_value(int index, const T& value) {
    if constexpr (std::is_same_v<T, std::nullopt_t> || std::is_same_v<T, std::nullptr_t>) {
      bind_null(index);
    } else if constexpr (std::is_same_v<T, bool>) {
      bind(index, std::int64_t{value ? 1 : 0});
    } else if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
      // Unsigned 64-bit values above INT64_MAX do not fit SQLite's integers.
      static_assert(!std::is_same_v<T, std::uint64_t>, "bind a uint64_t explicitly after range-checking");
      bind(index, static_cast<std::int64_t>(value));
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      bind(index, std::string_view(value));
    } else if constexpr (std::is_convertible_v<const T&, std::span<const std::uint8_t>>) {
      bind_blob(index, std::span<const std::uint8_t>(value));
    } else if constexpr (requires {
                           value.has_value();
                           *value;
                         }) {
      if (value.has_value()) {
        bind_value(index, *value);
      } else {
        bind_null(index);
      }
    } else {
      static_assert(sizeof(T) == 0, "bind_all: unsupported argument type");
    }
  }

  sqlite3_stmt* stmt_ = nullptr;
};

// Writes one row whether or not its key exists: UPDATE OR FAIL by the key,
// then INSERT OR FAIL when no row matched.
//
// Why not INSERT OR REPLACE, or a plain UPDATE: SQLite runs a statement that
// may write several b-trees and may abort part-way (REPLACE; any UPDATE of a
// table with a NOT NULL or UNIQUE column) with a statement journal, and
// SQLCipher encrypts every page written to that journal, even in memory. That
// was about three extra page encryptions per row written — most of the cost
// of a push or a pull (docs/performance.md). With OR FAIL no statement journal
// is needed. For a one-row statement OR FAIL and the default ABORT leave the
// same result, because SQLite checks a row's constraints before writing it;
// and every write here runs inside a Transaction that is rolled back on error.
//
// Both statements take the same parameters: the key columns (?1..?k), then the
// value columns. `bind` is called with each statement to bind them.
class Upsert {
 public:
  Upsert() = default;
  Upsert(Database& db, std::string_view table, std::initializer_list<std::string_view> keys,
         std::initializer_list<std::string_view> values);

  template <class Bind>
  void run(Bind&& bind) {
    {
      ScopedReset r{update_};
      bind(update_);
      update_.step();
    }
    if (changes() > 0) return;
    ScopedReset r{insert_};
    bind(insert_);
    insert_.step();
  }

 private:
  int changes() const;

  Statement update_;
  Statement insert_;
};

}  // namespace psm::store
