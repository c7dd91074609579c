#include "server/sync/session.hpp"

#include "common/limits.hpp"
#include "common/protocol/codec.hpp"
#include "common/store/database.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace psm::server {

namespace {
// "203.0.113.7:51234" → "203.0.113.7", "[::1]:51234" → "::1": throttling and
// the audit trail count by host, not by the (ever-changing) source port.
std::string host_of(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  if (colon == std::string::npos || endpoint.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
    return endpoint;
  }
  std::string host = endpoint.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host;
}
}  // namespace

SyncHub::SyncHub(boost::asio::io_context& store_context, std::unique_ptr<SyncService> service)
    : store_context_(store_context), service_(std::move(service)) {}

net::HandlerFactory SyncHub::handler_factory() {
  return [self = shared_from_this()](std::shared_ptr<net::Connection> connection) {
    return std::make_shared<SyncSession>(self, std::move(connection));
  };
}

void SyncHub::attach(const std::shared_ptr<SyncSession>& session) {
  sessions_[session.get()] = session;
  // Attached = signed in: the transport lifts its before-sign-in limits (the
  // reply telling the device is sent after this, so its next message is read
  // under them).
  session->connection_->signed_in();
}

void SyncHub::detach(const SyncSession* session) { sessions_.erase(session); }

void SyncHub::poke(const std::set<std::string>& changed, const SyncSession* except, std::uint64_t cursor) {
  if (changed.empty()) return;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto session = it->second.lock();
    if (!session) {
      it = sessions_.erase(it);
      continue;
    }
    if (session.get() != except) {
      for (const auto& scope : changed) {
        if (session->scopes().count(scope)) {
          session->send_poke(cursor);
          break;
        }
      }
    }
    ++it;
  }
}

void SyncHub::escalate_now() {
  try {
    const auto today = policy::uk_date_of(model::HlcClock::system_now_millis());
    auto result = service_->escalate(today);
    poke(result.changed_scopes, nullptr, service_->store().last_seq());
  } catch (const std::exception& e) {
    spdlog::error("escalation sweep failed (will retry): {}", e.what());
  }
}

SyncSession::SyncSession(std::shared_ptr<SyncHub> hub, std::shared_ptr<net::Connection> connection)
    : hub_(std::move(hub)), connection_(std::move(connection)) {
  hub_->service().metrics().connection_opened();
}

void SyncSession::on_message(std::string message) {
  // Off the I/O thread: SQLite work runs on the store thread, in arrival order.
  // The transport reads no further while too much is in hand (backpressure).
  boost::asio::post(hub_->store_context(), [self = shared_from_this(), m = std::move(message)]() mutable {
    const std::size_t bytes = m.size();
    self->handle(std::move(m));
    self->connection_->message_handled(bytes);
  });
}

void SyncSession::on_close() {
  hub_->service().metrics().connection_closed();
  boost::asio::post(hub_->store_context(), [self = shared_from_this()] { self->hub_->detach(self.get()); });
}

void SyncSession::send(const protocol::Message& message) { connection_->send(protocol::encode(message)); }

void SyncSession::send_poke(std::uint64_t cursor) { send(protocol::Poke{cursor}); }

void SyncSession::fail(Errc code, std::string message) {
  send(protocol::ErrorMessage{static_cast<std::uint16_t>(code), message});
  connection_->close(std::move(message));
}

void SyncSession::handle(std::string bytes) {
  auto decoded = protocol::decode(bytes);
  if (!decoded) {
    spdlog::warn("closing connection from {}: undecodable message ({} bytes)", connection_->remote_address(),
                 bytes.size());
    fail(Errc::malformed_message, "malformed message");
    return;
  }
  auto& service = hub_->service();
  try {
    if (auto* login = std::get_if<protocol::LoginRequest>(&*decoded)) {
      auto result = service.login(*login, who_, host_of(connection_->remote_address()));
      if (result.ok) {
        scopes_ = service.scopes_of(who_);
        hub_->attach(shared_from_this());
      }
      send(result);
    } else if (auto* auth = std::get_if<protocol::AuthRequest>(&*decoded)) {
      auto result = service.authenticate(*auth, who_, host_of(connection_->remote_address()));
      if (result.ok) {
        scopes_ = service.scopes_of(who_);
        hub_->attach(shared_from_this());
      }
      send(result);
    } else if (!who_.authenticated()) {
      fail(Errc::authentication_failed, "authenticate first");
    } else if (auto* push = std::get_if<protocol::PushRequest>(&*decoded)) {
      if (push->ops.size() > limits::kMaxOpsPerPush) {
        fail(Errc::message_too_large, "too many operations in one push");
        return;
      }
      std::set<std::string> changed;
      auto response = service.push(who_, *push, changed);
      send(response);  // only after the transaction committed
      hub_->poke(changed, this, service.store().last_seq());
    } else if (auto* pull = std::get_if<protocol::PullRequest>(&*decoded)) {
      auto response = service.pull(who_, *pull);
      scopes_ = {response.scopes.begin(), response.scopes.end()};
      send(response);
    } else {
      fail(Errc::malformed_message, "unexpected message");
    }
  } catch (const store::StoreError& e) {
    // Nothing was acknowledged: the device keeps its operations and retries.
    spdlog::error("store error while serving device {}: {}", who_.device_id, e.what());
    fail(Errc::busy, "the server could not complete this request; try again");
  } catch (const std::exception& e) {
    // Any other failure (a bug, memory) ends this connection only: it must not
    // escape the store thread's run() and stop the server for everyone. The
    // batch's transaction has rolled back, so nothing was acknowledged.
    spdlog::error("internal error while serving device {}: {}", who_.device_id, e.what());
    fail(Errc::internal, "the server could not complete this request");
  }
}

}  // namespace psm::server
