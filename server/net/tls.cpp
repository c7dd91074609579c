#include "server/net/tls.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>
#include <boost/asio/ssl/context.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <set>

namespace psm::server::net {
namespace {

// TLS 1.2 suites: forward-secret key exchange and AEAD only. TLS 1.3 suites are
// all AEAD with ephemeral keys already, so OpenSSL's defaults stay.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

constexpr long kCaValidityDays = 3650;
// Backdating notBefore keeps a device whose clock is a little slow from
// rejecting a certificate generated a moment ago.
constexpr long kBackdateSeconds = 60 * 60;
// The server certificate's whole validity, notBefore to notAfter, backdate
// included: 397 days is the most the CA/Browser Forum baseline allows a
// server certificate and what Apple platforms accept; `psm-server cert renew`
// makes the next one before it runs out.
constexpr long kServerLifetimeDays = kServerCertificateMaxDays;

std::string openssl_error_text() {
  std::string text;
  while (unsigned long e = ERR_get_error()) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(e, buffer.data(), buffer.size());
    if (!text.empty()) text += "; ";
    text += buffer.data();
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

// A failure to set up TLS: logged, and returned for the operator.
Error tls_failure(Errc code, std::string text) {
  spdlog::error("tls: {}", text);
  return {make_error_code(code), std::move(text)};
}

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct BnDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ExtDeleter {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, ExtDeleter>;

EvpPkeyPtr generate_p256_key() { return EvpPkeyPtr(EVP_EC_gen("P-256")); }

// A random positive 128-bit serial: unique without any state to keep.
bool set_random_serial(X509* cert) {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return false;
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x40;  // and a full 16 bytes long
  BnPtr bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn) return false;
  return BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext) return false;
  return X509_add_ext(cert, ext.get(), -1) == 1;
}

bool set_name(X509_NAME* name, const std::string& common_name) {
  const auto* org = reinterpret_cast<const unsigned char*>("psm");
  const auto* cn = reinterpret_cast<const unsigned char*>(common_name.c_str());
  return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, org, -1, -1, 0) == 1 &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) == 1;
}

// Fills the fields both certificates share. The issuer is `cert` itself when
// issuer_cert is null (self-signed CA). The certificate is valid from an hour
// ago (the backdate) for `validity_days` in all, backdate included.
bool init_certificate(X509* cert, EVP_PKEY* key, const std::string& common_name, X509* issuer_cert,
                      long validity_days) {
  if (X509_set_version(cert, 2) != 1) return false;  // v3
  if (!set_random_serial(cert)) return false;
  if (!X509_gmtime_adj(X509_getm_notBefore(cert), -kBackdateSeconds)) return false;
  if (!X509_time_adj_ex(X509_getm_notAfter(cert), static_cast<int>(validity_days), -kBackdateSeconds, nullptr)) {
    return false;
  }
  if (X509_set_pubkey(cert, key) != 1) return false;
  if (!set_name(X509_get_subject_name(cert), common_name)) return false;
  X509_NAME* issuer_name = issuer_cert ? X509_get_subject_name(issuer_cert) : X509_get_subject_name(cert);
  return X509_set_issuer_name(cert, issuer_name) == 1;
}

