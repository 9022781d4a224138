#pragma once

// Cleaning untrusted text before it reaches the PDF: a pure function, no libharu.
//
// Every problem is replaced visibly (never dropped): bytes that are not valid UTF-8, control
// characters, and characters the font has no glyph for all become one replacement character.

#include <functional>
#include <string>
#include <string_view>

namespace ledgerdesk::pdfexport {

// Answers whether the font can draw a code point (e.g. TrueTypeFont::HasGlyph).
using GlyphPredicate = std::function<bool(char32_t)>;

// U+FFFD when the font has it, else '?'.
char32_t ChooseReplacement(const GlyphPredicate& has_glyph);

struct CleanOptions {
  char32_t replacement = U'\uFFFD';
  int tab_width = 4;  // a tab becomes this many spaces
};

// Decodes `input` as UTF-8 and returns the code points to draw:
// - each maximal invalid byte sequence (Unicode's "maximal subpart" rule) -> one replacement;
// - "\r\n", a lone '\r', U+2028 and U+2029 -> '\n'; '\n' is kept as the line separator;
// - '\t' -> `tab_width` spaces;
// - other C0/C1 controls, DEL, noncharacters, surrogates -> replacement;
// - a code point `has_glyph` rejects -> replacement.
// Pure and thread-safe as long as `has_glyph` is.
std::u32string CleanText(std::string_view input, const GlyphPredicate& has_glyph,
                         const CleanOptions& options = {});

// UTF-8 encoding of code points (the caller guarantees they are valid scalar values).
std::string EncodeUtf8(std::u32string_view text);

}  // namespace ledgerdesk::pdfexport
