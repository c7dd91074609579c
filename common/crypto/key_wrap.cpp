#include "common/crypto/key_wrap.hpp"

#include "common/crypto/aead.hpp"
#include "common/crypto/hash.hpp"
#include "common/crypto/random.hpp"

#include <boost/json.hpp>

#include <array>
#include <stdexcept>
#include <string_view>

namespace psm::crypto {
namespace {

constexpr std::string_view kFormatName = "psm-wrapped-key";
constexpr std::string_view kKdfName = "scrypt";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kWrappedKeyBytes = kAeadNonceBytes + kDataKeyBytes + kAeadTagBytes;
// A well-formed document is ~250 bytes; refuse to parse anything much larger.
constexpr std::size_t kMaxDocumentBytes = 4096;

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// The associated data binds every parameter that shaped the wrapping key.
std::string header_aad(std::uint64_t version, const ScryptParams& params, std::string_view salt_hex) {
  std::string aad(kFormatName);
  aad += " v" + std::to_string(version);
  aad += " kdf=";
  aad += kKdfName;
  aad += " log2_n=" + std::to_string(scrypt_log2_n(params));
  aad += " r=" + std::to_string(params.r);
  aad += " p=" + std::to_string(params.p);
  aad += " salt=";
  aad += salt_hex;
  return aad;
}

// Reads a non-negative integer field; false if missing or of another type.
bool get_uint(const boost::json::object& obj, std::string_view key, std::uint64_t& out) {
  const auto* v = obj.if_contains(key);
  if (v == nullptr) return false;
  if (v->is_int64()) {
    if (v->get_int64() < 0) return false;
    out = static_cast<std::uint64_t>(v->get_int64());
    return true;
  }
  if (v->is_uint64()) {
    out = v->get_uint64();
    return true;
  }
  return false;
}

// Version 2's check: SHA-256 over the associated data and the wrapped key.
std::string check_of(std::string_view aad, std::string_view wrapped_hex) {
  std::string text(aad);
  text += " wrapped_key=";
  text += wrapped_hex;
  return to_hex(sha256(text));
}

bool get_string(const boost::json::object& obj, std::string_view key, std::string_view& out) {
  const auto* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) return false;
  out = v->get_string();
  return true;
}

}  // namespace

SecureBytes new_data_key() {
  SecureBytes key(kDataKeyBytes);
  random_bytes(key.span());
  return key;
}

std::string wrap_key(std::span<const std::uint8_t> data_key, std::string_view passphrase, ScryptParams params) {
  if (data_key.size() != kDataKeyBytes) throw std::invalid_argument("wrap_key: data key must be 32 bytes");
  if (!scrypt_params_acceptable(params)) throw std::invalid_argument("wrap_key: unacceptable scrypt parameters");

  std::array<std::uint8_t, kSaltBytes> salt{};
  random_bytes(salt);
  const std::string salt_hex = to_hex(salt);
  auto wrapping_key = scrypt(passphrase, salt, params, kAeadKeyBytes);
  if (!wrapping_key) throw std::runtime_error("wrap_key: scrypt failed");
  const std::string aad = header_aad(kKeyWrapFormatVersion, params, salt_hex);
  const auto wrapped = seal(wrapping_key->span(), data_key, as_bytes(aad));
  const std::string wrapped_hex = to_hex(wrapped);

  boost::json::object doc;
  doc["format"] = kFormatName;
  doc["version"] = kKeyWrapFormatVersion;
  doc["kdf"] = kKdfName;
  doc["log2_n"] = scrypt_log2_n(params);
  doc["r"] = params.r;
  doc["p"] = params.p;
  doc["salt"] = salt_hex;
  doc["wrapped_key"] = wrapped_hex;
  doc["check"] = check_of(aad, wrapped_hex);
  return boost::json::serialize(doc);
}

Result<SecureBytes> unwrap_key(std::string_view wrapped_document, std::string_view passphrase) {
  const auto corrupt = make_error_code(Errc::corrupt_data);
  if (wrapped_document.size() > kMaxDocumentBytes) return corrupt;

  boost::system::error_code parse_error;
  const boost::json::value parsed = boost::json::parse(wrapped_document, parse_error);
  if (parse_error || !parsed.is_object()) return corrupt;
  const auto& obj = parsed.get_object();

  // Exactly the fields of the document's version: a document with extras was
  // not written by that version, and guessing what they mean is not safe.
  std::string_view format, kdf, salt_hex, wrapped_hex, check;
  std::uint64_t version = 0, log2_n = 0, r = 0, p = 0;
  if (!get_uint(obj, "version", version) || (version != 1 && version != 2)) return corrupt;
  if (obj.size() != (version == 1 ? 8U : 9U) || !get_string(obj, "format", format) || !get_string(obj, "kdf", kdf) ||
      !get_uint(obj, "log2_n", log2_n) || !get_uint(obj, "r", r) || !get_uint(obj, "p", p) ||
      !get_string(obj, "salt", salt_hex) || !get_string(obj, "wrapped_key", wrapped_hex) ||
      (version == 2 && !get_string(obj, "check", check))) {
    return corrupt;
  }
  if (format != kFormatName || kdf != kKdfName) return corrupt;
  if (log2_n < 1 || log2_n > kScryptMaxLog2N || r > kScryptMaxR || p > kScryptMaxP) return corrupt;
  const ScryptParams params{std::uint64_t{1} << log2_n, static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(p)};
  if (!scrypt_params_acceptable(params)) return corrupt;

  auto salt = from_hex(salt_hex);
  auto wrapped = from_hex(wrapped_hex);
  if (!salt || salt->size() != kSaltBytes || !wrapped || wrapped->size() != kWrappedKeyBytes) {
    return corrupt;
  }
  // The AAD is rebuilt from the parsed values, not copied from the text, so
  // the only accepted spelling of the header is the canonical one.
  const std::string aad = header_aad(version, params, to_hex(*salt));
  if (version == 2 && check != check_of(aad, to_hex(*wrapped))) return corrupt;
  auto wrapping_key = scrypt(passphrase, *salt, params, kAeadKeyBytes);
  if (!wrapping_key) return wrapping_key.error();

  auto data_key = open(wrapping_key->span(), *wrapped, as_bytes(aad));
  if (!data_key) return make_error_code(Errc::wrong_passphrase);
  return data_key;
}

Result<std::string> rewrap_key(std::string_view wrapped_document, std::string_view old_passphrase,
                               std::string_view new_passphrase, ScryptParams params) {
  auto data_key = unwrap_key(wrapped_document, old_passphrase);
  if (!data_key) return data_key.error();
  return wrap_key(data_key->span(), new_passphrase, params);
}

}  // namespace psm::crypto
