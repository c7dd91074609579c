// The sync service: exactly-once application of pushed operations, filtered
// pulls, the escalation sweep, and the glue that keeps reference data and
// the audit trail current. Sign-in is its own unit (sign_in.hpp), to which
// the service forwards; reference-data import is reference_import.hpp. Pure
// request → response functions over the Store interface
// (server/store/store.hpp), with no sockets, so tests drive it directly.
//
// Thread-safety: none. The server calls it only from its one store thread.
#pragma once

#include "common/crypto/kdf.hpp"
#include "common/model/hlc.hpp"
#include "common/policy/access.hpp"
#include "common/policy/calendar.hpp"
#include "common/protocol/messages.hpp"
#include "server/net/metrics.hpp"
#include "server/store/server_store.hpp"  // ServerStore, for store() and callers that build the service
#include "server/store/store.hpp"
#include "server/sync/login_throttle.hpp"
#include "server/sync/receipts.hpp"
#include "server/sync/reference_import.hpp"  // import_reference_data, re-exported
#include "server/sync/refusal_log.hpp"
#include "server/sync/sign_in.hpp"  // Identity, ServerPolicy, PasswordCheck, SignIn, add_user

#include <chrono>

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <variant>

namespace psm::server {

class SyncService {
 public:
  using Clock = std::function<std::uint64_t()>;

  // Any backend (std::unique_ptr<ServerStore> converts).
  SyncService(std::unique_ptr<Store> store, Metrics& metrics, Clock now = model::HlcClock::system_now_millis,
              ServerPolicy policy = {});

  // Checks the password and enrols a new device (or re-issues an existing
  // device's token). On success `who` is set. `address` is where the request
  // came from, for throttling and the audit trail. Runs the password check
  // here, synchronously (tests, the loopback transport); the server splits it
  // with begin_login/finish_login so scrypt runs on its own pool.
  protocol::AuthResult login(const protocol::LoginRequest& request, Identity& who, const std::string& address = {});

  // First half of a password sign-in: validates every field (a bad one is
  // refused and never recorded as given), consults the throttle, looks up the
  // account. Either the answer (refused, locked out, busy) or the check to run.
  // Every PasswordCheck returned must reach finish_login or abandon_login.
  std::variant<protocol::AuthResult, PasswordCheck> begin_login(const protocol::LoginRequest& request,
                                                                const std::string& address);
  // Second half, on the store thread, once `password_ok` is known.
  protocol::AuthResult finish_login(const PasswordCheck& check, bool password_ok, Identity& who);
  // The check could not be queued (the pool was full): "busy, try again shortly".
  protocol::AuthResult abandon_login(const PasswordCheck& check);
  // Checks a device token, renewing it in the second half of its life. A
  // revoked device is told so (it wipes its replica); an expired token is told
  // to sign in again with the password.
  protocol::AuthResult authenticate(const protocol::AuthRequest& request, Identity& who,
                                    const std::string& address = {});

  // Signs receipts with these keys from now on and tells devices about them
  // when they sign in or connect. Without keys, pushes get no receipt.
  void set_receipt_keys(std::shared_ptr<const ReceiptKeys> keys);

  // Applies each operation exactly once, in one transaction for the batch.
  // `changed_scopes` receives the scopes whose records changed (for pokes).
  // With receipt keys, the answer carries one signed receipt covering every
  // operation accepted now or answered from the ledger (docs/protocol.md).
  protocol::PushResponse push(const Identity& who, const protocol::PushRequest& request,
                              std::set<std::string>& changed_scopes);

  protocol::PullResponse pull(const Identity& who, const protocol::PullRequest& request);

  // The scopes a person sees now.
  std::set<std::string> scopes_of(const Identity& who) const;
  // What a person sees now by grants (the meeting they are booked to minute,
  // the concerns they are told of as a LADO) beyond `scopes` (scopes_of):
  // policy::GrantedAccess, derived from the stored meetings and concerns.
  policy::GrantedAccess granted_to(const Identity& who, const std::set<std::string>& scopes) const;

  // R8: one escalation sweep for `today` (UK date). Store thread only.
  struct EscalationSummary {
    std::size_t notifications = 0;
    std::set<std::string> changed_scopes;
  };
  EscalationSummary escalate(const policy::Date& today);

  // Appends to the audit trail (joins the current transaction if any).
  void audit(const Identity& who, std::string kind, std::string detail, std::uint64_t device_time_ms = 0,
             const std::set<std::string>& scopes = {});

  // Re-reads reference data after an import.
  void reload_reference_data();

  // Why the device behind `who` may no longer be served (revoked, its
  // account gone; the message is for the person), or nullopt when it may.
  // Store thread; two indexed reads.
  std::optional<Error> no_longer_allowed(const Identity& who);
  // True when another process (psm-server device revoke, import) has
  // committed to the store since the last call: live connections then need
  // checking with still_allowed. Cheap (PRAGMA data_version).
  bool store_changed_elsewhere();
  // Writes the counts of refused sign-ins for minutes that have ended (`all`:
  // the current one too). Called by a periodic sweep and at shutdown.
  void flush_refusals(bool all = false);

  // The sign-in throttle (tests and metrics read its size).
  const LoginThrottle& throttle() const { return sign_in_.throttle(); }

  ~SyncService();

  // The SQLCipher store behind the service, for admin commands and tests that
  // use what only it has; throws std::logic_error when the service runs over
  // another backend. The service itself uses only backend().
  ServerStore& store();
  Store& backend() { return *store_; }
  // Thread-safe (atomic counters).
  Metrics& metrics() { return metrics_; }

 private:
  // `receipt` receives the receipt entry for an accepted operation (or the
  // one kept in the ledger for an operation applied before). The rules read
  // the time the person acted from the operation (model::acted_at), not
  // before `enrolled_at_ms`, the device's enrolment.
  protocol::OpResult apply_one(const Identity& who, ops::Operation op, std::uint64_t enrolled_at_ms,
                               std::set<std::string>& changed_scopes, std::optional<protocol::ReceiptEntry>& receipt);
  void refresh_reference_data();
  // Comma-separated ids of the children whose records live in these scopes.
  std::string children_of(const std::set<std::string>& scopes) const;
  // How many of `wanted` operations this device may send now (token bucket).
  std::size_t take_op_allowance(const std::string& device_id, std::size_t wanted, std::uint64_t& retry_after_ms);

  std::unique_ptr<Store> store_;
  ServerStore* sqlcipher_;  // store_ when it is the SQLCipher store, else null
  Metrics& metrics_;
  Clock now_;
  model::HlcClock hlc_;
  policy::ReferenceData reference_;
  policy::Grants grants_;  // from every stored meeting and concern; kept current by apply_one
  std::string reference_version_;
  ServerPolicy policy_;
  SignIn sign_in_;  // after store_, now_ and policy_, which it refers to
  std::int64_t data_version_ = -1;
  struct Bucket {
    double tokens = 0;
    std::uint64_t at_ms = 0;
  };
  std::map<std::string, Bucket> buckets_;  // per device
  std::shared_ptr<const ReceiptKeys> receipt_keys_;
};
// add_user (sign_in.hpp) and import_reference_data (reference_import.hpp)
// are declared with the units they belong to and reach callers through the
// includes above.

}  // namespace psm::server
