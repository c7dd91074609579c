// The codec: the only place bytes become protocol messages and back.
// decode() rejects input that is oversized (before reading it), malformed,
// truncated, has trailing bytes, or whose length prefixes exceed the message.
#pragma once

#include "common/error.hpp"
#include "common/protocol/messages.hpp"

#include <string>
#include <string_view>

namespace psm::protocol {

std::string encode(const Message& message);
Result<Message> decode(std::string_view bytes);

// The same codec for single records and operations stored at rest (replica
// outbox, server store): one binary format for everything.
std::string encode_record(const model::Record& record);
Result<model::Record> decode_record(std::string_view bytes);
std::string encode_operation(const ops::Operation& op);
Result<ops::Operation> decode_operation(std::string_view bytes);

}  // namespace psm::protocol
