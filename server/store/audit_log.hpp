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
#include "server/store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace psm::server {

class AuditLog final : public AuditTrail {
 public:
  // The database must already hold the audit tables (server store schema v2).
  explicit AuditLog(store::Database& db);

  // Appends an entry, filling in seq, prev_hash and hash. Joins the caller's
  // transaction when there is one (a push's entries commit with its effects);
  // otherwise runs in its own, so concurrent writers cannot fork the chain.
  void append(AuditEntry entry) override;

  // Walks the whole chain. Never throws for a broken chain: that is the answer.
  // An empty trail is not intact: init writes the first entry, so a trail with
  // none (and no recorded head) had every entry removed.
  AuditVerification verify() override;

  // Matching entries, oldest first.
  std::vector<AuditEntry> query(const AuditFilter& filter) override;

  // The hash the chain's fields produce (exposed for tests).
  static std::string hash_of(const AuditEntry& entry);

 private:
  void append_locked(AuditEntry& entry);
  store::Database& db_;
  store::Statement head_, insert_;
  store::Upsert set_head_;
};

}  // namespace psm::server
