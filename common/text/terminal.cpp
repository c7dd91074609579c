#include "common/text/terminal.hpp"

#include <cstdint>
#include <iostream>

namespace psm::text {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the UTF-8 sequence a lead byte starts, or 0 for a byte that
// cannot start one (a continuation byte, 0xC0, 0xC1, 0xF5–0xFF).
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

bool continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Decodes the valid sequence of `length` bytes at `p`, or returns false for
// an overlong form, a surrogate or a value past U+10FFFF.
bool decode(const unsigned char* p, std::size_t length, std::uint32_t& cp) {
  for (std::size_t i = 1; i < length; ++i) {
    if (!continuation(p[i])) return false;
  }
  switch (length) {
    case 1:
      cp = p[0];
      return true;
    case 2:
      cp = (std::uint32_t{p[0]} & 0x1F) << 6 | (p[1] & 0x3F);
      return cp >= 0x80;
    case 3:
      cp = (std::uint32_t{p[0]} & 0x0F) << 12 | (std::uint32_t{p[1]} & 0x3F) << 6 | (p[2] & 0x3F);
      return cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
    case 4:
      cp = (std::uint32_t{p[0]} & 0x07) << 18 | (std::uint32_t{p[1]} & 0x3F) << 12 | (std::uint32_t{p[2]} & 0x3F) << 6 |
           (p[3] & 0x3F);
      return cp >= 0x10000 && cp <= 0x10FFFF;
    default:
      return false;
  }
}

bool made_visible(std::uint32_t cp) {
  if (cp == '\n' || cp == '\t') return false;
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// \uXXXX, lower-case hex; every code point made visible is below U+10000.
void append_escape(std::string& out, std::uint32_t cp) {
  constexpr std::string_view kHex = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
}

// How many bytes at the end of `bytes` are the valid start of a UTF-8
// sequence that has not been completed yet (0–3).
std::size_t incomplete_tail(std::string_view bytes) {
  const std::size_t n = bytes.size();
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto b = static_cast<unsigned char>(bytes[n - back]);
    if (continuation(b)) continue;
    const std::size_t length = sequence_length(b);
    return length > back ? back : 0;
  }
  return 0;
}

}  // namespace

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const std::size_t length = sequence_length(p[i]);
    std::uint32_t cp = 0;
    if (length == 0 || i + length > n || !decode(p + i, length, cp)) {
      out += kReplacement;  // one per byte that is not part of a valid sequence
      ++i;
      continue;
    }
    if (made_visible(cp)) {
      append_escape(out, cp);
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

TerminalSafeBuffer::~TerminalSafeBuffer() {
  if (!pending_.empty()) {
    const std::string safe = terminal_safe(pending_);
    target_->sputn(safe.data(), static_cast<std::streamsize>(safe.size()));
  }
  target_->pubsync();
}

void TerminalSafeBuffer::write_complete() {
  const std::size_t keep = incomplete_tail(pending_);
  const std::string safe = terminal_safe(std::string_view(pending_).substr(0, pending_.size() - keep));
  target_->sputn(safe.data(), static_cast<std::streamsize>(safe.size()));
  pending_.erase(0, pending_.size() - keep);
}

TerminalSafeBuffer::int_type TerminalSafeBuffer::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  pending_ += traits_type::to_char_type(c);
  write_complete();
  return c;
}

std::streamsize TerminalSafeBuffer::xsputn(const char* s, std::streamsize n) {
  pending_.append(s, static_cast<std::size_t>(n));
  write_complete();
  return n;
}

int TerminalSafeBuffer::sync() { return target_->pubsync(); }

TerminalSafeStreams::TerminalSafeStreams()
    : out_original_(std::cout.rdbuf()),
      err_original_(std::cerr.rdbuf()),
      out_(std::make_unique<TerminalSafeBuffer>(out_original_)),
      err_(std::make_unique<TerminalSafeBuffer>(err_original_)) {
  std::cout.rdbuf(out_.get());
  std::cerr.rdbuf(err_.get());
}

TerminalSafeStreams::~TerminalSafeStreams() {
  std::cout.flush();
  std::cerr.flush();
  std::cout.rdbuf(out_original_);
  std::cerr.rdbuf(err_original_);
}

}  // namespace psm::text
