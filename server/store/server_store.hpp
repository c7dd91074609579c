// The server's authoritative store: accounts, devices, records, the
// exactly-once ledger of applied operations. All SQL of the server lives here,
// each statement prepared once. Encrypted at rest with SQLCipher, keyed from
// DATA/store.key (which must be readable by its owner only).
//
// Thread-safety: none. The sync service owns the store and touches it only from
// its one store thread; admin commands open it when the server is not serving.
#pragma once

#include "common/error.hpp"
#include "common/model/record.hpp"
#include "common/ops/apply.hpp"
#include "common/policy/access.hpp"
#include "common/protocol/messages.hpp"
#include "common/store/database.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace psm::server {

struct Account {
  std::string username;
  std::string person_id;
  model::Role role = model::Role::foster_carer;
  std::string display_name;
  std::string password_hash;
};

struct Device {
  std::string device_id;
  std::string username;
  std::string name;
  std::string token_hash;  // SHA-256 of the token, hex; the token itself is never stored
  std::uint64_t enrolled_at_ms = 0;
  std::uint64_t last_seen_ms = 0;
  bool revoked = false;
};

struct PullPage {
  std::vector<model::Record> records;
  std::uint64_t cursor = 0;
  bool more = false;
  std::uint64_t remaining = 0;  // records the device will still receive after this page (0 when !more)
};

// Paths inside a server data directory.
struct DataPaths {
  explicit DataPaths(std::filesystem::path dir) : root(std::move(dir)) {}
  std::filesystem::path root;
  std::filesystem::path store() const { return root / "store.db"; }
  std::filesystem::path key() const { return root / "store.key"; }
  std::filesystem::path tls_dir() const { return root / "tls"; }
};

class ServerStore final : public ops::StateReader {
 public:
  // Creates DATA (0700), a new random store key (0600) and an empty store.
  // Fails with already_exists when DATA already holds a store.
  static Result<std::unique_ptr<ServerStore>> create(const DataPaths& paths, std::string* detail);
  // Opens an existing store. Refuses a key file readable by group or others.
  static Result<std::unique_ptr<ServerStore>> open(const DataPaths& paths, std::string* detail);

  ~ServerStore() override;

  // --- accounts and devices
  error_code add_account(const Account& account);
  std::optional<Account> find_account(std::string_view username);
  std::optional<Account> find_account_by_person(std::string_view person_id);
  void add_device(const Device& device);
  std::optional<Device> find_device(std::string_view device_id);
  std::vector<Device> list_devices();
  bool revoke_device(std::string_view device_id);
  // Records when a device was last seen, in its own commit without an fsync
  // (made durable by the next synchronous commit). Outside a transaction only.
  void touch_device(std::string_view device_id, std::uint64_t now_ms);

  // --- records
  std::optional<model::Record> get(std::string_view collection, std::string_view id) const override;
  std::vector<model::Record> list_in_scope(std::string_view collection, std::string_view scope) const override;
  // Stores a record, giving it the next change sequence number.
  void put(const model::Record& record);
  // Changes in each scope after that scope's start sequence (the device's
  // cursor, or 0 for a scope it is new to), oldest first, at most `limit`.
  // Professionals-only records are left out unless `professional`. The page's
  // cursor is where the device has now seen everything up to.
  PullPage pull(const std::map<std::string, std::uint64_t>& scope_starts, std::uint64_t cursor,
                std::size_t limit, bool professional);
  std::uint64_t last_seq();
  std::vector<model::Record> all_in(std::string_view collection);

  // --- exactly-once ledger
  std::optional<protocol::OpResult> find_applied(std::string_view op_id);
  void record_applied(const ops::Operation& op, const protocol::OpResult& result, std::uint64_t at_ms);
  std::uint64_t applied_count();

  // Reference data (people, households, children, placements) for access decisions.
  policy::ReferenceData load_reference_data();

  // A random id fixed when the store is created; a restore from backup keeps it
  // in the file, so devices can notice (issue: backups).
  std::string epoch();

  store::Database& database() { return db_; }

 private:
  explicit ServerStore(store::Database db);
  void prepare_statements();

  store::Database db_;
  struct Statements;
  std::unique_ptr<Statements> st_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace psm::server
