#include "common/crypto/kdf.hpp"
#include "common/crypto/hash.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace psm::crypto {
namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(Kdf_Scrypt, MatchesRfc7914Vector) {
  // RFC 7914 section 12, second vector.
  auto key = scrypt("password", bytes_of("NaCl"), ScryptParams{1024, 8, 16}, 64);
  ASSERT_TRUE(key);
  EXPECT_EQ(to_hex(key->span()),
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
}

TEST(Kdf_Scrypt, MatchesRfc7914EmptyVector) {
  auto key = scrypt("", {}, ScryptParams{16, 1, 1}, 64);
  ASSERT_TRUE(key);
  EXPECT_EQ(to_hex(key->span()),
            "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
            "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
}

// Keys wrapped and passwords hashed before scrypt moved to libsodium were made
// with OpenSSL's scrypt; both must give the same bytes, or those devices could
// not unlock and those users could not sign in.
TEST(Kdf_Scrypt, GivesTheSameKeyAsOpenSsl) {
  const std::uint8_t salt[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
  const std::string secret = "correct horse battery staple";
  for (ScryptParams params : {ScryptParams{1U << 14, 8, 1}, ScryptParams{1U << 10, 4, 2}}) {
    auto ours = scrypt(secret, salt, params, 32);
    ASSERT_TRUE(ours);
    std::uint8_t theirs[32];
    ASSERT_EQ(EVP_PBE_scrypt(secret.data(), secret.size(), salt, sizeof salt, params.n, params.r, params.p,
                             std::uint64_t{256} << 20, theirs, sizeof theirs),
              1);
    EXPECT_EQ(to_hex(ours->span()), to_hex(std::span<const std::uint8_t>(theirs))) << params.n;
  }
}

TEST(Kdf_Scrypt, RejectsUnacceptableParams) {
  const std::uint8_t salt[4] = {1, 2, 3, 4};
  for (ScryptParams bad : {ScryptParams{1000, 8, 1}, ScryptParams{0, 8, 1}, ScryptParams{1U << 21, 8, 1},
                           ScryptParams{1024, 0, 1}, ScryptParams{1024, 33, 1}, ScryptParams{1024, 8, 0},
                           ScryptParams{1024, 8, 17}, ScryptParams{1U << 20, 32, 1}}) {
    auto key = scrypt("x", salt, bad, 32);
    ASSERT_FALSE(key) << bad.n << " " << bad.r << " " << bad.p;
    EXPECT_EQ(key.error(), make_error_code(Errc::invalid_argument));
  }
  EXPECT_FALSE(scrypt("x", salt, kScryptTest, 0));
}

TEST(Kdf_PasswordHash, VerifiesTheRightPasswordOnly) {
  const std::string encoded = hash_password("correct horse battery", kScryptTest);
  EXPECT_EQ(encoded.rfind("scrypt$10$8$1$", 0), 0U) << encoded;
  EXPECT_TRUE(verify_password("correct horse battery", encoded));
  EXPECT_FALSE(verify_password("correct horse batterz", encoded));
  EXPECT_FALSE(verify_password("", encoded));
}

TEST(Kdf_PasswordHash, UsesAFreshSaltEachTime) {
  EXPECT_NE(hash_password("same password", kScryptTest), hash_password("same password", kScryptTest));
}

TEST(Kdf_VerifyPassword, ReturnsFalseForMalformedEncodings) {
  const std::string good = hash_password("pw-1234567890", kScryptTest);
  ASSERT_TRUE(verify_password("pw-1234567890", good));
  const auto last = good.rfind('$');
  const std::string salt_and_hash = good.substr(good.find('$', 14));  // "$<salt>$<hash>"
  const std::string bad[] = {
      "",
      "scrypt",
      "bcrypt$10$8$1" + salt_and_hash,
      "scrypt$x$8$1" + salt_and_hash,
      "scrypt$010$8$1" + salt_and_hash,
      "scrypt$-10$8$1" + salt_and_hash,
      "scrypt$10$8" + salt_and_hash,
      good + "$00",
      good.substr(0, good.size() - 1),                          // odd-length hash
      good.substr(0, last + 1) + "zz" + good.substr(last + 3),  // non-hex hash
      good.substr(0, last),                                     // no hash at all
      good.substr(0, good.size() - 2),                          // 31-byte hash
  };
  for (const auto& encoded : bad) EXPECT_FALSE(verify_password("pw-1234567890", encoded)) << encoded;
}

TEST(Kdf_VerifyPassword, RejectsAbsurdParamsWithoutRunningThem) {
  const std::string good = hash_password("pw-1234567890", kScryptTest);
  const std::string salt_and_hash = good.substr(good.find('$', 14));
  // Each of these would need gigabytes or minutes if it were honoured.
  for (const std::string prefix : {"scrypt$21$8$1", "scrypt$40$8$1", "scrypt$10$33$1", "scrypt$10$8$17",
                                   "scrypt$20$32$1", "scrypt$0$8$1", "scrypt$10$0$1"}) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(verify_password("pw-1234567890", prefix + salt_and_hash)) << prefix;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100)) << prefix;
  }
}

TEST(Kdf_Scrypt, ProductionCostsAreMeasured) {
  // Not an assertion on speed (CI machines vary): records the cost so a
  // reviewer can see what kScryptInteractive and kScryptReplica mean here.
  const std::uint8_t salt[16] = {};
  for (auto [name, params] :
       {std::pair{"interactive (N=2^15)", kScryptInteractive}, std::pair{"replica (N=2^17)", kScryptReplica}}) {
    const auto start = std::chrono::steady_clock::now();
    auto key = scrypt("passphrase", salt, params, 32);
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    ASSERT_TRUE(key) << name;
    RecordProperty(name, std::to_string(elapsed.count()) + " ms");
    std::printf("scrypt %s: %lld ms\n", name, static_cast<long long>(elapsed.count()));
  }
}

}  // namespace
}  // namespace psm::crypto
