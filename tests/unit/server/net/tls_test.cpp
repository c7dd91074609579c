#include "server/net/tls.hpp"

#include "common/crypto/pin.hpp"
#include "common/platform/platform.hpp"
#include "testing/expected.hpp"
#include "testing/temp_dir.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

namespace psm::server::net {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Whether the first certificate in `leaf_pem` verifies against the CA in
// `ca_pem` for TLS server use, as a device that trusts only the CA checks it.
bool verifies_against(const fs::path& leaf_pem, const fs::path& ca_pem) {
  auto read = [](const fs::path& p) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(p.c_str(), "r"), &BIO_free);
    return std::unique_ptr<X509, decltype(&X509_free)>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                       &X509_free);
  };
  auto leaf = read(leaf_pem);
  auto ca = read(ca_pem);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  X509_STORE_add_cert(store.get(), ca.get());
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), &X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  return X509_verify_cert(ctx.get()) == 1;
}

TEST(ServerCertificate, NewOne_IsValidFor397DaysAtMost_BackdateIncluded) {
  TempDir dir;
  ASSERT_FALSE(generate_tls_material(dir.path, {"psm.example.gov.uk"}));
  auto info = read_certificate_info(dir.path / kServerCertFile);
  ASSERT_TRUE(info);
  EXPECT_LE(info->not_after - info->not_before, kServerCertificateMaxDays * 86400);
  EXPECT_LE(kServerCertificateMaxDays, 397);
  EXPECT_LE(info->not_before, static_cast<std::int64_t>(std::time(nullptr)));  // backdated
  EXPECT_EQ(info->subject, "psm.example.gov.uk");
  EXPECT_EQ(info->names,
            (std::vector<std::string>{"DNS:psm.example.gov.uk", "DNS:localhost", "IP:127.0.0.1", "IP:::1"}));
  EXPECT_TRUE(verifies_against(dir.path / kServerCertFile, dir.path / kCaCertFile));
  for (const char* name : {kCaCertFile, kCaKeyFile, kServerCertFile, kServerKeyFile}) {
    EXPECT_EQ(fs::status(dir.path / name).permissions() & (fs::perms::group_all | fs::perms::others_all),
              fs::perms::none)
        << name;
  }
}

TEST(ServerCertificate, Renewed_SameCaSameNamesSameKey_UnlessANewKeyIsAskedFor) {
  TempDir dir;
  ASSERT_FALSE(generate_tls_material(dir.path, {"psm.example.gov.uk"}));
  const auto cert = dir.path / kServerCertFile;
  const auto before = read_certificate_info(cert).value();
  const auto pin = crypto::public_key_pin_of_pem_file(cert).value();
  const auto ca_before = platform::read_file(dir.path / kCaCertFile).value();

  ASSERT_TRUE(psm::testing::succeeded(renew_server_certificate(dir.path, /*new_key=*/false)));
  const auto renewed = read_certificate_info(cert).value();
  EXPECT_EQ(renewed.names, before.names);
  EXPECT_EQ(renewed.subject, before.subject);
  EXPECT_LE(renewed.not_after - renewed.not_before, kServerCertificateMaxDays * 86400);
  EXPECT_GE(renewed.not_after, before.not_after);
  EXPECT_TRUE(verifies_against(cert, dir.path / kCaCertFile));
  EXPECT_EQ(crypto::public_key_pin_of_pem_file(cert).value(), pin);
  EXPECT_EQ(platform::read_file(dir.path / kCaCertFile).value(), ca_before);
  EXPECT_TRUE(make_server_tls_context(cert, dir.path / kServerKeyFile));

  ASSERT_TRUE(psm::testing::succeeded(renew_server_certificate(dir.path, /*new_key=*/true)));
  EXPECT_TRUE(verifies_against(cert, dir.path / kCaCertFile));
  EXPECT_NE(crypto::public_key_pin_of_pem_file(cert).value(), pin);
  EXPECT_TRUE(make_server_tls_context(cert, dir.path / kServerKeyFile)) << "the new key matches the new certificate";
}

TEST(ServerCertificate, Renewal_WithoutTheCaKey_ChangesNothingAndSaysWhy) {
  TempDir dir;
  ASSERT_FALSE(generate_tls_material(dir.path, {}));
  fs::rename(dir.path / kCaKeyFile, dir.path / "ca.key.offline");
  const auto before = platform::read_file(dir.path / kServerCertFile).value();
  auto renewed = renew_server_certificate(dir.path, false);
  ASSERT_FALSE(renewed);
  EXPECT_EQ(renewed.error().code, Errc::not_found);
  EXPECT_NE(renewed.error().message.find("ca.key"), std::string::npos) << renewed.error().message;
  EXPECT_EQ(platform::read_file(dir.path / kServerCertFile).value(), before);
}

}  // namespace
}  // namespace psm::server::net
