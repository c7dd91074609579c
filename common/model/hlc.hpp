// Hybrid logical clock: 48 bits of milliseconds since the Unix epoch and a
// 16-bit counter, packed into one 64-bit value so that versions compare as
// integers. Ties between devices break on the device id (see Version).
#pragma once

#include <cereal/cereal.hpp>

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace psm::model {

struct Hlc {
  std::uint64_t value = 0;

  static constexpr std::uint64_t kCounterBits = 16;
  static constexpr std::uint64_t kCounterMask = (std::uint64_t{1} << kCounterBits) - 1;

  static Hlc from(std::uint64_t millis, std::uint64_t counter) {
    return Hlc{(millis << kCounterBits) | (counter & kCounterMask)};
  }
  std::uint64_t millis() const { return value >> kCounterBits; }
  std::uint64_t counter() const { return value & kCounterMask; }

  auto operator<=>(const Hlc&) const = default;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(value);
  }
};

// Issues HLC timestamps for one device (or the server). Not thread-safe: each
// owner serialises its calls (the client has one writer; the server's store
// thread owns its clock).
class HlcClock {
 public:
  using NowMillis = std::function<std::uint64_t()>;

  // `now` returns wall-clock milliseconds since the Unix epoch; tests inject one.
  explicit HlcClock(NowMillis now = system_now_millis, Hlc last = {});

  // A timestamp for a local event: greater than every timestamp issued or observed.
  Hlc tick();

  // Folds in a timestamp seen from another node so later ticks order after it.
  void observe(Hlc remote);

  Hlc last() const { return last_; }

  static std::uint64_t system_now_millis();

 private:
  NowMillis now_;
  Hlc last_;
};

// The server bounds clock skew: a device whose clock is far ahead must not win
// every write until real time catches up. Timestamps beyond server time plus
// `max_skew_ms` are pulled back to that bound.
Hlc clamp_to_server(Hlc incoming, std::uint64_t server_now_ms, std::uint64_t max_skew_ms);

// When a person acted, as the rules read it (their "now": the time a need was
// identified, a view recorded, an action agreed): the device's time, which the
// operation's HLC carries, so a request made offline keeps its time and its
// deadline when it syncs days later. The server bounds it by what it knows: not
// after the server received it (a clock running fast) and not before the device
// was enrolled (a clock set back). `adjusted` when a bound moved it by more than
// `tolerance_ms`: a clock a few seconds fast is normal and changes nothing a
// person is told, so it is not worth a word.
struct ActedAt {
  std::uint64_t ms = 0;
  bool adjusted = false;
};
ActedAt acted_at(Hlc op_hlc, std::uint64_t received_ms, std::uint64_t not_before_ms, std::uint64_t tolerance_ms);

// A field's version: who wrote it and when. Total order: HLC, then device id.
struct Version {
  Hlc hlc;
  std::string device;

  auto operator<=>(const Version&) const = default;
  bool empty() const { return hlc.value == 0 && device.empty(); }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(hlc, device);
  }
};

}  // namespace psm::model
