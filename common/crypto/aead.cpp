#include "common/crypto/aead.hpp"

#include "common/crypto/random.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <stdexcept>

namespace psm::crypto {
namespace {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

// EVP update calls take int lengths; larger inputs go through in chunks.
constexpr std::size_t kMaxChunk = std::size_t{1} << 30;

void check_key(std::span<const std::uint8_t> key) {
  if (key.size() != kAeadKeyBytes) throw std::invalid_argument("AES-256-GCM needs a 32-byte key");
}

CipherCtx new_ctx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::bad_alloc();
  return ctx;
}

using UpdateFn = int (*)(EVP_CIPHER_CTX*, unsigned char*, int*, const unsigned char*, int);

// Runs `update` over `in` writing to `out` (null for AAD). Returns false on failure.
bool update_chunked(EVP_CIPHER_CTX* ctx, UpdateFn update, std::span<const std::uint8_t> in, std::uint8_t* out) {
  while (!in.empty()) {
    const std::size_t n = std::min(in.size(), kMaxChunk);
    int written = 0;
    if (update(ctx, out, &written, in.data(), static_cast<int>(n)) != 1) return false;
    if (out != nullptr) out += written;
    in = in.subspan(n);
  }
  return true;
}

}  // namespace

std::vector<std::uint8_t> seal(std::span<const std::uint8_t> key, std::span<const std::uint8_t> plaintext,
                               std::span<const std::uint8_t> aad) {
  check_key(key);
  std::vector<std::uint8_t> out(kAeadNonceBytes + plaintext.size() + kAeadTagBytes);
  const std::span<std::uint8_t> nonce(out.data(), kAeadNonceBytes);
  std::uint8_t* const ciphertext = out.data() + kAeadNonceBytes;
  std::uint8_t* const tag = ciphertext + plaintext.size();
  random_bytes(nonce);

  CipherCtx ctx = new_ctx();
  // GCM's default IV length is 12 bytes, so no EVP_CTRL_GCM_SET_IVLEN is needed.
  bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) == 1 &&
            update_chunked(ctx.get(), EVP_EncryptUpdate, aad, nullptr) &&
            update_chunked(ctx.get(), EVP_EncryptUpdate, plaintext, ciphertext);
  // GCM's final step emits no bytes; the buffer is only there for the C signature.
  std::uint8_t final_block[16];
  int final_len = 0;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), final_block, &final_len) == 1 && final_len == 0 &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAeadTagBytes), tag) == 1;
  if (!ok) {
    // With a valid key size this only fails on allocation failure inside OpenSSL.
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  return out;
}

Result<SecureBytes> open(std::span<const std::uint8_t> key, std::span<const std::uint8_t> sealed,
                         std::span<const std::uint8_t> aad) {
  check_key(key);
  if (sealed.size() < kAeadOverheadBytes) return make_error_code(Errc::corrupt_data);
  const auto nonce = sealed.first(kAeadNonceBytes);
  const auto ciphertext = sealed.subspan(kAeadNonceBytes, sealed.size() - kAeadOverheadBytes);
  const auto tag = sealed.last(kAeadTagBytes);

  SecureBytes plaintext(ciphertext.size());
  CipherCtx ctx = new_ctx();
  bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) == 1 &&
            update_chunked(ctx.get(), EVP_DecryptUpdate, aad, nullptr) &&
            update_chunked(ctx.get(), EVP_DecryptUpdate, ciphertext, plaintext.data()) &&
            // OpenSSL only reads the tag, the cast is for the C signature.
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAeadTagBytes),
                                const_cast<std::uint8_t*>(tag.data())) == 1;
  std::uint8_t final_block[16];
  int final_len = 0;
  // EVP_DecryptFinal_ex is where the tag is checked; on failure `plaintext`
  // (unauthenticated output) is wiped by its destructor and never returned.
  if (!ok || EVP_DecryptFinal_ex(ctx.get(), final_block, &final_len) != 1) {
    return make_error_code(Errc::corrupt_data);
  }
  return plaintext;
}

}  // namespace psm::crypto
