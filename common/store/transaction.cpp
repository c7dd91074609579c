#include "common/store/transaction.hpp"

#include <sqlcipher/sqlite3.h>

namespace psm::store {

Transaction::Transaction(Database& db, TransactionMode mode) : db_(db) {
  db_.exec(mode == TransactionMode::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
}

Transaction::~Transaction() {
  if (finished_ || !db_.is_open()) return;
  // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL);
  // then there is nothing left to undo.
  if (sqlite3_get_autocommit(db_.handle()) != 0) return;
  try {
    db_.exec("ROLLBACK");
  } catch (...) {
    // Nothing useful to do in a destructor: the connection will roll the
    // transaction back when it closes.
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  finished_ = true;
}

void Transaction::rollback() {
  finished_ = true;
  if (sqlite3_get_autocommit(db_.handle()) == 0) db_.exec("ROLLBACK");
}

}  // namespace psm::store