X509Ptr make_ca_certificate(EVP_PKEY* ca_key) {
  X509Ptr cert(X509_new());
  if (!cert) return nullptr;
  if (!init_certificate(cert.get(), ca_key, "psm local CA", nullptr, kCaValidityDays)) {
    return nullptr;
  }
  X509* c = cert.get();
  if (!add_extension(c, c, NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(c, c, NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !add_extension(c, c, NID_subject_key_identifier, "hash") ||
      !add_extension(c, c, NID_authority_key_identifier, "keyid:always")) {
    return nullptr;
  }
  if (X509_sign(c, ca_key, EVP_sha256()) <= 0) return nullptr;
  return cert;
}

// The extensions every server certificate carries besides its names.
bool add_server_extensions(X509* c, X509* ca_cert) {
  return add_extension(c, ca_cert, NID_basic_constraints, "critical,CA:FALSE") &&
         add_extension(c, ca_cert, NID_key_usage, "critical,digitalSignature") &&
         add_extension(c, ca_cert, NID_ext_key_usage, "serverAuth") &&
         add_extension(c, ca_cert, NID_subject_key_identifier, "hash") &&
         add_extension(c, ca_cert, NID_authority_key_identifier, "keyid:always");
}

X509Ptr make_server_certificate(EVP_PKEY* server_key, X509* ca_cert, EVP_PKEY* ca_key, const std::string& common_name,
                                const std::string& subject_alt_names) {
  X509Ptr cert(X509_new());
  if (!cert) return nullptr;
  if (!init_certificate(cert.get(), server_key, common_name, ca_cert, kServerLifetimeDays)) {
    return nullptr;
  }
  X509* c = cert.get();
  if (!add_extension(c, ca_cert, NID_subject_alt_name, subject_alt_names) || !add_server_extensions(c, ca_cert)) {
    return nullptr;
  }
  if (X509_sign(c, ca_key, EVP_sha256()) <= 0) return nullptr;
  return cert;
}

// A new certificate for `old`'s subject and names (its subjectAltName copied
// as it is), for `server_key`, from the CA.
X509Ptr renew_certificate(X509* old, EVP_PKEY* server_key, X509* ca_cert, EVP_PKEY* ca_key) {
  X509Ptr cert(X509_new());
  if (!cert) return nullptr;
  X509* c = cert.get();
  if (X509_set_version(c, 2) != 1 || !set_random_serial(c) ||
      !X509_gmtime_adj(X509_getm_notBefore(c), -kBackdateSeconds) ||
      !X509_time_adj_ex(X509_getm_notAfter(c), static_cast<int>(kServerLifetimeDays), -kBackdateSeconds, nullptr) ||
      X509_set_pubkey(c, server_key) != 1 || X509_set_subject_name(c, X509_get_subject_name(old)) != 1 ||
      X509_set_issuer_name(c, X509_get_subject_name(ca_cert)) != 1) {
    return nullptr;
  }
  const int san = X509_get_ext_by_NID(old, NID_subject_alt_name, -1);
  if (san < 0 || X509_add_ext(c, X509_get_ext(old, san), -1) != 1) return nullptr;
  if (!add_server_extensions(c, ca_cert)) return nullptr;
  if (X509_sign(c, ca_key, EVP_sha256()) <= 0) return nullptr;
  return cert;
}

X509Ptr read_first_certificate(const std::filesystem::path& pem) {
  BioPtr bio(BIO_new_file(pem.c_str(), "r"));
  if (!bio) return nullptr;
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

EvpPkeyPtr read_private_key(const std::filesystem::path& pem) {
  BioPtr bio(BIO_new_file(pem.c_str(), "r"));
  if (!bio) return nullptr;
  return EvpPkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::int64_t unix_seconds_of(const ASN1_TIME* t) {
  struct tm parts {};
  if (ASN1_TIME_to_tm(t, &parts) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&parts));
}

std::string common_name_of(X509_NAME* name) {
  const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return "";
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                     static_cast<std::size_t>(ASN1_STRING_length(data)));
}

// Private key PEM text, wiped from memory however the function returns.
struct SecretText {
  std::string value;
  SecretText() = default;
  SecretText(const SecretText&) = delete;
  SecretText& operator=(const SecretText&) = delete;
  ~SecretText() { OPENSSL_cleanse(value.data(), value.size()); }
};

bool append_bio(BIO* bio, std::string& out) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size < 0) return false;
  out.append(data, static_cast<std::size_t>(size));
  return true;
}

bool pem_of_certificate(X509* cert, std::string& out) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  return bio && PEM_write_bio_X509(bio.get(), cert) == 1 && append_bio(bio.get(), out);
}

bool pem_of_key(EVP_PKEY* key, std::string& out) {
  BioPtr bio(BIO_new(BIO_s_secmem()));  // cleansed when freed
  return bio && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1 &&
         append_bio(bio.get(), out);
}

// Writes `contents` to `path` via a temporary file created with `mode`, so a
// key file never exists with wider permissions, even for a moment.
error_code write_file_atomically(const std::filesystem::path& path, std::string_view contents, mode_t mode) {
  std::filesystem::path temp = path;
  temp += ".tmp";
  ::unlink(temp.c_str());  // a leftover from an interrupted run
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    spdlog::error("tls: cannot create {}: {}", temp.string(), std::strerror(errno));
    return Errc::io_error;
  }
  std::size_t written = 0;
  bool ok = true;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    spdlog::error("tls: cannot write {}: {}", path.string(), std::strerror(errno));
    ::unlink(temp.c_str());
    return Errc::io_error;
  }
  return {};
}

