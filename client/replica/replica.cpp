#include "client/replica/replica.hpp"

#include "common/crypto/key_wrap.hpp"
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

namespace psm::client {

namespace fs = std::filesystem;
using model::Record;
using store::Statement;

namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE base (collection TEXT NOT NULL, id TEXT NOT NULL, scope TEXT NOT NULL, body BLOB NOT NULL,
                   PRIMARY KEY (collection, id));
CREATE TABLE view (collection TEXT NOT NULL, id TEXT NOT NULL, scope TEXT NOT NULL, body BLOB NOT NULL,
                   PRIMARY KEY (collection, id));
CREATE INDEX base_by_scope ON base(scope);
CREATE INDEX view_by_scope ON view(scope);
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY,
  op_id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  error INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  body BLOB NOT NULL,
  touched TEXT NOT NULL,
  settled INTEGER NOT NULL DEFAULT 0  -- 1 once the view of what it touched is back to server state
);
CREATE INDEX outbox_by_state ON outbox(state, seq);
)sql";
// Version 2: the operations whose effects have not yet given way to server
// state, found without reading the whole outbox history at the end of every pull.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE INDEX outbox_unsettled ON outbox(seq) WHERE settled = 0;
)sql";
// Version 3: the server's signed receipts (docs/security.md, *Receipts*): the
// keys it signs with, each signed statement, and which operation each line is for.
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE receipt_keys (key_id TEXT PRIMARY KEY, public_key BLOB NOT NULL);
CREATE TABLE receipts (
  id INTEGER PRIMARY KEY,
  key_id TEXT NOT NULL,
  statement BLOB NOT NULL,
  signature BLOB NOT NULL
);
CREATE TABLE op_receipts (
  op_id TEXT PRIMARY KEY,
  receipt_id INTEGER NOT NULL REFERENCES receipts(id),
  subject TEXT NOT NULL,
  children TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL,
  line TEXT NOT NULL
);
CREATE INDEX op_receipts_by_time ON op_receipts(received_at_ms);
)sql";
constexpr std::array<std::string_view, 3> kMigrations{kSchemaV1, kSchemaV2, kSchemaV3};

constexpr OpState kAllStates[] = {OpState::queued, OpState::sent, OpState::accepted, OpState::conflict,
                                  OpState::rejected};

OpState parse_state(std::string_view s) {
  for (auto st : kAllStates) {
    if (to_string(st) == s) return st;
  }
  return OpState::queued;
}

