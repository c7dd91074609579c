#include "server/sync/login_throttle.hpp"

#include <gtest/gtest.h>

#include <string>

namespace psm::server {
namespace {

constexpr std::uint64_t kT0 = 1'780'000'000'000;

TEST(FailureTracks, ManyDistinctKeys_KeepAtMostTheCapacity_DroppingTheOldestFirst) {
  FailureTracks tracks({1, std::chrono::minutes(15), std::chrono::minutes(15)}, /*capacity=*/100);
  for (int i = 0; i < 1000; ++i) tracks.failed("key-" + std::to_string(i), kT0 + std::uint64_t(i));
  EXPECT_EQ(tracks.size(), 100u);
  EXPECT_FALSE(tracks.locked("key-0", kT0 + 1000)) << "the oldest was dropped";
  EXPECT_FALSE(tracks.locked("key-899", kT0 + 1000));
  EXPECT_TRUE(tracks.locked("key-900", kT0 + 1000)) << "the newest are kept";
  EXPECT_TRUE(tracks.locked("key-999", kT0 + 1000));
}

TEST(FailureTracks, TouchingAKey_KeepsItAheadOfOlderOnes) {
  FailureTracks tracks({3, std::chrono::minutes(15), std::chrono::minutes(15)}, /*capacity=*/3);
  tracks.failed("a", kT0);
  tracks.failed("b", kT0);
  tracks.failed("c", kT0);
  tracks.failed("a", kT0 + 1);  // a is now the most recent
  tracks.failed("d", kT0 + 2);  // drops b, the least recently touched
  tracks.failed("a", kT0 + 3);  // a's third failure: locked
  EXPECT_TRUE(tracks.locked("a", kT0 + 4));
  EXPECT_EQ(tracks.size(), 3u);
}

TEST(FailureTracks, HugeKeys_AreNotKept) {
  FailureTracks tracks({1, std::chrono::minutes(15), std::chrono::minutes(15)}, 100);
  for (int i = 0; i < 100; ++i) tracks.failed(std::string(4 * 1024 * 1024, char('a' + i % 26)), kT0);
  EXPECT_EQ(tracks.size(), 0u);
  EXPECT_EQ(tracks.approximate_bytes(), 0u);
}

TEST(LoginThrottle, MemoryStaysBounded_AfterAFloodOfDistinctNamesAndAddresses) {
  LoginThrottle throttle({}, /*capacity_per_kind=*/1000);
  for (int i = 0; i < 20'000; ++i) {
    const auto n = std::to_string(i);
    throttle.password_failed("user-" + n + std::string(90, 'u'), "2001:db8::" + n, kT0 + std::uint64_t(i));
    throttle.device_failed("0190a1b2-c3d4-7e5f-8a6b-" + std::string(12 - std::min<std::size_t>(12, n.size()), '0') + n,
                           kT0 + std::uint64_t(i));
  }
  EXPECT_EQ(throttle.tracked_keys(), 4000u);
  EXPECT_LT(throttle.approximate_bytes(), 4000u * 400u);
}

TEST(LoginThrottle, WrongPasswordsForOneAccountFromOneAddress_LockThatPairFirst) {
  LoginThrottle throttle({});
  for (int i = 0; i < 5; ++i) throttle.password_failed("carer-1", "192.0.2.10", kT0);
  auto lock = throttle.password_locked("carer-1", "192.0.2.10", kT0 + 1);
  ASSERT_TRUE(lock);
  EXPECT_EQ(lock->which, LoginThrottle::Lock::account_address);
  EXPECT_FALSE(throttle.password_locked("carer-1", "198.51.100.4", kT0 + 1)) << "the owner elsewhere is not locked";
  EXPECT_FALSE(throttle.password_locked("csw-1", "192.0.2.10", kT0 + 1)) << "a colleague at the same address is not";
  EXPECT_FALSE(throttle.password_locked("carer-1", "192.0.2.10", kT0 + 15 * 60 * 1000 + 1)) << "the lock ends";
}

TEST(LoginThrottle, DeviceTokenFailures_AreCountedPerDevice) {
  LoginThrottle throttle({});
  const std::string a = "0190a1b2-c3d4-7e5f-8a6b-000000000001", b = "0190a1b2-c3d4-7e5f-8a6b-000000000002";
  for (int i = 0; i < 20; ++i) throttle.device_failed(a, kT0);
  EXPECT_TRUE(throttle.device_locked(a, kT0 + 1));
  EXPECT_FALSE(throttle.device_locked(b, kT0 + 1));
  EXPECT_FALSE(throttle.password_locked("carer-1", "192.0.2.10", kT0 + 1)) << "tokens do not count against passwords";
}

}  // namespace
}  // namespace psm::server
