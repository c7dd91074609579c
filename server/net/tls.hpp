// TLS configuration for the server: the SSL context the listener uses, and the
// certificate material `psm-server init` generates for a new installation.
#pragma once

#include "common/error.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace psm::server::net {

// Builds the server's TLS context from a PEM certificate chain (leaf first) and
// its PEM private key. TLS 1.2 is the minimum, TLS 1.3 is preferred; TLS 1.2 is
// limited to ECDHE key exchange with AEAD ciphers; no compression, no
// renegotiation, and the server's cipher order wins.
// Errors: Errc::io_error when a file cannot be read or parsed,
// Errc::invalid_argument when the key does not match the certificate. A
// description for the operator goes to *error_detail when given.
Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const std::filesystem::path& cert_chain_pem, const std::filesystem::path& key_pem,
    std::string* error_detail = nullptr);

// File names generate_tls_material writes inside its directory.
inline constexpr const char* kCaCertFile = "ca.pem";
inline constexpr const char* kCaKeyFile = "ca.key";
inline constexpr const char* kServerCertFile = "server.pem";  // server cert, then CA cert
inline constexpr const char* kServerKeyFile = "server.key";

// Generates a private CA and a server certificate signed by it (EC P-256,
// SHA-256 signatures) and writes them into `dir` (created if missing):
//   ca.pem      the CA certificate (CA:TRUE, keyCertSign+cRLSign, 10 years) —
//               the file devices are given to trust;
//   ca.key      the CA private key, mode 0600;
//   server.pem  the server certificate (825 days, serverAuth, CA:FALSE, SAN =
//               each of host_names plus localhost, 127.0.0.1 and ::1; names that
//               parse as IP addresses become IP entries) followed by ca.pem;
//   server.key  the server private key, mode 0600.
// Key files are created with mode 0600 from the start; every file is written to
// a temporary name and renamed, so a reader never sees half a file.
// Errors: Errc::already_exists when any of the four files exists (replacing a CA
// would strand every enrolled device, so the caller must remove them on purpose);
// Errc::invalid_argument for an empty or malformed host name; Errc::io_error when
// writing fails; Errc::internal when OpenSSL fails.
error_code generate_tls_material(const std::filesystem::path& dir,
                                 const std::vector<std::string>& host_names);

}  // namespace psm::server::net
