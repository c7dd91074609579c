// The sync service: authentication, exactly-once application of pushed
// operations, and filtered pulls. Pure request → response functions over the
// store, with no sockets, so tests drive it directly.
//
// Thread-safety: none. The server calls it only from its one store thread.
#pragma once

#include "common/crypto/kdf.hpp"
#include "common/model/hlc.hpp"
#include "common/policy/access.hpp"
#include "common/policy/calendar.hpp"
#include "common/protocol/messages.hpp"
#include "server/net/metrics.hpp"
#include "server/store/server_store.hpp"

#include <functional>
#include <memory>
#include <set>
#include <string>

namespace psm::server {

// Who is on the other end of an authenticated connection.
struct Identity {
  std::string device_id;
  std::string username;
  std::string person_id;
  model::Role role = model::Role::foster_carer;
  bool authenticated() const { return !device_id.empty(); }
};

class SyncService {
 public:
  using Clock = std::function<std::uint64_t()>;

  SyncService(std::unique_ptr<ServerStore> store, Metrics& metrics, Clock now = model::HlcClock::system_now_millis);

  // Checks the password and enrols a new device. On success `who` is set.
  protocol::AuthResult login(const protocol::LoginRequest& request, Identity& who);
  // Checks a device token. A revoked device is told so (it wipes its replica).
  protocol::AuthResult authenticate(const protocol::AuthRequest& request, Identity& who);

  // Applies each operation exactly once, in one transaction for the batch.
  // `changed_scopes` receives the scopes whose records changed (for pokes).
  protocol::PushResponse push(const Identity& who, const protocol::PushRequest& request,
                              std::set<std::string>& changed_scopes);

  protocol::PullResponse pull(const Identity& who, const protocol::PullRequest& request);

  // The scopes a person sees now.
  std::set<std::string> scopes_of(const Identity& who) const;

  // R8: one escalation sweep for `today` (UK date). Store thread only.
  struct EscalationSummary {
    std::size_t notifications = 0;
    std::set<std::string> changed_scopes;
  };
  EscalationSummary escalate(const policy::Date& today);

  // Re-reads reference data after an import.
  void reload_reference_data();

  ServerStore& store() { return *store_; }
  // Thread-safe (atomic counters).
  Metrics& metrics() { return metrics_; }

 private:
  protocol::OpResult apply_one(const Identity& who, ops::Operation op, std::set<std::string>& changed_scopes);

  std::unique_ptr<ServerStore> store_;
  Metrics& metrics_;
  Clock now_;
  model::HlcClock hlc_;
  policy::ReferenceData reference_;
  std::string epoch_;
};

// Creates an account with an scrypt password hash. Shared by the CLI and tests.
// `params` is for tests, which use a cheap scrypt; accounts use the default.
error_code add_user(ServerStore& store, const Account& account_without_hash, std::string_view password,
                    std::string* detail, crypto::ScryptParams params = crypto::kScryptInteractive);

// Imports reference data from a JSON document (format: docs/reference-data.md).
// All or nothing: any invalid entry → nothing is imported and `detail` names it.
error_code import_reference_data(ServerStore& store, std::string_view json, std::string* detail,
                                 std::size_t* imported = nullptr);

}  // namespace psm::server
