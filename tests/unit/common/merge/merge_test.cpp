#include "common/merge/merge.hpp"

#include <gtest/gtest.h>

namespace psm::merge {
namespace {

using model::Hlc;
using model::Record;
using model::Version;

Record action_with_text(const std::string& text, const Version& v) {
  Record r;
  r.collection = "actions";
  r.id = "a1";
  r.scope = "placement:p1";
  r.set("text", text, v, "worker-1");
  return r;
}

TEST(MergeFields, NoConflict_WhenWriterSawTheStoredVersion) {
  const Version v1{Hlc::from(100, 0), "dev-a"};
  Record current = action_with_text("Book respite", v1);
  Write w{{Hlc::from(200, 0), "dev-b"}, "worker-2", 200, "op-1"};
  auto result = merge_fields(current, {{"text", "Book two weekends of respite"}}, {{"text", v1}}, w);
  EXPECT_TRUE(result.conflicts.empty());
  EXPECT_EQ(result.record.value("text"), "Book two weekends of respite");
  EXPECT_EQ(result.record.fields.at("text").author, "worker-2");
}

TEST(MergeFields, ConflictKeepsBothValues_WhenWriterHadNotSeenTheStoredValue) {
  const Version v0{Hlc::from(100, 0), "server"};
  const Version v1{Hlc::from(150, 0), "dev-a"};
  Record current = action_with_text("Refer to CAMHS", v1);         // dev-a edited after v0
  Write w{{Hlc::from(140, 0), "dev-b"}, "worker-2", 300, "op-2"};  // dev-b also edited v0, earlier HLC
  auto result = merge_fields(current, {{"text", "Refer to CAMHS and the school nurse"}}, {{"text", v0}}, w);
  ASSERT_EQ(result.conflicts.size(), 1u);
  EXPECT_EQ(result.record.value("text"), "Refer to CAMHS");  // higher HLC wins
  const Record& c = result.conflicts[0];
  EXPECT_EQ(c.collection, "conflicts");
  EXPECT_EQ(c.value("kept_value"), "Refer to CAMHS");
  EXPECT_EQ(c.value("other_value"), "Refer to CAMHS and the school nurse");
  EXPECT_EQ(c.value("other_author"), "worker-2");
  EXPECT_EQ(c.value("kept_author"), "worker-1");
  EXPECT_EQ(c.scope, "placement:p1");
}

TEST(MergeFields, NewerConcurrentWriteWins_AndConflictRecordsTheLoser) {
  const Version v0{Hlc::from(100, 0), "server"};
  Record current = action_with_text("Old text", {Hlc::from(150, 0), "dev-a"});
  Write w{{Hlc::from(160, 0), "dev-b"}, "worker-2", 300, "op-3"};
  auto result = merge_fields(current, {{"text", "New text"}}, {{"text", v0}}, w);
  ASSERT_EQ(result.conflicts.size(), 1u);
  EXPECT_EQ(result.record.value("text"), "New text");
  EXPECT_EQ(result.conflicts[0].value("other_value"), "Old text");
}

TEST(MergeFields, NoConflict_WhenConcurrentWritersChoseTheSameValue) {
  Record current = action_with_text("Same", {Hlc::from(150, 0), "dev-a"});
  Write w{{Hlc::from(140, 0), "dev-b"}, "worker-2", 300, "op-4"};
  auto result = merge_fields(current, {{"text", "Same"}}, {}, w);
  EXPECT_TRUE(result.conflicts.empty());
}

TEST(MergeFields, IsDeterministic_ConflictIdsDependOnOperationOnly) {
  Record current = action_with_text("A", {Hlc::from(150, 0), "dev-a"});
  Write w{{Hlc::from(140, 0), "dev-b"}, "worker-2", 300, "op-5"};
  auto r1 = merge_fields(current, {{"text", "B"}}, {}, w);
  auto r2 = merge_fields(current, {{"text", "B"}}, {}, w);
  EXPECT_EQ(r1.record, r2.record);
  ASSERT_EQ(r1.conflicts.size(), 1u);
  EXPECT_EQ(r1.conflicts, r2.conflicts);
  EXPECT_EQ(r1.conflicts[0].id, "op-5.text");
}

}  // namespace
}  // namespace psm::merge
