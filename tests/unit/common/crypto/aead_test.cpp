#include "common/crypto/aead.hpp"
#include "common/crypto/random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace psm::crypto {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<std::uint8_t> random_key() {
  std::vector<std::uint8_t> key(kAeadKeyBytes);
  random_bytes(key);
  return key;
}

TEST(Aead_Seal, RoundTripsWithLayoutNonceCiphertextTag) {
  const auto key = random_key();
  const auto plaintext = bytes_of("Placement Support Meeting notes");
  const auto aad = bytes_of("record:42");
  const auto sealed = seal(key, plaintext, aad);
  ASSERT_EQ(sealed.size(), plaintext.size() + kAeadOverheadBytes);
  // The plaintext does not appear in the output.
  EXPECT_EQ(std::search(sealed.begin(), sealed.end(), plaintext.begin(), plaintext.end()), sealed.end());
  auto opened = open(key, sealed, aad);
  ASSERT_TRUE(opened);
  EXPECT_EQ(std::vector<std::uint8_t>(opened->data(), opened->data() + opened->size()), plaintext);
}

TEST(Aead_Seal, UsesAFreshNonceEachTime) {
  const auto key = random_key();
  const auto plaintext = bytes_of("same");
  EXPECT_NE(seal(key, plaintext, {}), seal(key, plaintext, {}));
}

TEST(Aead_Seal, RoundTripsEmptyPlaintext) {
  const auto key = random_key();
  const auto sealed = seal(key, {}, {});
  ASSERT_EQ(sealed.size(), kAeadOverheadBytes);
  auto opened = open(key, sealed, {});
  ASSERT_TRUE(opened);
  EXPECT_TRUE(opened->empty());
}

TEST(Aead_Open, FailsWhenAnyByteIsFlipped) {
  const auto key = random_key();
  const auto sealed = seal(key, bytes_of("secret"), bytes_of("aad"));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    auto tampered = sealed;
    tampered[i] ^= 0x01;
    auto opened = open(key, tampered, bytes_of("aad"));
    ASSERT_FALSE(opened) << "byte " << i;
    EXPECT_EQ(opened.error(), make_error_code(Errc::corrupt_data));
  }
}

TEST(Aead_Open, FailsWithWrongKeyOrAad) {
  const auto key = random_key();
  const auto sealed = seal(key, bytes_of("secret"), bytes_of("aad"));
  EXPECT_EQ(open(random_key(), sealed, bytes_of("aad")).error(), make_error_code(Errc::corrupt_data));
  EXPECT_EQ(open(key, sealed, bytes_of("aae")).error(), make_error_code(Errc::corrupt_data));
  EXPECT_EQ(open(key, sealed, {}).error(), make_error_code(Errc::corrupt_data));
}

TEST(Aead_Open, FailsWhenTooShortOrTruncated) {
  const auto key = random_key();
  const auto sealed = seal(key, bytes_of("secret"), {});
  EXPECT_EQ(open(key, std::span(sealed).first(kAeadOverheadBytes - 1), {}).error(),
            make_error_code(Errc::corrupt_data));
  EXPECT_EQ(open(key, std::span(sealed).first(sealed.size() - 1), {}).error(), make_error_code(Errc::corrupt_data));
}

TEST(Aead_Seal, ThrowsForWrongKeyLength) {
  const std::vector<std::uint8_t> short_key(16);
  EXPECT_THROW(seal(short_key, {}, {}), std::invalid_argument);
  EXPECT_THROW((void)open(short_key, std::vector<std::uint8_t>(40), {}), std::invalid_argument);
}

}  // namespace
}  // namespace psm::crypto
