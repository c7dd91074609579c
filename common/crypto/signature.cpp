#include "common/crypto/signature.hpp"

#include "common/crypto/hash.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <cstdlib>

namespace psm::crypto {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
struct BioDeleter {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

[[noreturn]] void fatal(const char* what) {
  // Only allocation failure or a missing provider gets here; there is no
  // meaningful signature or key to return.
  std::fprintf(stderr, "psm: fatal: %s failed\n", what);
  std::abort();
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

BioPtr read_bio(std::string_view text) { return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))); }

std::string public_pem_of_pkey(EVP_PKEY* key) {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_PUBKEY(out.get(), key) != 1) fatal("writing an Ed25519 public key");
  return bio_text(out.get());
}

}  // namespace

struct SigningKey::Impl {
  PkeyPtr key;
};

std::string signing_key_id(std::span<const std::uint8_t> raw_public_key) {
  const auto digest = sha256(raw_public_key);
  return to_hex(std::span(digest.data(), 8));
}

SigningKey::SigningKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  std::size_t length = public_key_.size();
  if (EVP_PKEY_get_raw_public_key(impl_->key.get(), public_key_.data(), &length) != 1 || length != public_key_.size()) {
    fatal("reading an Ed25519 public key");
  }
  key_id_ = signing_key_id(public_key_);
}

SigningKey::~SigningKey() = default;
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;

SigningKey SigningKey::generate() {
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (!raw) fatal("Ed25519 key generation");
  return SigningKey(std::make_unique<Impl>(Impl{PkeyPtr(raw)}));
}

Result<SigningKey> SigningKey::from_private_pem(std::string_view pem) {
  auto in = read_bio(pem);
  if (!in) return make_error_code(Errc::invalid_argument);
  PkeyPtr key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) return make_error_code(Errc::invalid_argument);
  return SigningKey(std::make_unique<Impl>(Impl{std::move(key)}));
}

std::string SigningKey::private_pem() const {
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_PrivateKey(out.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fatal("writing an Ed25519 private key");
  }
  return bio_text(out.get());
}

std::string SigningKey::public_pem() const { return public_pem_of_pkey(impl_->key.get()); }

std::string SigningKey::sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string signature(kEd25519SignatureBytes, '\0');
  std::size_t length = signature.size();
  // Ed25519 signs the message itself (no separate digest: the md is null).
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != kEd25519SignatureBytes) {
    fatal("Ed25519 signing");
  }
  return signature;
}

bool verify_signature(std::span<const std::uint8_t> public_key, std::string_view message, std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeyBytes || signature.size() != kEd25519SignatureBytes) return false;
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

Result<std::array<std::uint8_t, kEd25519PublicKeyBytes>> public_key_from_pem(std::string_view pem) {
  auto in = read_bio(pem);
  if (!in) return make_error_code(Errc::invalid_argument);
  PkeyPtr key(PEM_read_bio_PUBKEY(in.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) return make_error_code(Errc::invalid_argument);
  std::array<std::uint8_t, kEd25519PublicKeyBytes> raw{};
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), raw.data(), &length) != 1 || length != raw.size()) {
    return make_error_code(Errc::invalid_argument);
  }
  return raw;
}

std::string public_pem_of(std::span<const std::uint8_t> raw_public_key) {
  if (raw_public_key.size() != kEd25519PublicKeyBytes) return {};
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw_public_key.data(), raw_public_key.size()));
  if (!key) return {};
  return public_pem_of_pkey(key.get());
}

}  // namespace psm::crypto
