// What the benchmarks and the load generator work with: a small authority's
// reference data and operations and records of the size a person's work
// typically has (~500 bytes of text: a child's views, an agenda note).
#pragma once

#include "common/model/ids.hpp"
#include "common/model/record.hpp"
#include "common/ops/operation.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace psm::bench {

// One in-house placement (p1: child c1 with carer-1's household h1) and the
// professionals around it. Every professional account below sees placement:p1.
inline constexpr std::string_view kReferenceJson = R"json({
  "people": [
    {"id": "carer-1", "name": "Jo Okafor", "role": "foster-carer"},
    {"id": "csw-1", "name": "Priya Shah", "role": "child-social-worker"},
    {"id": "ssw-1", "name": "Alex Morgan", "role": "supervising-social-worker"},
    {"id": "ftm-1", "name": "Lee Walsh", "role": "fostering-team-manager"},
    {"id": "iro-1", "name": "Ruth Ahmed", "role": "iro"}
  ],
  "households": [
    {"id": "h1", "name": "The Okafor household", "carer_type": "foster", "carer_ids": ["carer-1"], "ssw_id": "ssw-1"}
  ],
  "children": [
    {"id": "c1", "name": "Bench-Child", "date_of_birth": "2013-05-02", "social_worker_id": "csw-1", "iro_id": "iro-1"}
  ],
  "placements": [
    {"id": "p1", "child_id": "c1", "household_id": "h1", "type": "in-house", "start_date": "2025-03-01", "team_manager_id": "ftm-1"}
  ]
})json";

inline constexpr std::string_view kPlacement = "p1";
inline constexpr std::size_t kTypicalTextBytes = 400;  // with ids and versions: ~500 bytes encoded

// Deterministic filler text of `bytes` characters (no child's real data).
inline std::string filler_text(std::size_t bytes, std::uint64_t salt) {
  static constexpr std::string_view kWords =
      "likes school and football misses brother wants more time with carer sleeps better now ";
  std::string out;
  out.reserve(bytes);
  std::size_t i = static_cast<std::size_t>(salt % kWords.size());
  while (out.size() < bytes) out += kWords[i++ % kWords.size()];
  return out;
}

// A child's views recorded by a social worker at `meeting_id`: the typical
// append-only operation (one new record on the server).
inline ops::Operation view_operation(std::string_view device_id, std::uint64_t seq, std::string_view meeting_id) {
  ops::Operation op;
  op.op_id = model::new_uuid_v7();
  op.device_id = std::string(device_id);
  op.seq = seq;
  op.hlc = model::Hlc::from(1'700'000'000'000ULL + seq, 0);
  op.author_id = "csw-1";
  ops::RecordView view;
  view.view_id = model::new_uuid_v7();
  view.meeting_id = std::string(meeting_id);
  view.subject = model::ViewSubject::child;
  view.text = filler_text(kTypicalTextBytes, seq);
  op.payload = std::move(view);
  return op;
}

// A views record as the server stores and sends it.
inline model::Record view_record(std::uint64_t i) {
  model::Record r;
  r.collection = std::string(model::collection::kViews);
  r.id = model::new_uuid_v7();
  r.scope = model::scope::placement(kPlacement);
  const model::Version v{model::Hlc::from(1'700'000'000'000ULL + i, 0), "0190aaaa-bbbb-7ccc-8ddd-eeeeffff0000"};
  r.set("meeting_id", "0190aaaa-bbbb-7ccc-8ddd-eeeeffff0001", v, "csw-1");
  r.set("subject", "child", v, "csw-1");
  r.set("text", filler_text(kTypicalTextBytes, i), v, "csw-1");
  r.set("recorded_by", "csw-1", v, "csw-1");
  r.set("recorded_at_ms", std::to_string(1'700'000'000'000ULL + i), v, "csw-1");
  return r;
}

}  // namespace psm::bench