// Builds the subjectAltName value; rejects names that could smuggle extra
// entries into the config string.
Result<std::string> subject_alt_names(const std::vector<std::string>& host_names) {
  std::vector<std::string> entries;
  std::set<std::string> seen;
  auto add = [&](std::string entry) {
    if (seen.insert(entry).second) entries.push_back(std::move(entry));
  };
  for (const std::string& name : host_names) {
    if (name.empty() || name.size() > 253 || name.find_first_of(",: \t\r\n\"'\\") != std::string::npos) {
      // ':' is allowed only inside an IPv6 address, checked below.
      boost::system::error_code ec;
      const auto address = boost::asio::ip::make_address(name, ec);
      if (!ec && address.is_v6()) {
        add("IP:" + address.to_string());
        continue;
      }
      spdlog::error("tls: invalid host name for the certificate: \"{}\"", name);
      return Errc::invalid_argument;
    }
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(name, ec);
    add(ec ? "DNS:" + name : "IP:" + address.to_string());
  }
  add("DNS:localhost");
  add("IP:127.0.0.1");
  add("IP:::1");
  std::string value;
  for (const std::string& entry : entries) {
    if (!value.empty()) value += ',';
    value += entry;
  }
  return value;
}

}  // namespace

Expected<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(
    const std::filesystem::path& cert_chain_pem, const std::filesystem::path& key_pem) {
  namespace ssl = boost::asio::ssl;
  ERR_clear_error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression | ssl::context::single_dh_use,
                       ec);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  if (ec || SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return tls_failure(Errc::internal, "cannot configure TLS: " + openssl_error_text());
  }
  context->use_certificate_chain_file(cert_chain_pem.string(), ec);
  if (ec) {
    return tls_failure(Errc::io_error,
                       "cannot load the certificate chain " + cert_chain_pem.string() + ": " + openssl_error_text());
  }
  context->use_private_key_file(key_pem.string(), ssl::context::pem, ec);
  if (ec) {
    return tls_failure(Errc::io_error, "cannot load the private key " + key_pem.string() + ": " + openssl_error_text());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return tls_failure(Errc::invalid_argument, "the private key " + key_pem.string() +
                                                   " does not match the certificate " + cert_chain_pem.string());
  }
  return context;
}

error_code generate_tls_material(const std::filesystem::path& dir, const std::vector<std::string>& host_names) {
  auto alt_names = subject_alt_names(host_names);
  if (!alt_names) return alt_names.error();

  std::error_code fs_ec;
  std::filesystem::create_directories(dir, fs_ec);
  if (fs_ec) {
    spdlog::error("tls: cannot create {}: {}", dir.string(), fs_ec.message());
    return Errc::io_error;
  }
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace, fs_ec);
  for (const char* name : {kCaCertFile, kCaKeyFile, kServerCertFile, kServerKeyFile}) {
    if (std::filesystem::exists(dir / name, fs_ec)) {
      spdlog::error("tls: {} already exists; remove the old TLS material first", (dir / name).string());
      return Errc::already_exists;
    }
  }

  ERR_clear_error();
  EvpPkeyPtr ca_key = generate_p256_key();
  EvpPkeyPtr server_key = generate_p256_key();
  if (!ca_key || !server_key) {
    spdlog::error("tls: key generation failed: {}", openssl_error_text());
    return Errc::internal;
  }
  X509Ptr ca_cert = make_ca_certificate(ca_key.get());
  const std::string common_name = host_names.empty() ? "localhost" : host_names.front();
  X509Ptr server_cert =
      ca_cert ? make_server_certificate(server_key.get(), ca_cert.get(), ca_key.get(), common_name, *alt_names)
              : nullptr;
  std::string ca_pem, server_pem;
  SecretText ca_key_pem, server_key_pem;
  if (!ca_cert || !server_cert || !pem_of_certificate(ca_cert.get(), ca_pem) ||
      !pem_of_key(ca_key.get(), ca_key_pem.value) || !pem_of_certificate(server_cert.get(), server_pem) ||
      !pem_of_key(server_key.get(), server_key_pem.value)) {
    spdlog::error("tls: certificate generation failed: {}", openssl_error_text());
    return Errc::internal;
  }
  server_pem += ca_pem;  // the chain a server presents: leaf, then issuer

  // Keys first: a directory with certificates but no keys is useless, and one
  // with keys but no certificates is obviously incomplete.
  if (auto ec = write_file_atomically(dir / kCaKeyFile, ca_key_pem.value, 0600)) return ec;
  if (auto ec = write_file_atomically(dir / kServerKeyFile, server_key_pem.value, 0600)) return ec;
  if (auto ec = write_file_atomically(dir / kCaCertFile, ca_pem, 0600)) return ec;
  if (auto ec = write_file_atomically(dir / kServerCertFile, server_pem, 0600)) return ec;
  return {};
}

