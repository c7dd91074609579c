#include "client/sync/progress.hpp"

#include <gtest/gtest.h>

namespace psm::client {
namespace {

TEST(DescribeProgress, ShowsTotalRateAndTimeLeft_WhenTheServerSaysWhatRemains) {
  SyncReport r;
  r.pulled = 40'000;
  r.pull_remaining = 60'000;
  EXPECT_EQ(describe_progress(r, 2.0), "received 40,000 of 100,000 records · 20,000 records/s · about 3 s left");
}

TEST(DescribeProgress, LeavesOutTheTotal_WhenNothingIsKnownToRemain) {
  SyncReport r;
  r.pushed = 1'200;
  r.pulled = 50;
  EXPECT_EQ(describe_progress(r, 1.0), "sent 1,200 · received 50 records · 50 records/s");
}

TEST(DescribeProgress, LeavesOutTheRate_InTheFirstMoments) {
  SyncReport r;
  r.pulled = 1'000;
  r.pull_remaining = 99'000;
  EXPECT_EQ(describe_progress(r, 0.1), "received 1,000 of 100,000 records");
}

TEST(DescribeProgress, SaysMinutes_ForALongSync) {
  SyncReport r;
  r.pulled = 1'000;
  r.pull_remaining = 150'000;
  EXPECT_EQ(describe_progress(r, 10.0), "received 1,000 of 151,000 records · 100 records/s · about 25 min 0 s left");
}

}  // namespace
}  // namespace psm::client
