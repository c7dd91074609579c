// The server store as the sync service sees it: accounts, devices, records,
// the exactly-once ledger, the audit trail and small named values, in domain
// terms, with units of work (transactions) of its own. This is the interface
// a storage backend implements; ServerStore (server_store.hpp, SQLCipher) is
// the one in use. Every backend must pass the contract suite in
// tests/unit/server/store/store_contract_test.hpp.
//
// Thread-safety: none. One thread (the server's store thread) uses a store.
// Errors: operations throw psm::StoreError (common/error.hpp) when
// the backend fails; inside a unit of work that aborts the whole unit.
#pragma once

#include "common/error.hpp"
#include "common/model/record.hpp"
#include "common/ops/apply.hpp"
#include "common/policy/access.hpp"
#include "common/protocol/messages.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
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
  std::uint64_t token_expires_at_ms = 0;  // 0: enrolled before tokens expired; counts from enrolment
  // After a renewal, the token it replaced, until the device first uses the new one.
  std::string previous_token_hash;
};

struct PullPage {
  std::vector<model::Record> records;
  std::uint64_t cursor = 0;
  bool more = false;
  std::uint64_t remaining = 0;  // records the device will still receive after this page (0 when !more)
};

struct AuditEntry {
  std::uint64_t seq = 0;             // assigned on append: 1, 2, 3, ...
  std::uint64_t server_time_ms = 0;  // when the server recorded it
  std::uint64_t device_time_ms = 0;  // the device's own clock, when it said (0: not known)
  // sign-in, sign-in-refused, connect, connect-refused, disconnect (revoked while
  // connected), pull, operation, admin. Refusals beyond the first few from an
  // address in a minute are one sign-in-refused entry with their count
  // (server/sync/refusal_log.hpp), with no user or device.
  std::string kind;
  std::string username;   // who (for admin actions, the operating-system user)
  std::string device_id;  // which device (for admin actions, "admin")
  std::string address;    // the network address it came from, where there is one
  std::string children;   // comma-separated ids of the children concerned, if any
  std::string detail;     // what happened: ids and outcomes, never a child's words
  std::string prev_hash;  // hash of the entry before (64 zeros for the first)
  std::string hash;       // SHA-256 over prev_hash and every field above
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

// The hash-chained audit trail (server/store/audit_log.hpp describes the chain).
class AuditTrail {
 public:
  virtual ~AuditTrail() = default;
  // Appends an entry, filling in seq, prev_hash and hash. Joins the current
  // unit of work when there is one (a push's entries commit with its
  // effects); otherwise runs in its own, so concurrent writers cannot fork
  // the chain.
  virtual void append(AuditEntry entry) = 0;
  // Walks the whole chain in one snapshot. Never throws for a broken chain:
  // that is the answer. An empty trail is not intact.
  virtual AuditVerification verify() = 0;
  // Matching entries, oldest first.
  virtual std::vector<AuditEntry> query(const AuditFilter& filter) = 0;
};

// What a unit of work is for; each backend maps it onto its transactions.
enum class WorkKind {
  // Reads and writes, committed durably. Takes the write lock at once, so a
  // read-then-write cannot fail half-way for want of it.
  write,
  // Reads only, all from one snapshot: a commit by anyone else during the
  // unit is wholly visible or wholly invisible to it. Blocks no writer.
  snapshot,
  // Reads and writes committed without waiting for the disk: bookkeeping not
  // worth an fsync on every sync (when a device was last seen, the audit
  // entries of connections and reads). A power cut may lose the newest such
  // commits, never part of one; the next durable commit makes them durable
  // with everything before it.
  bookkeeping,
};

class Store;

// One transaction as a scope: everything done through the store between
// begin() and commit() lands together or not at all. Rolled back when it
// goes out of scope uncommitted (an exception, an early return).
// Units of work do not nest: beginning one inside another throws StoreError.
class [[nodiscard]] UnitOfWork {
 public:
  UnitOfWork(UnitOfWork&& other) noexcept : store_(other.store_), kind_(other.kind_) { other.store_ = nullptr; }
  UnitOfWork(const UnitOfWork&) = delete;
  UnitOfWork& operator=(const UnitOfWork&) = delete;
  UnitOfWork& operator=(UnitOfWork&&) = delete;
  // Rolls back unless commit() or rollback() ran. Never throws.
  ~UnitOfWork();

  // Throws StoreError on failure; the unit is then still open and rolls
  // back when it goes out of scope.
  void commit();
  // Discards everything done in the unit.
  void rollback();

 private:
  friend class Store;
  UnitOfWork(Store& store, WorkKind kind) : store_(&store), kind_(kind) {}
  Store* store_;
  WorkKind kind_;
};

class Store : public ops::StateReader {
 public:
  ~Store() override = default;

