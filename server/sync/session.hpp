// Glue between the transport and the sync service. One SyncSession per
// connection; all sync work runs on the single store thread, in the order the
// connection delivered it, and answers go back through the connection's queue.
#pragma once

#include "server/net/listener.hpp"
#include "server/sync/sync_service.hpp"

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>
#include <set>

namespace psm::server {

class SyncSession;

// Owns the sync service and its store thread; tracks live sessions for pokes.
class SyncHub : public std::enable_shared_from_this<SyncHub> {
 public:
  SyncHub(boost::asio::io_context& store_context, std::unique_ptr<SyncService> service);

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

 private:
  boost::asio::io_context& store_context_;
  std::unique_ptr<SyncService> service_;
  std::map<const SyncSession*, std::weak_ptr<SyncSession>> sessions_;
};

class SyncSession : public net::ConnectionHandler, public std::enable_shared_from_this<SyncSession> {
 public:
  SyncSession(std::shared_ptr<SyncHub> hub, std::shared_ptr<net::Connection> connection);

  void on_message(std::string message) override;
  void on_close() override;

  // Store thread only.
  const std::set<std::string>& scopes() const { return scopes_; }
  void send_poke(std::uint64_t cursor);

 private:
  void handle(std::string message);  // store thread
  void send(const protocol::Message& message);
  void fail(Errc code, std::string message);

  friend class SyncHub;  // attach() tells the connection it has signed in
  std::shared_ptr<SyncHub> hub_;
  std::shared_ptr<net::Connection> connection_;
  Identity who_;                 // store thread only
  std::set<std::string> scopes_; // store thread only
};

}  // namespace psm::server
