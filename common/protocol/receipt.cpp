#include "common/protocol/receipt.hpp"

#include "common/crypto/hash.hpp"
#include "common/protocol/codec.hpp"

#include <charconv>

namespace psm::protocol {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto at = text.find(separator);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

// Decimal without sign or leading zeros (so each number has one spelling).
bool parse_number(std::string_view text, std::uint64_t& out) {
  if (text.empty() || (text.size() > 1 && text.front() == '0')) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

bool is_hex_digest(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// "name value" → value, or nullopt.
std::optional<std::string_view> header_value(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() + 1 || line.substr(0, name.size()) != name || line[name.size()] != ' ') {
    return std::nullopt;
  }
  return line.substr(name.size() + 1);
}

}  // namespace

std::string subject_of(const ops::Payload& payload) {
  return std::visit(
      [](const auto& p) -> std::string {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, ops::RequestMeeting>) return p.meeting_id;
        if constexpr (std::is_same_v<T, ops::RecordView>) return p.view_id;
        if constexpr (std::is_same_v<T, ops::AddAction>) return p.action_id;
        if constexpr (std::is_same_v<T, ops::UpdateActionStatus>) return p.action_id;
        if constexpr (std::is_same_v<T, ops::EditAction>) return p.action_id;
        if constexpr (std::is_same_v<T, ops::ResolveConflict>) return p.conflict_id;
        if constexpr (std::is_same_v<T, ops::ScheduleMeeting>) return p.meeting_id;
        if constexpr (std::is_same_v<T, ops::InviteAttendee>) return p.invitation_id;
        if constexpr (std::is_same_v<T, ops::DecideChildNotInvited>) return p.decision_id;
        if constexpr (std::is_same_v<T, ops::RecordAttendance>) return p.invitation_id;
        if constexpr (std::is_same_v<T, ops::AddAgendaNote>) return p.note_id;
        if constexpr (std::is_same_v<T, ops::FinaliseMinutes>) return p.meeting_id;
        if constexpr (std::is_same_v<T, ops::MarkPermanenceMatch>) return p.placement_id;
        if constexpr (std::is_same_v<T, ops::RaiseConductConcern>) return p.concern_id;
        if constexpr (std::is_same_v<T, ops::RecordShortBreak>) return p.break_id;
        if constexpr (std::is_same_v<T, ops::AddSupportItem>) return p.item_id;
        if constexpr (std::is_same_v<T, ops::RecordChildToldOfPlan>) return p.meeting_id;
        if constexpr (std::is_same_v<T, ops::RecordPreDisruptionOutcome>) return p.meeting_id;
        if constexpr (std::is_same_v<T, ops::DecidePanelRequest>) return p.request_id;
        if constexpr (std::is_same_v<T, ops::RecordMeetingHeld> || std::is_same_v<T, ops::CancelMeeting> ||
                      std::is_same_v<T, ops::MoveMeeting> || std::is_same_v<T, ops::ChangeChair>) {
          return p.meeting_id;
        }
        if constexpr (std::is_same_v<T, ops::RecordCswReport>) return p.report_id;
      },
      payload);
}

std::string operation_sha256(std::string_view encoded_operation) {
  return crypto::to_hex(crypto::sha256(encoded_operation));
}

std::string operation_sha256(const ops::Operation& op) { return operation_sha256(encode_operation(op)); }

ReceiptEntry receipt_entry_for(const ops::Operation& op, std::string children, std::uint64_t received_at_ms) {
  ReceiptEntry e;
  e.op_id = op.op_id;
  e.kind = std::string(ops::kind_name(op.payload));
  e.subject = subject_of(op.payload);
  e.children = children.empty() ? "-" : std::move(children);
  e.made_at_ms = op.hlc.millis();
  e.received_at_ms = received_at_ms;
  e.op_sha256 = operation_sha256(op);
  return e;
}

bool is_receipt_field(std::string_view field) {
  if (field.empty() || field.size() > 256) return false;
  for (char c : field) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

Result<std::string> encode_receipt_entry(const ReceiptEntry& e) {
  for (std::string_view f : {std::string_view(e.op_id), std::string_view(e.kind), std::string_view(e.subject),
                             std::string_view(e.children)}) {
    if (!is_receipt_field(f)) return make_error_code(Errc::invalid_argument);
  }
  if (!is_hex_digest(e.op_sha256)) return make_error_code(Errc::invalid_argument);
  return "op " + e.op_id + " " + e.kind + " " + e.subject + " " + e.children + " " + std::to_string(e.made_at_ms) +
         " " + std::to_string(e.received_at_ms) + " " + e.op_sha256 + "\n";
}

Result<ReceiptEntry> parse_receipt_entry(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  const auto f = split(line, ' ');
  ReceiptEntry e;
  if (f.size() != 8 || f[0] != "op" || !parse_number(f[5], e.made_at_ms) || !parse_number(f[6], e.received_at_ms)) {
    return make_error_code(Errc::malformed_message);
  }
  e.op_id = std::string(f[1]);
  e.kind = std::string(f[2]);
  e.subject = std::string(f[3]);
  e.children = std::string(f[4]);
  e.op_sha256 = std::string(f[7]);
  auto again = encode_receipt_entry(e);
  if (!again || std::string_view(*again).substr(0, again->size() - 1) != line) {
    return make_error_code(Errc::malformed_message);
  }
  return e;
}

Result<std::string> encode_receipt_statement(const ReceiptStatement& s) {
  if (!is_receipt_field(s.key_id) || !is_receipt_field(s.person_id) || !is_receipt_field(s.device_id)) {
    return make_error_code(Errc::invalid_argument);
  }
  std::string out = std::string(kReceiptHeader) + "\n";
  out += "key " + s.key_id + "\n";
  out += "signed " + std::to_string(s.signed_at_ms) + "\n";
  out += "user " + s.person_id + "\n";
  out += "device " + s.device_id + "\n";
  for (const auto& e : s.entries) {
    auto line = encode_receipt_entry(e);
    if (!line) return line.error();
    out += *line;
  }
  return out;
}

Result<ReceiptStatement> parse_receipt_statement(std::string_view text) {
  const auto bad = make_error_code(Errc::malformed_message);
  if (text.empty() || text.back() != '\n') return bad;
  text.remove_suffix(1);
  const auto lines = split(text, '\n');
  if (lines.size() < 5 || lines[0] != kReceiptHeader) return bad;
  ReceiptStatement s;
  const auto key = header_value(lines[1], "key");
  const auto when = header_value(lines[2], "signed");
  const auto user = header_value(lines[3], "user");
  const auto device = header_value(lines[4], "device");
  if (!key || !when || !user || !device || !parse_number(*when, s.signed_at_ms)) return bad;
  s.key_id = std::string(*key);
  s.person_id = std::string(*user);
  s.device_id = std::string(*device);
  for (std::size_t i = 5; i < lines.size(); ++i) {
    auto e = parse_receipt_entry(lines[i]);
    if (!e) return bad;
    s.entries.push_back(std::move(*e));
  }
  // Canonical only: one text per statement, so a signature covers one meaning.
  auto again = encode_receipt_statement(s);
  if (!again || std::string_view(*again).substr(0, again->size() - 1) != text) return bad;
  return s;
}

}  // namespace psm::protocol
