#pragma once

// A TrueType font read once and kept in memory: which code points it can draw, their advance
// widths (as libharu computes them), and subsets of it for embedding.
//
// Why the subsets: libharu 2.3.0 embeds every table of the font it loads apart from unused glyph
// outlines, and looks every code point up by a linear scan of the cmap (CIDToGIDMap for all
// 65 536 code points): with DejaVuSans (~6 000 glyphs) that dominates the cost of a document.
// A font holding only the glyphs one document uses keeps both small.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"

namespace ledgerdesk::pdfexport {

class TrueTypeFont {
 public:
  // Reads and parses a .ttf file. NotFound when the file is missing, InvalidArgument when it is
  // not a TrueType font with a Unicode (3,1) format 4 cmap.
  static Result<std::unique_ptr<TrueTypeFont>> LoadFile(const std::filesystem::path& path);
  static Result<std::unique_ptr<TrueTypeFont>> Parse(std::string bytes);

  // Whether the font maps `c` to a glyph. Only the Basic Multilingual Plane (libharu's limit).
  bool HasGlyph(char32_t c) const { return c < 0x10000 && glyph_for_bmp_[c] != 0; }

  // The advance width of `c` in thousandths of an em, truncated as libharu does; 0 if unmapped.
  int Advance(char32_t c) const;

  // A TrueType font holding .notdef, the glyphs of `code_points` (those the font lacks are
  // skipped) and the components of composite glyphs, with a (3,1) format 4 cmap for exactly
  // those code points. Thread-safe (const).
  std::string Subset(std::span<const char32_t> code_points) const;

  uint16_t num_glyphs() const { return num_glyphs_; }

 private:
  struct Table {
    uint32_t offset = 0;
    uint32_t length = 0;
  };
  struct NamedTable {
    std::string tag;
    Table table;
  };

  TrueTypeFont() = default;
  Status ParseAll();
  std::string_view TableData(const Table& t) const { return {data_.data() + t.offset, t.length}; }
  const Table* Find(std::string_view tag) const;
  std::string_view GlyphData(uint16_t glyph) const;

  std::string data_;
  std::vector<NamedTable> tables_;
  uint16_t units_per_em_ = 0;
  uint16_t num_glyphs_ = 0;
  std::vector<uint16_t> glyph_for_bmp_;  // 65 536 entries, 0 = no glyph
  std::vector<uint16_t> advance_;        // per glyph, font units
  std::vector<int16_t> left_bearing_;    // per glyph, font units
  std::vector<uint32_t> loca_;           // num_glyphs + 1 byte offsets into glyf
};

}  // namespace ledgerdesk::pdfexport
