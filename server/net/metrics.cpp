#include "server/net/metrics.hpp"

#include <cstdio>

namespace psm::server {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

// %.15g prints bucket bounds as written (0.1, not 0.10000000000000001) and
// keeps nanosecond resolution in sums of up to a few days. snprintf uses the C
// locale's decimal point unless the program changes LC_NUMERIC; psm never does.
std::string format_double(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", value);
  return buffer;
}

void render_scalar(std::string& out, const char* name, const char* type, const char* help, const std::string& value) {
  out += "# HELP psm_";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE psm_";
  out += name;
  out += ' ';
  out += type;
  out += "\npsm_";
  out += name;
  out += ' ';
  out += value;
  out += '\n';
}

void render_counter(std::string& out, const char* name, const char* help, const std::atomic<std::uint64_t>& value) {
  render_scalar(out, name, "counter", help, std::to_string(value.load(kRelaxed)));
}

}  // namespace

void Metrics::connection_opened() noexcept {
  connections_open_.fetch_add(1, kRelaxed);
  connections_total_.fetch_add(1, kRelaxed);
}
void Metrics::connection_closed() noexcept { connections_open_.fetch_sub(1, kRelaxed); }
void Metrics::ops_applied(std::uint64_t count) noexcept { ops_applied_total_.fetch_add(count, kRelaxed); }
void Metrics::ops_rejected(std::uint64_t count) noexcept { ops_rejected_total_.fetch_add(count, kRelaxed); }
void Metrics::ops_conflicted(std::uint64_t count) noexcept { ops_conflicted_total_.fetch_add(count, kRelaxed); }
void Metrics::pull_served() noexcept { pulls_total_.fetch_add(1, kRelaxed); }
void Metrics::records_sent(std::uint64_t count) noexcept { records_sent_total_.fetch_add(count, kRelaxed); }
void Metrics::auth_failed() noexcept { auth_failures_total_.fetch_add(1, kRelaxed); }

void Metrics::ops_rate_limited(std::uint64_t count) noexcept { ops_rate_limited_total_.fetch_add(count, kRelaxed); }
void Metrics::set_tls_certificate_expiry(std::int64_t unix_seconds) noexcept {
  tls_certificate_expiry_.store(unix_seconds, kRelaxed);
}
void Metrics::observe_push(std::chrono::nanoseconds elapsed) noexcept { push_seconds_.observe(elapsed); }
void Metrics::observe_pull(std::chrono::nanoseconds elapsed) noexcept { pull_seconds_.observe(elapsed); }

void Metrics::Histogram::observe(std::chrono::nanoseconds elapsed) noexcept {
  if (elapsed.count() < 0) elapsed = std::chrono::nanoseconds::zero();
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::size_t bucket = 0;
  while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, kRelaxed);
  sum_nanoseconds_.fetch_add(static_cast<std::uint64_t>(elapsed.count()), kRelaxed);
  count_.fetch_add(1, kRelaxed);
}

void Metrics::Histogram::render(std::string& out, const char* name, const char* help) const {
  const std::string prefix = std::string("psm_") + name;
  out += "# HELP " + prefix + ' ' + help + '\n';
  out += "# TYPE " + prefix + " histogram\n";
  // Buckets are cumulative in the exposition format. The +Inf bucket must
  // equal _count, so _count is derived from the same snapshot.
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    cumulative += buckets_[i].load(kRelaxed);
    const std::string le = i < kLatencyBuckets.size() ? format_double(kLatencyBuckets[i]) : "+Inf";
    out += prefix;
    out += "_bucket{le=\"" + le + "\"} ";
    out += std::to_string(cumulative);
    out += '\n';
  }
  const double sum_seconds = static_cast<double>(sum_nanoseconds_.load(kRelaxed)) / 1e9;
  out += prefix + "_sum " + format_double(sum_seconds) + '\n';
  out += prefix + "_count " + std::to_string(cumulative) + '\n';
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(4096);
  render_scalar(out, "connections_open", "gauge", "Open WebSocket connections.",
                std::to_string(connections_open_.load(kRelaxed)));
  render_counter(out, "connections_total", "WebSocket connections accepted since start.", connections_total_);
  render_counter(out, "ops_applied_total", "Operations applied from device pushes.", ops_applied_total_);
  render_counter(out, "ops_rejected_total", "Operations rejected (rule, permission, transition).", ops_rejected_total_);
  render_counter(out, "ops_conflicted_total", "Operations applied that recorded a conflict.", ops_conflicted_total_);
  render_counter(out, "pulls_total", "Pull requests served.", pulls_total_);
  render_counter(out, "records_sent_total", "Records sent to devices in pull batches.", records_sent_total_);
  render_counter(out, "auth_failures_total", "Failed logins and device authentications.", auth_failures_total_);
  render_counter(out, "ops_rate_limited_total", "Operations deferred because a device was over its rate limit.",
                 ops_rate_limited_total_);
  if (const auto expiry = tls_certificate_expiry_.load(kRelaxed); expiry > 0) {
    render_scalar(out, "tls_certificate_expiry_timestamp_seconds", "gauge",
                  "When the server's TLS certificate expires (Unix time); renew with psm-server cert renew.",
                  std::to_string(expiry));
  }
  push_seconds_.render(out, "push_seconds", "Time to handle one push request.");
  pull_seconds_.render(out, "pull_seconds", "Time to handle one pull request.");
  return out;
}

std::string Metrics::render(const TransportGauges& transport) const {
  std::string out = render();
  auto gauge = [&out](const char* name, const char* help, std::uint64_t value) {
    render_scalar(out, name, "gauge", help, std::to_string(value));
  };
  auto counter = [&out](const char* name, const char* help, std::uint64_t value) {
    render_scalar(out, name, "counter", help, std::to_string(value));
  };
  gauge("transport_connections", "TCP connections accepted and not yet finished, in any phase.", transport.connections);
  gauge("connections_before_sign_in", "Connections that have not (yet) signed in.",
        transport.connections_before_sign_in);
  gauge("bytes_read_not_handled", "Bytes read from devices that the server has not yet handled.",
        transport.bytes_in_hand);
  gauge("messages_read_not_handled", "Messages read from devices not yet handled.", transport.messages_in_hand);
  counter("connections_refused_total", "Connections closed at accept because a cap was reached.",
          transport.connections_refused);
  counter("sign_in_timeouts_total", "Connections closed for not signing in in time.", transport.sign_in_timeouts);
  return out;
}

}  // namespace psm::server
