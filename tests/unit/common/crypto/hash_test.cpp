#include "common/crypto/hash.hpp"
#include "common/crypto/random.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace psm::crypto {
namespace {

TEST(Hash_Sha256, MatchesKnownVectors) {
  EXPECT_EQ(to_hex(sha256(std::string_view{})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256(std::string_view{"abc"})),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hash_Hex, RoundTripsEveryByteValue) {
  std::vector<std::uint8_t> bytes(256);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
  const std::string hex = to_hex(bytes);
  ASSERT_EQ(hex.size(), 512U);
  auto decoded = from_hex(hex);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, bytes);
}

TEST(Hash_FromHex, AcceptsUppercaseAndEmpty) {
  auto upper = from_hex("DEADbeef");
  ASSERT_TRUE(upper);
  EXPECT_EQ(*upper, (std::vector<std::uint8_t>{0xde, 0xad, 0xbe, 0xef}));
  auto empty = from_hex("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(Hash_FromHex, RejectsOddLengthAndNonHex) {
  for (std::string_view bad : {"abc", "0g", "zz", "  ", "12 4", "0x12", "1-"}) {
    auto result = from_hex(bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error(), make_error_code(Errc::invalid_argument)) << bad;
  }
}

TEST(Hash_ConstantTimeEqual, ComparesContentsAndLengths) {
  const std::vector<std::uint8_t> a{1, 2, 3};
  const std::vector<std::uint8_t> b{1, 2, 3};
  const std::vector<std::uint8_t> c{1, 2, 4};
  const std::vector<std::uint8_t> d{1, 2};
  EXPECT_TRUE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal(a, c));
  EXPECT_FALSE(constant_time_equal(a, d));
  EXPECT_TRUE(constant_time_equal(std::span<const std::uint8_t>{}, std::span<const std::uint8_t>{}));
}

TEST(Random_RandomHex, HasRequestedLengthAndDiffers) {
  const std::string a = random_hex(16);
  const std::string b = random_hex(16);
  EXPECT_EQ(a.size(), 32U);
  EXPECT_NE(a, b);
  EXPECT_TRUE(from_hex(a));
  EXPECT_EQ(random_hex(0), "");
}

}  // namespace
}  // namespace psm::crypto
