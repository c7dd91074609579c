// A transaction as a scope: rolled back unless commit() is called.
// Transactions do not nest; beginning one inside another throws StoreError.
#pragma once

#include "common/store/database.hpp"

namespace psm::store {

enum class TransactionMode {
  // Takes the write lock at once, so a read-then-write cannot fail with
  // SQLITE_BUSY half-way through. The default for anything that writes.
  immediate,
  // Takes locks only as statements need them; for read-only work.
  deferred,
};

class Transaction {
 public:
  // Begins the transaction; throws StoreError (Errc::busy if the write lock
  // stays unavailable past the busy timeout).
  explicit Transaction(Database& db, TransactionMode mode = TransactionMode::immediate);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Rolls back if neither commit() nor rollback() ran. Never throws.
  ~Transaction();

  // Throws StoreError on failure; the transaction is then still open and is
  // rolled back by the destructor.
  void commit();
  void rollback();

 private:
  Database& db_;
  bool finished_ = false;
};

}  // namespace psm::store
