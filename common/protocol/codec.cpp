#include "common/protocol/codec.hpp"

#include "common/limits.hpp"
#include "common/protocol/bounded_archive.hpp"

#include <cereal/archives/portable_binary.hpp>

#include <sstream>

namespace psm::protocol {
namespace {

template <class T>
std::string encode_value(const T& value) {
  std::ostringstream out(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive archive(out, cereal::PortableBinaryOutputArchive::Options::LittleEndian());
    archive(value);
  }
  return std::move(out).str();
}

template <class T>
Result<T> decode_value(std::string_view bytes) {
  if (bytes.size() > limits::kMaxMessageBytes) return make_error_code(Errc::message_too_large);
  try {
    T value{};
    BoundedInputArchive archive(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
    archive(value);
    if (archive.remaining() != 0) return make_error_code(Errc::malformed_message);
    return value;
  } catch (const cereal::Exception&) {
    return make_error_code(Errc::malformed_message);
  } catch (const std::length_error&) {
    return make_error_code(Errc::malformed_message);
  } catch (const std::bad_alloc&) {
    return make_error_code(Errc::message_too_large);
  }
}

}  // namespace

std::string encode(const Message& message) { return encode_value(message); }
Result<Message> decode(std::string_view bytes) { return decode_value<Message>(bytes); }
std::string encode_record(const model::Record& record) { return encode_value(record); }
Result<model::Record> decode_record(std::string_view bytes) { return decode_value<model::Record>(bytes); }
std::string encode_operation(const ops::Operation& op) { return encode_value(op); }
Result<ops::Operation> decode_operation(std::string_view bytes) { return decode_value<ops::Operation>(bytes); }

}  // namespace psm::protocol
