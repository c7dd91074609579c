#include "common/protocol/codec.hpp"

#include "common/limits.hpp"

#include <gtest/gtest.h>

#include <random>

namespace psm::protocol {
namespace {

ops::Operation sample_op() {
  ops::Operation op;
  op.op_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  op.device_id = "device-1";
  op.seq = 42;
  op.hlc = model::Hlc::from(1'700'000'000'000ull, 3);
  op.author_id = "carer-1";
  op.base["text"] = model::Version{model::Hlc::from(5, 0), "server"};
  op.payload =
      ops::RecordView{"view-1", "meeting-1", model::ViewSubject::carer, "We need more support at bedtime.", false};
  return op;
}

TEST(Codec, RoundTrip_PushRequestKeepsEveryField) {
  PushRequest push;
  push.ops.push_back(sample_op());
  auto bytes = encode(push);
  auto decoded = decode(bytes);
  ASSERT_TRUE(decoded) << decoded.error().message();
  auto* back = std::get_if<PushRequest>(&*decoded);
  ASSERT_NE(back, nullptr);
  ASSERT_EQ(back->ops.size(), 1u);
  EXPECT_EQ(encode_operation(back->ops[0]), encode_operation(push.ops[0]));
  auto* view = std::get_if<ops::RecordView>(&back->ops[0].payload);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->text, "We need more support at bedtime.");
}

TEST(Codec, RoundTrip_PullResponseWithRecords) {
  PullResponse pull;
  model::Record r;
  r.collection = "meetings";
  r.id = "m1";
  r.scope = "placement:p1";
  r.professionals_only = true;
  r.set("reason", "Carer exhausted", {model::Hlc::from(9, 1), "dev"}, "carer-1");
  pull.records.push_back(r);
  pull.cursor = 77;
  pull.scopes = {"placement:p1", "directory"};
  pull.more = true;
  auto decoded = decode(encode(pull));
  ASSERT_TRUE(decoded);
  auto& back = std::get<PullResponse>(*decoded);
  EXPECT_EQ(back.records.at(0), r);
  EXPECT_EQ(back.cursor, 77u);
  EXPECT_TRUE(back.more);
}

TEST(Codec, Decode_RejectsEmptyAndTruncatedInput) {
  EXPECT_FALSE(decode(""));
  auto bytes = encode(PushRequest{{sample_op()}});
  for (std::size_t cut : {std::size_t{1}, bytes.size() / 2, bytes.size() - 1}) {
    auto r = decode(std::string_view(bytes).substr(0, cut));
    ASSERT_FALSE(r) << "cut at " << cut;
    EXPECT_EQ(r.error(), Errc::malformed_message);
  }
}

TEST(Codec, Decode_RejectsTrailingBytes) {
  auto bytes = encode(Poke{5}) + "x";
  EXPECT_FALSE(decode(bytes));
}

TEST(Codec, Decode_RejectsUnknownVariantIndex) {
  auto bytes = encode(Poke{5});
  // Layout: endianness byte, then the variant index (int32).
  bytes[1] = 99;
  EXPECT_FALSE(decode(bytes));
}

TEST(Codec, Decode_RejectsHostileLengthPrefixWithoutAllocating) {
  // A PullRequest whose known_scopes claims 2^60 entries: the bounded archive
  // refuses the size tag before any container is sized.
  std::string bytes = encode(PullRequest{1, {"a"}});
  // Find the size tag (uint64 value 1) for known_scopes and replace it.
  const std::string one("\x01\x00\x00\x00\x00\x00\x00\x00", 8);
  auto pos = bytes.rfind(one, bytes.size() - 2);
  ASSERT_NE(pos, std::string::npos);
  const std::string huge("\x00\x00\x00\x00\x00\x00\x00\x10", 8);
  bytes.replace(pos, 8, huge);
  auto r = decode(bytes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::malformed_message);
}

TEST(Codec, Decode_RejectsBoolThatIsNeitherZeroNorOne) {
  // PullResponse's `more` flag comes just before its 8-byte `remaining`; a
  // byte of 2 there must be refused, not copied into a bool (undefined
  // behaviour, found by fuzzing).
  std::string bytes = encode(PullResponse{{}, 1, {}, true, 0});
  auto& more = bytes[bytes.size() - 9];
  ASSERT_EQ(more, '\x01');
  more = '\x02';
  auto r = decode(bytes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::malformed_message);
}

TEST(Codec, Decode_RejectsOversizedInputBeforeReadingIt) {
  std::string big(limits::kMaxMessageBytes + 1, '\0');
  auto r = decode(big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::message_too_large);
}

TEST(Codec, Decode_NeverCrashesOnRandomBytes) {
  std::mt19937 rng(1234);
  auto good = encode(PushRequest{{sample_op(), sample_op()}});
  for (int i = 0; i < 5000; ++i) {
    std::string mutated = good;
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int f = 0; f < flips; ++f) mutated[rng() % mutated.size()] = static_cast<char>(rng());
    (void)decode(mutated);  // must return, valid or not, without crashing or huge allocations
  }
  SUCCEED();
}

}  // namespace
}  // namespace psm::protocol
