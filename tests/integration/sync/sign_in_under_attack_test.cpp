// Sign-in under attack, through the real sessions and hub the server runs:
// password checks wait on their own pool while token sign-ins and pulls are
// answered; a full pool answers "busy" at once; a device revoked by another
// process (as `psm-server device revoke` does) is told and closed while it is
// connected over real TLS, and its next push is not applied.
#include "common/model/ids.hpp"
#include "common/protocol/codec.hpp"
#include "server/server.hpp"
#include "server/sync/password_checks.hpp"
#include "server/sync/session.hpp"
#include "support/tls_stack.hpp"
#include "support/world.hpp"
#include "testing/expected.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace psm::testing {
namespace {

using namespace std::chrono_literals;

// A connection the test holds: what the session sends lands here.
class RecordingConnection final : public server::net::Connection {
 public:
  explicit RecordingConnection(std::string address) : address_(std::move(address)) {}
  void send(std::string message) override {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    messages_.push_back(std::move(message));
    changed_.notify_all();
  }
  void close(std::string) override {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }
  std::string remote_address() const override { return address_ + ":40000"; }
  // The transport's read bounds are not what these tests are about.
  void message_handled(std::size_t) override {}
  void signed_in() override {}

  // The index-th message sent, waiting for it (the bound is a safety net, not a measure).
  std::optional<protocol::Message> message(std::size_t index) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 20s, [&] { return messages_.size() > index; });
    if (messages_.size() <= index) return std::nullopt;
    auto decoded = protocol::decode(messages_[index]);
    if (!decoded) return std::nullopt;
    return *decoded;
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return messages_.size();
  }

 private:
  std::string address_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> messages_;
  bool closed_ = false;
};

// The hub and sessions `psm-server serve` builds, on a store thread, with a
// password pool whose checks wait until the test opens the gate.
class SignInUnderAttack : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = server::ServerStore::create(server::DataPaths(dir_.path / "data"));
    ASSERT_TRUE(psm::testing::succeeded(store));
    ASSERT_TRUE(psm::testing::succeeded(server::import_reference_data(**store, kReferenceJson)));
    for (auto [user, role] :
         {std::pair{"carer-1", model::Role::foster_carer}, std::pair{"csw-1", model::Role::child_social_worker}}) {
      ASSERT_TRUE(psm::testing::succeeded(
          server::add_user(**store, {user, user, role, user, {}}, World::kPassword, crypto::kScryptTest)));
    }
    auto gate = gate_.get_future().share();
    checks_ = std::make_shared<server::PasswordChecks>(1, kWaiting,
                                                       [gate](std::string_view password, std::string_view encoded) {
                                                         gate.wait();
                                                         return crypto::verify_password(password, encoded);
                                                       });
    // The server psm-server serve builds, with connections made here instead
    // of by a listener.
    server::ServerOptions options;
    options.data = dir_.path / "data";
    options.store = std::move(*store);
    options.password_checks = checks_;
    options.network = false;
    server_ = std::make_unique<server::Server>(std::move(options));
    auto failure = server_->start();
    ASSERT_FALSE(failure) << failure->detail;
    server_->run_in_background();
    // The carer's device enrolled earlier (its token sign-ins need no password).
    auto enrolled = server_->on_store_thread([](server::SyncService& service) {
      server::Identity who;
      return service.login({"carer-1", std::string(World::kPassword), "laptop", "", 0}, who, "192.0.2.10");
    });
    ASSERT_TRUE(enrolled.ok) << enrolled.message;
    device_id_ = enrolled.device_id;
    device_token_ = enrolled.device_token;
  }

  void TearDown() override {
    open_gate();
    for (auto& [connection, handler] : handlers_) handler->on_close();
    handlers_.clear();
    checks_.reset();  // the hub's is then the last reference: its shutdown joins the pool
    server_.reset();  // stops the hub and the store thread, as psm-server serve stops
  }

  void open_gate() {
    if (!gate_open_) gate_.set_value();
    gate_open_ = true;
  }

  // A new connection to the hub, as the listener makes one.
  std::shared_ptr<RecordingConnection> open(const std::string& address) {
    auto connection = std::make_shared<RecordingConnection>(address);
    handlers_.emplace_back(connection.get(), server_->hub().handler_factory()(connection));
    return connection;
  }
  void send(const std::shared_ptr<RecordingConnection>& c, const protocol::Message& m) {
    for (auto& [connection, handler] : handlers_) {
      if (connection == c.get()) handler->on_message(protocol::encode(m));
    }
  }

  void wait_for_checks_in_flight(std::size_t n) {
    for (int i = 0; i < 20'000 && checks_->in_flight() < n; ++i) std::this_thread::sleep_for(1ms);
    ASSERT_EQ(checks_->in_flight(), n);
  }

  static constexpr std::size_t kWaiting = 8;
  TempDir dir_;
  std::promise<void> gate_;
  bool gate_open_ = false;
  std::shared_ptr<server::PasswordChecks> checks_;
  std::unique_ptr<server::Server> server_;
  std::vector<std::pair<const server::net::Connection*, std::shared_ptr<server::net::ConnectionHandler>>> handlers_;
  std::string device_id_, device_token_;
};