  // --- units of work
  // Begins a unit of work; throws StoreError (Errc::busy when the write lock
  // stays unavailable past the backend's wait).
  UnitOfWork begin(WorkKind kind = WorkKind::write);
  // Runs `work` in one WorkKind::bookkeeping unit (see there). Call outside
  // a unit of work; units after it are durable again.
  void commit_without_fsync(const std::function<void()>& work);

  // --- accounts and devices
  // Errc::already_exists when the username or person id is taken.
  virtual error_code add_account(const Account& account) = 0;
  virtual std::optional<Account> find_account(std::string_view username) = 0;
  virtual std::optional<Account> find_account_by_person(std::string_view person_id) = 0;
  virtual void add_device(const Device& device) = 0;
  virtual std::optional<Device> find_device(std::string_view device_id) = 0;
  // Oldest enrolment first.
  virtual std::vector<Device> list_devices() = 0;
  // False when there is no such device.
  virtual bool revoke_device(std::string_view device_id) = 0;
  virtual void touch_device(std::string_view device_id, std::uint64_t now_ms) = 0;
  // Gives a device a new token hash and expiry. `previous_hash` stays valid
  // until forget_previous_token() (pass "" to end the old token at once).
  virtual void set_device_token(std::string_view device_id, std::string_view token_hash, std::string_view previous_hash,
                                std::uint64_t expires_at_ms) = 0;
  virtual void forget_previous_token(std::string_view device_id) = 0;

  // --- the audit trail, in the same store and units of work
  virtual AuditTrail& audit() = 0;

  // --- records (get and list_in_scope: ops::StateReader)
  // Stores a record (insert or replace by collection and id), giving it the
  // next change sequence number: greater than every number before it, also
  // those given by other processes' commits. Inside a write unit of work.
  virtual void put(const model::Record& record) = 0;
  // Changes in each scope after that scope's start sequence (the device's
  // cursor, or 0 for a scope it is new to), oldest first, at most `limit`.
  // Professionals-only records are left out unless `professional`. The page's
  // cursor is where the device has now seen everything up to. Reads one
  // snapshot (a unit of work of its own: not inside another), so a commit
  // elsewhere during the pull is wholly in this page or wholly after its cursor.
  virtual PullPage pull(const std::map<std::string, std::uint64_t>& scope_starts, std::uint64_t cursor,
                        std::size_t limit, bool professional) = 0;
  // The highest change sequence number given so far (0: none).
  virtual std::uint64_t last_seq() = 0;
  // Every record of a collection, by id.
  virtual std::vector<model::Record> all_in(std::string_view collection) = 0;

  // --- exactly-once ledger
  // `receipt_line`, when given, receives the receipt line kept with the
  // entry ("" for a rejected operation or one applied before receipts), and
  // `device_id` the device that sent it.
  virtual std::optional<protocol::OpResult> find_applied(std::string_view op_id, std::string* receipt_line = nullptr,
                                                         std::string* device_id = nullptr) = 0;
  // The operation this device sent with sequence number `seq`, if any.
  virtual std::optional<std::string> op_at_device_seq(std::string_view device_id, std::uint64_t seq) = 0;
  // Throws StoreError if the op id, or the device's sequence number, is
  // already in the ledger (callers check both first).
  virtual void record_applied(const ops::Operation& op, const protocol::OpResult& result, std::uint64_t at_ms,
                              std::string_view receipt_line = {}) = 0;
  virtual std::uint64_t applied_count() = 0;

  // Reference data (people, households, children, placements) for access decisions.
  policy::ReferenceData load_reference_data();

  // --- small named values
  // A random id set when the store is created and replaced by each restore
  // from a backup. Devices keep the epoch they last synced with; a different
  // one tells them the server's history was rewound (docs/protocol.md).
  std::string epoch() { return meta(kEpoch); }
  // "" when never set.
  virtual std::string meta(std::string_view key) = 0;
  virtual void set_meta(std::string_view key, std::string_view value) = 0;
  static constexpr std::string_view kEpoch = "epoch";
  // Changes whenever reference data is imported, so a serving process knows
  // to re-read it (an import may run while the server serves).
  static constexpr std::string_view kReferenceVersion = "reference_version";

  // Changes whenever another connection to the store (another psm-server
  // process: device revoke, import) commits; stays the same across this
  // store's own commits. One cheap read.
  virtual std::int64_t data_version() = 0;

 protected:
  friend class UnitOfWork;
  // A backend's transactions. begin_work throws when it cannot begin (then
  // nothing is open); commit_work throws when the commit fails (then the unit
  // is still open and rollback_work follows); rollback_work never throws.
  virtual void begin_work(WorkKind kind) = 0;
  virtual void commit_work(WorkKind kind) = 0;
  virtual void rollback_work(WorkKind kind) noexcept = 0;
};

}  // namespace psm::server
