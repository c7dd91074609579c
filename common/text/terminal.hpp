// Text on its way to a terminal, with everything a terminal would act on made
// visible.
//
// What psm and psm-server print comes partly from other people: a carer's
// words, a stranger's username in the audit trail, a device's name. Printed
// raw, an ESC or CSI sequence in such text could recolour, move the cursor,
// rewrite what is already on screen, set the window title or (on some
// terminals) write to the clipboard. So every byte the programs write to
// standard output and standard error goes through terminal_safe():
//
//   - line feed and tab are kept (text keeps its lines);
//   - every other C0 control (U+0000–U+001F, including ESC and carriage
//     return), DEL (U+007F) and every C1 control (U+0080–U+009F, e.g. CSI as
//     U+009B) becomes the six characters \u00XX;
//   - the bidirectional overrides and isolates (U+202A–U+202E,
//     U+2066–U+2069), which reorder what is shown, become \u20XX;
//   - a byte that is not part of valid UTF-8 (a stray continuation byte, a
//     truncated, overlong or surrogate sequence, or beyond U+10FFFF) becomes
//     U+FFFD, the replacement character.
//
// The \uXXXX spelling is also how JSON writes those characters, so JSON
// output stays valid JSON with the same meaning (control characters inside
// strings are already escaped by the JSON library; DEL and C1 are not).
//
// Thread-safety: terminal_safe() is pure. A TerminalSafeStreams guard
// replaces the buffers of std::cout and std::cerr for its lifetime; make one
// at the start of main, on the main thread, before any other thread writes.
#pragma once

#include <memory>
#include <streambuf>
#include <string>
#include <string_view>

namespace psm::text {

// `text` with the characters above made visible; valid UTF-8 in, the same
// text out when nothing needed changing.
std::string terminal_safe(std::string_view text);

// A stream buffer that passes everything written to it through
// terminal_safe() on its way to `target` (not owned; it must outlive this).
// A UTF-8 sequence split across two writes is held until it is complete;
// anything still held when the buffer is destroyed is written as U+FFFD.
class TerminalSafeBuffer final : public std::streambuf {
 public:
  explicit TerminalSafeBuffer(std::streambuf* target) : target_(target) {}
  ~TerminalSafeBuffer() override;
  TerminalSafeBuffer(const TerminalSafeBuffer&) = delete;
  TerminalSafeBuffer& operator=(const TerminalSafeBuffer&) = delete;

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  void write_complete();
  std::streambuf* target_;
  std::string pending_;
};

// For the life of the guard, std::cout and std::cerr (and so everything a
// command prints) go through terminal_safe(); the previous buffers are put
// back, flushed, when it ends.
class TerminalSafeStreams {
 public:
  TerminalSafeStreams();
  ~TerminalSafeStreams();
  TerminalSafeStreams(const TerminalSafeStreams&) = delete;
  TerminalSafeStreams& operator=(const TerminalSafeStreams&) = delete;

 private:
  std::streambuf* out_original_;
  std::streambuf* err_original_;
  std::unique_ptr<TerminalSafeBuffer> out_;
  std::unique_ptr<TerminalSafeBuffer> err_;
};

}  // namespace psm::text
