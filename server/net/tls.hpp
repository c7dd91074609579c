// TLS configuration for the server: the SSL context the listener uses, and the
// certificate material `psm-server init` generates for a new installation.
#pragma once

#include "common/error.hpp"

#include <cstdint>
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
// Errc::invalid_argument when the key does not match the certificate; the
// Error's message (also logged) describes it for the operator.
Expected<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const std::filesystem::path& cert_chain_pem, const std::filesystem::path& key_pem);

// File names generate_tls_material writes inside its directory.
inline constexpr const char* kCaCertFile = "ca.pem";
inline constexpr const char* kCaKeyFile = "ca.key";
inline constexpr const char* kServerCertFile = "server.pem";  // server cert, then CA cert
inline constexpr const char* kServerKeyFile = "server.key";

// The longest a server certificate made here is valid, notBefore to notAfter,
// including the hour it is backdated by: the CA/Browser Forum's limit for
// server certificates, which Apple platforms also enforce.
inline constexpr long kServerCertificateMaxDays = 397;

// Generates a private CA and a server certificate signed by it (EC P-256,
// SHA-256 signatures) and writes them into `dir` (created if missing, 0700):
//   ca.pem      the CA certificate (CA:TRUE, keyCertSign+cRLSign, 10 years) —
//               the file devices are given to trust;
//   ca.key      the CA private key;
//   server.pem  the server certificate (kServerCertificateMaxDays in all from an
//               hour ago, serverAuth, CA:FALSE, SAN = each of host_names plus
//               localhost, 127.0.0.1 and ::1; names that parse as IP addresses
//               become IP entries) followed by ca.pem;
//   server.key  the server private key.
// Every file is created with mode 0600 from the start, written to a temporary
// name and renamed, so a reader never sees half a file.
// Errors: Errc::already_exists when any of the four files exists (replacing a CA
// would strand every enrolled device, so the caller must remove them on purpose);
// Errc::invalid_argument for an empty or malformed host name; Errc::io_error when
// writing fails; Errc::internal when OpenSSL fails.
error_code generate_tls_material(const std::filesystem::path& dir, const std::vector<std::string>& host_names);

// What `psm-server cert show` prints and the metrics export.
struct CertificateInfo {
  std::string subject;             // the common name
  std::vector<std::string> names;  // subjectAltName entries, e.g. "DNS:localhost", "IP:127.0.0.1"
  std::int64_t not_before = 0;     // Unix seconds
  std::int64_t not_after = 0;      // Unix seconds
  std::string issuer;              // the issuer's common name
};

// The first certificate in a PEM file (the leaf of server.pem).
// Errc::not_found when the file is missing, Errc::corrupt_data when it holds no
// readable certificate.
Result<CertificateInfo> read_certificate_info(const std::filesystem::path& pem);

// Replaces DIR/server.pem with a new certificate from the local CA in `dir`
// (ca.pem and ca.key), for the same subject and names, valid for
// kServerCertificateMaxDays from an hour ago, and for the same key unless
// `new_key` (then server.key is replaced first). Devices that trust ca.pem
// accept it; a device that pinned the server key (psm enrol --pin) accepts it
// only when the key is kept. A running server keeps presenting the old
// certificate until it is restarted. Errors: Errc::not_found when a file is
// missing (the message names it; ca.key may have been moved offline, as
// advised), Errc::invalid_argument when server.pem was not issued by this CA
// or a key does not match its certificate, Errc::io_error / Errc::internal
// otherwise; the Error's message says what, for the operator. Nothing is
// replaced on failure.
Expected<void> renew_server_certificate(const std::filesystem::path& dir, bool new_key);

}  // namespace psm::server::net