std::string join_touched(const std::vector<std::pair<std::string, std::string>>& ids) {
  std::string out;
  for (const auto& [c, id] : ids) {
    out += c;
    out += '/';
    out += id;
    out += '\n';
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> split_touched(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    auto slash = line.find('/');
    if (slash != std::string_view::npos) out.emplace_back(line.substr(0, slash), line.substr(slash + 1));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// PRAGMA quick_check reads every page (SQLCipher checks each page's MAC) and
// every b-tree: a truncated or damaged file is caught here, before anything
// is written, so a damaged replica is reported and left exactly as it was.
// It costs a read of the whole file, a few milliseconds for a device's replica.
bool intact(store::Database& db) {
  auto check = db.prepare("PRAGMA quick_check(1)");
  return check.step() && check.column_text(0) == "ok";
}

}  // namespace

std::string_view to_string(OpState s) {
  switch (s) {
    case OpState::queued:
      return "queued";
    case OpState::sent:
      return "sent";
    case OpState::accepted:
      return "accepted";
    case OpState::conflict:
      return "conflict";
    case OpState::rejected:
      return "rejected";
  }
  return "queued";
}

// Every statement of the replica, prepared once when it opens: each name sits
// beside its SQL, so finding the SQL behind `st_->name` is one search for
// "name{" or "name =". Members are prepared in the order written.
struct Replica::Statements {
  explicit Statements(store::Database& database) : db(database) {}
  store::Database& db;

  Statement get_meta = db.prepare("SELECT value FROM meta WHERE key = ?1");
  store::Upsert set_meta{db, "meta", {"key"}, {"value"}};
  Statement get_view = db.prepare("SELECT body FROM view WHERE collection = ?1 AND id = ?2");
  store::Upsert put_view{db, "view", {"collection", "id"}, {"scope", "body"}};
  Statement del_view = db.prepare("DELETE FROM view WHERE collection = ?1 AND id = ?2");
  Statement list_view = db.prepare("SELECT body FROM view WHERE collection = ?1 ORDER BY id");
  Statement count_view = db.prepare("SELECT count(*) FROM view");
  Statement get_base = db.prepare("SELECT body FROM base WHERE collection = ?1 AND id = ?2");
  store::Upsert put_base{db, "base", {"collection", "id"}, {"scope", "body"}};
  Statement purge_base = db.prepare("DELETE FROM base WHERE scope = ?1");
  Statement purge_view = db.prepare("DELETE FROM view WHERE scope = ?1");
  Statement insert_outbox = db.prepare(
      "INSERT INTO outbox(seq, op_id, kind, state, created_at_ms, body, touched) "
      "VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?6)");
  Statement outbox_all =
      db.prepare("SELECT seq, op_id, kind, state, error, reason, created_at_ms, body FROM outbox ORDER BY seq");
  Statement outbox_by_state = db.prepare(
      "SELECT seq, op_id, kind, state, error, reason, created_at_ms, body FROM outbox "
      "WHERE state = ?1 ORDER BY seq");
  // OR FAIL: no statement journal (see store::Upsert).
  Statement set_state = db.prepare("UPDATE OR FAIL outbox SET state = ?2 WHERE op_id = ?1");
  Statement set_result = db.prepare("UPDATE OR FAIL outbox SET state = ?2, error = ?3, reason = ?4 WHERE op_id = ?1");
  Statement pending_count = db.prepare("SELECT count(*) FROM outbox WHERE state IN ('queued', 'sent')");
  Statement pending_ops =
      db.prepare("SELECT body, touched, created_at_ms FROM outbox WHERE state IN ('queued', 'sent') ORDER BY seq");
  Statement touched_of = db.prepare("SELECT touched FROM outbox WHERE op_id = ?1");
  Statement unsettled = db.prepare("SELECT touched FROM outbox WHERE settled = 0 AND state NOT IN ('queued', 'sent')");
  Statement settle =
      db.prepare("UPDATE OR FAIL outbox SET settled = 1 WHERE settled = 0 AND state NOT IN ('queued', 'sent')");
  Statement list_in_scope = db.prepare("SELECT body FROM view WHERE scope = ?1 AND collection = ?2 ORDER BY id");
  Statement count_answered = db.prepare("SELECT count(*) FROM outbox WHERE state IN ('accepted', 'conflict')");
  Statement requeue_answered = db.prepare(
      "UPDATE OR FAIL outbox SET state = 'queued', error = 0, reason = '', settled = 0 "
      "WHERE state IN ('accepted', 'conflict')");
  // The oldest operation in a state (index outbox_by_state), then a walk
  // along seq from there: a push batch reads the rows it sends, not the
  // whole history of answered operations. The unary + keeps SQLite from
  // using outbox_by_state for the IN, which would collect and sort every
  // pending row to return the first few.
  Statement first_in_state = db.prepare("SELECT seq FROM outbox WHERE state = ?1 ORDER BY seq LIMIT 1");
  Statement pending_from =
      db.prepare("SELECT body FROM outbox WHERE seq >= ?1 AND +state IN ('queued', 'sent') ORDER BY seq LIMIT ?2");
  Statement answered_touched =
      db.prepare("SELECT seq, touched FROM outbox WHERE state IN ('accepted', 'conflict', 'rejected')");
  Statement scope_of = db.prepare("SELECT scope FROM base WHERE collection = ?1 AND id = ?2");
  Statement forget_answered = db.prepare("DELETE FROM outbox WHERE seq = ?1 AND settled = 1");
  // A receipt is one signed statement for a whole push batch and names
  // every operation's children, so it goes with any operation it covers.
  Statement forget_receipts_of = db.prepare(
      "DELETE FROM op_receipts WHERE receipt_id IN (SELECT receipt_id FROM op_receipts WHERE op_id = "
      "(SELECT op_id FROM outbox WHERE seq = ?1 AND settled = 1))");
  Statement drop_unused_receipts =
      db.prepare("DELETE FROM receipts WHERE id NOT IN (SELECT receipt_id FROM op_receipts)");
  Statement insert_key = db.prepare("INSERT OR IGNORE INTO receipt_keys(key_id, public_key) VALUES (?1, ?2)");
  Statement get_key = db.prepare("SELECT public_key FROM receipt_keys WHERE key_id = ?1");
  Statement insert_receipt = db.prepare("INSERT INTO receipts(key_id, statement, signature) VALUES (?1, ?2, ?3)");
  // A re-sent operation's newer receipt replaces the older one; both say
  // the same first received time.
  store::Upsert put_op_receipt{
      db, "op_receipts", {"op_id"}, {"receipt_id", "subject", "children", "received_at_ms", "line"}};
  Statement receipt_for = db.prepare(
      "SELECT o.line, r.key_id, r.statement, r.signature FROM op_receipts o "
      "JOIN receipts r ON r.id = o.receipt_id WHERE o.op_id = ?1");
  // Newest first, optionally for one record (?2) or one child (?3, one
  // of the comma-separated ids); a device holds only its own receipts,
  // so the walk down op_receipts_by_time stays short.
  Statement receipts_newest = db.prepare(
      "SELECT o.line, r.key_id, r.statement, r.signature FROM op_receipts o "
      "JOIN receipts r ON r.id = o.receipt_id "
      "WHERE (?2 = '' OR o.subject = ?2) "
      "AND (?3 = '' OR instr(',' || o.children || ',', ',' || ?3 || ',') > 0) "
      "ORDER BY o.received_at_ms DESC, o.op_id LIMIT ?1");
  Statement op_body = db.prepare("SELECT body FROM outbox WHERE op_id = ?1");
};

Replica::Replica(HomePaths home, store::Database db) : home_(std::move(home)), db_(std::move(db)) {}
Replica::~Replica() {
  st_.reset();
  db_.close();
  // The last connection to close folds the write-ahead log into the file; if
  // another process still has the replica open, the log is still there and
  // that process records the state when it closes.
  store::record_clean_close(home_.replica(), home_.closed_clean());
}

Result<std::unique_ptr<Replica>> Replica::create(const HomePaths& home, std::string_view passphrase,
                                                 crypto::ScryptParams params) {
  std::error_code fs_ec;
  fs::create_directories(home.root, fs_ec);
  if (fs_ec) return make_error_code(Errc::io_error);
  fs::permissions(home.root, fs::perms::owner_all, fs::perm_options::replace, fs_ec);
  if (fs::exists(home.wrapped_key()) || fs::exists(home.replica())) return make_error_code(Errc::already_exists);
  crypto::SecureBytes key = crypto::new_data_key();
  const std::string wrapped = crypto::wrap_key(key.span(), passphrase, params);
  if (auto ec = platform::write_private_file(home.wrapped_key(), wrapped)) return ec;
  auto r = open_with_key(home, key.span(), /*create=*/true);
  if (!r) wipe(home);  // leave nothing half-made behind: the next attempt starts clean
  return r;
}

Result<std::unique_ptr<Replica>> Replica::open_with_key(const HomePaths& home, std::span<const std::uint8_t> key,
                                                        bool create) {
  store::OpenOptions options;
  options.create = create;
  // The page-by-page check below reads and decrypts the whole file (most of
  // the time it takes to open a large replica), so it is skipped when the file
  // is as the last clean close left it. The record of that close goes before
  // anything can write: a crash while open means a full check next time.
  const bool unchanged = !create && store::unchanged_since_clean_close(home.replica(), home.closed_clean());
  store::forget_clean_close(home.closed_clean());
  auto db = store::Database::open(home.replica(), key, options);
  if (!db) {
    // The data key was authenticated when it was unwrapped, so a database
    // that does not accept it is damaged, not locked with another passphrase.
    if (db.error() == Errc::wrong_passphrase) return make_error_code(Errc::corrupt_data);
    return db.error();
  }
  try {
    if (!create && !unchanged && !intact(*db)) return make_error_code(Errc::corrupt_data);
    // Deleted records are overwritten, not merely unlinked, so a purge
    // (apply_pull) leaves nothing of them even for someone holding the key.
    // Some SQLite builds default to this; this replica does not rely on it.
    db->exec("PRAGMA secure_delete = ON");
    store::migrate(*db, kMigrations);
  } catch (const StoreError& e) {
    return e.code();
  }
  std::unique_ptr<Replica> r(new Replica(home, std::move(*db)));
  r->prepare();
  if (auto last = r->meta("hlc_last")) r->clock_.observe(model::Hlc{std::stoull(*last)});
  return r;
}

Result<std::unique_ptr<Replica>> Replica::open(const HomePaths& home, std::string_view passphrase, fs::path* damaged) {
  auto wrapped = platform::read_file(home.wrapped_key());
  if (!wrapped) return make_error_code(Errc::not_enrolled);
  auto key = crypto::unwrap_key(*wrapped, passphrase);
  if (!key) {
    // Found before the passphrase was tried (key_wrap.hpp): the file itself.
    if (key.error() == Errc::corrupt_data && damaged) *damaged = home.wrapped_key();
    return key.error();
  }
  auto r = open_with_key(home, key->span(), /*create=*/false);
  if (!r && r.error() == Errc::corrupt_data && damaged) *damaged = home.replica();
  return r;
}

error_code Replica::change_passphrase(const HomePaths& home, std::string_view old_passphrase,
                                      std::string_view new_passphrase) {
  auto wrapped = platform::read_file(home.wrapped_key());
  if (!wrapped) return make_error_code(Errc::not_enrolled);
  auto rewrapped = crypto::rewrap_key(*wrapped, old_passphrase, new_passphrase);
  if (!rewrapped) return rewrapped.error();
  return platform::write_private_file(home.wrapped_key(), *rewrapped);
}

error_code Replica::wipe(const HomePaths& home) {
  std::error_code ec;
  // The key first: once it is gone the database file is noise.
  fs::remove(home.wrapped_key(), ec);
  fs::remove(home.closed_clean(), ec);
  for (const auto& p : {home.replica(), fs::path(home.replica().string() + "-wal"),
                        fs::path(home.replica().string() + "-shm"), home.config(), home.ca()}) {
    fs::remove(p, ec);
  }
  return {};
}

void Replica::prepare() { st_ = std::make_unique<Statements>(db_); }

std::optional<std::string> Replica::meta(std::string_view key) {
  auto& s = st_->get_meta;
  store::ScopedReset r{s};
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return s.column_text(0);
}

void Replica::set_meta(std::string_view key, std::string_view value) {
  st_->set_meta.run([&](Statement& s) { s.bind(1, key).bind(2, value); });
}

ops::Actor Replica::actor() {
  ops::Actor a;
  a.person_id = meta("person_id").value_or("");
  a.role = model::parse_role(meta("role").value_or("")).value_or(model::Role::foster_carer);
  return a;
}

std::optional<Record> Replica::get(std::string_view collection, std::string_view id) const {
  auto& s = st_->get_view;
  store::ScopedReset r{s};
  s.bind(1, collection).bind(2, id);
  if (!s.step()) return std::nullopt;
  auto rec = protocol::decode_record(s.column_bytes(0));
  if (!rec) throw StoreError(make_error_code(Errc::corrupt_data), "undecodable record in replica");
  return std::move(*rec);
}

std::vector<Record> Replica::list_in_scope(std::string_view collection, std::string_view scope) const {
  auto& s = st_->list_in_scope;
  store::ScopedReset r{s};
  s.bind(1, scope).bind(2, collection);
  std::vector<Record> out;
  while (s.step()) {
    auto rec = protocol::decode_record(s.column_bytes(0));
    if (!rec) throw StoreError(make_error_code(Errc::corrupt_data), "undecodable record in replica");
    out.push_back(std::move(*rec));
  }
  return out;
}

std::vector<Record> Replica::list(std::string_view collection) {
  auto& s = st_->list_view;
  store::ScopedReset r{s};
  s.bind(1, collection);
  std::vector<Record> out;
  while (s.step()) {
    if (auto rec = protocol::decode_record(s.column_bytes(0))) out.push_back(std::move(*rec));
  }
  return out;
}

std::size_t Replica::record_count() {
  auto& s = st_->count_view;
  store::ScopedReset r{s};
  s.step();
  return static_cast<std::size_t>(s.column_int64(0));
}

void Replica::put_view(const Record& rec) {
  const std::string body = protocol::encode_record(rec);
  st_->put_view.run(
      [&](Statement& s) { s.bind(1, rec.collection).bind(2, rec.id).bind(3, rec.scope).bind_bytes(4, body); });
}

ops::Outcome Replica::submit(ops::Payload payload, std::map<std::string, model::Version> base) {
  ops::Outcome outcome;
  auto device = meta("device_id");
  if (!device) {
    outcome.code = Errc::not_enrolled;
    outcome.reason = "this device is not enrolled; run psm enrol first";
    return outcome;
  }
  const std::uint64_t seq = std::stoull(meta("next_seq").value_or("1"));
  ops::Operation op;
  op.op_id = model::new_uuid_v7();
  op.device_id = *device;
  op.seq = seq;
  op.hlc = clock_.tick();
  op.author_id = actor().person_id;
  op.base = std::move(base);
  op.payload = std::move(payload);

  const std::uint64_t now = op.hlc.millis();
  ops::ApplyContext ctx{actor(), now, [](std::string_view) { return true; }};
  outcome = ops::apply(*this, op, ctx);
  if (!outcome.ok()) return outcome;  // refused offline, exactly as the server would: nothing stored

  std::vector<std::pair<std::string, std::string>> touched;
  for (const auto& w : outcome.writes) touched.emplace_back(w.collection, w.id);
  store::Transaction tx(db_);
  for (const auto& w : outcome.writes) put_view(w);
  {
    auto& s = st_->insert_outbox;
    store::ScopedReset r{s};
    const std::string body = protocol::encode_operation(op);
    s.bind(1, static_cast<std::int64_t>(seq))
        .bind(2, op.op_id)
        .bind(3, ops::kind_name(op.payload))
        .bind(4, static_cast<std::int64_t>(now))
        .bind_bytes(5, body)
        .bind(6, join_touched(touched));
    s.step();
  }
  set_meta("next_seq", std::to_string(seq + 1));
  set_meta("hlc_last", std::to_string(clock_.last().value));
  tx.commit();
  return outcome;
}

std::vector<OutboxEntry> Replica::outbox(std::optional<OpState> only, std::size_t limit) {
  auto& s = only ? st_->outbox_by_state : st_->outbox_all;
  store::ScopedReset r{s};
  if (only) s.bind(1, to_string(*only));
  std::vector<OutboxEntry> out;
  while (s.step()) {
    OutboxEntry e;
    e.seq = static_cast<std::uint64_t>(s.column_int64(0));
    e.op_id = s.column_text(1);
    e.kind = s.column_text(2);
    e.state = parse_state(s.column_text(3));
    e.error = static_cast<std::uint16_t>(s.column_int64(4));
    e.reason = s.column_text(5);
    e.created_at_ms = static_cast<std::uint64_t>(s.column_int64(6));
    auto op = protocol::decode_operation(s.column_bytes(7));
    if (!op) throw StoreError(make_error_code(Errc::corrupt_data), "undecodable operation in outbox");
    e.op = std::move(*op);
    out.push_back(std::move(e));
    if (limit && out.size() >= limit) break;
  }
  return out;
}

std::vector<ops::Operation> Replica::pending_operations(std::size_t limit) {
  std::optional<std::int64_t> first;
  for (auto state : {OpState::queued, OpState::sent}) {
    auto& f = st_->first_in_state;
    store::ScopedReset rf{f};
    f.bind(1, to_string(state));
    if (f.step()) first = std::min(first.value_or(f.column_int64(0)), f.column_int64(0));
  }
  std::vector<ops::Operation> out;
  if (!first) return out;
  auto& s = st_->pending_from;
  store::ScopedReset r{s};
  s.bind(1, *first).bind(2, static_cast<std::int64_t>(limit));
  while (s.step()) {
    auto op = protocol::decode_operation(s.column_bytes(0));
    if (!op) throw StoreError(make_error_code(Errc::corrupt_data), "undecodable operation in outbox");
    out.push_back(std::move(*op));
  }
  return out;
}

std::size_t Replica::pending_count() {
  auto& s = st_->pending_count;
  store::ScopedReset r{s};
  s.step();
  return static_cast<std::size_t>(s.column_int64(0));
}

void Replica::mark_sent(const std::vector<std::string>& op_ids) {
  store::Transaction tx(db_);
  auto& s = st_->set_state;
  for (const auto& id : op_ids) {
    store::ScopedReset r{s};
    s.bind(1, id).bind(2, to_string(OpState::sent));
    s.step();
  }
  tx.commit();
}

void Replica::record_results(const std::vector<protocol::OpResult>& results, const protocol::Receipt& receipt,
                             const std::vector<protocol::ReceiptEntry>& covered) {
  store::Transaction tx(db_);
  if (!receipt.empty() && !covered.empty()) {
    auto& ins = st_->insert_receipt;
    {
      store::ScopedReset r{ins};
      ins.bind(1, receipt.key_id).bind_bytes(2, receipt.statement).bind_bytes(3, receipt.signature);
      ins.step();
    }
    const auto receipt_id = db_.last_insert_rowid();
    for (const auto& e : covered) {
      auto line = protocol::encode_receipt_entry(e);
      if (!line) continue;  // cannot happen: the entries were parsed from the statement
      st_->put_op_receipt.run([&](Statement& op) {
        op.bind(1, e.op_id)
            .bind(2, receipt_id)
            .bind(3, e.subject)
            .bind(4, e.children)
            .bind(5, static_cast<std::int64_t>(e.received_at_ms))
            .bind(6, *line);
      });
    }
  }
  std::set<std::pair<std::string, std::string>> undo;
  auto& s = st_->set_result;
  for (const auto& res : results) {
    OpState state = OpState::accepted;
    if (res.kind == static_cast<std::uint8_t>(ops::OutcomeKind::conflict)) state = OpState::conflict;
    if (res.kind == static_cast<std::uint8_t>(ops::OutcomeKind::rejected)) state = OpState::rejected;
    {
      store::ScopedReset r{s};
      s.bind(1, res.op_id).bind(2, to_string(state)).bind(3, std::int64_t{res.error}).bind(4, res.reason);
      s.step();
    }
    if (state == OpState::rejected) {
      auto& t = st_->touched_of;
      store::ScopedReset rt{t};
      t.bind(1, res.op_id);
      if (t.step()) {
        for (auto& id : split_touched(t.column_text(0))) undo.insert(id);
      }
    }
  }
  if (!undo.empty()) rebase(undo);
  tx.commit();
}

void Replica::rebase(const std::set<std::pair<std::string, std::string>>& extra) {
  // Pending operations and what they touched.
  struct Pending {
    ops::Operation op;
    std::uint64_t at;
  };
  std::vector<Pending> pending;
  std::set<std::pair<std::string, std::string>> touched = extra;
  {
    auto& s = st_->pending_ops;
    store::ScopedReset r{s};
    while (s.step()) {
      auto op = protocol::decode_operation(s.column_bytes(0));
      if (!op) continue;
      for (auto& t : split_touched(s.column_text(1))) touched.insert(t);
      pending.push_back({std::move(*op), static_cast<std::uint64_t>(s.column_int64(2))});
    }
  }
  // Reset each touched record to the server's copy (or remove it if the server has none)…
  for (const auto& [collection, id] : touched) {
    auto& g = st_->get_base;
    store::ScopedReset rg{g};
    g.bind(1, collection).bind(2, id);
    if (g.step()) {
      auto rec = protocol::decode_record(g.column_bytes(0));
      if (rec) put_view(*rec);
    } else {
      auto& d = st_->del_view;
      store::ScopedReset rd{d};
      d.bind(1, collection).bind(2, id);
      d.step();
    }
  }
  // …then replay unsent work on top, in the order it was done. An operation
  // that no longer applies locally stays queued: the server has the last word.
  const ops::Actor me = actor();
  for (const auto& p : pending) {
    ops::ApplyContext ctx{me, p.at, [](std::string_view) { return true; }};
    auto outcome = ops::apply(*this, p.op, ctx);
    if (!outcome.ok()) continue;
    for (const auto& w : outcome.writes) put_view(w);
  }
}

void Replica::apply_pull(const protocol::PullResponse& page) {
  store::Transaction tx(db_);
  const auto before = known_scopes();
  const std::set<std::string> now_scopes(page.scopes.begin(), page.scopes.end());
  std::set<std::string> lost;
  for (const auto& scope : before) {
    if (!now_scopes.count(scope)) lost.insert(scope);
  }
  // What this device sent about a scope it is losing (a carer's request for a
  // meeting on a placement that ended) goes too, once answered, with its
  // receipt: the server holds it, and its audit trail when it was received. Found now, while the records that tell
  // their scope are here; forgotten below, once settled. Unsent work is kept.
  const std::vector<std::int64_t> forget = answered_operations_in(lost);
  for (const auto& scope : lost) {
    // Access to this scope has ended: remove it from the device (overwritten
    // as it is deleted: secure_delete is on, see open_with_key).
    for (auto* s : {&st_->purge_base, &st_->purge_view}) {
      store::ScopedReset r{*s};
      s->bind(1, scope);
      s->step();
    }
  }
  model::Hlc newest = clock_.last();
  for (const auto& rec : page.records) {
    const std::string body = protocol::encode_record(rec);
    for (auto* s : {&st_->put_base, &st_->put_view}) {
      s->run([&](Statement& w) { w.bind(1, rec.collection).bind(2, rec.id).bind(3, rec.scope).bind_bytes(4, body); });
    }
    newest = std::max(newest, rec.latest_version().hlc);
  }
  clock_.observe(newest);
  std::set<std::pair<std::string, std::string>> settle;
  if (!page.more) {
    // Up to date: answered operations' local effects give way to exactly what
    // the server holds (which may differ, e.g. a record this user may not see).
    auto& u = st_->unsettled;
    store::ScopedReset ru{u};
    while (u.step()) {
      for (auto& id : split_touched(u.column_text(0))) settle.insert(id);
    }
  }
  if (pending_count() > 0 || !settle.empty()) rebase(settle);
  if (!settle.empty()) {
    store::ScopedReset rs{st_->settle};
    st_->settle.step();
  }
  for (const auto seq : forget) {
    for (auto* s : {&st_->forget_receipts_of, &st_->forget_answered}) {
      store::ScopedReset r{*s};
      s->bind(1, seq);
      s->step();
    }
  }
  if (!forget.empty()) {
    store::ScopedReset r{st_->drop_unused_receipts};
    st_->drop_unused_receipts.step();
  }
  set_meta("cursor", std::to_string(page.cursor));
  std::string scopes;
  for (const auto& s : page.scopes) scopes += s + "\n";
  set_meta("scopes", scopes);
  set_meta("hlc_last", std::to_string(clock_.last().value));
  tx.commit();
  if (!lost.empty()) {
    // Then the space is reclaimed: VACUUM rebuilds the file without the pages
    // the purged records held (no free list left behind), and the checkpoint
    // writes it back and empties the WAL. A replica is a few megabytes and
    // scopes end rarely, so the rewrite is cheap. Another process with the
    // replica open (psm app beside a psm command) can make VACUUM busy: the
    // purge itself has committed and its pages were overwritten, so the sync
    // goes on, and only the free pages wait for the next purge.
    try {
      db_.exec("VACUUM");
    } catch (const StoreError& e) {
      if (e.code() != Errc::busy) throw;
    }
    db_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
}

std::vector<std::int64_t> Replica::answered_operations_in(const std::set<std::string>& scopes) {
  std::vector<std::int64_t> out;
  if (scopes.empty()) return out;
  auto& a = st_->answered_touched;
  store::ScopedReset ra{a};
  while (a.step()) {
    for (const auto& [collection, id] : split_touched(a.column_text(1))) {
      auto& q = st_->scope_of;
      store::ScopedReset rq{q};
      q.bind(1, collection).bind(2, id);
      if (q.step() && scopes.count(q.column_text(0))) {
        out.push_back(a.column_int64(0));
        break;
      }
    }
  }
  return out;
}

std::size_t Replica::start_over_after_server_restore(std::string_view new_epoch) {
  store::Transaction tx(db_);
  std::size_t requeued = 0;
  {
    auto& count = st_->count_answered;
    store::ScopedReset rc{count};
    count.step();
    requeued = static_cast<std::size_t>(count.column_int64(0));
  }
  auto& requeue = st_->requeue_answered;
  store::ScopedReset r{requeue};
  requeue.step();
  db_.exec("DELETE FROM base");
  db_.exec("DELETE FROM view");
  set_meta("cursor", "0");
  set_meta("scopes", "");
  set_meta("server_epoch", new_epoch);
  // The view is rebuilt from the next pull with the queued work on top; until
  // then what this device shows is its own unsent and re-queued work.
  rebase({});
  tx.commit();
  return requeued;
}

std::uint64_t Replica::cursor() { return std::stoull(meta("cursor").value_or("0")); }

std::vector<std::string> Replica::known_scopes() {
  std::vector<std::string> out;
  auto text = meta("scopes").value_or("");
  std::string_view v(text);
  while (!v.empty()) {
    auto nl = v.find('\n');
    if (nl != 0) out.emplace_back(v.substr(0, nl));
    if (nl == std::string_view::npos) break;
    v.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace psm::client

namespace psm::client {

namespace {
std::optional<StoredReceipt> read_receipt(Statement& s) {
  auto entry = protocol::parse_receipt_entry(s.column_text(0));
  if (!entry) throw StoreError(make_error_code(Errc::corrupt_data), "unreadable receipt in replica");
  return StoredReceipt{std::move(*entry), s.column_text(1), s.column_bytes(2), s.column_bytes(3)};
}
}  // namespace

void Replica::remember_receipt_keys(const std::vector<protocol::ReceiptKey>& keys) {
  auto& s = st_->insert_key;
  for (const auto& k : keys) {
    store::ScopedReset r{s};
    s.bind(1, k.key_id).bind_bytes(2, k.public_key);
    s.step();
  }
}

std::optional<std::string> Replica::receipt_public_key(std::string_view key_id) {
  auto& s = st_->get_key;
  store::ScopedReset r{s};
  s.bind(1, key_id);
  if (!s.step()) return std::nullopt;
  return s.column_bytes(0);
}

std::optional<StoredReceipt> Replica::receipt_for(std::string_view op_id) {
  auto& s = st_->receipt_for;
  store::ScopedReset r{s};
  s.bind(1, op_id);
  if (!s.step()) return std::nullopt;
  return read_receipt(s);
}

std::vector<StoredReceipt> Replica::receipts(std::size_t limit, std::string_view record, std::string_view child) {
  auto& s = st_->receipts_newest;
  store::ScopedReset r{s};
  // std::string_view{} would bind NULL, which matches nothing; "" means "any".
  const auto text = [](std::string_view v) { return v.data() ? v : std::string_view(""); };
  s.bind(1, limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit))
      .bind(2, text(record))
      .bind(3, text(child));
  std::vector<StoredReceipt> out;
  while (s.step()) out.push_back(*read_receipt(s));
  return out;
}

std::optional<std::string> Replica::operation_sha256(std::string_view op_id) {
  auto& s = st_->op_body;
  store::ScopedReset r{s};
  s.bind(1, op_id);
  if (!s.step()) return std::nullopt;
  return protocol::operation_sha256(s.column_bytes(0));
}

}  // namespace psm::client
