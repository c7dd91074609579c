#include "server/net/metrics.hpp"

#include <gtest/gtest.h>

namespace psm::server {
namespace {

TEST(Metrics, TlsCertificateExpiry_IsAGaugeOnceKnown) {
  Metrics metrics;
  EXPECT_EQ(metrics.render().find("psm_tls_certificate_expiry_timestamp_seconds"), std::string::npos);
  metrics.set_tls_certificate_expiry(1'830'410'263);
  const auto text = metrics.render();
  EXPECT_NE(text.find("# TYPE psm_tls_certificate_expiry_timestamp_seconds gauge\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\npsm_tls_certificate_expiry_timestamp_seconds 1830410263\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace psm::server
