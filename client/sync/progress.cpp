#include "client/sync/progress.hpp"

#include <cmath>

namespace psm::client {

namespace {

std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string duration(double seconds) {
  const auto s = static_cast<std::uint64_t>(std::ceil(seconds));
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
  return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
}

}  // namespace

std::string describe_progress(const SyncReport& r, double elapsed_seconds) {
  std::string line;
  if (r.pushed > 0) line += "sent " + with_commas(r.pushed) + " · ";
  line += "received " + with_commas(r.pulled);
  const std::uint64_t total = r.pulled + r.pull_remaining;
  if (r.pull_remaining > 0) line += " of " + with_commas(total);
  line += " records";
  // The rate counts records received: pulling is what makes a first sync long.
  if (elapsed_seconds >= 0.5 && r.pulled > 0) {
    const double rate = static_cast<double>(r.pulled) / elapsed_seconds;
    line += " · " + with_commas(static_cast<std::uint64_t>(rate)) + " records/s";
    if (r.pull_remaining > 0) line += " · about " + duration(static_cast<double>(r.pull_remaining) / rate) + " left";
  }
  return line;
}

}  // namespace psm::client
