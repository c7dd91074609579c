#include "common/model/hlc.hpp"

#include <algorithm>
#include <chrono>

namespace psm::model {

HlcClock::HlcClock(NowMillis now, Hlc last) : now_(std::move(now)), last_(last) {}

std::uint64_t HlcClock::system_now_millis() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

Hlc HlcClock::tick() {
  const std::uint64_t wall = now_();
  if (wall > last_.millis()) {
    last_ = Hlc::from(wall, 0);
  } else if (last_.counter() < Hlc::kCounterMask) {
    last_ = Hlc{last_.value + 1};
  } else {
    // 65,536 events in one millisecond: borrow the next millisecond rather than
    // wrap the counter, which would break monotonicity.
    last_ = Hlc::from(last_.millis() + 1, 0);
  }
  return last_;
}

void HlcClock::observe(Hlc remote) { last_ = std::max(last_, remote); }

Hlc clamp_to_server(Hlc incoming, std::uint64_t server_now_ms, std::uint64_t max_skew_ms) {
  const std::uint64_t bound = server_now_ms + max_skew_ms;
  if (incoming.millis() <= bound) return incoming;
  return Hlc::from(bound, incoming.counter());
}

ActedAt acted_at(Hlc op_hlc, std::uint64_t received_ms, std::uint64_t not_before_ms, std::uint64_t tolerance_ms) {
  const std::uint64_t device = op_hlc.millis();
  const std::uint64_t floor = std::min(not_before_ms, received_ms);
  if (device > received_ms) return {received_ms, device - received_ms > tolerance_ms};
  if (device < floor) return {floor, floor - device > tolerance_ms};
  return {device, false};
}

}  // namespace psm::model
