#pragma once

// Legacy text: message bodies (and other text) of the old system from before 2019 hold
// windows-1250 bytes instead of UTF-8. Pure functions, thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

namespace ledgerdesk::migrator {

// The encodings a legacy text that is not valid UTF-8 may be in (`--legacy-encoding`).
enum class LegacyEncoding { kWindows1250 };

// Whether `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// The Unicode code point of a windows-1250 byte. Bytes below 0x80 are ASCII; the five bytes the
// code page leaves undefined (0x81 0x83 0x88 0x90 0x98) map to U+FFFD, so they show as a visible
// replacement character instead of vanishing.
char32_t Windows1250ToUnicode(unsigned char byte);

// `bytes` converted from windows-1250 to UTF-8 (every byte becomes one character).
std::string Windows1250ToUtf8(std::string_view bytes);

// Legacy text as UTF-8: returned unchanged when already valid UTF-8, else converted from
// `encoding`. (A windows-1250 text with Polish letters is practically never valid UTF-8: its
// letters are single bytes >= 0x80 between ASCII ones.)
std::string DecodeLegacyText(std::string_view bytes,
                             LegacyEncoding encoding = LegacyEncoding::kWindows1250);

}  // namespace ledgerdesk::migrator
