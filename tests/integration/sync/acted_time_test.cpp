// The time a person acted is their device's time: an operation made offline
// keeps it, and the deadline its maker was shown, however late it syncs; a
// device clock the server cannot believe is bounded, and the person is told.
#include "support/world.hpp"

#include "common/model/ids.hpp"
#include "common/model/schema.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>

namespace psm::testing {
namespace {

namespace f = model::schema::meetings;
constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;

// A server whose clock runs `offset` milliseconds from the real one (the
// devices keep the real time): moving it on is the device being offline.
struct ShiftedWorld {
  std::shared_ptr<std::atomic<std::int64_t>> offset = std::make_shared<std::atomic<std::int64_t>>(0);
  World world{[o = offset] {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(model::HlcClock::system_now_millis()) + o->load());
  }};
};

std::string request(client::Replica& r) {
  ops::RequestMeeting p{model::new_uuid_v7(), "p1", model::MeetingType::support, "Bedtimes are very hard", 0};
  auto o = r.submit(p);
  EXPECT_TRUE(o.ok()) << o.reason;
  return p.meeting_id;
}

TEST(ActedTime, OfflineRequest_SyncedSixDaysLater_KeepsItsTimeAndTheDeadlineShown) {
  ShiftedWorld s;
  auto carer = s.world.enrol("carer-1");
  const auto id = request(*carer->replica);
  const auto shown = carer->replica->get(model::collection::kMeetings, id);
  ASSERT_TRUE(shown);
  const auto identified = shown->get(f::identified_at_ms);
  const auto deadline = shown->get(f::deadline_ms);
  ASSERT_TRUE(identified && deadline);

  s.offset->store(6 * kDayMs);  // the carer reaches a signal six days later
  client::SyncReport report;
  ASSERT_FALSE(s.world.sync(*carer, &report));
  ASSERT_EQ(report.accepted, 1u);
  const auto kept = s.world.store().get(model::collection::kMeetings, id);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->get(f::identified_at_ms), identified) << "the need dates from when the carer asked";
  EXPECT_EQ(kept->get(f::requested_at_ms), shown->get(f::requested_at_ms));
  EXPECT_EQ(kept->get(f::deadline_ms), deadline) << "the deadline the carer was shown is the one kept";
  // And what the carer's device holds after the sync says the same.
  EXPECT_EQ(carer->replica->get(model::collection::kMeetings, id)->get(f::deadline_ms), deadline);
  EXPECT_EQ(carer->replica->outbox().front().reason, "") << "nothing was adjusted, so nothing is said";
}

TEST(ActedTime, DeviceClockAnHourFast_IsRecordedAtTheServersTime_AndThePersonIsTold) {
  ShiftedWorld s;
  auto carer = s.world.enrol("carer-1");
  s.offset->store(-60 * 60 * 1000);  // the server's clock is an hour behind the device's
  const auto id = request(*carer->replica);
  ASSERT_FALSE(s.world.sync(*carer));
  const auto kept = s.world.store().get(model::collection::kMeetings, id);
  ASSERT_TRUE(kept);
  const auto server_now =
      static_cast<std::uint64_t>(static_cast<std::int64_t>(model::HlcClock::system_now_millis()) + s.offset->load());
  EXPECT_LE(*kept->get(f::requested_at_ms), server_now) << "not later than the server received it";
  const auto entries = carer->replica->outbox();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries.front().state, client::OpState::accepted);
  EXPECT_NE(entries.front().reason.find("this device's clock was wrong"), std::string::npos) << entries.front().reason;
}

}  // namespace
}  // namespace psm::testing
