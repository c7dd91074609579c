// Writes refused sign-ins to the audit trail in bounded form. In each minute
// the first limits::kRefusalsAuditedPerAddressPerMinute refusals from an
// address are written in full (at most limits::kRefusalsAuditedPerMinute in
// all); the rest are counted, and when the minute is over one entry per
// address says how many there were ("12 sign-ins refused from 203.0.113.7 in
// the minute from 2026-12-01T10:04:00Z"), at most
// limits::kRefusalSummariesPerMinute of them and then one for all other
// addresses. So a flood of refusals adds at most ~120 entries a minute however
// fast it comes, and one address's flood a handful (issue 12).
//
// Entries given to it hold validated fields only (sign_in_fields.hpp).
// Thread-safety: none; the sync service's store thread.
#pragma once

#include "server/store/store.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace psm::server {

class RefusalLog {
 public:
  using Write = std::function<void(AuditEntry)>;
  explicit RefusalLog(Write write) : write_(std::move(write)) {}

  // A refusal at entry.server_time_ms: written now, or counted.
  void refused(AuditEntry entry);
  // Writes the counts of a minute that has ended by `now_ms` (or, with
  // `all`, of the current one too: at shutdown).
  void flush(std::uint64_t now_ms, bool all = false);
  // Addresses counted in the current minute and not yet written.
  bool has_pending() const { return !by_address_.empty() || other_count_ > 0; }

  // Addresses counted per minute; beyond it refusals count as "other addresses".
  static constexpr std::size_t kMaxAddressesPerMinute = 10'000;

 private:
  struct Count {
    std::uint64_t refused = 0;
    std::uint64_t written = 0;
  };
  void write_summaries(std::uint64_t now_ms);

  Write write_;
  std::uint64_t minute_ = 0;  // start of the minute being counted (ms)
  std::uint64_t written_this_minute_ = 0;
  std::map<std::string, Count> by_address_;
  std::uint64_t other_count_ = 0;  // refusals from addresses beyond kMaxAddressesPerMinute
};

}  // namespace psm::server
