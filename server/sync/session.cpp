#include "server/sync/session.hpp"

#include "common/limits.hpp"
#include "common/protocol/codec.hpp"
#include "common/store/database.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <algorithm>

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

SyncHub::SyncHub(boost::asio::io_context& store_context, std::unique_ptr<SyncService> service,
                 std::shared_ptr<PasswordChecks> checks)
    : store_context_(store_context),
      service_(std::move(service)),
      checks_(checks ? std::move(checks) : std::make_shared<PasswordChecks>()),
      sweep_timer_(store_context) {}

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

void SyncHub::check_revocations() {
  if (!service_->store_changed_elsewhere()) return;
  std::vector<std::pair<std::shared_ptr<SyncSession>, Error>> ended;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    auto session = it->second.lock();
    if (!session) {
      it = sessions_.erase(it);
      continue;
    }
    if (auto refusal = service_->no_longer_allowed(session->who())) ended.emplace_back(session, *refusal);
    ++it;
  }
  for (auto& [session, refusal] : ended) {
    service_->audit(session->who(), "disconnect", "connection closed: " + refusal.message);
    spdlog::info("closed a connection of device {}: {}", session->who().device_id, refusal.message);
    session->end(refusal);
  }
}

void SyncHub::start_sweeps() {
  if (sweeping_ || stopped_) return;
  sweeping_ = true;
  sweep();
}

void SyncHub::sweep() {
  sweep_timer_.expires_after(limits::kRevocationCheckInterval);
  sweep_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->stopped_) return;
    try {
      self->check_revocations();
      self->service_->flush_refusals();
    } catch (const std::exception& e) {
      spdlog::error("revocation check failed (will retry): {}", e.what());
    }
    self->sweep();
  });
}

void SyncHub::stop() {
  stopped_ = true;
  sweep_timer_.cancel();
  try {
    service_->flush_refusals(/*all=*/true);
  } catch (const std::exception& e) {
    spdlog::warn("could not record the last minute's refused sign-ins: {}", e.what());
  }
}

void SyncHub::shutdown() {
  checks_.reset();  // joins the check running now, if any (when the hub held the last reference)
  // Finish what that check posted, here: no handler holding a session (and
  // so this hub and its timer) may outlive the store context in its queue.
  store_context_.restart();
  store_context_.poll();
}

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
    poke(result.changed_scopes, nullptr, service_->backend().last_seq());
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
  boost::asio::post(hub_->store_context(), [self = shared_from_this()] {
    self->closed_ = true;
    self->hub_->detach(self.get());
  });
}

void SyncSession::send(const protocol::Message& message) { connection_->send(protocol::encode(message)); }

void SyncSession::send_poke(std::uint64_t cursor) { send(protocol::Poke{cursor}); }

void SyncSession::fail(Errc code, std::string message) {
  send(protocol::ErrorMessage{static_cast<std::uint16_t>(code), message});
  connection_->close(std::move(message));
}

void SyncSession::end(const Error& why) {
  hub_->detach(this);
  who_ = {};  // nothing more is served on this connection, whatever arrives
  scopes_.clear();
  fail(to_errc(why.code), why.message);
}

void SyncSession::signed_in() {
  scopes_ = hub_->service().scopes_of(who_);
  if (!closed_) hub_->attach(shared_from_this());  // a password check may end after the connection did
}

void SyncSession::handle(std::string bytes) {
  if (awaiting_password_) {
    // In order, after the sign-in's answer.
    if (waiting_.size() >= kMaxWaitingMessages) {
      fail(Errc::malformed_message, "too many messages before the sign-in was answered");
      return;
    }
    waiting_.push_back(std::move(bytes));
    return;
  }
  auto decoded = protocol::decode(bytes);
  if (!decoded) {
    spdlog::warn("closing connection from {}: undecodable message ({} bytes)", connection_->remote_address(),
                 bytes.size());
    fail(Errc::malformed_message, "malformed message");
    return;
  }
  try {
    dispatch(*decoded);
  } catch (const StoreError& e) {
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

void SyncSession::begin_login(const protocol::LoginRequest& request) {
  auto& service = hub_->service();
  auto begun = service.begin_login(request, host_of(connection_->remote_address()));
  if (auto* answer = std::get_if<protocol::AuthResult>(&begun)) {
    send(*answer);
    return;
  }
  auto check = std::make_shared<PasswordCheck>(std::move(std::get<PasswordCheck>(begun)));
  // scrypt runs on the password pool; the store thread serves others meanwhile.
  const bool queued = hub_->password_checks().submit(
      check->request.password, check->encoded_hash, [self = shared_from_this(), check](bool ok) mutable {
        auto& context = self->hub_->store_context();
        boost::asio::post(context,
                          [self = std::move(self), check = std::move(check), ok] { self->finish_login(*check, ok); });
      });
  // The pool holds its own copy; this one is not needed to finish.
  std::fill(check->request.password.begin(), check->request.password.end(), '\0');
  check->request.password.clear();
  if (!queued) {
    send(service.abandon_login(*check));
    return;
  }
  awaiting_password_ = true;
}

void SyncSession::finish_login(const PasswordCheck& check, bool password_ok) {
  awaiting_password_ = false;
  try {
    auto result = hub_->service().finish_login(check, password_ok, who_);
    if (result.ok) signed_in();
    send(result);
  } catch (const StoreError& e) {
    spdlog::error("store error while signing in: {}", e.what());
    fail(Errc::busy, "the server could not complete this request; try again");
    return;
  } catch (const std::exception& e) {
    spdlog::error("internal error while signing in: {}", e.what());
    fail(Errc::internal, "the server could not complete this request");
    return;
  }
  // What the connection sent meanwhile, in order (handle() may wait again).
  while (!waiting_.empty() && !awaiting_password_) {
    auto next = std::move(waiting_.front());
    waiting_.pop_front();
    handle(std::move(next));
  }
}

void SyncSession::dispatch(protocol::Message& message) {
  auto& service = hub_->service();
  if (auto* login = std::get_if<protocol::LoginRequest>(&message)) {
    hub_->start_sweeps();
    begin_login(*login);
    return;
  }
  if (auto* auth = std::get_if<protocol::AuthRequest>(&message)) {
    hub_->start_sweeps();
    auto result = service.authenticate(*auth, who_, host_of(connection_->remote_address()));
    if (result.ok) signed_in();
    send(result);
    return;
  }
  if (!who_.authenticated()) {
    fail(Errc::authentication_failed, "authenticate first");
    return;
  }
  // Revoked (or its account removed) by another process since the last
  // request: this session has been told and closed, and nothing more is served.
  hub_->check_revocations();
  if (!who_.authenticated()) return;
  if (auto* push = std::get_if<protocol::PushRequest>(&message)) {
    if (push->ops.size() > limits::kMaxOpsPerPush) {
      fail(Errc::message_too_large, "too many operations in one push");
      return;
    }
    std::set<std::string> changed;
    auto response = service.push(who_, *push, changed);
    send(response);  // only after the transaction committed
    hub_->poke(changed, this, service.backend().last_seq());
  } else if (auto* pull = std::get_if<protocol::PullRequest>(&message)) {
    auto response = service.pull(who_, *pull);
    scopes_ = {response.scopes.begin(), response.scopes.end()};
    send(response);
  } else {
    fail(Errc::malformed_message, "unexpected message");
  }
}

}  // namespace psm::server