TEST_F(SignInUnderAttack, WhilePasswordChecksWait_ATokenSignInAndAPull_AreAnswered) {
  std::vector<std::shared_ptr<RecordingConnection>> guessers;
  for (int i = 0; i < 5; ++i) {
    guessers.push_back(open("203.0.113." + std::to_string(i)));
    send(guessers.back(), protocol::LoginRequest{"csw-1", "guess " + std::to_string(i), "laptop", "", 0});
  }
  wait_for_checks_in_flight(5);

  auto device = open("192.0.2.10");
  send(device, protocol::AuthRequest{device_id_, device_token_, 0});
  send(device, protocol::PullRequest{0, {}});
  auto auth = device->message(0);
  ASSERT_TRUE(auth);
  ASSERT_TRUE(std::holds_alternative<protocol::AuthResult>(*auth));
  EXPECT_TRUE(std::get<protocol::AuthResult>(*auth).ok) << std::get<protocol::AuthResult>(*auth).message;
  auto pull = device->message(1);
  ASSERT_TRUE(pull);
  ASSERT_TRUE(std::holds_alternative<protocol::PullResponse>(*pull));
  EXPECT_FALSE(std::get<protocol::PullResponse>(*pull).records.empty());
  // All the while, not one of the password checks has finished.
  EXPECT_EQ(checks_->in_flight(), 5u);
  for (auto& g : guessers) EXPECT_EQ(g->count(), 0u);

  open_gate();
  for (auto& g : guessers) {
    auto answer = g->message(0);
    ASSERT_TRUE(answer);
    ASSERT_TRUE(std::holds_alternative<protocol::AuthResult>(*answer));
    EXPECT_EQ(std::get<protocol::AuthResult>(*answer).error, static_cast<std::uint16_t>(Errc::authentication_failed));
  }
}

TEST_F(SignInUnderAttack, WhenThePasswordPoolIsFull_ASignInIsAnsweredBusyAtOnce_AndARightPasswordLaterSignsIn) {
  std::vector<std::shared_ptr<RecordingConnection>> guessers;
  for (std::size_t i = 0; i < 1 + kWaiting; ++i) {
    guessers.push_back(open("203.0.113." + std::to_string(i)));
    send(guessers.back(), protocol::LoginRequest{"csw-1", "guess", "laptop", "", 0});
  }
  wait_for_checks_in_flight(1 + kWaiting);
  auto colleague = open("198.51.100.4");
  send(colleague, protocol::LoginRequest{"carer-1", std::string(World::kPassword), "phone", "", 0});
  auto busy = colleague->message(0);
  ASSERT_TRUE(busy);
  ASSERT_TRUE(std::holds_alternative<protocol::AuthResult>(*busy));
  EXPECT_EQ(std::get<protocol::AuthResult>(*busy).error, static_cast<std::uint16_t>(Errc::busy));
  EXPECT_GT(std::get<protocol::AuthResult>(*busy).retry_after_ms, 0u);

  open_gate();
  for (auto& g : guessers) ASSERT_TRUE(g->message(0));
  send(colleague, protocol::LoginRequest{"carer-1", std::string(World::kPassword), "phone", "", 0});
  auto ok = colleague->message(1);
  ASSERT_TRUE(ok);
  ASSERT_TRUE(std::holds_alternative<protocol::AuthResult>(*ok));
  EXPECT_TRUE(std::get<protocol::AuthResult>(*ok).ok) << std::get<protocol::AuthResult>(*ok).message;
}