Result<CertificateInfo> read_certificate_info(const std::filesystem::path& pem) {
  std::error_code fs_ec;
  if (!std::filesystem::exists(pem, fs_ec)) return Errc::not_found;
  X509Ptr cert = read_first_certificate(pem);
  ERR_clear_error();
  if (!cert) return Errc::corrupt_data;
  CertificateInfo info;
  info.subject = common_name_of(X509_get_subject_name(cert.get()));
  info.issuer = common_name_of(X509_get_issuer_name(cert.get()));
  info.not_before = unix_seconds_of(X509_get0_notBefore(cert.get()));
  info.not_after = unix_seconds_of(X509_get0_notAfter(cert.get()));
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* dns = name->d.dNSName;
      info.names.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                                static_cast<std::size_t>(ASN1_STRING_length(dns))));
    } else if (name->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = name->d.iPAddress;
      const auto* bytes = ASN1_STRING_get0_data(ip);
      if (ASN1_STRING_length(ip) == 4) {
        boost::asio::ip::address_v4::bytes_type b{};
        std::copy(bytes, bytes + 4, b.begin());
        info.names.push_back("IP:" + boost::asio::ip::address_v4(b).to_string());
      } else if (ASN1_STRING_length(ip) == 16) {
        boost::asio::ip::address_v6::bytes_type b{};
        std::copy(bytes, bytes + 16, b.begin());
        info.names.push_back("IP:" + boost::asio::ip::address_v6(b).to_string());
      }
    }
  }
  GENERAL_NAMES_free(names);
  return info;
}

Expected<void> renew_server_certificate(const std::filesystem::path& dir, bool new_key) {
  auto fail = [](Errc code, std::string text) -> Expected<void> {
    ERR_clear_error();
    return Error{make_error_code(code), std::move(text)};
  };
  std::error_code fs_ec;
  for (const char* name : {kCaCertFile, kCaKeyFile, kServerCertFile, kServerKeyFile}) {
    if (!std::filesystem::exists(dir / name, fs_ec)) {
      return fail(Errc::not_found,
                  "no " + (dir / name).string() +
                      (std::string(name) == kCaKeyFile
                           ? " (the local CA's key: bring it back for the renewal, then put it away again)"
                           : ""));
    }
  }
  X509Ptr ca_cert = read_first_certificate(dir / kCaCertFile);
  EvpPkeyPtr ca_key = read_private_key(dir / kCaKeyFile);
  X509Ptr old_cert = read_first_certificate(dir / kServerCertFile);
  EvpPkeyPtr old_key = read_private_key(dir / kServerKeyFile);
  if (!ca_cert || !ca_key || !old_cert || !old_key) {
    return fail(Errc::invalid_argument,
                "cannot read the certificates and keys in " + dir.string() + ": " + openssl_error_text());
  }
  if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) {
    return fail(Errc::invalid_argument,
                (dir / kCaKeyFile).string() + " is not the key of " + (dir / kCaCertFile).string());
  }
  if (X509_check_issued(ca_cert.get(), old_cert.get()) != X509_V_OK) {
    return fail(Errc::invalid_argument, (dir / kServerCertFile).string() + " was not issued by the local CA " +
                                            (dir / kCaCertFile).string() +
                                            "; renew it with the CA that issued it (docs/operations.md)");
  }
  if (X509_check_private_key(old_cert.get(), old_key.get()) != 1) {
    return fail(Errc::invalid_argument,
                (dir / kServerKeyFile).string() + " is not the key of " + (dir / kServerCertFile).string());
  }
  EvpPkeyPtr key = new_key ? generate_p256_key() : std::move(old_key);
  if (!key) return fail(Errc::internal, "key generation failed: " + openssl_error_text());
  X509Ptr cert = renew_certificate(old_cert.get(), key.get(), ca_cert.get(), ca_key.get());
  std::string server_pem, ca_pem;
  SecretText key_pem;
  if (!cert || !pem_of_certificate(cert.get(), server_pem) || !pem_of_certificate(ca_cert.get(), ca_pem) ||
      (new_key && !pem_of_key(key.get(), key_pem.value))) {
    return fail(Errc::internal, "certificate generation failed: " + openssl_error_text());
  }
  server_pem += ca_pem;
  // With a new key, the key goes first: if the certificate cannot be
  // written after it, serve refuses the mismatched pair (and says so) rather
  // than presenting a certificate for a key it does not hold.
  if (new_key) {
    if (write_file_atomically(dir / kServerKeyFile, key_pem.value, 0600)) {
      return fail(Errc::io_error, "cannot write " + (dir / kServerKeyFile).string());
    }
  }
  if (write_file_atomically(dir / kServerCertFile, server_pem, 0600)) {
    return fail(Errc::io_error, "cannot write " + (dir / kServerCertFile).string() +
                                    (new_key ? "; the new key is in place: run cert renew --new-key again" : ""));
  }
  return {};
}

}  // namespace psm::server::net
