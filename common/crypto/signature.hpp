// Ed25519 signatures (OpenSSL EVP, RFC 8032 "pure" Ed25519): the server signs
// receipts for the operations it accepts (docs/security.md, *Receipts*) and
// anyone holding its public key can check them — this code, or
// `openssl pkeyutl -verify -rawin`. Thread-safe: a SigningKey is immutable
// after it is made and OpenSSL's EVP_DigestSign is safe on a shared key.
#pragma once

#include "common/error.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace psm::crypto {

inline constexpr std::size_t kEd25519PublicKeyBytes = 32;
inline constexpr std::size_t kEd25519SignatureBytes = 64;

// A key's short name: the first 8 bytes of SHA-256 of the raw 32-byte public
// key, as 16 lowercase hex digits.
std::string signing_key_id(std::span<const std::uint8_t> raw_public_key);

class SigningKey {
 public:
  // A new random key.
  static SigningKey generate();
  // From a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----"); anything
  // that is not an Ed25519 private key is Errc::invalid_argument.
  static Result<SigningKey> from_private_pem(std::string_view pem);

  ~SigningKey();
  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  // PKCS#8 PEM of the private key: write it only to a file of mode 0600.
  std::string private_pem() const;
  // SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"), for openssl.
  std::string public_pem() const;
  const std::array<std::uint8_t, kEd25519PublicKeyBytes>& public_key() const { return public_key_; }
  const std::string& key_id() const { return key_id_; }

  // The 64-byte signature of `message`.
  std::string sign(std::string_view message) const;

 private:
  struct Impl;
  explicit SigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::array<std::uint8_t, kEd25519PublicKeyBytes> public_key_{};
  std::string key_id_;
};

// True when `signature` is a valid Ed25519 signature of `message` under the
// raw 32-byte `public_key`. False for any malformed input.
bool verify_signature(std::span<const std::uint8_t> public_key, std::string_view message, std::string_view signature);

// The raw 32-byte key of an Ed25519 SubjectPublicKeyInfo PEM, or Errc::invalid_argument.
Result<std::array<std::uint8_t, kEd25519PublicKeyBytes>> public_key_from_pem(std::string_view pem);
// SubjectPublicKeyInfo PEM of a raw 32-byte Ed25519 key (empty for a malformed key).
std::string public_pem_of(std::span<const std::uint8_t> raw_public_key);

}  // namespace psm::crypto