TEST_F(SignInUnderAttack, OneAddress_CannotHoldMoreThanAFewChecks) {
  std::vector<std::shared_ptr<RecordingConnection>> guessers;
  for (std::size_t i = 0; i < limits::kMaxPasswordChecksPerAddress + 1; ++i) {
    guessers.push_back(open("203.0.113.50"));
    send(guessers.back(), protocol::LoginRequest{"nobody-" + std::to_string(i), "guess", "laptop", "", 0});
  }
  auto last = guessers.back()->message(0);
  ASSERT_TRUE(last);
  EXPECT_EQ(std::get<protocol::AuthResult>(*last).error, static_cast<std::uint16_t>(Errc::busy));
  EXPECT_EQ(checks_->in_flight(), limits::kMaxPasswordChecksPerAddress);
}

class RevocationWhileConnected : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = server::ServerStore::create(paths());
    ASSERT_TRUE(psm::testing::succeeded(store));
    ASSERT_TRUE(psm::testing::succeeded(server::import_reference_data(**store, kReferenceJson)));
    ASSERT_TRUE(psm::testing::succeeded(
        server::add_user(**store, {"csw-1", "csw-1", model::Role::child_social_worker, "csw-1", {}}, World::kPassword,
                         crypto::kScryptTest)));
    stack_ = std::make_unique<TlsStack>(std::move(*store), dir_.path / "tls");
  }
  server::DataPaths paths() const { return server::DataPaths(dir_.path / "data"); }

  TempDir dir_;
  std::unique_ptr<TlsStack> stack_;
};

TEST_F(RevocationWhileConnected, RevokingTheDevice_ClosesItsConnection_AndItsNextPushIsNotApplied) {
  auto csw = stack_->connect_and_enrol("csw-1", std::string(World::kPassword));
  ASSERT_TRUE(csw->replica);
  const auto device_id = *csw->replica->meta("device_id");
  const auto applied_before =
      stack_->on_store_thread([](server::SyncService& s) { return s.backend().applied_count(); });

  // Another process opens the store and revokes the device, as `psm-server
  // device revoke` does.
  {
    auto admin = server::ServerStore::open(paths());
    ASSERT_TRUE(psm::testing::succeeded(admin));
    ASSERT_TRUE((*admin)->revoke_device(device_id));
  }
  // The server tells the connected device without being asked, and closes.
  auto told = csw->transport->receive(10s);
  ASSERT_TRUE(told) << "the connection was not told";
  auto message = protocol::decode(*told);
  ASSERT_TRUE(message);
  ASSERT_TRUE(std::holds_alternative<protocol::ErrorMessage>(*message));
  EXPECT_EQ(std::get<protocol::ErrorMessage>(*message).error, static_cast<std::uint16_t>(Errc::device_revoked));

  // What it sends now is not applied, on this connection or a new one.
  ops::RequestMeeting request{model::new_uuid_v7(), "p1", model::MeetingType::support, "After revocation", 0};
  ASSERT_TRUE(csw->replica->submit(request).ok());
  client::SyncReport report;
  EXPECT_TRUE(client::sync_once(*csw->replica, *csw->transport, report));
  EXPECT_EQ(stack_->on_store_thread([](server::SyncService& s) { return s.backend().applied_count(); }),
            applied_before);
  EXPECT_FALSE(stack_->on_store_thread([&](server::SyncService& s) {
    return s.backend().get(model::collection::kMeetings, request.meeting_id).has_value();
  }));
}

}  // namespace
}  // namespace psm::testing
