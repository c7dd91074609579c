// Server counters and latency histograms, rendered in the Prometheus text
// exposition format (version 0.0.4) for GET /metrics. Counts only: no label
// ever carries a user, a child or a record identifier.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace psm::server {

// What the transport holds at one moment (net::Listener::gauges()).
struct TransportGauges {
  std::size_t connections = 0;                 // accepted and not finished, any phase
  std::size_t connections_before_sign_in = 0;  // of those, not signed in
  std::size_t bytes_in_hand = 0;               // read from peers, not yet handled
  std::size_t messages_in_hand = 0;
  std::uint64_t connections_refused = 0;  // closed at accept over a cap, since start
  std::uint64_t sign_in_timeouts = 0;     // closed for not signing in in time, since start
};

// Thread-safe: every method may be called from any thread at any time. Updates
// are relaxed atomics; render() reads each value once, so a scrape taken during
// updates may be a few increments behind but never torn.
class Metrics {
 public:
  // Bucket upper bounds in seconds (Prometheus' default set); +Inf is implicit.
  static constexpr std::array<double, 11> kLatencyBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                             0.25,  0.5,   1.0,  2.5,   5.0};

  void connection_opened() noexcept;  // connections_open +1 and connections_total +1
  void connection_closed() noexcept;  // connections_open -1
  void ops_applied(std::uint64_t count = 1) noexcept;
  void ops_rejected(std::uint64_t count = 1) noexcept;
  void ops_conflicted(std::uint64_t count = 1) noexcept;
  void pull_served() noexcept;
  void records_sent(std::uint64_t count) noexcept;
  void auth_failed() noexcept;
  void ops_rate_limited(std::uint64_t count) noexcept;

  // Latency of handling one push (or pull) request, from receipt to reply.
  void observe_push(std::chrono::nanoseconds elapsed) noexcept;
  void observe_pull(std::chrono::nanoseconds elapsed) noexcept;

  // When the certificate the server presents stops being valid (Unix
  // seconds), set at start from tls/server.pem; 0 (the default) leaves the
  // gauge out. Alert on psm_tls_certificate_expiry_timestamp_seconds - time().
  void set_tls_certificate_expiry(std::int64_t unix_seconds) noexcept;

  // Every metric, prefixed `psm_`, with # HELP and # TYPE lines; with
  // `transport`, the transport's gauges too.
  std::string render() const;
  std::string render(const TransportGauges& transport) const;

 private:
  class Histogram {
   public:
    void observe(std::chrono::nanoseconds elapsed) noexcept;
    void render(std::string& out, const char* name, const char* help) const;

   private:
    // Per-bucket (not cumulative) counts; the last one is +Inf.
    std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> buckets_{};
    std::atomic<std::uint64_t> sum_nanoseconds_{0};
    std::atomic<std::uint64_t> count_{0};
  };

  std::atomic<std::int64_t> connections_open_{0};
  std::atomic<std::uint64_t> connections_total_{0};
  std::atomic<std::uint64_t> ops_applied_total_{0};
  std::atomic<std::uint64_t> ops_rejected_total_{0};
  std::atomic<std::uint64_t> ops_conflicted_total_{0};
  std::atomic<std::uint64_t> pulls_total_{0};
  std::atomic<std::uint64_t> records_sent_total_{0};
  std::atomic<std::uint64_t> auth_failures_total_{0};
  std::atomic<std::uint64_t> ops_rate_limited_total_{0};
  std::atomic<std::int64_t> tls_certificate_expiry_{0};
  Histogram push_seconds_;
  Histogram pull_seconds_;
};

}  // namespace psm::server
