// Fuzz target for the wire codec. Any input either fails to decode or decodes
// to a message whose encoding decodes again to the same encoding: what the
// server accepts, it can send back unchanged.
#include "common/protocol/codec.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace psm::protocol;
  auto message = decode(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!message) return 0;
  const std::string first = encode(*message);
  auto again = decode(first);
  if (!again) __builtin_trap();
  if (encode(*again) != first) __builtin_trap();
  return 0;
}
