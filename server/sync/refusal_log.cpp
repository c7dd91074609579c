#include "server/sync/refusal_log.hpp"

#include "common/limits.hpp"
#include "common/policy/calendar.hpp"

namespace psm::server {

namespace {
constexpr std::uint64_t kMinuteMs = 60'000;
}

void RefusalLog::refused(AuditEntry entry) {
  const std::uint64_t now = entry.server_time_ms;
  flush(now);
  if (by_address_.empty() && other_count_ == 0) minute_ = now - now % kMinuteMs;
  Count* count = nullptr;
  if (auto it = by_address_.find(entry.address); it != by_address_.end()) {
    count = &it->second;
  } else if (by_address_.size() < kMaxAddressesPerMinute) {
    count = &by_address_[entry.address];
  }
  if (!count) {
    ++other_count_;
    return;
  }
  ++count->refused;
  if (count->written < limits::kRefusalsAuditedPerAddressPerMinute &&
      written_this_minute_ < limits::kRefusalsAuditedPerMinute) {
    ++count->written;
    ++written_this_minute_;
    write_(std::move(entry));
  }
}

void RefusalLog::flush(std::uint64_t now_ms, bool all) {
  if (!has_pending()) return;
  if (!all && now_ms < minute_ + kMinuteMs) return;
  write_summaries(now_ms);
  by_address_.clear();
  other_count_ = 0;
  written_this_minute_ = 0;
}

void RefusalLog::write_summaries(std::uint64_t now_ms) {
  const std::string minute = " in the minute from " + policy::format_utc(minute_);
  auto entry = [&](std::string address, std::string detail) {
    AuditEntry e;
    e.server_time_ms = now_ms;
    e.kind = "sign-in-refused";
    e.address = std::move(address);
    e.detail = std::move(detail);
    write_(std::move(e));
  };
  std::size_t summaries = 0;
  std::uint64_t rest_count = 0, rest_addresses = 0;
  for (const auto& [address, count] : by_address_) {
    if (count.refused == count.written) continue;  // every one was written in full
    if (summaries < limits::kRefusalSummariesPerMinute) {
      ++summaries;
      entry(address, std::to_string(count.refused) + " sign-in(s) refused from " +
                         (address.empty() ? std::string("an unknown address") : address) + minute + " (" +
                         std::to_string(count.written) + " recorded one by one)");
    } else {
      rest_count += count.refused - count.written;
      ++rest_addresses;
    }
  }
  if (rest_count || other_count_) {
    entry({}, std::to_string(rest_count + other_count_) + " further sign-in(s) refused from " +
                  std::to_string(rest_addresses) + (other_count_ ? " or more" : "") + " other address(es)" + minute);
  }
}

}  // namespace psm::server
