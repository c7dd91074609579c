#include "common/text/terminal.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <sstream>

namespace psm::text {
namespace {

TEST(TerminalSafe, PlainTextLinesAndTabs_AreUnchanged) {
  EXPECT_EQ(terminal_safe("Bedtimes have become very hard.\n\tAmelia"), "Bedtimes have become very hard.\n\tAmelia");
  EXPECT_EQ(terminal_safe("Zoë’s views — “she likes it here” 😊"), "Zoë’s views — “she likes it here” 😊");
  EXPECT_EQ(terminal_safe(""), "");
}

TEST(TerminalSafe, EscAndCsiSequences_AreMadeVisible) {
  // Recolour, clear the screen, set the window title (OSC ... BEL).
  EXPECT_EQ(terminal_safe("\x1b[31mred\x1b[0m"), "\\u001b[31mred\\u001b[0m");
  EXPECT_EQ(terminal_safe("\x1b[2J\x1b[H"), "\\u001b[2J\\u001b[H");
  EXPECT_EQ(terminal_safe("\x1b]0;owned\x07"), "\\u001b]0;owned\\u0007");
  EXPECT_EQ(terminal_safe("a\rb"), "a\\u000db");  // a carriage return would overwrite the line
  EXPECT_EQ(terminal_safe(std::string("nul\0byte", 8)), "nul\\u0000byte");
  EXPECT_EQ(terminal_safe("\b\b\b"), "\\u0008\\u0008\\u0008");
}

TEST(TerminalSafe, DelAndC1Controls_AreMadeVisible) {
  EXPECT_EQ(terminal_safe("x\x7fy"), "x\\u007fy");
  // U+009B is CSI in its 8-bit form: written as UTF-8 (C2 9B) some terminals act on it.
  EXPECT_EQ(terminal_safe("\xc2\x9b"
                          "31m"),
            "\\u009b31m");
  EXPECT_EQ(terminal_safe("\xc2\x80\xc2\x9f"), "\\u0080\\u009f");
  // U+00A0 (no-break space) is the first character after C1: kept.
  EXPECT_EQ(terminal_safe("\xc2\xa0"), "\xc2\xa0");
}

TEST(TerminalSafe, BidirectionalOverrides_AreMadeVisible) {
  EXPECT_EQ(terminal_safe("abc\xe2\x80\xae"
                          "fed"),
            "abc\\u202efed");
  EXPECT_EQ(terminal_safe("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u2066x\\u2069");
}

TEST(TerminalSafe, InvalidUtf8_IsShownAsReplacementCharacters) {
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(terminal_safe("\xff"), fffd);
  EXPECT_EQ(terminal_safe("a\x80z"), "a" + fffd + "z");                     // stray continuation byte
  EXPECT_EQ(terminal_safe("\xc3"), fffd);                                   // truncated at the end
  EXPECT_EQ(terminal_safe("\xe2\x82z"), fffd + fffd + "z");                 // truncated in the middle
  EXPECT_EQ(terminal_safe("\xc0\x9b"), fffd + fffd);                        // overlong CSI
  EXPECT_EQ(terminal_safe("\xe0\x80\x9b"), fffd + fffd + fffd);             // overlong CSI, 3 bytes
  EXPECT_EQ(terminal_safe("\xed\xa0\x80"), fffd + fffd + fffd);             // a surrogate
  EXPECT_EQ(terminal_safe("\xf4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // past U+10FFFF
}

TEST(TerminalSafe, JsonStaysValidWithTheSameMeaning) {
  // boost::json escapes C0 itself but writes DEL and C1 raw; made visible as
  // \uXXXX they are still the same JSON string.
  const std::string text = "a\x1b[31m\x7f\xc2\x9b\n";
  const std::string json = terminal_safe(boost::json::serialize(boost::json::value(text)));
  EXPECT_EQ(json.find('\x1b'), std::string::npos);
  EXPECT_EQ(json.find('\x7f'), std::string::npos);
  EXPECT_EQ(json.find("\xc2\x9b"), std::string::npos);
  EXPECT_EQ(boost::json::parse(json).as_string(), text);
}

TEST(TerminalSafeBuffer, EverythingWrittenThroughIt_IsMadeVisible_EvenSplitAcrossWrites) {
  std::ostringstream target;
  {
    TerminalSafeBuffer buffer(target.rdbuf());
    std::ostream out(&buffer);
    out << "view: \x1b[2J" << 'x' << '\x1b';
    out << "\xc2";  // first half of U+009B ...
    out.flush();
    out << "\x9b"
           "1m";  // ... and the second
    out << "caf\xc3"
        << "\xa9\n"
        << std::flush;
    out << "\xe2\x82";  // never completed
  }
  EXPECT_EQ(target.str(), "view: \\u001b[2Jx\\u001b\\u009b1mcafé\n\xef\xbf\xbd\xef\xbf\xbd");
}

}  // namespace
}  // namespace psm::text
