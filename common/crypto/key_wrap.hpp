// Protection of the client replica's data key.
//
// A random 256-bit data key opens the SQLCipher replica. That key is stored
// only wrapped: sealed with AES-256-GCM under a key derived by scrypt from the
// user's local passphrase. Changing the passphrase re-wraps the data key; the
// replica itself is never re-encrypted.
//
// The wrapped document is one line of JSON, safe to store next to the replica:
//   {"format":"psm-wrapped-key","version":2,"kdf":"scrypt","log2_n":17,"r":8,"p":1,
//    "salt":"<32 hex>","wrapped_key":"<120 hex>","check":"<64 hex>"}
// The seal's associated data is a canonical rendering of every field but
// wrapped_key, so altering any parameter makes unwrapping fail rather than
// silently deriving under weaker settings. `check` (version 2) is a plain
// SHA-256 over that rendering and wrapped_key: not a secret and no defence
// against a forger, it tells a damaged file (a changed byte, a truncated
// write) from a wrong passphrase before scrypt runs. Version 1 documents
// (without it) are still read.
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
inline constexpr int kKeyWrapFormatVersion = 2;

// A fresh random data key.
SecureBytes new_data_key();

// Wraps `data_key` (kDataKeyBytes long) under `passphrase`. Throws
// std::invalid_argument for a key of the wrong length or unacceptable params
// (both programming errors).
std::string wrap_key(std::span<const std::uint8_t> data_key, std::string_view passphrase,
                     ScryptParams params = kScryptReplica);

// Recovers the data key. Errc::corrupt_data when the document is damaged: not
// well-formed, an unknown format version, parameters outside the bounds in
// kdf.hpp, or (version 2) fields that no longer match their check, all found
// before any memory is spent on scrypt. Errc::wrong_passphrase when the seal
// does not open: the wrong passphrase (or, for version 1, or a forged check,
// altered bytes, which cannot be told apart from it).
Result<SecureBytes> unwrap_key(std::string_view wrapped_document, std::string_view passphrase);

// Unwraps with `old_passphrase` and wraps the same data key under
// `new_passphrase` with a fresh salt and nonce. Errors as for unwrap_key.
Result<std::string> rewrap_key(std::string_view wrapped_document, std::string_view old_passphrase,
                               std::string_view new_passphrase, ScryptParams params = kScryptReplica);

}  // namespace psm::crypto
