#include "common/model/hlc.hpp"
#include "common/model/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace psm::model {
namespace {

TEST(Hlc, Tick_IsStrictlyIncreasing_WhenWallClockStandsStill) {
  std::uint64_t now = 1'000;
  HlcClock clock([&] { return now; });
  Hlc a = clock.tick();
  Hlc b = clock.tick();
  EXPECT_LT(a, b);
  EXPECT_EQ(b.millis(), 1'000u);
  EXPECT_EQ(b.counter(), 1u);
}

TEST(Hlc, Tick_StaysAheadOfObservedRemote_WhenLocalClockIsBehind) {
  std::uint64_t now = 1'000;
  HlcClock clock([&] { return now; });
  clock.observe(Hlc::from(5'000, 7));
  Hlc t = clock.tick();
  EXPECT_GT(t, Hlc::from(5'000, 7));
}

TEST(Hlc, Tick_NeverGoesBackwards_WhenWallClockJumpsBack) {
  std::uint64_t now = 10'000;
  HlcClock clock([&] { return now; });
  Hlc a = clock.tick();
  now = 2'000;
  EXPECT_GT(clock.tick(), a);
}

TEST(Hlc, Tick_BorrowsNextMillisecond_WhenCounterIsExhausted) {
  std::uint64_t now = 1'000;
  HlcClock clock([&] { return now; }, Hlc::from(1'000, Hlc::kCounterMask));
  Hlc t = clock.tick();
  EXPECT_EQ(t.millis(), 1'001u);
  EXPECT_EQ(t.counter(), 0u);
}

TEST(Hlc, ClampToServer_PullsBackFarFutureClocks) {
  const std::uint64_t server_now = 1'000'000;
  Hlc year_ahead = Hlc::from(server_now + 365ull * 24 * 3600 * 1000, 3);
  Hlc clamped = clamp_to_server(year_ahead, server_now, 300'000);
  EXPECT_EQ(clamped.millis(), server_now + 300'000);
  Hlc near = Hlc::from(server_now + 10, 0);
  EXPECT_EQ(clamp_to_server(near, server_now, 300'000), near);
}

// The time a person acted (model::acted_at): the device's, within what the server knows.
constexpr std::uint64_t kDay = 24ull * 3600 * 1000;
constexpr std::uint64_t kMinute = 60'000;

TEST(ActedAt, IsTheDevicesTime_WhenTheOperationArrivesDaysLater) {
  const std::uint64_t enrolled = 1'000 * kDay, made = enrolled + 2 * kDay, received = made + 6 * kDay;
  const auto a = acted_at(Hlc::from(made, 4), received, enrolled, kMinute);
  EXPECT_EQ(a.ms, made);
  EXPECT_FALSE(a.adjusted);
}

TEST(ActedAt, ClockFast_IsTheTimeTheServerReceivedIt_AndSaysSoOnlyPastTheTolerance) {
  const std::uint64_t enrolled = 1'000 * kDay, received = enrolled + kDay;
  const auto hour_fast = acted_at(Hlc::from(received + 60 * kMinute, 0), received, enrolled, kMinute);
  EXPECT_EQ(hour_fast.ms, received);
  EXPECT_TRUE(hour_fast.adjusted);
  const auto seconds_fast = acted_at(Hlc::from(received + 20'000, 0), received, enrolled, kMinute);
  EXPECT_EQ(seconds_fast.ms, received);
  EXPECT_FALSE(seconds_fast.adjusted) << "a clock a few seconds fast is not worth a word";
}

TEST(ActedAt, ClockSetBack_IsNotBeforeTheDeviceWasEnrolled) {
  const std::uint64_t enrolled = 1'000 * kDay, received = enrolled + kDay;
  const auto a = acted_at(Hlc::from(enrolled - 365 * kDay, 0), received, enrolled, kMinute);
  EXPECT_EQ(a.ms, enrolled);
  EXPECT_TRUE(a.adjusted);
  // An enrolment the server dates after it received the operation (its own
  // clock moved back) bounds nothing beyond the receipt.
  EXPECT_EQ(acted_at(Hlc::from(received - kDay, 0), received, received + kDay, kMinute).ms, received);
}

TEST(Version, Order_BreaksHlcTiesOnDevice) {
  Version a{Hlc::from(5, 0), "device-a"};
  Version b{Hlc::from(5, 0), "device-b"};
  EXPECT_LT(a, b);
  EXPECT_LT(b, (Version{Hlc::from(6, 0), "device-a"}));
}

TEST(Ids, NewUuidV7_IsVersion7AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = new_uuid_v7(1'700'000'000'000ull);
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '7');
    EXPECT_TRUE(is_valid_id(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Ids, IsValidId_RejectsEmptyLongAndOddCharacters) {
  EXPECT_FALSE(is_valid_id(""));
  EXPECT_FALSE(is_valid_id(std::string(101, 'a')));
  EXPECT_FALSE(is_valid_id("child 1"));
  EXPECT_FALSE(is_valid_id("../etc"));
  EXPECT_TRUE(is_valid_id("child-0042"));
}

}  // namespace
}  // namespace psm::model
