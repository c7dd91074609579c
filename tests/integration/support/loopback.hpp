// An in-process transport: the client's sync engine talks straight to a
// server SyncService, with the real codec on both sides but no sockets. Lets
// sync and convergence tests run thousands of sessions quickly.
#pragma once

#include "client/sync/transport.hpp"
#include "common/protocol/codec.hpp"
#include "server/sync/sync_service.hpp"

#include <deque>
#include <functional>

namespace psm::testing {

class LoopbackTransport final : public client::Transport {
 public:
  explicit LoopbackTransport(server::SyncService& service) : service_(service) {}

  // Fault injection: when set, called before each message is delivered; returning
  // false drops the connection at that point (the message is not delivered).
  std::function<bool(std::size_t message_index)> deliver_if;
  // When set, the server handles the message but its answer is lost.
  std::function<bool(std::size_t message_index)> lose_answer_if;
  // The network address the server sees (sign-in throttling counts by it).
  std::string address = "192.0.2.10";

  error_code send(std::string_view bytes) override {
    const std::size_t index = sent_++;
    if (deliver_if && !deliver_if(index)) return make_error_code(Errc::unavailable);
    auto message = protocol::decode(bytes);
    if (!message) return make_error_code(Errc::malformed_message);
    protocol::Message answer;
    if (auto* login = std::get_if<protocol::LoginRequest>(&*message)) {
      answer = service_.login(*login, who_, address);
    } else if (auto* auth = std::get_if<protocol::AuthRequest>(&*message)) {
      answer = service_.authenticate(*auth, who_, address);
    } else if (auto* push = std::get_if<protocol::PushRequest>(&*message)) {
      std::set<std::string> changed;
      answer = service_.push(who_, *push, changed);
    } else if (auto* pull = std::get_if<protocol::PullRequest>(&*message)) {
      answer = service_.pull(who_, *pull);
    } else {
      return make_error_code(Errc::malformed_message);
    }
    if (lose_answer_if && lose_answer_if(index)) return {};
    inbox_.push_back(protocol::encode(answer));
    return {};
  }

  Result<std::string> receive(std::chrono::milliseconds) override {
    if (inbox_.empty()) return make_error_code(Errc::unavailable);
    auto m = std::move(inbox_.front());
    inbox_.pop_front();
    return m;
  }

 private:
  server::SyncService& service_;
  server::Identity who_;
  std::deque<std::string> inbox_;
  std::size_t sent_ = 0;
};

}  // namespace psm::testing
