// Fuzz target for the wire codec. Any input either fails to decode or decodes
// to a message whose encoding decodes again to the same encoding: what the
// server accepts, it can send back unchanged. A push answer's receipt
// statement either fails to parse or parses to one that encodes to the same
// text (the statement format is canonical).
#include "common/protocol/codec.hpp"
#include "common/protocol/receipt.hpp"

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
  if (const auto* push = std::get_if<PushResponse>(&*message)) {
    if (auto statement = parse_receipt_statement(push->receipt.statement)) {
      auto text = encode_receipt_statement(*statement);
      if (!text || *text != push->receipt.statement) __builtin_trap();
    }
  }
  return 0;
}
