// An in-process transport: the client's sync engine talks to the real
// server session (SyncSession, made by the Server's SyncHub) through a
// loopback net::Connection, with the real codec on both sides but no sockets.
// Every message goes through what a TLS connection goes through: the session's
// sign-in gate, its batch limit and store-error handling, and the transport's
// message-size limits before and after sign-in. Lets sync and convergence
// tests run thousands of sessions quickly.
//
// With a Server built with store_thread = false (World), the store work runs
// on the test's thread, inside send() and receive(): a test is deterministic
// and may read the store between calls. Only scrypt runs elsewhere (the
// password-check pool); send() waits for its answer. With a store thread,
// send() waits for the session's answer instead.
//
// A LoopbackTransport must not outlive the Server it talks to.
#pragma once

#include "client/sync/transport.hpp"
#include "common/limits.hpp"
#include "common/protocol/codec.hpp"
#include "server/net/listener.hpp"
#include "server/server.hpp"
#include "server/sync/session.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace psm::testing {

// What the session sees as its connection: sends land in an inbox the
// transport reads. Thread-safe (the session calls it on the store thread).
class LoopbackConnection final : public server::net::Connection {
 public:
  explicit LoopbackConnection(std::string remote_address) : remote_address_(std::move(remote_address)) {}

  void send(std::string message) override {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    const bool poke = [&] {
      auto decoded = protocol::decode(message);
      return decoded && std::holds_alternative<protocol::Poke>(*decoded);
    }();
    if (!poke) ++answers_;
    inbox_.push_back(std::move(message));
    changed_.notify_all();
  }
  void close(std::string) override {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }
  std::string remote_address() const override { return remote_address_; }
  void message_handled(std::size_t) override {}  // the loopback reads without bounds
  void signed_in() override {
    std::lock_guard lock(mutex_);
    signed_in_ = true;
  }

  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  bool is_signed_in() const {
    std::lock_guard lock(mutex_);
    return signed_in_;
  }
  // Answers (anything but pokes) the session has sent so far.
  std::size_t answers() const {
    std::lock_guard lock(mutex_);
    return answers_;
  }
  std::size_t inbox_size() const {
    std::lock_guard lock(mutex_);
    return inbox_.size();
  }
  std::optional<std::string> pop() {
    std::lock_guard lock(mutex_);
    if (inbox_.empty()) return std::nullopt;
    auto message = std::move(inbox_.front());
    inbox_.pop_front();
    return message;
  }
  // Drops what arrived after the first `kept` messages.
  void drop_after(std::size_t kept) {
    std::lock_guard lock(mutex_);
    while (inbox_.size() > kept) inbox_.pop_back();
  }
  // Waits (on the session's thread's behalf) until `done()` or the deadline.
  template <class F>
  bool wait_until(F done, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline, [&] {
      lock.unlock();
      const bool d = done();
      lock.lock();
      return d;
    });
  }

 private:
  const std::string remote_address_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> inbox_;
  std::size_t answers_ = 0;
  bool closed_ = false, signed_in_ = false;
};

class LoopbackTransport final : public client::Transport {
 public:
  explicit LoopbackTransport(server::Server& server) : server_(server) {}
  ~LoopbackTransport() override { hang_up(); }
  LoopbackTransport(const LoopbackTransport&) = delete;
  LoopbackTransport& operator=(const LoopbackTransport&) = delete;

  // Fault injection: when set, called before each message is delivered; returning
  // false drops the connection at that point (the message is not delivered).
  std::function<bool(std::size_t message_index)> deliver_if;
  // When set, the server handles the message but its answer is lost (and the
  // connection with it).
  std::function<bool(std::size_t message_index)> lose_answer_if;
  // The network address the server sees (sign-in throttling counts by it).
  // Read when the connection opens, at the first send().
  std::string address = "192.0.2.10";

  error_code send(std::string_view bytes) override {
    const std::size_t index = sent_++;
    if (hung_up_) return make_error_code(Errc::unavailable);
    open();
    if (deliver_if && !deliver_if(index)) {
      hang_up();
      return make_error_code(Errc::unavailable);
    }
    if (connection_->closed()) return make_error_code(Errc::unavailable);
    // As the listener: a message over the limit in force closes the
    // connection (1009) before it reaches the session.
    const std::size_t limit =
        connection_->is_signed_in() ? limits::kMaxMessageBytes : limits::kMaxMessageBytesBeforeSignIn;
    if (bytes.size() > limit) {
      hang_up();
      return {};
    }
    const std::size_t answers_before = connection_->answers();
    const std::size_t inbox_before = connection_->inbox_size();
    session_->on_message(std::string(bytes));
    // Until the session has answered this message (a sign-in's answer comes
    // after the password pool's check) or closed the connection.
    wait_for([&] { return connection_->answers() > answers_before || connection_->closed(); }, kAnswerWait);
    if (lose_answer_if && lose_answer_if(index)) {
      connection_->drop_after(inbox_before);
      hang_up();
    }
    return {};
  }

  Result<std::string> receive(std::chrono::milliseconds timeout) override {
    if (connection_) {
      wait_for([&] { return connection_->inbox_size() > 0 || connection_->closed(); }, timeout);
      if (auto message = connection_->pop()) return *std::move(message);
      if (!connection_->closed() && !hung_up_) return make_error_code(Errc::timeout);
    }
    return make_error_code(Errc::unavailable);
  }

 private:
  // The bound on one answer: a safety net, not a measure.
  static constexpr std::chrono::seconds kAnswerWait{30};

  void open() {
    if (session_) return;
    const bool v6 = address.find(':') != std::string::npos;
    connection_ = std::make_shared<LoopbackConnection>((v6 ? "[" + address + "]" : address) + ":40000");
    session_ = server_.hub().handler_factory()(connection_);
  }

  template <class F>
  void wait_for(F done, std::chrono::milliseconds wait) {
    if (server_.has_store_thread()) {
      connection_->wait_until(done, std::chrono::steady_clock::now() + wait);
    } else {
      server_.run_store_work(done, wait);
    }
  }

  // The connection ends, as when the socket closes: the session hears it
  // once, after its last message.
  void hang_up() {
    if (hung_up_) return;
    hung_up_ = true;
    if (!session_) return;
    connection_->close("");
    session_->on_close();
    if (!server_.has_store_thread()) server_.run_store_work([] { return true; }, std::chrono::milliseconds(0));
  }

  server::Server& server_;
  std::shared_ptr<LoopbackConnection> connection_;
  std::shared_ptr<server::net::ConnectionHandler> session_;
  std::size_t sent_ = 0;
  bool hung_up_ = false;
};

}  // namespace psm::testing
