// Writes the binary seed corpus for the fuzz targets: one valid encoding of
// every message alternative and every operation kind, and a few hostile
// inputs made from them. Run by hand when the wire format changes:
//   build/tests/fuzz/psm_fuzz_make_corpus tests/fuzz/corpus
// It writes OUT/decode/*.bin and OUT/apply/*.bin (the importer's seeds are
// hand-written JSON in OUT/import). The operations refer to the state the
// apply target builds (placement p1, meeting m1, action a1, conflict op-5.text).
// Seeds named *-v2.bin are kept by hand from before a message's version 3
// (older senders' encodings, which must still decode); this tool does not
// write them. Likewise apply/record-view-v2.bin and decode/push-request-view-v2.bin
// (a RecordView before its version 3) and apply/add-agenda-note-v1.bin
// (AddAgendaNote before its version 2).
#include "common/protocol/codec.hpp"
#include "common/protocol/receipt.hpp"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace psm;
namespace fs = std::filesystem;

void write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::cerr << "cannot write " << (dir / name) << "\n";
    std::exit(1);
  }
}

ops::Operation op(const std::string& id, std::uint64_t seq, ops::Payload payload) {
  ops::Operation o;
  o.op_id = id;
  o.device_id = "dev-2";
  o.seq = seq;
  o.hlc = model::Hlc::from(1'700'000'100'000ull + seq, 0);
  o.author_id = "ssw-1";
  o.payload = std::move(payload);
  return o;
}

// One operation of each payload kind, each valid against the apply target's state.
std::vector<std::pair<std::string, ops::Operation>> operations() {
  using model::ActionStatus;
  std::vector<std::pair<std::string, ops::Operation>> out;
  out.emplace_back("request-meeting",
                   op("op-a", 1, ops::RequestMeeting{"m2", "p1", model::MeetingType::pre_disruption, "Struggling", 0}));
  out.emplace_back("record-view",
                   op("op-b", 2, ops::RecordView{"v2", "m1", model::ViewSubject::carer, "Tired", false, "", true}));
  out.emplace_back("add-action", op("op-c", 3, ops::AddAction{"a2", "m1", "carer-1", "2026-11-30", "Respite"}));
  out.emplace_back("update-action",
                   op("op-d", 4, ops::UpdateActionStatus{"a1", "u1", ActionStatus::open, ActionStatus::done, "Done"}));
  auto edit =
      op("op-e", 5, ops::EditAction{"a1", std::string("New text"), std::string("2027-01-15"), std::string("ssw-1")});
  edit.base["text"] = model::Version{model::Hlc::from(1'700'000'000'002ull, 0), "dev-1"};
  out.emplace_back("edit-action", edit);
  out.emplace_back("resolve-conflict",
                   op("op-f", 6, ops::ResolveConflict{"op-5.text", ops::ResolveConflict::Keep::other}));
  out.emplace_back("schedule-meeting",
                   op("op-g", 7, ops::ScheduleMeeting{"m1", 1'700'100'000'000ull, "School", "ssw-1"}));
  out.emplace_back("invite-attendee", op("op-h", 8, ops::InviteAttendee{"i1", "m1", "", "Dr Lee", "CAMHS"}));
  out.emplace_back("decide-child-not-invited",
                   op("op-i", 9, ops::DecideChildNotInvited{"d1", "m1", "Too young", "csw-1", "ssw-1"}));
  out.emplace_back("record-attendance", op("op-j", 10, ops::RecordAttendance{"i1", model::Attendance::attended}));
  out.emplace_back("add-agenda-note",
                   op("op-k", 11, ops::AddAgendaNote{"n1", "m1", "child-views", "Wants to stay", false, true}));
  out.emplace_back("finalise-minutes", op("op-l", 12, ops::FinaliseMinutes{"m1", "2027-01-20", ""}));
  out.emplace_back("mark-permanence-match", op("op-m", 13, ops::MarkPermanenceMatch{"p1", "2026-11-20", "m3"}));
  out.emplace_back("raise-conduct-concern", op("op-n", 14, ops::RaiseConductConcern{"cc1", "m1", "Shouting"}));
  out.emplace_back("record-short-break",
                   op("op-o", 15, ops::RecordShortBreak{"b1", "p1", "2026-12-01", "2026-12-03", "Aunt"}));
  out.emplace_back("add-support-item", op("op-p", 16,
                                          ops::AddSupportItem{"s1", "m1", "respite", "Weekend respite",
                                                              "Fostering team", "Monthly", false, true}));
  out.emplace_back("decide-panel-request", op("op-q", 17, ops::DecidePanelRequest{"s1", false, "No budget"}));
  out.emplace_back("record-child-told-of-plan", op("op-r", 18, ops::RecordChildToldOfPlan{"m1", "2026-11-25"}));
  out.emplace_back("record-pre-disruption-outcome",
                   op("op-s", 19, ops::RecordPreDisruptionOutcome{"m1", true, "Monthly", "yes", "Earlier support"}));
  out.emplace_back("record-held", op("op-t", 20, ops::RecordMeetingHeld{"m1", 1'700'100'000'000ull, "Room 2"}));
  out.emplace_back("cancel-meeting", op("op-u", 21, ops::CancelMeeting{"m2", "The placement ended"}));
  out.emplace_back("move-meeting", op("op-v", 22, ops::MoveMeeting{"m1", 1'700'200'000'000ull, ""}));
  out.emplace_back("change-chair", op("op-w", 23, ops::ChangeChair{"m1", "sm-1", "i9"}));
  out.emplace_back("record-csw-report", op("op-x", 24, ops::RecordCswReport{"r1", "m1", "Background"}));
  static_assert(std::variant_size_v<ops::Payload> == 24, "a seed for each kind of operation");
  return out;
}

