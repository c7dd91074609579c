// The whole server in one process — TLS listener on two I/O threads, sync
// sessions, the store thread — with devices connecting over real TLS
// WebSockets. Run under ThreadSanitizer in CI.
#include "client/sync/receipts.hpp"
#include "common/model/ids.hpp"
#include "support/tls_stack.hpp"
#include "support/world.hpp"

#include "common/store/transaction.hpp"
#include "testing/expected.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace psm::testing {
namespace {

using namespace std::chrono_literals;

class ServerStack : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = server::ServerStore::create(server::DataPaths(dir_.path / "data"));
    ASSERT_TRUE(psm::testing::succeeded(store));
    ASSERT_TRUE(psm::testing::succeeded(server::import_reference_data(**store, kReferenceJson)));
    for (auto [user, role] : {std::pair{"ssw-1", model::Role::supervising_social_worker},
                              std::pair{"csw-1", model::Role::child_social_worker}}) {
      ASSERT_TRUE(psm::testing::succeeded(
          server::add_user(**store, {user, user, role, user, {}}, World::kPassword, crypto::kScryptTest)));
    }
    stack_ = std::make_unique<TlsStack>(std::move(*store), dir_.path / "tls");
  }

  using Device = TlsDevice;
  std::unique_ptr<Device> connect_and_enrol(const std::string& user) {
    return stack_->connect_and_enrol(user, std::string(World::kPassword));
  }

  std::uint64_t applied_count() {
    return stack_->on_store_thread([](server::SyncService& service) { return service.backend().applied_count(); });
  }

  TempDir dir_;
  std::unique_ptr<TlsStack> stack_;
};

TEST_F(ServerStack, ConnectedDevice_IsPoked_WhenAnotherDeviceChangesItsScope) {
  auto ssw = connect_and_enrol("ssw-1");
  auto csw = connect_and_enrol("csw-1");
  ops::RequestMeeting request{model::new_uuid_v7(), "p1", model::MeetingType::pre_disruption, "Imminent risk", 0};
  ASSERT_TRUE(ssw->replica->submit(request).ok());
  client::SyncReport report;
  ASSERT_FALSE(client::sync_once(*ssw->replica, *ssw->transport, report));
  EXPECT_EQ(report.accepted, 1u);

  auto poked = client::wait_for_poke(*csw->transport, 10s);
  ASSERT_TRUE(poked);
  EXPECT_TRUE(*poked);
  ASSERT_FALSE(client::sync_once(*csw->replica, *csw->transport, report));
  auto meeting = csw->replica->get(model::collection::kMeetings, request.meeting_id);
  ASSERT_TRUE(meeting);
  EXPECT_EQ(meeting->value("type"), "pre-disruption");
}

TEST_F(ServerStack, AcceptedOperation_ComesBackWithASignedReceiptOverRealTls) {
  auto ssw = connect_and_enrol("ssw-1");
  ops::RequestMeeting request{model::new_uuid_v7(), "p1", model::MeetingType::support, "Placement under strain", 0};
  ASSERT_TRUE(ssw->replica->submit(request).ok());
  const auto op_id = ssw->replica->outbox().back().op_id;
  client::SyncReport report;
  ASSERT_FALSE(client::sync_once(*ssw->replica, *ssw->transport, report));
  ASSERT_EQ(report.accepted, 1u);
  auto kept = ssw->replica->receipt_for(op_id);
  ASSERT_TRUE(kept);
  EXPECT_EQ(client::verify_stored_receipt(*ssw->replica, *kept), "");
  EXPECT_EQ(kept->entry.subject, request.meeting_id);
  EXPECT_EQ(kept->entry.op_sha256, ssw->replica->operation_sha256(op_id));
}

// "busy" (the store is locked by another process, e.g. a backup or an import)
// passes by itself: the device's retry waits and tries again rather than
// giving up as it would for a refusal.
TEST_F(ServerStack, StoreBusy_IsRetriedWithBackoff_AndTheChangeGoesThrough) {
  auto ssw = connect_and_enrol("ssw-1");
  ops::RequestMeeting request{model::new_uuid_v7(), "p1", model::MeetingType::support, "Placement under strain", 0};
  ASSERT_TRUE(ssw->replica->submit(request).ok());
  ssw->transport.reset();
  ssw->socket.reset();

  // Another process holds the store's write lock for the first attempt.
  auto other = server::ServerStore::open(server::DataPaths(dir_.path / "data"));
  ASSERT_TRUE(psm::testing::succeeded(other));
  auto lock = std::make_unique<store::Transaction>((*other)->database());

  std::unique_ptr<client::net::WebSocketClient> socket;
  client::Connect connect = [&]() -> std::variant<std::unique_ptr<client::Transport>, Error> {
    auto s = client::net::WebSocketClient::connect(stack_->url(), stack_->device_tls(), protocol::kSubprotocol, 10s);
    if (!s) return s.error();
    socket = std::move(*s);
    return std::make_unique<client::net::WebSocketTransport>(*socket);
  };
  std::vector<Errc> retried_after;
  client::RetryOptions options;
  options.budget = 10min;
  options.on_retry = [&](const Error& why, std::chrono::milliseconds) {
    retried_after.push_back(static_cast<Errc>(why.code.value()));
  };
  options.sleep = [&](std::chrono::milliseconds) { lock.reset(); };  // the other process finishes
  client::SyncReport report;
  auto err = client::sync_with_retry(*ssw->replica, connect, report, options);
  ASSERT_FALSE(err) << err->message;
  ASSERT_EQ(retried_after.size(), 1u);
  EXPECT_EQ(retried_after[0], Errc::busy);
  EXPECT_EQ(report.accepted, 1u);
  EXPECT_EQ(ssw->replica->pending_count(), 0u);
}

TEST_F(ServerStack, ManyDevicesPushingAtOnce_AllOperationsAppliedOnce) {
  constexpr int kDevices = 4;
  constexpr int kOpsEach = 60;
  std::vector<std::unique_ptr<Device>> devices;
  for (int i = 0; i < kDevices; ++i) devices.push_back(connect_and_enrol(i % 2 ? "ssw-1" : "csw-1"));
  for (auto& d : devices) {
    for (int i = 0; i < kOpsEach; ++i) {
      ASSERT_TRUE(d->replica
                      ->submit(ops::RequestMeeting{model::new_uuid_v7(), "p1", model::MeetingType::support,
                                                   "request " + std::to_string(i), 0})
                      .ok());
    }
  }
  const auto before = applied_count();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (auto& d : devices) {
    threads.emplace_back([&failures, dev = d.get()] {
      client::SyncReport report;
      if (client::sync_once(*dev->replica, *dev->transport, report) || report.accepted != kOpsEach) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(applied_count(), before + kDevices * kOpsEach);
  for (auto& d : devices) EXPECT_EQ(d->replica->pending_count(), 0u);
}

}  // namespace
}  // namespace psm::testing
