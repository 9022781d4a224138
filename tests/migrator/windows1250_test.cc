#include "migrator/windows1250.h"

#include <gtest/gtest.h>
#include <iconv.h>

#include <string>

namespace ledgerdesk::migrator {
namespace {

// windows-1250 bytes of the Polish and Czech letters, and their UTF-8 form.
struct Letter {
  unsigned char byte;
  const char* utf8;
};
constexpr Letter kLetters[] = {
    // Polish
    {0xB9, "ą"},
    {0xA5, "Ą"},
    {0xE6, "ć"},
    {0xC6, "Ć"},
    {0xEA, "ę"},
    {0xCA, "Ę"},
    {0xB3, "ł"},
    {0xA3, "Ł"},
    {0xF1, "ń"},
    {0xD1, "Ń"},
    {0xF3, "ó"},
    {0xD3, "Ó"},
    {0x9C, "ś"},
    {0x8C, "Ś"},
    {0x9F, "ź"},
    {0x8F, "Ź"},
    {0xBF, "ż"},
    {0xAF, "Ż"},
    // Czech
    {0xF8, "ř"},
    {0xD8, "Ř"},
    {0xF9, "ů"},
    {0xD9, "Ů"},
    {0xE8, "č"},
    {0xC8, "Č"},
    {0xEC, "ě"},
    {0xCC, "Ě"},
    {0x9A, "š"},
    {0x8A, "Š"},
    {0x9E, "ž"},
    {0x8E, "Ž"},
    {0xE1, "á"},
    {0xC1, "Á"},
    {0xED, "í"},
    {0xCD, "Í"},
    {0xFD, "ý"},
    {0xDD, "Ý"},
    {0xE9, "é"},
    {0xC9, "É"},
    {0xFA, "ú"},
    {0xDA, "Ú"},
    {0xEF, "ď"},
    {0xCF, "Ď"},
    {0x9D, "ť"},
    {0x8D, "Ť"},
    {0xF2, "ň"},
    {0xD2, "Ň"},
};

TEST(Windows1250Test, PolishAndCzechLettersAndCapitals) {
  for (const Letter& l : kLetters) {
    EXPECT_EQ(Windows1250ToUtf8(std::string(1, static_cast<char>(l.byte))), l.utf8)
        << "byte 0x" << std::hex << int{l.byte};
  }
}

TEST(Windows1250Test, SentenceConvertsOnlyWhenNotUtf8) {
  // "Zażółć gęślą jaźń" and "Příliš žluťoučký kůň" in windows-1250.
  const std::string polish = "Za\xBF\xF3\xB3\xE6 g\xEA\x9C\x6C\xB9 ja\x9F\xF1";
  const std::string czech = "P\xF8\xEDli\x9A \x9Elu\x9Dou\xE8k\xFD k\xF9\xF2";
  EXPECT_FALSE(IsValidUtf8(polish));
  EXPECT_EQ(DecodeLegacyText(polish), "Zażółć gęślą jaźń");
  EXPECT_EQ(DecodeLegacyText(czech), "Příliš žluťoučký kůň");
  // Valid UTF-8 (and plain ASCII) stays as it is.
  EXPECT_EQ(DecodeLegacyText("Zażółć gęślą jaźń"), "Zażółć gęślą jaźń");
  EXPECT_EQ(DecodeLegacyText("plain\r\nascii"), "plain\r\nascii");
}

TEST(Windows1250Test, UndefinedBytesBecomeReplacementCharacters) {
  for (unsigned char b : {0x81, 0x83, 0x88, 0x90, 0x98}) {
    EXPECT_EQ(Windows1250ToUnicode(b), U'\uFFFD');
  }
  EXPECT_EQ(Windows1250ToUtf8("a\x81z"), "a\xEF\xBF\xBDz");
}

// The whole table against glibc's iconv, an independent implementation of the code page.
TEST(Windows1250Test, TableMatchesIconv) {
  iconv_t cd = iconv_open("UTF-8", "CP1250");
  if (cd == reinterpret_cast<iconv_t>(-1)) GTEST_SKIP() << "iconv has no CP1250 here";
  int compared = 0;
  for (int b = 0x80; b <= 0xFF; ++b) {
    char in[1] = {static_cast<char>(b)};
    char out[8] = {};
    char* in_ptr = in;
    char* out_ptr = out;
    size_t in_left = 1, out_left = sizeof(out);
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    if (iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left) == static_cast<size_t>(-1)) {
      EXPECT_EQ(Windows1250ToUnicode(static_cast<unsigned char>(b)), U'\uFFFD') << b;
      continue;
    }
    EXPECT_EQ(Windows1250ToUtf8(std::string(1, in[0])), std::string(out, out_ptr))
        << "byte 0x" << std::hex << b;
    ++compared;
  }
  iconv_close(cd);
  EXPECT_EQ(compared, 123);
}

TEST(Windows1250Test, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));   // U+1F600
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xC5"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
}

}  // namespace
}  // namespace ledgerdesk::migrator
