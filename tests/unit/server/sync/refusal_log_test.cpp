#include "server/sync/refusal_log.hpp"

#include "common/limits.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace psm::server {
namespace {

constexpr std::uint64_t kMinute0 = 1'780'000'020'000;  // 10 s into a minute

AuditEntry refusal(std::string address, std::uint64_t at) {
  AuditEntry e;
  e.server_time_ms = at;
  e.kind = "connect-refused";
  e.address = std::move(address);
  e.detail = "unrecognised device token";
  return e;
}

TEST(RefusalLog, AFloodFromOneAddress_WritesTheFirstFewAndThenOneCount) {
  std::vector<AuditEntry> written;
  RefusalLog log([&](AuditEntry e) { written.push_back(std::move(e)); });
  for (int i = 0; i < 1000; ++i) log.refused(refusal("203.0.113.7", kMinute0 + std::uint64_t(i)));
  EXPECT_EQ(written.size(), limits::kRefusalsAuditedPerAddressPerMinute);
  log.flush(kMinute0 + 60'000);
  ASSERT_EQ(written.size(), limits::kRefusalsAuditedPerAddressPerMinute + 1);
  EXPECT_EQ(written.back().address, "203.0.113.7");
  EXPECT_NE(written.back().detail.find("1000 sign-in(s) refused from 203.0.113.7 in the minute from"),
            std::string::npos)
      << written.back().detail;
}

TEST(RefusalLog, AFloodFromManyAddresses_IsBoundedPerMinute) {
  std::vector<AuditEntry> written;
  RefusalLog log([&](AuditEntry e) { written.push_back(std::move(e)); });
  for (int i = 0; i < 50'000; ++i) {
    log.refused(refusal("2001:db8::" + std::to_string(i % 20'000), kMinute0 + std::uint64_t(i % 1000)));
  }
  log.flush(kMinute0, /*all=*/true);
  EXPECT_LE(written.size(), limits::kRefusalsAuditedPerMinute + limits::kRefusalSummariesPerMinute + 1);
  EXPECT_NE(written.back().detail.find("further sign-in(s) refused"), std::string::npos) << written.back().detail;
}

TEST(RefusalLog, AFewRefusals_AreWrittenInFull_WithNoCountAfter) {
  std::vector<AuditEntry> written;
  RefusalLog log([&](AuditEntry e) { written.push_back(std::move(e)); });
  log.refused(refusal("192.0.2.10", kMinute0));
  log.refused(refusal("192.0.2.10", kMinute0 + 1));
  log.flush(kMinute0 + 120'000);
  EXPECT_EQ(written.size(), 2u);
  EXPECT_FALSE(log.has_pending());
}

}  // namespace
}  // namespace psm::server
