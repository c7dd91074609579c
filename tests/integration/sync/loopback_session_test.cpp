// The loopback transport carries bytes into the real session: what a device
// sends in process meets the same sign-in gate and limits as over TLS.
#include "client/net/websocket_client.hpp"
#include "common/model/ids.hpp"
#include "common/protocol/codec.hpp"
#include "support/loopback.hpp"
#include "support/tls_stack.hpp"
#include "support/world.hpp"
#include "testing/expected.hpp"

#include <gtest/gtest.h>

namespace psm::testing {
namespace {

using namespace std::chrono_literals;

// A push of `count` operations from `device_id` (what they say does not
// matter: nothing here may reach apply()).
std::string push_of(std::size_t count, const std::string& device_id) {
  protocol::PushRequest push;
  for (std::size_t i = 0; i < count; ++i) {
    ops::Operation op;
    op.op_id = model::new_uuid_v7();
    op.device_id = device_id;
    op.seq = i + 1;
    push.ops.push_back(op);
  }
  return protocol::encode(protocol::Message{push});
}

// What the server answered, and whether it then closed the connection.
struct Answer {
  std::optional<protocol::ErrorMessage> error;
  bool closed_after = false;
};

template <class Receive>
Answer answer_of(Receive receive) {
  Answer answer;
  auto bytes = receive(10s);
  if (!bytes) return answer;
  auto message = protocol::decode(*bytes);
  if (message && std::holds_alternative<protocol::ErrorMessage>(*message)) {
    answer.error = std::get<protocol::ErrorMessage>(*message);
  }
  auto next = receive(10s);
  answer.closed_after = !next && next.error() == Errc::unavailable;
  return answer;
}

TEST(LoopbackSession, PushBeforeSignIn_IsRefusedAndClosed_AsOverTls) {
  // Over loopback, into the World's real session.
  World w;
  const auto applied_before = w.store().applied_count();
  LoopbackTransport loopback(w.server());
  ASSERT_FALSE(loopback.send(push_of(1, "device-x")));
  const auto in_process = answer_of([&](auto timeout) { return loopback.receive(timeout); });
  ASSERT_TRUE(in_process.error);
  EXPECT_EQ(in_process.error->error, static_cast<std::uint16_t>(Errc::authentication_failed));
  EXPECT_EQ(in_process.error->message, "authenticate first");
  EXPECT_TRUE(in_process.closed_after);
  EXPECT_EQ(w.store().applied_count(), applied_before);

  // Over TLS, into psm-server serve's server.
  TempDir dir;
  auto store = server::ServerStore::create(server::DataPaths(dir.path / "data"));
  ASSERT_TRUE(psm::testing::succeeded(store));
  ASSERT_TRUE(psm::testing::succeeded(server::import_reference_data(**store, kReferenceJson)));
  TlsStack stack(std::move(*store), dir.path / "tls");
  auto socket = client::net::WebSocketClient::connect(stack.url(), stack.device_tls(), protocol::kSubprotocol, 10s);
  ASSERT_TRUE(psm::testing::succeeded(socket));
  ASSERT_FALSE((*socket)->send(push_of(1, "device-x"), 10s));
  const auto over_tls = answer_of([&](auto timeout) { return (*socket)->receive(timeout); });
  ASSERT_TRUE(over_tls.error);
  EXPECT_EQ(over_tls.error->error, in_process.error->error);
  EXPECT_EQ(over_tls.error->message, in_process.error->message);
  EXPECT_EQ(over_tls.closed_after, in_process.closed_after);
}

TEST(LoopbackSession, BatchOverTheLimit_IsRefused_AndNothingOfItApplied) {
  World w;
  auto carer = w.enrol("carer-1");
  const auto device_id = *carer->replica->meta("device_id");
  const auto applied_before = w.store().applied_count();
  LoopbackTransport t(w.server());
  ASSERT_FALSE(t.send(
      protocol::encode(protocol::Message{protocol::AuthRequest{device_id, *carer->replica->meta("device_token"), 0}})));
  auto auth = t.receive(10s);
  ASSERT_TRUE(auth);
  auto signed_in = protocol::decode(*auth);
  ASSERT_TRUE(signed_in && std::holds_alternative<protocol::AuthResult>(*signed_in));
  ASSERT_TRUE(std::get<protocol::AuthResult>(*signed_in).ok) << std::get<protocol::AuthResult>(*signed_in).message;

  ASSERT_FALSE(t.send(push_of(limits::kMaxOpsPerPush + 1, device_id)));
  const auto answer = answer_of([&](auto timeout) { return t.receive(timeout); });
  ASSERT_TRUE(answer.error);
  EXPECT_EQ(answer.error->error, static_cast<std::uint16_t>(Errc::message_too_large));
  EXPECT_EQ(answer.error->message, "too many operations in one push");
  EXPECT_TRUE(answer.closed_after);
  EXPECT_EQ(w.store().applied_count(), applied_before);
}

TEST(LoopbackSession, MessageOverTheBeforeSignInLimit_ClosesTheConnection_Unanswered) {
  World w;
  LoopbackTransport t(w.server());
  protocol::LoginRequest login{"carer-1", std::string(World::kPassword), std::string(20 * 1024, 'n'), "", 0};
  const auto bytes = protocol::encode(protocol::Message{login});
  ASSERT_GT(bytes.size(), limits::kMaxMessageBytesBeforeSignIn);
  ASSERT_FALSE(t.send(bytes));
  auto answer = t.receive(10s);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error(), Errc::unavailable);
}

}  // namespace
}  // namespace psm::testing
