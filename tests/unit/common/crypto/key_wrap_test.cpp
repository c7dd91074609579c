#include "common/crypto/key_wrap.hpp"
#include "common/crypto/aead.hpp"
#include "common/crypto/hash.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <array>
#include <string>

namespace psm::crypto {
namespace {

bool same_bytes(const SecureBytes& a, const SecureBytes& b) { return constant_time_equal(a.span(), b.span()); }

// Replaces one field of a wrapped document, keeping it well-formed JSON.
std::string with_field(const std::string& document, std::string_view key, boost::json::value value) {
  auto obj = boost::json::parse(document).as_object();
  obj[key] = std::move(value);
  return boost::json::serialize(obj);
}

TEST(KeyWrap_NewDataKey, IsRandomAnd32Bytes) {
  const auto a = new_data_key();
  const auto b = new_data_key();
  EXPECT_EQ(a.size(), kDataKeyBytes);
  EXPECT_FALSE(same_bytes(a, b));
}

TEST(KeyWrap_Unwrap, RoundTripsWithRightPassphrase) {
  const auto key = new_data_key();
  const std::string doc = wrap_key(key.span(), "local passphrase", kScryptTest);
  auto unwrapped = unwrap_key(doc, "local passphrase");
  ASSERT_TRUE(unwrapped);
  EXPECT_TRUE(same_bytes(*unwrapped, key));
}

TEST(KeyWrap_Wrap, DocumentDescribesItsFormatAndHidesTheKey) {
  const auto key = new_data_key();
  const std::string doc = wrap_key(key.span(), "pw", kScryptTest);
  EXPECT_EQ(doc.find('\n'), std::string::npos);
  const auto obj = boost::json::parse(doc).as_object();
  EXPECT_EQ(obj.at("format").as_string(), "psm-wrapped-key");
  EXPECT_EQ(obj.at("version").as_int64(), 2);
  EXPECT_EQ(obj.at("check").as_string().size(), 64U);
  EXPECT_EQ(obj.at("kdf").as_string(), "scrypt");
  EXPECT_EQ(obj.at("log2_n").to_number<int>(), 10);
  EXPECT_EQ(obj.at("r").to_number<int>(), 8);
  EXPECT_EQ(obj.at("p").to_number<int>(), 1);
  EXPECT_EQ(obj.at("salt").as_string().size(), 32U);
  EXPECT_EQ(doc.find(to_hex(key.span())), std::string::npos);
  // Same key, same passphrase: a fresh salt and nonce each time.
  EXPECT_NE(doc, wrap_key(key.span(), "pw", kScryptTest));
}

TEST(KeyWrap_Unwrap, FailsWithWrongPassphrase) {
  const auto key = new_data_key();
  const std::string doc = wrap_key(key.span(), "right", kScryptTest);
  auto unwrapped = unwrap_key(doc, "wrong");
  ASSERT_FALSE(unwrapped);
  EXPECT_EQ(unwrapped.error(), make_error_code(Errc::wrong_passphrase));
}

// A document changed without its check: a damaged file, not a wrong passphrase.
TEST(KeyWrap_Unwrap, ChangedWrappedKeyBytes_AreReportedAsDamage) {
  const std::string doc = wrap_key(new_data_key().span(), "pw", kScryptTest);
  const auto obj = boost::json::parse(doc).as_object();
  std::string wrapped(obj.at("wrapped_key").as_string());
  for (std::size_t i : {0U, 30U, 119U}) {  // nonce, ciphertext, tag
    std::string tampered = wrapped;
    tampered[i] = tampered[i] == '0' ? '1' : '0';
    auto result = unwrap_key(with_field(doc, "wrapped_key", tampered.c_str()), "pw");
    ASSERT_FALSE(result) << i;
    EXPECT_EQ(result.error(), make_error_code(Errc::corrupt_data));
  }
}

TEST(KeyWrap_Unwrap, ChangedParamsOrSalt_AreReportedAsDamage) {
  const std::string doc = wrap_key(new_data_key().span(), "pw", kScryptTest);
  const auto obj = boost::json::parse(doc).as_object();
  std::string salt(obj.at("salt").as_string());
  salt[0] = salt[0] == '0' ? '1' : '0';
  std::string check(obj.at("check").as_string());
  check[5] = check[5] == '0' ? '1' : '0';
  for (const std::string& tampered : {with_field(doc, "log2_n", 11), with_field(doc, "r", 4), with_field(doc, "p", 2),
                                      with_field(doc, "salt", salt.c_str()), with_field(doc, "check", check.c_str())}) {
    auto result = unwrap_key(tampered, "pw");
    ASSERT_FALSE(result) << tampered;
    EXPECT_EQ(result.error(), make_error_code(Errc::corrupt_data)) << tampered;
  }
}

// A version 1 document (no check) from before: still read, and altered bytes
// in it still fail the seal.
TEST(KeyWrap_Unwrap, Version1Document_StillOpens_AndAlteredBytesFailTheSeal) {
  const auto key = new_data_key();
  std::array<std::uint8_t, 16> salt{};
  salt.fill(0x11);
  const std::string salt_hex = to_hex(salt);
  const std::string aad = "psm-wrapped-key v1 kdf=scrypt log2_n=10 r=8 p=1 salt=" + salt_hex;
  auto wrapping_key = scrypt("pw", salt, kScryptTest, kAeadKeyBytes);
  ASSERT_TRUE(wrapping_key);
  const auto sealed =
      seal(wrapping_key->span(), key.span(), {reinterpret_cast<const std::uint8_t*>(aad.data()), aad.size()});
  boost::json::object v1{{"format", "psm-wrapped-key"},
                         {"version", 1},
                         {"kdf", "scrypt"},
                         {"log2_n", 10},
                         {"r", 8},
                         {"p", 1},
                         {"salt", salt_hex},
                         {"wrapped_key", to_hex(sealed)}};
  const std::string doc = boost::json::serialize(v1);
  auto opened = unwrap_key(doc, "pw");
  ASSERT_TRUE(opened);
  EXPECT_TRUE(same_bytes(*opened, key));
  std::string wrapped(v1.at("wrapped_key").as_string());
  wrapped[30] = wrapped[30] == '0' ? '1' : '0';
  auto altered = unwrap_key(with_field(doc, "wrapped_key", wrapped.c_str()), "pw");
  ASSERT_FALSE(altered);
  EXPECT_EQ(altered.error(), make_error_code(Errc::wrong_passphrase));
}

TEST(KeyWrap_Unwrap, ReportsCorruptDataForMalformedDocuments) {
  const std::string doc = wrap_key(new_data_key().span(), "pw", kScryptTest);
  auto obj = boost::json::parse(doc).as_object();
  auto without = [&](std::string_view key) {
    auto copy = obj;
    copy.erase(key);
    return boost::json::serialize(copy);
  };
  const std::string bad[] = {
      "",
      "not json",
      "[]",
      doc.substr(0, doc.size() - 1),
      with_field(doc, "version", 3),
      without("check"),
      with_field(doc, "version", "1"),
      with_field(doc, "format", "something-else"),
      with_field(doc, "kdf", "pbkdf2"),
      with_field(doc, "log2_n", -3),
      with_field(doc, "log2_n", 10.0),
      with_field(doc, "salt", "zz"),
      with_field(doc, "salt", "abcd"),
      with_field(doc, "wrapped_key", "00"),
      with_field(doc, "extra", true),
      without("salt"),
      without("wrapped_key"),
      std::string(5000, ' ') + doc,
  };
  for (const auto& document : bad) {
    auto result = unwrap_key(document, "pw");
    ASSERT_FALSE(result) << document;
    EXPECT_EQ(result.error(), make_error_code(Errc::corrupt_data)) << document;
  }
}

TEST(KeyWrap_Unwrap, RefusesAbsurdParamsAsCorrupt) {
  const std::string doc = wrap_key(new_data_key().span(), "pw", kScryptTest);
  for (const std::string& tampered : {with_field(doc, "log2_n", 21), with_field(doc, "log2_n", 64),
                                      with_field(doc, "log2_n", 0), with_field(doc, "r", 33), with_field(doc, "r", 0),
                                      with_field(doc, "p", 17), with_field(with_field(doc, "log2_n", 20), "r", 32)}) {
    auto result = unwrap_key(tampered, "pw");
    ASSERT_FALSE(result) << tampered;
    EXPECT_EQ(result.error(), make_error_code(Errc::corrupt_data)) << tampered;
  }
}

TEST(KeyWrap_Rewrap, NewPassphraseGivesSameKeyAndOldOneFails) {
  const auto key = new_data_key();
  const std::string doc = wrap_key(key.span(), "old passphrase", kScryptTest);
  auto rewrapped = rewrap_key(doc, "old passphrase", "new passphrase", kScryptTest);
  ASSERT_TRUE(rewrapped);
  auto with_new = unwrap_key(*rewrapped, "new passphrase");
  ASSERT_TRUE(with_new);
  EXPECT_TRUE(same_bytes(*with_new, key));
  auto with_old = unwrap_key(*rewrapped, "old passphrase");
  ASSERT_FALSE(with_old);
  EXPECT_EQ(with_old.error(), make_error_code(Errc::wrong_passphrase));
}

TEST(KeyWrap_Rewrap, FailsWithWrongOldPassphrase) {
  const std::string doc = wrap_key(new_data_key().span(), "old", kScryptTest);
  auto rewrapped = rewrap_key(doc, "not old", "new", kScryptTest);
  ASSERT_FALSE(rewrapped);
  EXPECT_EQ(rewrapped.error(), make_error_code(Errc::wrong_passphrase));
}

TEST(KeyWrap_Wrap, ThrowsForWrongKeyLength) {
  const std::uint8_t short_key[16] = {};
  EXPECT_THROW(wrap_key(short_key, "pw", kScryptTest), std::invalid_argument);
}

}  // namespace
}  // namespace psm::crypto
