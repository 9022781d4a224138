#include "pdfexport/line_breaker.h"

#include <gtest/gtest.h>

namespace ledgerdesk::pdfexport {
namespace {

using Lines = std::vector<std::u32string>;

// Every code point is one unit wide: widths are character counts.
const AdvanceFunction kOne = [](char32_t) { return 1.0; };

TEST(LineBreakerTest, BreaksAtSpacesAndDropsThem) {
  EXPECT_EQ(BreakLines(U"aaa bbb ccc", 7, kOne), (Lines{U"aaa bbb", U"ccc"}));
}

TEST(LineBreakerTest, KeepsSpacesInsideALineAndIndentation) {
  EXPECT_EQ(BreakLines(U"  a  b", 10, kOne), (Lines{U"  a  b"}));
}

TEST(LineBreakerTest, NewlinesEndLinesAndEmptyParagraphsStay) {
  EXPECT_EQ(BreakLines(U"a\n\nb\n", 10, kOne), (Lines{U"a", U"", U"b", U""}));
}

TEST(LineBreakerTest, EmptyTextGivesNoLines) { EXPECT_TRUE(BreakLines(U"", 10, kOne).empty()); }

TEST(LineBreakerTest, HardBreaksAWordWiderThanTheLine) {
  EXPECT_EQ(BreakLines(U"ab cdefghij k", 4, kOne), (Lines{U"ab", U"cdef", U"ghij", U"k"}));
}

TEST(LineBreakerTest, TerminatesWithAZeroWidthLine) {
  // Each line still takes one code point: no endless loop.
  EXPECT_EQ(BreakLines(U"abc", 0, kOne), (Lines{U"a", U"b", U"c"}));
}

TEST(LineBreakerTest, KeepsEveryCodePointOfAVeryLongToken) {
  const std::u32string token(5000, U'x');
  const Lines lines = BreakLines(token, 80, kOne);
  ASSERT_EQ(lines.size(), 63u);
  std::u32string joined;
  for (const auto& line : lines) {
    EXPECT_LE(line.size(), 80u);
    joined += line;
  }
  EXPECT_EQ(joined, token);
}

TEST(LineBreakerTest, UsesTheGivenWidths) {
  const AdvanceFunction wide_w = [](char32_t c) { return c == U'W' ? 3.0 : 1.0; };
  EXPECT_EQ(BreakLines(U"WW aa", 6, wide_w), (Lines{U"WW", U"aa"}));
}

TEST(LineBreakerTest, DropsTrailingSpacesThatWouldWrap) {
  EXPECT_EQ(BreakLines(U"abc      ", 4, kOne), (Lines{U"abc"}));
}

}  // namespace
}  // namespace ledgerdesk::pdfexport