model::Record record() {
  model::Record r;
  r.collection = std::string(model::collection::kMeetings);
  r.id = "m1";
  r.scope = model::scope::placement("p1");
  r.set("status", "requested", {model::Hlc::from(1'700'000'000'000ull, 1), "dev-1"}, "ssw-1");
  r.set("reason", "Bedtimes", {model::Hlc::from(1'700'000'000'000ull, 1), "dev-1"}, "ssw-1");
  return r;
}

std::vector<std::pair<std::string, protocol::Message>> messages() {
  using namespace protocol;
  std::vector<std::pair<std::string, Message>> out;
  out.emplace_back("login-request", LoginRequest{"alice", "correct horse battery", "Alice's laptop"});
  out.emplace_back("auth-request", AuthRequest{"dev-1", "0123456789abcdef"});
  AuthResult auth;
  auth.ok = true;
  auth.device_id = "dev-1";
  auth.person_id = "carer-1";
  auth.role = "foster-carer";
  auth.display_name = "Alice";
  auth.server_time_ms = 1'700'000'000'000ull;
  auth.server_epoch = "epoch-1";
  auth.receipt_keys.push_back({"00112233445566778899", std::string(32, '\x5a')});
  out.emplace_back("auth-result", auth);
  PushRequest push;
  for (auto& [name, o] : operations()) push.ops.push_back(o);
  out.emplace_back("push-request", push);
  PushResponse push_response{{OpResult{"op-a", 0, 0, ""}, OpResult{"op-b", 2, 7, "no meeting"}}};
  // A receipt as the server signs it (the signature's bytes are not checked here).
  ReceiptStatement statement{
      "0011223344556677",
      1'700'000'000'500ull,
      "carer-1",
      "dev-1",
      {{"op-a", "request-meeting", "m1", "c1", 1'700'000'000'000ull, 1'700'000'000'400ull, std::string(64, 'a')}}};
  push_response.receipt = {"0011223344556677", encode_receipt_statement(statement).value(), std::string(64, '\x01')};
  out.emplace_back("push-response", push_response);
  out.emplace_back("pull-request", PullRequest{42, {"placement:p1", "directory"}});
  out.emplace_back("pull-response", PullResponse{{record()}, 43, {"placement:p1"}, true});
  out.emplace_back("poke", Poke{44});
  out.emplace_back("error-message", ErrorMessage{3, "unsupported protocol"});
  return out;
}

// Overwrites bytes at `offset` with the little-endian value `v`.
template <class T>
std::string patched(std::string bytes, std::size_t offset, T v) {
  std::memcpy(bytes.data() + offset, &v, sizeof v);
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " CORPUS_DIR\n";
    return 2;
  }
  const fs::path root = argv[1];
  const fs::path decode = root / "decode";
  const fs::path apply = root / "apply";

  for (const auto& [name, message] : messages()) write(decode, name + ".bin", protocol::encode(message));
  for (const auto& [name, o] : operations()) write(apply, name + ".bin", protocol::encode_operation(o));

  // Hostile inputs. Layout of an encoded message: 1 byte endianness marker,
  // int32 variant index, uint32 class version, then the fields (strings as a
  // uint64 length and the bytes).
  const std::string login = protocol::encode(protocol::LoginRequest{"alice", "secret-secret", "laptop"});
  write(decode, "hostile-huge-length.bin", patched(login, 9, std::uint64_t{0xffff'ffff'ffff'fff0ull}));
  write(decode, "hostile-unknown-variant.bin", patched(login, 1, std::int32_t{99}));
  write(decode, "hostile-negative-variant.bin", patched(login, 1, std::int32_t{-1}));
  write(decode, "hostile-truncated.bin", login.substr(0, login.size() / 2));
  write(decode, "hostile-trailing-byte.bin", login + '\0');
  write(decode, "hostile-bad-endianness.bin", patched(login, 0, std::uint8_t{7}));
  const std::string pull = protocol::encode(protocol::PullRequest{1, {"a", "b"}});
  // PullRequest: marker, index, version, uint64 cursor, uint64 count of scopes.
  write(decode, "hostile-huge-count.bin", patched(pull, 17, std::uint64_t{1} << 40));

  // Operation layout: marker, uint32 class version, then op_id (uint64 length + bytes).
  const std::string meeting = protocol::encode_operation(operations().front().second);
  write(apply, "hostile-huge-length.bin", patched(meeting, 5, std::uint64_t{0xffff'ffff'ffff'fff0ull}));
  write(apply, "hostile-truncated.bin", meeting.substr(0, meeting.size() - 3));
  auto no_reason = operations().front().second;
  std::get<ops::RequestMeeting>(no_reason.payload).reason.clear();
  write(apply, "invalid-empty-reason.bin", protocol::encode_operation(no_reason));
  auto old_schema = operations()[3].second;
  old_schema.schema_version = 0;
  write(apply, "invalid-schema-version.bin", protocol::encode_operation(old_schema));
  auto unknown_status = operations()[3].second;
  std::get<ops::UpdateActionStatus>(unknown_status.payload).to = static_cast<model::ActionStatus>(9);
  write(apply, "invalid-unknown-status.bin", protocol::encode_operation(unknown_status));
  std::cout << "wrote the corpus under " << root << "\n";
  return 0;
}
