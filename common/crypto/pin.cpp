#include "common/crypto/pin.hpp"

#include "common/crypto/hash.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <memory>
#include <vector>

namespace psm::crypto {

std::string public_key_pin(const x509_st* certificate) {
  if (!certificate) return {};
  EVP_PKEY* key = X509_get0_pubkey(certificate);
  if (!key) return {};
  const int length = i2d_PUBKEY(key, nullptr);
  if (length <= 0) return {};
  std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  if (i2d_PUBKEY(key, &out) != length) return {};
  return to_hex(sha256(der));
}

Result<std::string> public_key_pin_of_pem_file(const std::filesystem::path& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(pem.c_str(), "r"), &BIO_free);
  if (!bio) return make_error_code(Errc::not_found);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) return make_error_code(Errc::invalid_argument);
  auto pin = public_key_pin(cert.get());
  if (pin.empty()) return make_error_code(Errc::invalid_argument);
  return pin;
}

std::string normalise_pin(std::string_view pin) {
  for (std::string_view prefix : {"sha256//", "sha256:", "SHA256:", "SHA256//"}) {
    if (pin.substr(0, prefix.size()) == prefix) {
      pin.remove_prefix(prefix.size());
      break;
    }
  }
  std::string out;
  for (char c : pin) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out.size() == 64 ? out : std::string();
}

}  // namespace psm::crypto
