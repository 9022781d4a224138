#include "pdfexport/text_cleaner.h"

#include <cstdint>

namespace ledgerdesk::pdfexport {
namespace {

// Decodes one UTF-8 sequence at `pos`. Returns the code point, or nullopt-like -1 for an invalid
// sequence; `length` is set to the bytes consumed (for an invalid one: its maximal subpart, >= 1).
int32_t DecodeOne(std::string_view s, size_t pos, size_t& length) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t lead = byte(pos);
  length = 1;
  if (lead < 0x80) return lead;
  size_t need;
  uint8_t lo = 0x80, hi = 0xBF;
  int32_t cp;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    cp = lead & 0x0F;
    if (lead == 0xE0) lo = 0xA0;  // no overlongs
    if (lead == 0xED) hi = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    cp = lead & 0x07;
    if (lead == 0xF0) lo = 0x90;  // no overlongs
    if (lead == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;  // a stray continuation byte, C0/C1 (overlong) or F5..FF
  }
  for (size_t k = 1; k <= need; ++k) {
    if (pos + k >= s.size()) return -1;
    const uint8_t b = byte(pos + k);
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return -1;
    cp = (cp << 6) | (b & 0x3F);
    length = k + 1;
  }
  return cp;
}

bool IsNoncharacter(char32_t c) { return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE; }

}  // namespace

char32_t ChooseReplacement(const GlyphPredicate& has_glyph) {
  return has_glyph(U'\uFFFD') ? U'\uFFFD' : U'?';
}

std::u32string CleanText(std::string_view input, const GlyphPredicate& has_glyph,
                         const CleanOptions& options) {
  std::u32string out;
  out.reserve(input.size());
  size_t pos = 0;
  while (pos < input.size()) {
    size_t length = 1;
    const int32_t decoded = DecodeOne(input, pos, length);
    pos += length;
    if (decoded < 0) {
      out.push_back(options.replacement);
      continue;
    }
    const auto c = static_cast<char32_t>(decoded);
    if (c == U'\r') {
      if (pos < input.size() && input[pos] == '\n') ++pos;
      out.push_back(U'\n');
    } else if (c == U'\n' || c == 0x2028 || c == 0x2029) {
      out.push_back(U'\n');
    } else if (c == U'\t') {
      out.append(static_cast<size_t>(options.tab_width), U' ');
    } else if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || IsNoncharacter(c) || !has_glyph(c)) {
      out.push_back(options.replacement);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string EncodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

}  // namespace ledgerdesk::pdfexport
