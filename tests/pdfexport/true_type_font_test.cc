#include "pdfexport/true_type_font.h"

#include <gtest/gtest.h>
#include <hpdf.h>

#include <filesystem>
#include <fstream>

#include "pdfexport/hpdf_document.h"
#include "pdfexport/text_cleaner.h"
#include "pdfexport/transcript.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk::pdfexport {
namespace {

class TrueTypeFontTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kDefaultFontPath)) {
      GTEST_SKIP() << kDefaultFontPath << " missing: apt-get install fonts-dejavu-core";
    }
    auto font = TrueTypeFont::LoadFile(kDefaultFontPath);
    ASSERT_TRUE(font.ok()) << font.status().ToString();
    font_ = std::move(font).value();
  }

  // The width libharu computes for `utf8` in a document using `font_file`, in 1/1000 em.
  static double HaruWidth(const std::string& font_file, const std::string& utf8) {
    auto doc = HpdfDocument::Create();
    EXPECT_TRUE(doc.ok());
    HPDF_Doc pdf = (*doc)->get();
    EXPECT_EQ(HPDF_UseUTFEncodings(pdf), HPDF_OK);
    const char* name = HPDF_LoadTTFontFromFile(pdf, font_file.c_str(), HPDF_TRUE);
    EXPECT_NE(name, nullptr);
    HPDF_Font font = HPDF_GetFont(pdf, name, "UTF-8");
    EXPECT_NE(font, nullptr);
    const HPDF_TextWidth width = HPDF_Font_TextWidth(
        font, reinterpret_cast<const HPDF_BYTE*>(utf8.data()), static_cast<HPDF_UINT>(utf8.size()));
    EXPECT_TRUE((*doc)->Check(HPDF_OK, "measuring").ok());
    return width.width;
  }

  std::unique_ptr<TrueTypeFont> font_;
};

TEST_F(TrueTypeFontTest, MissingFileIsNotFoundAndNamesThePath) {
  auto font = TrueTypeFont::LoadFile("/nonexistent/NoSuchFont.ttf");
  ASSERT_FALSE(font.ok());
  EXPECT_EQ(font.status().code(), StatusCode::kNotFound);
  EXPECT_NE(font.status().message().find("/nonexistent/NoSuchFont.ttf"), std::string::npos);
}

TEST_F(TrueTypeFontTest, GarbageIsInvalidArgument) {
  auto font = TrueTypeFont::Parse("this is not a font at all, just some text");
  ASSERT_FALSE(font.ok());
  EXPECT_EQ(font.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TrueTypeFontTest, DejaVuCoversPolishCzechAndTheReplacementCharacter) {
  for (char32_t c : std::u32string(U"ąćęłńóśźżĄĆĘŁŃÓŚŹŻřůčěšžŘŮČĚŠŽ\uFFFD\u2022€")) {
    EXPECT_TRUE(font_->HasGlyph(c)) << static_cast<uint32_t>(c);
  }
  EXPECT_FALSE(font_->HasGlyph(U'\U0001F600'));  // beyond the BMP
  EXPECT_FALSE(font_->HasGlyph(U'\u4E2D'));      // CJK: not in DejaVu Sans
}

TEST_F(TrueTypeFontTest, WidthsMatchLibharusForTheFullFontAndASubset) {
  const std::u32string text = U"Zażółć gęślą jaźń ŘŮČĚŠŽ WAV 0123";
  double ours = 0;
  for (char32_t c : text) ours += font_->Advance(c);
  EXPECT_DOUBLE_EQ(HaruWidth(kDefaultFontPath, EncodeUtf8(text)), ours);

  testing::TempDir dir;
  const std::string subset_path = (dir.path() / "subset.ttf").string();
  std::ofstream(subset_path, std::ios::binary) << font_->Subset(text);
  EXPECT_DOUBLE_EQ(HaruWidth(subset_path, EncodeUtf8(text)), ours);
}

TEST_F(TrueTypeFontTest, SubsetIsSmallAndReadableAgain) {
  const std::u32string text = U"Łódź ÅÉ";  // Å and É are composites in DejaVu
  const std::string subset = font_->Subset(text);
  EXPECT_LT(subset.size(), 40'000u);
  auto reread = TrueTypeFont::Parse(subset);
  ASSERT_TRUE(reread.ok()) << reread.status().ToString();
  for (char32_t c : text) {
    EXPECT_TRUE((*reread)->HasGlyph(c));
    EXPECT_EQ((*reread)->Advance(c), font_->Advance(c));
  }
  EXPECT_FALSE((*reread)->HasGlyph(U'x'));
  EXPECT_GT((*reread)->num_glyphs(), 6);  // .notdef, 6 distinct letters and space, components
  EXPECT_LT((*reread)->num_glyphs(), 20);
}

}  // namespace
}  // namespace ledgerdesk::pdfexport
