#include "common/protocol/receipt.hpp"

#include "common/crypto/hash.hpp"
#include "common/crypto/signature.hpp"
#include "common/protocol/codec.hpp"

#include <gtest/gtest.h>

namespace psm::protocol {
namespace {

ReceiptEntry entry(std::string op_id, std::uint64_t received) {
  return {std::move(op_id), "request-meeting", "m-1", "c1", 1'764'000'000'000, received, std::string(64, 'a')};
}

ReceiptStatement statement() {
  return {"0123456789abcdef",
          1'764'000'000'500,
          "carer-1",
          "dev-1",
          {entry("op-1", 1'764'000'000'100), entry("op-2", 1'764'000'000'200)}};
}

TEST(Receipt_Statement, HasTheDocumentedCanonicalText) {
  ReceiptStatement s = statement();
  s.entries.resize(1);
  auto text = encode_receipt_statement(s);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text,
            "psm-receipt-v1\n"
            "key 0123456789abcdef\n"
            "signed 1764000000500\n"
            "user carer-1\n"
            "device dev-1\n"
            "op op-1 request-meeting m-1 c1 1764000000000 1764000000100 " +
                std::string(64, 'a') + "\n");
}

TEST(Receipt_Statement, RoundTrips) {
  auto text = encode_receipt_statement(statement());
  ASSERT_TRUE(text);
  auto parsed = parse_receipt_statement(*text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, statement());
  auto line = encode_receipt_entry(statement().entries[1]);
  ASSERT_TRUE(line);
  auto one = parse_receipt_entry(*line);
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, statement().entries[1]);
}

TEST(Receipt_Statement, ParsesCanonicalTextOnly) {
  const std::string good = encode_receipt_statement(statement()).value();
  auto refused = [](std::string text) { return !parse_receipt_statement(text); };
  EXPECT_FALSE(refused(good));
  EXPECT_TRUE(refused(good.substr(0, good.size() - 1)));     // no final newline
  EXPECT_TRUE(refused("psm-receipt-v2" + good.substr(14)));  // another version
  std::string zero = good;
  zero.replace(zero.find("signed 1"), 8, "signed 01");
  EXPECT_TRUE(refused(zero));  // leading zero
  std::string spaces = good;
  spaces.replace(spaces.find("op op-1 "), 8, "op  op-1 ");
  EXPECT_TRUE(refused(spaces));  // two spaces
  std::string upper = good;
  upper.replace(upper.find(std::string(64, 'a')), 1, "A");
  EXPECT_TRUE(refused(upper));  // uppercase hex
  EXPECT_TRUE(refused(good + "extra\n"));
  EXPECT_TRUE(refused(""));
}

TEST(Receipt_Statement, FieldsThatCannotBeWrittenAreRefused) {
  auto s = statement();
  s.entries[0].subject = "a b";
  EXPECT_FALSE(encode_receipt_statement(s));
  s = statement();
  s.person_id = "carer\n1";
  EXPECT_FALSE(encode_receipt_statement(s));
  s = statement();
  s.entries[0].op_sha256 = "abc";
  EXPECT_FALSE(encode_receipt_statement(s));
}

TEST(Receipt_Signature, AChangedTimeHashOrOpIdNoLongerVerifies) {
  const auto key = crypto::SigningKey::generate();
  const std::string text = encode_receipt_statement(statement()).value();
  const std::string signature = key.sign(text);
  ASSERT_TRUE(crypto::verify_signature(key.public_key(), text, signature));
  auto changed = [&](auto&& edit) {
    auto s = statement();
    edit(s);
    return encode_receipt_statement(s).value();
  };
  EXPECT_FALSE(crypto::verify_signature(key.public_key(), changed([](auto& s) { s.entries[0].received_at_ms += 1; }),
                                        signature));
  EXPECT_FALSE(
      crypto::verify_signature(key.public_key(), changed([](auto& s) { s.entries[1].op_sha256[5] = 'b'; }), signature));
  EXPECT_FALSE(
      crypto::verify_signature(key.public_key(), changed([](auto& s) { s.entries[0].op_id = "op-9"; }), signature));
  EXPECT_FALSE(
      crypto::verify_signature(key.public_key(), changed([](auto& s) { s.entries[0].made_at_ms -= 1; }), signature));
}

TEST(Receipt_Entry, DescribesTheOperationAsSent) {
  ops::Operation op;
  op.op_id = "0190-op";
  op.device_id = "dev-1";
  op.seq = 3;
  op.hlc = model::Hlc::from(1'764'000'000'123, 2);
  op.payload = ops::AddAction{"act-7", "m-1", "csw-1", "2026-12-18", "Book respite"};
  const auto e = receipt_entry_for(op, "", 1'764'000'001'000);
  EXPECT_EQ(e.op_id, "0190-op");
  EXPECT_EQ(e.kind, "add-action");
  EXPECT_EQ(e.subject, "act-7");
  EXPECT_EQ(e.children, "-");
  EXPECT_EQ(e.made_at_ms, 1'764'000'000'123u);
  EXPECT_EQ(e.received_at_ms, 1'764'000'001'000u);
  EXPECT_EQ(e.op_sha256, crypto::to_hex(crypto::sha256(encode_operation(op))));
  op.seq = 4;
  EXPECT_NE(receipt_entry_for(op, "", 1).op_sha256, e.op_sha256);
}

}  // namespace
}  // namespace psm::protocol
