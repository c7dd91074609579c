// Protection of the client replica's data key.
//
// A random 256-bit data key opens the SQLCipher replica. That key is stored
// only wrapped: sealed with AES-256-GCM under a key derived by scrypt from the
// user's local passphrase. Changing the passphrase re-wraps the data key; the
// replica itself is never re-encrypted.
//
// The wrapped document is one line of JSON, safe to store next to the replica:
//   {"format":"psm-wrapped-key","version":1,"kdf":"scrypt","log2_n":17,"r":8,"p":1,
//    "salt":"<32 hex>","wrapped_key":"<120 hex>"}
// The seal's associated data is a canonical rendering of every field but
// wrapped_key, so altering any parameter makes unwrapping fail rather than
// silently deriving under weaker settings.
//
// Thread-safe, no state. Each wrap/unwrap costs one scrypt run (~400 ms and
// 128 MiB at kScryptReplica): call off any UI or I/O thread.
#pragma once

#include "common/crypto/kdf.hpp"
#include "common/crypto/secure_bytes.hpp"
#include "common/error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace psm::crypto {

inline constexpr std::size_t kDataKeyBytes = 32;
inline constexpr int kKeyWrapFormatVersion = 1;

// A fresh random data key.
SecureBytes new_data_key();

// Wraps `data_key` (kDataKeyBytes long) under `passphrase`. Throws
// std::invalid_argument for a key of the wrong length or unacceptable params
// (both programming errors).
std::string wrap_key(std::span<const std::uint8_t> data_key, std::string_view passphrase,
                     ScryptParams params = kScryptReplica);

// Recovers the data key. Errc::wrong_passphrase when the seal does not open
// (wrong passphrase, or a document whose parameters or bytes were altered:
// the two cannot be told apart); Errc::corrupt_data when the document is not
// well-formed, has an unknown format version, or parameters outside the
// bounds in kdf.hpp (checked before any memory is spent on scrypt).
Result<SecureBytes> unwrap_key(std::string_view wrapped_document, std::string_view passphrase);

// Unwraps with `old_passphrase` and wraps the same data key under
// `new_passphrase` with a fresh salt and nonce. Errors as for unwrap_key.
Result<std::string> rewrap_key(std::string_view wrapped_document, std::string_view old_passphrase,
                               std::string_view new_passphrase, ScryptParams params = kScryptReplica);

}  // namespace psm::crypto
