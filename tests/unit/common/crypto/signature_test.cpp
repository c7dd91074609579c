#include "common/crypto/signature.hpp"

#include "common/crypto/hash.hpp"

#include <gtest/gtest.h>

namespace psm::crypto {
namespace {

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(Signature_Ed25519, VerifiesRfc8032TestVector1) {
  // RFC 8032, section 7.1, TEST 1 (the empty message).
  const auto pub = from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").value();
  const auto sig =
      from_hex(
          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd"
          "25bf5f0595bbe24655141438e7a100b")
          .value();
  const std::string signature(sig.begin(), sig.end());
  EXPECT_TRUE(verify_signature(pub, "", signature));
  EXPECT_FALSE(verify_signature(pub, "x", signature));
}

TEST(Signature_Ed25519, SignedMessageVerifies_AndAnyChangedByteDoesNot) {
  const auto key = SigningKey::generate();
  const std::string message = "psm-receipt-v1\nkey 0011\n";
  const std::string signature = key.sign(message);
  ASSERT_EQ(signature.size(), kEd25519SignatureBytes);
  EXPECT_TRUE(verify_signature(key.public_key(), message, signature));
  for (std::size_t i = 0; i < message.size(); ++i) {
    std::string changed = message;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    EXPECT_FALSE(verify_signature(key.public_key(), changed, signature)) << "byte " << i;
  }
  std::string bad_signature = signature;
  bad_signature[10] = static_cast<char>(bad_signature[10] ^ 0x80);
  EXPECT_FALSE(verify_signature(key.public_key(), message, bad_signature));
  EXPECT_FALSE(verify_signature(SigningKey::generate().public_key(), message, signature));
  EXPECT_FALSE(verify_signature(key.public_key(), message, signature.substr(1)));
}

TEST(Signature_Ed25519, PrivatePemRoundTrip_KeepsTheKeyAndItsId) {
  const auto key = SigningKey::generate();
  auto again = SigningKey::from_private_pem(key.private_pem());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->public_key(), key.public_key());
  EXPECT_EQ(again->key_id(), key.key_id());
  // Signatures from the reloaded key verify under the original public key.
  EXPECT_TRUE(verify_signature(key.public_key(), "m", again->sign("m")));
  auto pub = public_key_from_pem(key.public_pem());
  ASSERT_TRUE(pub);
  EXPECT_EQ(*pub, key.public_key());
  EXPECT_EQ(public_pem_of(key.public_key()), key.public_pem());
}

TEST(Signature_Ed25519, KeyId_IsTheFirstEightBytesOfTheSha256OfThePublicKey) {
  const auto key = SigningKey::generate();
  const auto digest = sha256(key.public_key());
  EXPECT_EQ(key.key_id(), to_hex(std::span(digest.data(), 8)));
  EXPECT_EQ(key.key_id().size(), 16u);
}

TEST(Signature_Ed25519, RejectsKeysThatAreNotEd25519) {
  EXPECT_FALSE(SigningKey::from_private_pem("not a key"));
  EXPECT_FALSE(public_key_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"));
  const std::string short_key(31, 'x');
  EXPECT_FALSE(verify_signature(bytes_of(short_key), "m", std::string(64, '\0')));
}

TEST(Hash_Base64, MatchesRfc4648Vectors) {
  EXPECT_EQ(to_base64(""), "");
  EXPECT_EQ(to_base64("f"), "Zg==");
  EXPECT_EQ(to_base64("fo"), "Zm8=");
  EXPECT_EQ(to_base64("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace psm::crypto
