// Public-key pins: the SHA-256 of a certificate's SubjectPublicKeyInfo (DER),
// in lowercase hex — the same value HPKP used. Pinning the key rather than the
// certificate lets the server renew its certificate with the same key without
// every device having to be told a new pin. Thread-safe, no state.
#pragma once

#include "common/error.hpp"

#include <filesystem>
#include <string>
#include <string_view>

struct x509_st;

namespace psm::crypto {

// The pin of a certificate's public key; "" if the key cannot be encoded.
std::string public_key_pin(const x509_st* certificate);

// The pin of the first certificate in a PEM file (the leaf of a chain file).
// Errc::not_found when the file cannot be read, Errc::invalid_argument when it
// holds no certificate.
Result<std::string> public_key_pin_of_pem_file(const std::filesystem::path& pem);

// Accepts a pin as people paste it: hex in either case, with or without ':'
// separators and an optional "sha256:" or "sha256//" prefix. Returns the
// lowercase 64-digit form, or "" when it is not a SHA-256 pin.
std::string normalise_pin(std::string_view pin);

}  // namespace psm::crypto
