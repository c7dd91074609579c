#include "common/store/migrate.hpp"

#include "common/store/transaction.hpp"

#include <string>

namespace psm::store {

void migrate(Database& db, std::span<const std::string_view> steps) {
  const auto target = static_cast<int>(steps.size());
  // Fast path for the usual case, without taking the write lock.
  if (db.user_version() == target) return;
  while (true) {
    Transaction transaction(db, TransactionMode::immediate);
    // Read the version under the write lock: another process may have
    // migrated while we waited for it.
    const int version = db.user_version();
    if (version > target) {
      throw StoreError(make_error_code(Errc::unsupported_version),
                       "this database was written by a newer psm (schema version " + std::to_string(version) +
                           ", this build knows " + std::to_string(target) + ")");
    }
    if (version < 0) {
      throw StoreError(make_error_code(Errc::corrupt_data), "negative schema version");
    }
    if (version == target) return;  // the destructor ends the empty transaction
    db.exec(steps[static_cast<std::size_t>(version)]);
    db.set_user_version(version + 1);
    transaction.commit();
  }
}

}  // namespace psm::store
