#pragma once

// Greedy line breaking for one font at one size. Pure.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ledgerdesk::pdfexport {

// Width of one code point, in any unit, as long as `max_width` uses the same.
using AdvanceFunction = std::function<double(char32_t)>;

// Splits `text` into lines no wider than `max_width`. '\n' ends a line (an empty paragraph gives an
// empty line). Breaks at spaces; spaces at a break are dropped, spaces inside a line kept. A word
// wider than a line is hard-broken between code points, and every line holds at least one code
// point, so the result is finite for any input (even a zero or negative `max_width`).
// Empty text gives no lines.
std::vector<std::u32string> BreakLines(std::u32string_view text, double max_width,
                                       const AdvanceFunction& advance);

}  // namespace ledgerdesk::pdfexport
