// A cereal input archive that reads the PortableBinary format written by
// cereal::PortableBinaryOutputArchive, from a buffer, and refuses any length
// prefix larger than the bytes that remain. Every serialised element takes at
// least one byte, so no container or string can be sized beyond the message
// itself: a hostile length prefix fails before anything is allocated for it.
#pragma once

#include <cereal/archives/portable_binary.hpp>
#include <cereal/cereal.hpp>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace psm::protocol {

class BoundedInputArchive : public cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision> {
 public:
  explicit BoundedInputArchive(std::span<const std::uint8_t> data)
      : cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision>(this), data_(data) {
    std::uint8_t little_endian = 0;
    (*this)(little_endian);
    if (little_endian > 1) throw cereal::Exception("bad endianness marker");
    swap_ = (little_endian == 1) != cereal::portable_binary_detail::is_little_endian();
  }

  template <std::size_t DataSize>
  void load_binary(void* out, std::size_t size) {
    if (size > remaining()) throw cereal::Exception("message ends early");
    std::memcpy(out, data_.data() + pos_, size);
    pos_ += size;
    if (swap_) {
      auto* p = static_cast<std::uint8_t*>(out);
      for (std::size_t i = 0; i < size; i += DataSize) cereal::portable_binary_detail::swap_bytes<DataSize>(p + i);
    }
  }

  std::size_t remaining() const { return data_.size() - pos_; }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
  bool swap_ = false;
};

template <class T>
std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>> CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar,
                                                                                                T& t) {
  ar.template load_binary<sizeof(T)>(std::addressof(t), sizeof(t));
}

// A bool travels as one byte, 0 or 1. Any other byte is refused: copied into a
// bool it would be undefined behaviour (found by tests/fuzz/fuzz_decode.cpp).
inline void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, bool& b) {
  std::uint8_t byte = 0;
  ar.template load_binary<1>(&byte, 1);
  if (byte > 1) throw cereal::Exception("a bool that is neither 0 nor 1");
  b = byte == 1;
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::NameValuePair<T>& t) {
  ar(t.value);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::SizeTag<T>& t) {
  ar(t.size);
  if (static_cast<std::uint64_t>(t.size) > ar.remaining()) {
    throw cereal::Exception("length prefix larger than the message");
  }
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::BinaryData<T>& bd) {
  using TT = std::remove_pointer_t<T>;
  ar.template load_binary<sizeof(TT)>(bd.data, static_cast<std::size_t>(bd.size));
}

}  // namespace psm::protocol

CEREAL_REGISTER_ARCHIVE(psm::protocol::BoundedInputArchive)

namespace cereal::traits::detail {
template <>
struct get_output_from_input<psm::protocol::BoundedInputArchive> {
  using type = cereal::PortableBinaryOutputArchive;
};
}  // namespace cereal::traits::detail
