#include "pdfexport/line_breaker.h"

namespace ledgerdesk::pdfexport {
namespace {

void BreakParagraph(std::u32string_view para, double max_width, const AdvanceFunction& advance,
                    std::vector<std::u32string>& lines) {
  std::u32string line;
  double line_width = 0;
  size_t pos = 0;
  bool first = true;  // leading spaces of a paragraph are kept (indentation)
  while (pos < para.size()) {
    size_t word_start = pos;
    while (word_start < para.size() && para[word_start] == U' ') ++word_start;
    size_t word_end = word_start;
    while (word_end < para.size() && para[word_end] != U' ') ++word_end;
    const std::u32string_view spaces = para.substr(pos, word_start - pos);
    const std::u32string_view word = para.substr(word_start, word_end - word_start);
    pos = word_end;
    if (word.empty()) break;  // trailing spaces

    double spaces_width = 0, word_width = 0;
    for (char32_t c : spaces) spaces_width += advance(c);
    for (char32_t c : word) word_width += advance(c);

    if (line.empty() && !first) {
      // After a break: the spaces at the break go.
    } else if (line_width + spaces_width + word_width <= max_width || (line.empty() && first)) {
      line += spaces;
      line_width += spaces_width;
    } else {
      lines.push_back(std::move(line));
      line.clear();
      line_width = 0;
    }
    first = false;
    if (line_width + word_width <= max_width) {
      line += word;
      line_width += word_width;
      continue;
    }
    // The word does not fit on this line: put it on a fresh line, hard-breaking as needed.
    if (!line.empty() && word_width <= max_width) {
      lines.push_back(std::move(line));
      line.assign(word);
      line_width = word_width;
      continue;
    }
    for (char32_t c : word) {
      const double w = advance(c);
      if (!line.empty() && line_width + w > max_width) {
        lines.push_back(std::move(line));
        line.clear();
        line_width = 0;
      }
      line.push_back(c);
      line_width += w;
    }
  }
  lines.push_back(std::move(line));
}

}  // namespace

std::vector<std::u32string> BreakLines(std::u32string_view text, double max_width,
                                       const AdvanceFunction& advance) {
  std::vector<std::u32string> lines;
  if (text.empty()) return lines;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(U'\n', start);
    BreakParagraph(text.substr(start, end == std::u32string_view::npos ? end : end - start),
                   max_width, advance, lines);
    if (end == std::u32string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

}  // namespace ledgerdesk::pdfexport
