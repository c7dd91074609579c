#include "server/store/audit_log.hpp"

#include "common/crypto/hash.hpp"
#include "common/store/transaction.hpp"

#include <sqlcipher/sqlite3.h>

#include <optional>

namespace psm::server {

namespace {

const std::string kGenesis(64, '0');

// Each field with its length in front, so no two different entries can be
// written as the same bytes.
void put_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}

AuditEntry read_entry(const store::Statement& s) {
  AuditEntry e;
  e.seq = static_cast<std::uint64_t>(s.column_int64(0));
  e.server_time_ms = static_cast<std::uint64_t>(s.column_int64(1));
  e.device_time_ms = static_cast<std::uint64_t>(s.column_int64(2));
  e.kind = s.column_text(3);
  e.username = s.column_text(4);
  e.device_id = s.column_text(5);
  e.address = s.column_text(6);
  e.children = s.column_text(7);
  e.detail = s.column_text(8);
  e.prev_hash = s.column_text(9);
  e.hash = s.column_text(10);
  return e;
}

constexpr std::string_view kColumns =
    "seq, server_time_ms, device_time_ms, kind, username, device_id, address, children, detail, prev_hash, hash";

struct Head {
  std::uint64_t seq = 0;
  std::string hash = kGenesis;
};

std::optional<Head> parse_head(const std::string& value) {
  const auto colon = value.find(':');
  if (colon == std::string::npos) return std::nullopt;
  Head h;
  try {
    h.seq = std::stoull(value.substr(0, colon));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  h.hash = value.substr(colon + 1);
  return h;
}

}  // namespace

AuditLog::AuditLog(store::Database& db)
    : db_(db),
      head_(db.prepare("SELECT value FROM meta WHERE key = 'audit_head'")),
      insert_(db.prepare("INSERT INTO audit_log(" + std::string(kColumns) +
                         ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")),
      set_head_(db, "meta", {"key"}, {"value"}) {}

std::string AuditLog::hash_of(const AuditEntry& e) {
  std::string bytes = "psm-audit-v1;";
  put_field(bytes, std::to_string(e.seq));
  put_field(bytes, std::to_string(e.server_time_ms));
  put_field(bytes, std::to_string(e.device_time_ms));
  put_field(bytes, e.kind);
  put_field(bytes, e.username);
  put_field(bytes, e.device_id);
  put_field(bytes, e.address);
  put_field(bytes, e.children);
  put_field(bytes, e.detail);
  put_field(bytes, e.prev_hash);
  return crypto::to_hex(crypto::sha256(bytes));
}

void AuditLog::append(AuditEntry entry) {
  if (sqlite3_get_autocommit(db_.handle()) == 0) {
    append_locked(entry);  // inside the caller's transaction
    return;
  }
  store::Transaction tx(db_);
  append_locked(entry);
  tx.commit();
}

void AuditLog::append_locked(AuditEntry& e) {
  Head head;
  {
    store::ScopedReset r{head_};
    if (head_.step()) {
      auto parsed = parse_head(head_.column_text(0));
      if (!parsed) throw StoreError(make_error_code(Errc::corrupt_data), "the audit log's head is unreadable");
      head = *parsed;
    }
  }
  e.seq = head.seq + 1;
  e.prev_hash = head.hash;
  e.hash = hash_of(e);
  {
    store::ScopedReset r{insert_};
    insert_.bind(1, static_cast<std::int64_t>(e.seq))
        .bind(2, static_cast<std::int64_t>(e.server_time_ms))
        .bind(3, static_cast<std::int64_t>(e.device_time_ms))
        .bind(4, e.kind)
        .bind(5, e.username)
        .bind(6, e.device_id)
        .bind(7, e.address)
        .bind(8, e.children)
        .bind(9, e.detail)
        .bind(10, e.prev_hash)
        .bind(11, e.hash);
    insert_.step();
  }
  const std::string new_head = std::to_string(e.seq) + ":" + e.hash;
  set_head_.run([&](store::Statement& s) { s.bind(1, "audit_head").bind(2, new_head); });
}

AuditVerification AuditLog::verify() {
  AuditVerification v;
  auto fail = [&](std::uint64_t seq, std::string problem) {
    v.ok = false;
    v.first_bad_seq = seq;
    v.problem = std::move(problem);
    return v;
  };
  store::Transaction tx(db_, store::TransactionMode::deferred);  // one consistent snapshot
  Head expected;                                                 // what the next entry must chain from
  auto all = db_.prepare("SELECT " + std::string(kColumns) + " FROM audit_log ORDER BY seq");
  while (all.step()) {
    const AuditEntry e = read_entry(all);
    if (e.seq != expected.seq + 1) {
      return fail(expected.seq + 1,
                  "entry " + std::to_string(expected.seq + 1) + " is missing (next is " + std::to_string(e.seq) + ")");
    }
    if (e.prev_hash != expected.hash) {
      return fail(e.seq, "entry " + std::to_string(e.seq) + " does not follow the entry before it");
    }
    if (hash_of(e) != e.hash) {
      return fail(e.seq, "entry " + std::to_string(e.seq) + " was changed after it was written");
    }
    expected.seq = e.seq;
    expected.hash = e.hash;
    ++v.entries;
  }
  std::optional<Head> head;
  {
    store::ScopedReset r{head_};
    if (head_.step()) {
      head = parse_head(head_.column_text(0));
      if (!head) return fail(expected.seq, "the audit log's recorded head is unreadable");
    }
  }
  // psm-server init writes the first entry, so an initialised store never has
  // an empty trail: one with no entries and no recorded head had both removed.
  if (v.entries == 0 && !head) {
    return fail(1,
                "the trail is empty and its recorded head is gone, but psm-server init writes the first "
                "entry: every entry was removed");
  }
  const Head recorded = head.value_or(Head{});
  if (recorded.seq > expected.seq) {
    return fail(expected.seq + 1, "the log ends at entry " + std::to_string(expected.seq) + " but entries up to " +
                                      std::to_string(recorded.seq) +
                                      " were written: entries were removed from the end");
  }
  if (recorded.seq != expected.seq || recorded.hash != expected.hash) {
    return fail(expected.seq, "the log's last entry (" + std::to_string(expected.seq) +
                                  ") is not the one the server last wrote (" + std::to_string(recorded.seq) + ")");
  }
  v.head_hash = expected.hash;
  return v;
}

std::vector<AuditEntry> AuditLog::query(const AuditFilter& f) {
  // Newest first with the limit, then turned round: "the last 50 entries".
  auto s = db_.prepare("SELECT " + std::string(kColumns) +
                       " FROM audit_log WHERE (?1 = '' OR instr(',' || children || ',', ',' || ?1 || ',') > 0)"
                       " AND (?2 = '' OR username = ?2) AND (?3 = '' OR device_id = ?3)"
                       " ORDER BY seq DESC LIMIT ?4");
  s.bind(1, f.child_id)
      .bind(2, f.username)
      .bind(3, f.device_id)
      .bind(4, f.limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(f.limit));
  std::vector<AuditEntry> out;
  while (s.step()) out.push_back(read_entry(s));
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace psm::server
