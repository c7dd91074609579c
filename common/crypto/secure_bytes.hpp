// A fixed-size byte buffer for key material. It is wiped with OPENSSL_cleanse
// when destroyed and when moved from, so a key does not outlive its owner in
// freed heap memory. It is deliberately not copyable: every copy of a key is
// one more place to wipe, so copies must be asked for by name (SecureBytes(span)).
//
// Not thread-safe; the buffer never reallocates, so spans stay valid for the
// object's lifetime. Pages are not locked in memory (no mlock): swap is
// expected to be encrypted on the devices we support.
#pragma once

#include <openssl/crypto.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace psm::crypto {

class SecureBytes {
 public:
  SecureBytes() = default;
  // `size` zero bytes.
  explicit SecureBytes(std::size_t size)
      : data_(size == 0 ? nullptr : std::make_unique<std::uint8_t[]>(size)), size_(size) {}
  // An explicit copy of `bytes`.
  explicit SecureBytes(std::span<const std::uint8_t> bytes) : SecureBytes(bytes.size()) {
    if (!bytes.empty()) std::copy(bytes.begin(), bytes.end(), data_.get());
  }

  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;

  SecureBytes(SecureBytes&& other) noexcept : data_(std::move(other.data_)), size_(other.size_) { other.size_ = 0; }
  SecureBytes& operator=(SecureBytes&& other) noexcept {
    if (this != &other) {
      wipe();
      data_ = std::move(other.data_);
      size_ = other.size_;
      other.size_ = 0;
    }
    return *this;
  }

  ~SecureBytes() { wipe(); }

  std::uint8_t* data() noexcept { return data_.get(); }
  const std::uint8_t* data() const noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  std::span<std::uint8_t> span() noexcept { return {data_.get(), size_}; }
  std::span<const std::uint8_t> span() const noexcept { return {data_.get(), size_}; }
  operator std::span<const std::uint8_t>() const noexcept { return span(); }  // NOLINT: keys pass as spans everywhere

  std::uint8_t& operator[](std::size_t i) noexcept { return data_[i]; }
  std::uint8_t operator[](std::size_t i) const noexcept { return data_[i]; }

  // Keeps the first `new_size` bytes (new_size <= size()) and wipes the rest,
  // without reallocating.
  void shrink(std::size_t new_size) noexcept {
    if (new_size < size_) {
      OPENSSL_cleanse(data_.get() + new_size, size_ - new_size);
      size_ = new_size;
    }
  }

 private:
  // Moving a unique_ptr leaves the source null, so the moved-from object has
  // nothing left to wipe; the bytes live on, once, in the destination.
  void wipe() noexcept {
    if (data_ && size_ > 0) OPENSSL_cleanse(data_.get(), size_);
    data_.reset();
    size_ = 0;
  }

  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
};

}  // namespace psm::crypto
