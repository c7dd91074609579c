#include "server/store/server_store.hpp"

#include "common/crypto/hash.hpp"
#include "common/crypto/random.hpp"
#include "common/crypto/secure_bytes.hpp"
#include "common/model/ids.hpp"
#include "common/platform/platform.hpp"
#include "common/protocol/codec.hpp"
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

constexpr std::array<std::string_view, 1> kMigrations{kSchemaV1};

// Reads the 32-byte store key, refusing a file others could read.
Result<crypto::SecureBytes> read_key(const fs::path& path, std::string* detail) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (detail) *detail = "no store key at " + path.string() + " (run psm-server init first)";
    return make_error_code(Errc::not_found);
  }
  if ((st.st_mode & 077) != 0) {
    if (detail) *detail = "store key " + path.string() + " is readable by group or others; chmod 600 it";
    return make_error_code(Errc::permission_denied);
  }
  std::ifstream in(path);
  std::string hex;
  in >> hex;
  auto bytes = crypto::from_hex(hex);
  std::fill(hex.begin(), hex.end(), '\0');
  if (!bytes || bytes->size() != 32) {
    if (detail) *detail = "store key " + path.string() + " is not 64 hex digits";
    return make_error_code(Errc::corrupt_data);
  }
  crypto::SecureBytes key(32);
  std::copy(bytes->begin(), bytes->end(), key.data());
  std::fill(bytes->begin(), bytes->end(), std::uint8_t{0});
  return key;
}

}  // namespace

struct ServerStore::Statements {
  Statement get_record, put_record, max_seq, pull_scope, all_in;
  Statement find_applied, insert_applied, count_applied;
  Statement insert_account, find_account, find_account_by_person;
  Statement insert_device, find_device, list_devices, revoke_device, touch_device;
  Statement get_meta, list_in_scope;
  Statement count_after, count_visible_after;
};

ServerStore::ServerStore(store::Database db) : db_(std::move(db)) {}
ServerStore::~ServerStore() = default;

Result<std::unique_ptr<ServerStore>> ServerStore::create(const DataPaths& paths, std::string* detail) {
  std::error_code fs_ec;
  fs::create_directories(paths.root, fs_ec);
  if (fs_ec) {
    if (detail) *detail = "cannot create " + paths.root.string() + ": " + fs_ec.message();
    return make_error_code(Errc::io_error);
  }
  fs::permissions(paths.root, fs::perms::owner_all, fs::perm_options::replace, fs_ec);
  if (fs::exists(paths.store()) || fs::exists(paths.key())) {
    if (detail) *detail = paths.root.string() + " already holds a psm store";
    return make_error_code(Errc::already_exists);
  }
  std::array<std::uint8_t, 32> raw{};
  crypto::random_bytes(raw);
  std::string hex = crypto::to_hex(raw);
  std::fill(raw.begin(), raw.end(), std::uint8_t{0});
  auto ec = platform::write_private_file(paths.key(), hex + "\n", /*exclusive=*/true);
  std::fill(hex.begin(), hex.end(), '\0');
  if (ec) {
    if (detail) *detail = "cannot write " + paths.key().string();
    return ec;
  }
  auto store = open(paths, detail);
  if (!store) return store.error();
  auto& db = (*store)->db_;
  store::Transaction tx(db);
  db.exec("INSERT INTO meta(key, value) VALUES ('epoch', '" + model::new_uuid_v7() + "')");
  tx.commit();
  return store;
}

Result<std::unique_ptr<ServerStore>> ServerStore::open(const DataPaths& paths, std::string* detail) {
  auto key = read_key(paths.key(), detail);
  if (!key) return key.error();
  store::OpenOptions options;
  options.synchronous = "FULL";  // an acknowledged operation survives power loss
  auto db = store::Database::open(paths.store(), key->span(), options);
  if (!db) {
    if (detail) *detail = "cannot open the store " + paths.store().string() + ": " + db.error().message();
    return db.error();
  }
  try {
    store::migrate(*db, kMigrations);
    std::unique_ptr<ServerStore> s(new ServerStore(std::move(*db)));
    s->prepare_statements();
    s->next_seq_ = s->last_seq() + 1;
    return s;
  } catch (const store::StoreError& e) {
    if (detail) *detail = e.what();
    return e.code();
  }
}

