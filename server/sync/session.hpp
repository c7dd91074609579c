// Glue between the transport and the sync service. One SyncSession per
// connection; all sync work runs on the single store thread, in the order the
// connection delivered it, and answers go back through the connection's queue.
#pragma once

#include "server/net/listener.hpp"
#include "server/sync/password_checks.hpp"
#include "server/sync/sync_service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <map>
#include <memory>
#include <set>

namespace psm::server {

class SyncSession;

// Owns the sync service and its store thread; tracks live sessions for pokes
// and closes those of devices revoked meanwhile. Password checks run on their
// own small pool (`checks`; by default limits::kPasswordCheckThreads threads
// and limits::kMaxQueuedPasswordChecks waiting), never on the store thread.
class SyncHub : public std::enable_shared_from_this<SyncHub> {
 public:
  SyncHub(boost::asio::io_context& store_context, std::unique_ptr<SyncService> service,
          std::shared_ptr<PasswordChecks> checks = nullptr);

  // The transport's factory: one handler per new connection.
  net::HandlerFactory handler_factory();

  boost::asio::io_context& store_context() { return store_context_; }
  SyncService& service() { return *service_; }  // store thread only

  // Store thread only.
  void attach(const std::shared_ptr<SyncSession>& session);
  void detach(const SyncSession* session);
  void poke(const std::set<std::string>& changed_scopes, const SyncSession* except, std::uint64_t cursor);
  // R8: runs an escalation sweep for today and pokes whoever it notified.
  void escalate_now();

  PasswordChecks& password_checks() { return *checks_; }

  // Store thread. When another process changed the store (psm-server device
  // revoke), closes the connections of devices no longer allowed, telling a
  // revoked device to wipe. Run before each push and pull, and every
  // limits::kRevocationCheckInterval once started.
  void check_revocations();
  // Store thread: starts the periodic check (revocations, refused sign-ins'
  // counts); idempotent. The first sign-in attempt starts it.
  void start_sweeps();
  // Store thread: stops the periodic check and writes the current minute's
  // counts of refused sign-ins. Call before the store thread's run() is let
  // finish (the timer would keep it running).
  void stop();
  // After the store thread's run() has returned, on the thread that ran it
  // or the one that joined it: waits for the password check running now,
  // drops waiting ones, and runs what is left in the store context's queue.
  void shutdown();

 private:
  void sweep();
  boost::asio::io_context& store_context_;
  std::unique_ptr<SyncService> service_;
  std::shared_ptr<PasswordChecks> checks_;
  boost::asio::steady_timer sweep_timer_;
  bool sweeping_ = false, stopped_ = false;
  std::map<const SyncSession*, std::weak_ptr<SyncSession>> sessions_;
};

class SyncSession : public net::ConnectionHandler, public std::enable_shared_from_this<SyncSession> {
 public:
  SyncSession(std::shared_ptr<SyncHub> hub, std::shared_ptr<net::Connection> connection);

  void on_message(std::string message) override;
  void on_close() override;

  // Store thread only.
  const std::set<std::string>& scopes() const { return scopes_; }
  const Identity& who() const { return who_; }
  void send_poke(std::uint64_t cursor);
  // The device may no longer be served: tells it why and closes.
  void end(const Error& why);

 private:
  void handle(std::string message);  // store thread
  void dispatch(protocol::Message& message);
  void begin_login(const protocol::LoginRequest& request);
  void finish_login(const PasswordCheck& check, bool password_ok);
  void signed_in();
  void send(const protocol::Message& message);
  void fail(Errc code, std::string message);

  friend class SyncHub;  // attach() tells the connection it has signed in
  std::shared_ptr<SyncHub> hub_;
  std::shared_ptr<net::Connection> connection_;
  Identity who_;                  // store thread only
  std::set<std::string> scopes_;  // store thread only
  // While its password is checked, a connection's later messages wait, in
  // order (a device sends nothing before the answer; a few are allowed).
  bool awaiting_password_ = false;   // store thread only
  bool closed_ = false;              // store thread only: on_close has been handled
  std::deque<std::string> waiting_;  // store thread only
  static constexpr std::size_t kMaxWaitingMessages = 4;
};

}  // namespace psm::server
