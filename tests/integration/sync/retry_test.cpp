// sync_with_retry: the backoff schedule, giving up, and that a sync which
// keeps failing part-way loses and duplicates nothing. Waits go to an injected
// sleep, so nothing here depends on the wall clock.
#include "support/world.hpp"

#include "common/model/ids.hpp"

#include <gtest/gtest.h>

namespace psm::testing {
namespace {

using namespace std::chrono_literals;
using client::Backoff;
using client::backoff_delay;
using client::RetryOptions;
using client::Transport;

std::string request_meeting(client::Replica& r, const std::string& placement, const std::string& reason) {
  ops::RequestMeeting p;
  p.meeting_id = model::new_uuid_v7();
  p.placement_id = placement;
  p.type = model::MeetingType::support;
  p.reason = reason;
  EXPECT_TRUE(r.submit(p).ok());
  return p.meeting_id;
}

TEST(Backoff, WaitsDoubleFromTheFirstDelay_UpToTheCap_EachWithinItsJitterBand) {
  const Backoff b{500ms, 60'000ms};
  std::chrono::milliseconds expected_top = 500ms;
  for (unsigned retry = 1; retry <= 40; ++retry) {
    const auto low = backoff_delay(b, retry, 0);
    const auto high = backoff_delay(b, retry, ~std::uint64_t{0} - 7);
    EXPECT_GE(low, expected_top / 2) << retry;
    EXPECT_LE(high, expected_top) << retry;
    EXPECT_LE(low, high) << retry;
    expected_top = std::min(expected_top * 2, 60'000ms);
  }
  EXPECT_EQ(backoff_delay(b, 1, 0), 250ms);
  EXPECT_EQ(backoff_delay(b, 4, 0), 2000ms);
  EXPECT_EQ(backoff_delay(b, 1000, 0), 30'000ms);  // capped, no overflow
}

TEST(Backoff, JitterSpreadsDevicesThatFailedTogether) {
  const Backoff b{500ms, 60'000ms};
  std::set<std::int64_t> seen;
  std::mt19937_64 random(7);
  for (int device = 0; device < 100; ++device) seen.insert(backoff_delay(b, 5, random()).count());
  EXPECT_GT(seen.size(), 50u);  // not in step
}

// Connections that fail (server away) until `down_for` attempts have been made.
struct FlakyServer {
  World& world;
  int down_for = 0;
  int attempts = 0;
  std::function<void(LoopbackTransport&, int attempt)> shape;  // faults on a connection that gets through

  client::Connect connector() {
    return [this]() -> std::variant<std::unique_ptr<Transport>, Error> {
      ++attempts;
      if (attempts <= down_for) return Error{make_error_code(Errc::unavailable), "cannot reach the server"};
      auto t = std::make_unique<LoopbackTransport>(world.server());
      if (shape) shape(*t, attempts);
      return std::unique_ptr<Transport>(std::move(t));
    };
  }
};

TEST(Retry, ServerAwayForAWhile_SyncFinishesWhenItReturns_AfterGrowingWaits) {
  World w;
  auto carer = w.enrol("carer-1");
  request_meeting(*carer->replica, "p1", "Help with contact");
  FlakyServer server{w, 5};
  std::vector<std::chrono::milliseconds> waits;
  RetryOptions options;
  options.budget = 10min;
  options.sleep = [&](std::chrono::milliseconds d) { waits.push_back(d); };
  options.random = [] { return std::uint64_t{0}; };  // the bottom of each band
  client::SyncReport report;
  auto err = client::sync_with_retry(*carer->replica, server.connector(), report, options);
  ASSERT_FALSE(err) << err->message;
  EXPECT_EQ(server.attempts, 6);
  EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{250ms, 500ms, 1000ms, 2000ms, 4000ms}));
  EXPECT_EQ(report.accepted, 1u);
  EXPECT_EQ(carer->replica->pending_count(), 0u);
}

TEST(Retry, ServerNeverReturns_GivesUpWhenTheBudgetIsSpent_WorkKept) {
  World w;
  auto carer = w.enrol("carer-1");
  request_meeting(*carer->replica, "p1", "Help with contact");
  FlakyServer server{w, 1'000'000};
  std::chrono::milliseconds waited{0};
  RetryOptions options;
  options.budget = 5min;
  options.sleep = [&](std::chrono::milliseconds d) { waited += d; };
  options.random = [] { return std::uint64_t{0}; };  // the shortest waits: the most attempts
  client::SyncReport report;
  auto err = client::sync_with_retry(*carer->replica, server.connector(), report, options);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, Errc::unavailable);
  EXPECT_LE(waited, 5min);
  // Five minutes of waiting is sixteen attempts, not a flood: 0.25 s, 0.5 s,
  // … 16 s, then never less than 30 s apart.
  EXPECT_EQ(server.attempts, 16);
  EXPECT_EQ(carer->replica->pending_count(), 1u);
}

TEST(Retry, PermanentError_IsNotRetried) {
  World w;
  auto carer = w.enrol("carer-1");
  int attempts = 0;
  RetryOptions options;
  options.budget = 10min;
  options.sleep = [](std::chrono::milliseconds) { ADD_FAILURE() << "waited after a permanent error"; };
  client::SyncReport report;
  auto err = client::sync_with_retry(
      *carer->replica,
      [&]() -> std::variant<std::unique_ptr<Transport>, Error> {
        ++attempts;
        return Error{make_error_code(Errc::untrusted_server), "certificate did not verify"};
      },
      report, options);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, Errc::untrusted_server);
  EXPECT_EQ(attempts, 1);
}

TEST(Retry, ConnectionDropsInEveryPushOnce_EveryOperationAppliedExactlyOnce) {
  World w;
  auto carer = w.enrol("carer-1");
  std::set<std::string> ids;
  for (int i = 0; i < 1200; ++i) ids.insert(request_meeting(*carer->replica, "p1", "request " + std::to_string(i)));
  const auto applied_before = w.store().applied_count();
  // Each connection loses the answer to its second push (after the server
  // applied it), so every attempt ends part-way with operations sent but not
  // acknowledged.
  FlakyServer server{w, 0};
  server.shape = [](LoopbackTransport& t, int attempt) {
    if (attempt <= 3) t.lose_answer_if = [](std::size_t i) { return i == 2; };
  };
  RetryOptions options;
  options.budget = 10min;
  options.sleep = [](std::chrono::milliseconds) {};
  client::SyncReport report;
  auto err = client::sync_with_retry(*carer->replica, server.connector(), report, options);
  ASSERT_FALSE(err) << err->message;
  EXPECT_EQ(server.attempts, 4);
  EXPECT_EQ(carer->replica->pending_count(), 0u);
  EXPECT_EQ(carer->replica->outbox(client::OpState::rejected).size(), 0u);
  EXPECT_EQ(w.store().applied_count(), applied_before + ids.size());
  std::size_t found = 0;
  for (const auto& m : w.store().all_in(model::collection::kMeetings)) found += ids.count(m.id);
  EXPECT_EQ(found, ids.size());
}

}  // namespace
}  // namespace psm::testing
