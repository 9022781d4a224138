#include "pdfexport/text_cleaner.h"

#include <gtest/gtest.h>

namespace ledgerdesk::pdfexport {
namespace {

// A font with every code point below U+0250 (Latin, Latin-1, Latin Extended-A/B) and U+FFFD.
const GlyphPredicate kLatinFont = [](char32_t c) { return c < 0x250 || c == 0xFFFD; };

std::string Clean(std::string_view s, const GlyphPredicate& font = kLatinFont) {
  return EncodeUtf8(CleanText(s, font));
}

TEST(TextCleanerTest, KeepsValidPolishAndCzechText) {
  const std::string text = "Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ řůčěšž ŘŮČĚŠŽ";
  EXPECT_EQ(Clean(text), text);
}

TEST(TextCleanerTest, ReplacesEachInvalidByteVisibly) {
  EXPECT_EQ(Clean("a\xFF"
                  "b"),
            "a\uFFFD"
            "b");
  EXPECT_EQ(Clean("\x80\x80"), "\uFFFD\uFFFD");                      // stray continuation bytes
  EXPECT_EQ(Clean("\xC0\xAF"), "\uFFFD\uFFFD");                      // overlong '/'
  EXPECT_EQ(Clean("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD");            // a surrogate
  EXPECT_EQ(Clean("\xF4\x90\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");  // above U+10FFFF
}

TEST(TextCleanerTest, ReplacesATruncatedSequenceOnce) {
  // "ą" is C4 85: its lead byte alone, then ASCII.
  EXPECT_EQ(Clean("\xC4"
                  "x"),
            "\uFFFD"
            "x");
  EXPECT_EQ(Clean("\xE2\x82"
                  "x"),
            "\uFFFD"
            "x");                              // a 3-byte sequence cut after 2
  EXPECT_EQ(Clean("ok\xE2\x82"), "ok\uFFFD");  // cut at the end of input
}

TEST(TextCleanerTest, Windows1250BytesAreReplacedNotDropped) {
  // "Łódź" in windows-1250: A3 F3 64 9F.
  EXPECT_EQ(Clean("\xA3\xF3"
                  "d\x9F"),
            "\uFFFD\uFFFD"
            "d\uFFFD");
}

TEST(TextCleanerTest, ReplacesControlCharacters) {
  EXPECT_EQ(Clean(std::string("a\x01"
                              "b\x1B"
                              "c\x7F"
                              "d\0e",
                              9)),
            "a\uFFFD"
            "b\uFFFD"
            "c\uFFFD"
            "d\uFFFD"
            "e");
  EXPECT_EQ(Clean("x\u0085y"), "x\uFFFDy");  // C1 control NEL
}

TEST(TextCleanerTest, NormalizesLineBreaksAndTabs) {
  EXPECT_EQ(Clean("a\r\nb\rc\nd\u2028e"), "a\nb\nc\nd\ne");
  EXPECT_EQ(Clean("a\tb"), "a    b");
  EXPECT_EQ(EncodeUtf8(CleanText("a\tb", kLatinFont, {.tab_width = 2})), "a  b");
}

TEST(TextCleanerTest, ReplacesWhatTheFontCannotDraw) {
  EXPECT_EQ(Clean("Привет ✓ 😀"), "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD \uFFFD \uFFFD");
}

TEST(TextCleanerTest, ReplacesNoncharacters) { EXPECT_EQ(Clean("\uFFFF\uFDD0"), "\uFFFD\uFFFD"); }

TEST(TextCleanerTest, FallsBackToAQuestionMarkWithoutU_FFFD) {
  const GlyphPredicate ascii_font = [](char32_t c) { return c < 0x80; };
  ASSERT_EQ(ChooseReplacement(ascii_font), U'?');
  EXPECT_EQ(ChooseReplacement(kLatinFont), U'\uFFFD');
  EXPECT_EQ(EncodeUtf8(CleanText("zł\xFF", ascii_font, {.replacement = U'?'})), "z??");
}

TEST(TextCleanerTest, EncodesAllUtf8Lengths) {
  EXPECT_EQ(EncodeUtf8(U"a\u00F3\u20AC\U0001F600"), "a\xC3\xB3\xE2\x82\xAC\xF0\x9F\x98\x80");
}

}  // namespace
}  // namespace ledgerdesk::pdfexport
