// The audit trail: every sign-in, pull, operation and admin action, in an
// append-only table inside the encrypted store, each entry chained to the one
// before by SHA-256. The chain's head (last sequence number and hash) is kept
// in the store's meta table and moved in the same transaction as each append,
// so an edited entry breaks its own hash, a removed entry breaks the chain,
// and removing entries from the end no longer matches the head.
//
// Anyone holding the store key could rewrite the whole chain and its head;
// `psm-server audit verify` prints the head hash so it can be recorded
// elsewhere (a ticket, a printed log), and a later verify shows the chain still
// reaches it (docs/security.md).
//
// Thread-safety: none; same rules as ServerStore, whose database it shares.
#pragma once

#include "common/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace psm::server {

struct AuditEntry {
  std::uint64_t seq = 0;             // assigned on append: 1, 2, 3, ...
  std::uint64_t server_time_ms = 0;  // when the server recorded it
  std::uint64_t device_time_ms = 0;  // the device's own clock, when it said (0: not known)
  // sign-in, sign-in-refused, connect, connect-refused, disconnect (revoked while
  // connected), pull, operation, admin. Refusals beyond the first few from an
  // address in a minute are one sign-in-refused entry with their count
  // (server/sync/refusal_log.hpp), with no user or device.
  std::string kind;
  std::string username;              // who (for admin actions, the operating-system user)
  std::string device_id;             // which device (for admin actions, "admin")
  std::string address;               // the network address it came from, where there is one
  std::string children;              // comma-separated ids of the children concerned, if any
  std::string detail;                // what happened: ids and outcomes, never a child's words
  std::string prev_hash;             // hash of the entry before (64 zeros for the first)
  std::string hash;                  // SHA-256 over prev_hash and every field above
};

struct AuditFilter {
  std::string child_id;
  std::string username;
  std::string device_id;
  std::size_t limit = 0;  // 0: no limit; otherwise the newest `limit` matching entries
};

struct AuditVerification {
  bool ok = true;
  std::uint64_t entries = 0;
  std::uint64_t first_bad_seq = 0;  // where the chain first fails, when !ok
  std::string problem;              // what is wrong, for the person
  std::string head_hash;            // the last entry's hash (record it elsewhere)
};

class AuditLog {
 public:
  // The database must already hold the audit tables (server store schema v2).
  explicit AuditLog(store::Database& db);

  // Appends an entry, filling in seq, prev_hash and hash. Joins the caller's
  // transaction when there is one (a push's entries commit with its effects);
  // otherwise runs in its own, so concurrent writers cannot fork the chain.
  void append(AuditEntry entry);

  // Walks the whole chain. Never throws for a broken chain: that is the answer.
  // An empty trail is not intact: init writes the first entry, so a trail with
  // none (and no recorded head) had every entry removed.
  AuditVerification verify();

  // Matching entries, oldest first.
  std::vector<AuditEntry> query(const AuditFilter& filter);

  // The hash the chain's fields produce (exposed for tests).
  static std::string hash_of(const AuditEntry& entry);

 private:
  void append_locked(AuditEntry& entry);
  store::Database& db_;
  store::Statement head_, insert_;
  store::Upsert set_head_;
};

}  // namespace psm::server