void ServerStore::prepare_statements() {
  st_ = std::make_unique<Statements>(Statements{
      db_.prepare("SELECT body FROM records WHERE collection = ?1 AND id = ?2"),
      db_.prepare("INSERT OR REPLACE INTO records(collection, id, scope, professionals_only, seq, body) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
      db_.prepare("SELECT coalesce(max(seq), 0) FROM records"),
      db_.prepare("SELECT seq, body, professionals_only FROM records WHERE scope = ?1 AND seq > ?2 "
                  "ORDER BY seq LIMIT ?3"),
      db_.prepare("SELECT body FROM records WHERE collection = ?1 ORDER BY id"),
      db_.prepare("SELECT kind, error, reason FROM applied_ops WHERE op_id = ?1"),
      db_.prepare("INSERT INTO applied_ops(op_id, device_id, device_seq, kind, error, reason, applied_at_ms) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
      db_.prepare("SELECT count(*) FROM applied_ops"),
      db_.prepare("INSERT INTO accounts(username, person_id, role, display_name, password_hash) "
                  "VALUES (?1, ?2, ?3, ?4, ?5)"),
      db_.prepare("SELECT username, person_id, role, display_name, password_hash FROM accounts WHERE username = ?1"),
      db_.prepare("SELECT username, person_id, role, display_name, password_hash FROM accounts WHERE person_id = ?1"),
      db_.prepare("INSERT INTO devices(device_id, username, name, token_hash, enrolled_at_ms, last_seen_ms, revoked) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
      db_.prepare("SELECT device_id, username, name, token_hash, enrolled_at_ms, last_seen_ms, revoked "
                  "FROM devices WHERE device_id = ?1"),
      db_.prepare("SELECT device_id, username, name, token_hash, enrolled_at_ms, last_seen_ms, revoked "
                  "FROM devices ORDER BY enrolled_at_ms, device_id"),
      db_.prepare("UPDATE devices SET revoked = 1 WHERE device_id = ?1"),
      db_.prepare("UPDATE devices SET last_seen_ms = ?2 WHERE device_id = ?1"),
      db_.prepare("SELECT value FROM meta WHERE key = ?1"),
      db_.prepare("SELECT body FROM records WHERE scope = ?1 AND collection = ?2 ORDER BY id"),
      // Counted on the (scope, seq) index alone; the carer's variant must read
      // each row, and carers' scopes are small.
      db_.prepare("SELECT count(*) FROM records WHERE scope = ?1 AND seq > ?2"),
      db_.prepare("SELECT count(*) FROM records WHERE scope = ?1 AND seq > ?2 AND professionals_only = 0"),
  });
}

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
  return d;
}
}  // namespace

error_code ServerStore::add_account(const Account& a) {
  auto& s = st_->insert_account;
  store::ScopedReset r{s};
  try {
    s.bind(1, a.username).bind(2, a.person_id).bind(3, model::to_string(a.role)).bind(4, a.display_name)
        .bind(5, a.password_hash);
    s.step();
    return {};
  } catch (const store::StoreError& e) {
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
  s.bind(1, d.device_id).bind(2, d.username).bind(3, d.name).bind(4, d.token_hash)
      .bind(5, static_cast<std::int64_t>(d.enrolled_at_ms)).bind(6, static_cast<std::int64_t>(d.last_seen_ms))
      .bind(7, std::int64_t{d.revoked ? 1 : 0});
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

bool ServerStore::revoke_device(std::string_view device_id) {
  auto& s = st_->revoke_device;
  store::ScopedReset r{s};
  s.bind(1, device_id);
  s.step();
  return db_.changes() > 0;
}

void ServerStore::touch_device(std::string_view device_id, std::uint64_t now_ms) {
  // When a device was last seen is not worth an fsync: losing the newest value
  // to a power cut is harmless, while every sync would otherwise wait for one
  // (~7 ms on the development machine, most of a 10-change delta sync), one
  // device after another on the store thread. This commit is left unsynced; in
  // WAL mode the next synchronous commit (any push) makes it durable together
  // with everything before it.
  // Called outside a transaction (each authentication commits on its own).
  // Setting the pragma only sets a flag on the connection; if putting FULL back
  // ever failed, the StoreError reaches the session edge like any other.
  db_.exec("PRAGMA synchronous = NORMAL");
  try {
    auto& s = st_->touch_device;
    store::ScopedReset r{s};
    s.bind(1, device_id).bind(2, static_cast<std::int64_t>(now_ms));
    s.step();
  } catch (...) {
    db_.exec("PRAGMA synchronous = FULL");
    throw;
  }
  db_.exec("PRAGMA synchronous = FULL");
}

std::optional<Record> ServerStore::get(std::string_view collection, std::string_view id) const {
  auto& s = st_->get_record;
  store::ScopedReset r{s};
  s.bind(1, collection).bind(2, id);
  if (!s.step()) return std::nullopt;
  auto rec = protocol::decode_record(s.column_bytes(0));
  if (!rec) throw store::StoreError(make_error_code(Errc::corrupt_data), "undecodable record in store");
  return std::move(*rec);
}

std::vector<Record> ServerStore::list_in_scope(std::string_view collection, std::string_view scope) const {
  auto& s = st_->list_in_scope;
  store::ScopedReset r{s};
  s.bind(1, scope).bind(2, collection);
  std::vector<Record> out;
  while (s.step()) {
    auto rec = protocol::decode_record(s.column_bytes(0));
    if (!rec) throw store::StoreError(make_error_code(Errc::corrupt_data), "undecodable record in store");
    out.push_back(std::move(*rec));
  }
  return out;
}

void ServerStore::put(const Record& rec) {
  // Another process (an admin command: import, escalate) may have written
  // since; callers hold a write transaction, so max(seq) cannot move under us.
  next_seq_ = std::max(next_seq_, last_seq() + 1);
  auto& s = st_->put_record;
  store::ScopedReset r{s};
  const std::string body = protocol::encode_record(rec);
  s.bind(1, rec.collection).bind(2, rec.id).bind(3, rec.scope)
      .bind(4, std::int64_t{rec.professionals_only ? 1 : 0})
      .bind(5, static_cast<std::int64_t>(next_seq_)).bind_bytes(6, body);
  s.step();
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
  auto& s = st_->pull_scope;
  for (const auto& [scope, start] : scope_starts) {
    store::ScopedReset r{s};
    s.bind(1, scope).bind(2, static_cast<std::int64_t>(start)).bind(3, static_cast<std::int64_t>(limit + 1));
    std::size_t n = 0;
    while (s.step()) {
      ++n;
      rows.push_back({static_cast<std::uint64_t>(s.column_int64(0)), s.column_bytes(1),
                      s.column_int64(2) != 0});
    }
    if (n > limit) truncated = true;
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
    if (!rec) throw store::StoreError(make_error_code(Errc::corrupt_data), "undecodable record in store");
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

std::optional<protocol::OpResult> ServerStore::find_applied(std::string_view op_id) {
  auto& s = st_->find_applied;
  store::ScopedReset r{s};
  s.bind(1, op_id);
  if (!s.step()) return std::nullopt;
  protocol::OpResult res;
  res.op_id = std::string(op_id);
  res.kind = static_cast<std::uint8_t>(s.column_int64(0));
  res.error = static_cast<std::uint16_t>(s.column_int64(1));
  res.reason = s.column_text(2);
  return res;
}

void ServerStore::record_applied(const ops::Operation& op, const protocol::OpResult& result, std::uint64_t at_ms) {
  auto& s = st_->insert_applied;
  store::ScopedReset r{s};
  s.bind(1, op.op_id).bind(2, op.device_id).bind(3, static_cast<std::int64_t>(op.seq))
      .bind(4, std::int64_t{result.kind}).bind(5, std::int64_t{result.error}).bind(6, result.reason)
      .bind(7, static_cast<std::int64_t>(at_ms));
  s.step();
}

std::uint64_t ServerStore::applied_count() {
  auto& s = st_->count_applied;
  store::ScopedReset r{s};
  s.step();
  return static_cast<std::uint64_t>(s.column_int64(0));
}

policy::ReferenceData ServerStore::load_reference_data() {
  policy::ReferenceData ref;
  for (auto c : {model::collection::kPeople, model::collection::kHouseholds, model::collection::kChildren,
                 model::collection::kPlacements}) {
    for (const auto& rec : all_in(c)) ref.upsert(rec);
  }
  return ref;
}

std::string ServerStore::epoch() {
  auto& s = st_->get_meta;
  store::ScopedReset r{s};
  s.bind(1, std::string_view("epoch"));
  return s.step() ? s.column_text(0) : std::string();
}

}  // namespace psm::server
