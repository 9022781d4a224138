#include "pdfexport/true_type_font.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <system_error>
#include <unordered_map>

namespace ledgerdesk::pdfexport {
namespace {

uint16_t U16(std::string_view d, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(d[at]) << 8) |
                               static_cast<uint8_t>(d[at + 1]));
}
uint32_t U32(std::string_view d, size_t at) {
  return (static_cast<uint32_t>(U16(d, at)) << 16) | U16(d, at + 2);
}
void PutU16(std::string& d, size_t at, uint16_t v) {
  d[at] = static_cast<char>(v >> 8);
  d[at + 1] = static_cast<char>(v & 0xFF);
}
void PutU32(std::string& d, size_t at, uint32_t v) {
  PutU16(d, at, static_cast<uint16_t>(v >> 16));
  PutU16(d, at + 2, static_cast<uint16_t>(v & 0xFFFF));
}
void AppendU16(std::string& d, uint16_t v) {
  d.push_back(static_cast<char>(v >> 8));
  d.push_back(static_cast<char>(v & 0xFF));
}
void AppendU32(std::string& d, uint32_t v) {
  AppendU16(d, static_cast<uint16_t>(v >> 16));
  AppendU16(d, static_cast<uint16_t>(v & 0xFFFF));
}
void PadTo4(std::string& d) {
  while (d.size() % 4 != 0) d.push_back('\0');
}
uint32_t CheckSum(std::string_view d) {
  uint32_t sum = 0;
  for (size_t i = 0; i < d.size(); i += 4) {
    uint32_t word = 0;
    for (size_t k = 0; k < 4; ++k) {
      word = (word << 8) | (i + k < d.size() ? static_cast<uint8_t>(d[i + k]) : 0);
    }
    sum += word;
  }
  return sum;
}

Status Malformed(std::string_view what) {
  return InvalidArgument("not a usable TrueType font: " + std::string(what));
}

// Composite glyph flags (the 'glyf' table).
constexpr uint16_t kArgsAreWords = 0x0001;
constexpr uint16_t kHaveScale = 0x0008;
constexpr uint16_t kMoreComponents = 0x0020;
constexpr uint16_t kHaveXYScale = 0x0040;
constexpr uint16_t kHaveTwoByTwo = 0x0080;

// Calls `visit(offset_of_glyph_index)` for each component of a composite glyph; false if the
// glyph data is truncated.
template <typename Visit>
bool ForEachComponent(std::string_view glyph, Visit visit) {
  if (glyph.size() < 10 || static_cast<int16_t>(U16(glyph, 0)) >= 0) return true;  // simple
  size_t at = 10;
  while (true) {
    if (at + 4 > glyph.size()) return false;
    const uint16_t flags = U16(glyph, at);
    visit(at + 2);
    at += 4 + ((flags & kArgsAreWords) ? 4 : 2);
    if (flags & kHaveScale) {
      at += 2;
    } else if (flags & kHaveXYScale) {
      at += 4;
    } else if (flags & kHaveTwoByTwo) {
      at += 8;
    }
    if (!(flags & kMoreComponents)) return at <= glyph.size();
  }
}

// Tables a subset keeps as they are; the others it writes anew or leaves out (GSUB, GPOS, kern,
// hdmx, LTSH... which refer to glyph ids or are of no use to a PDF viewer).
constexpr std::array<std::string_view, 5> kCopiedTables = {"OS/2", "cvt ", "fpgm", "name", "prep"};

}  // namespace

Result<std::unique_ptr<TrueTypeFont>> TrueTypeFont::LoadFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFound("font file " + path.string() +
                    " not found (set RenderOptions::font_path; Debian: fonts-dejavu-core)");
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return Unavailable("cannot read font file " + path.string());
  auto font = Parse(std::move(bytes));
  if (!font.ok()) return font.status().WithContext(path.string());
  return font;
}

Result<std::unique_ptr<TrueTypeFont>> TrueTypeFont::Parse(std::string bytes) {
  std::unique_ptr<TrueTypeFont> font(new TrueTypeFont());
  font->data_ = std::move(bytes);
  LD_RETURN_IF_ERROR(font->ParseAll());
  return font;
}

const TrueTypeFont::Table* TrueTypeFont::Find(std::string_view tag) const {
  for (const auto& t : tables_) {
    if (t.tag == tag) return &t.table;
  }
  return nullptr;
}

Status TrueTypeFont::ParseAll() {
  const std::string_view d = data_;
  if (d.size() < 12) return Malformed("too short");
  const uint32_t version = U32(d, 0);
  if (version != 0x00010000 && version != 0x74727565 /* 'true' */) {
    return Malformed("not a glyf-based TrueType font");
  }
  const uint16_t num_tables = U16(d, 4);
  if (12 + 16ull * num_tables > d.size()) return Malformed("truncated table directory");
  for (uint16_t i = 0; i < num_tables; ++i) {
    const size_t at = 12 + 16ull * i;
    Table t{U32(d, at + 8), U32(d, at + 12)};
    if (static_cast<uint64_t>(t.offset) + t.length > d.size()) return Malformed("table past end");
    tables_.push_back({std::string(d.substr(at, 4)), t});
  }
  for (std::string_view tag : {"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "name"}) {
    if (Find(tag) == nullptr) return Malformed("no '" + std::string(tag) + "' table");
  }

  const std::string_view head = TableData(*Find("head"));
  if (head.size() < 54) return Malformed("short 'head'");
  units_per_em_ = U16(head, 18);
  if (units_per_em_ == 0) return Malformed("unitsPerEm is 0");
  const bool long_loca = U16(head, 50) != 0;

  const std::string_view maxp = TableData(*Find("maxp"));
  if (maxp.size() < 6) return Malformed("short 'maxp'");
  num_glyphs_ = U16(maxp, 4);
  if (num_glyphs_ == 0) return Malformed("no glyphs");

  const std::string_view hhea = TableData(*Find("hhea"));
  if (hhea.size() < 36) return Malformed("short 'hhea'");
  const uint16_t num_h_metrics = U16(hhea, 34);
  const std::string_view hmtx = TableData(*Find("hmtx"));
  if (num_h_metrics == 0 || num_h_metrics > num_glyphs_ ||
      hmtx.size() < 4ull * num_h_metrics + 2ull * (num_glyphs_ - num_h_metrics)) {
    return Malformed("bad 'hmtx'");
  }
  advance_.resize(num_glyphs_);
  left_bearing_.resize(num_glyphs_);
  for (uint16_t g = 0; g < num_glyphs_; ++g) {
    if (g < num_h_metrics) {
      advance_[g] = U16(hmtx, 4ull * g);
      left_bearing_[g] = static_cast<int16_t>(U16(hmtx, 4ull * g + 2));
    } else {
      advance_[g] = advance_[num_h_metrics - 1];
      left_bearing_[g] =
          static_cast<int16_t>(U16(hmtx, 4ull * num_h_metrics + 2ull * (g - num_h_metrics)));
    }
  }

  const std::string_view loca = TableData(*Find("loca"));
  const size_t glyf_length = Find("glyf")->length;
  if (loca.size() < (long_loca ? 4ull : 2ull) * (num_glyphs_ + 1)) return Malformed("short 'loca'");
  loca_.resize(num_glyphs_ + 1ull);
  for (size_t g = 0; g <= num_glyphs_; ++g) {
    loca_[g] = long_loca ? U32(loca, 4 * g) : 2u * U16(loca, 2 * g);
    if (loca_[g] > glyf_length || (g > 0 && loca_[g] < loca_[g - 1])) {
      return Malformed("bad 'loca'");
    }
  }

  // The (3,1) format 4 cmap: the one libharu reads.
  const std::string_view cmap = TableData(*Find("cmap"));
  if (cmap.size() < 4) return Malformed("short 'cmap'");
  std::string_view sub;
  for (uint16_t i = 0, n = U16(cmap, 2); i < n; ++i) {
    const size_t at = 4 + 8ull * i;
    if (at + 8 > cmap.size()) return Malformed("truncated 'cmap'");
    const uint32_t offset = U32(cmap, at + 4);
    if (U16(cmap, at) == 3 && U16(cmap, at + 2) == 1 && offset + 4ull <= cmap.size() &&
        U16(cmap, offset) == 4) {
      sub = cmap.substr(offset, std::min<size_t>(U16(cmap, offset + 2), cmap.size() - offset));
      break;
    }
  }
  if (sub.size() < 16) return Malformed("no Unicode (3,1) format 4 'cmap'");
  const size_t seg_count = U16(sub, 6) / 2;
  if (sub.size() < 16 + 8 * seg_count) return Malformed("truncated format 4 'cmap'");
  glyph_for_bmp_.assign(0x10000, 0);
  const size_t ends = 14, starts = 16 + 2 * seg_count, deltas = starts + 2 * seg_count,
               range_offsets = deltas + 2 * seg_count;
  for (size_t s = 0; s < seg_count; ++s) {
    const uint32_t end = U16(sub, ends + 2 * s), start = U16(sub, starts + 2 * s);
    const uint16_t delta = U16(sub, deltas + 2 * s);
    const uint16_t range_offset = U16(sub, range_offsets + 2 * s);
    for (uint32_t c = start; c <= end && c < 0xFFFF; ++c) {
      uint16_t glyph = 0;
      if (range_offset == 0) {
        glyph = static_cast<uint16_t>(c + delta);
      } else {
        const size_t at = range_offsets + 2 * s + range_offset + 2 * (c - start);
        if (at + 2 > sub.size()) continue;
        glyph = U16(sub, at);
        if (glyph != 0) glyph = static_cast<uint16_t>(glyph + delta);
      }
      if (glyph < num_glyphs_) glyph_for_bmp_[c] = glyph;
    }
  }
  return OkStatus();
}

int TrueTypeFont::Advance(char32_t c) const {
  if (c >= 0x10000) return 0;
  return static_cast<int>(advance_[glyph_for_bmp_[c]]) * 1000 / units_per_em_;
}

std::string_view TrueTypeFont::GlyphData(uint16_t glyph) const {
  const Table& glyf = *Find("glyf");
  return std::string_view(data_).substr(glyf.offset + loca_[glyph],
                                        loca_[glyph + 1] - loca_[glyph]);
}

std::string TrueTypeFont::Subset(std::span<const char32_t> code_points) const {
  // New glyph ids: .notdef, then the code points' glyphs in code point order, then components.
  std::vector<uint16_t> old_ids = {0};
  std::unordered_map<uint16_t, uint16_t> new_id = {{0, 0}};
  const auto add = [&](uint16_t old) {
    auto [it, inserted] = new_id.try_emplace(old, static_cast<uint16_t>(old_ids.size()));
    if (inserted) old_ids.push_back(old);
    return it->second;
  };
  std::vector<std::pair<uint16_t, uint16_t>> mapping;  // (code point, new glyph id)
  std::vector<char32_t> sorted(code_points.begin(), code_points.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  for (char32_t c : sorted) {
    if (!HasGlyph(c) || c == 0xFFFF) continue;
    mapping.emplace_back(static_cast<uint16_t>(c), add(glyph_for_bmp_[c]));
  }
  for (size_t i = 0; i < old_ids.size(); ++i) {  // grows while composites pull components in
    const std::string_view glyph = GlyphData(old_ids[i]);
    ForEachComponent(glyph, [&](size_t at) {
      const uint16_t component = U16(glyph, at);
      if (component < num_glyphs_) add(component);
    });
  }

  std::string glyf, loca, hmtx;
  for (uint16_t old : old_ids) {
    AppendU32(loca, static_cast<uint32_t>(glyf.size()));
    std::string glyph(GlyphData(old));
    const bool complete = ForEachComponent(glyph, [&](size_t at) {
      const uint16_t component = U16(glyph, at);
      PutU16(glyph, at, component < num_glyphs_ ? new_id.at(component) : 0);
    });
    if (!complete) glyph.clear();  // a truncated composite: draw nothing rather than garbage
    glyf += glyph;
    PadTo4(glyf);
    AppendU16(hmtx, advance_[old]);
    AppendU16(hmtx, static_cast<uint16_t>(left_bearing_[old]));
  }
  AppendU32(loca, static_cast<uint32_t>(glyf.size()));
  const auto glyph_count = static_cast<uint16_t>(old_ids.size());

  // cmap, format 4. Few segments matter more than a few bytes: libharu looks each of the 65 536
  // code points up by a linear scan of the segments when it writes the CIDToGIDMap. So code
  // points less than kMaxGap apart share a segment, whose glyph ids sit in glyphIdArray.
  constexpr uint16_t kMaxGap = 256;
  struct Segment {
    uint16_t start, end;
    std::vector<uint16_t> glyphs;  // one per code point in [start, end], 0 for none
  };
  std::vector<Segment> segments;
  for (auto [c, g] : mapping) {
    if (!segments.empty() && c - segments.back().end <= kMaxGap) {
      segments.back().glyphs.resize(c - segments.back().start, 0);
      segments.back().glyphs.push_back(g);
      segments.back().end = c;
    } else {
      segments.push_back({c, c, {g}});
    }
  }
  const auto seg_count = static_cast<uint16_t>(segments.size() + 1);  // + the final 0xFFFF
  uint16_t search_range = 2, entry_selector = 0;
  while (search_range * 2 <= seg_count * 2) {
    search_range *= 2;
    ++entry_selector;
  }
  size_t array_size = 0;
  for (const Segment& seg : segments) array_size += seg.glyphs.size();
  std::string cmap;
  AppendU16(cmap, 0);   // version
  AppendU16(cmap, 1);   // one encoding record
  AppendU16(cmap, 3);   // Windows
  AppendU16(cmap, 1);   // Unicode BMP
  AppendU32(cmap, 12);  // subtable offset
  AppendU16(cmap, 4);   // format
  AppendU16(cmap, static_cast<uint16_t>(
                      std::min<size_t>(0xFFFF, 16 + 8ull * seg_count + 2 * array_size)));
  AppendU16(cmap, 0);  // language
  AppendU16(cmap, static_cast<uint16_t>(2 * seg_count));
  AppendU16(cmap, search_range);
  AppendU16(cmap, entry_selector);
  AppendU16(cmap, static_cast<uint16_t>(2 * seg_count - search_range));
  for (const Segment& seg : segments) AppendU16(cmap, seg.end);
  AppendU16(cmap, 0xFFFF);
  AppendU16(cmap, 0);  // reservedPad
  for (const Segment& seg : segments) AppendU16(cmap, seg.start);
  AppendU16(cmap, 0xFFFF);
  for (size_t i = 0; i < segments.size(); ++i) AppendU16(cmap, 0);  // idDelta
  AppendU16(cmap, 1);
  // idRangeOffset: bytes from this entry to the segment's first glyph id in glyphIdArray.
  size_t array_at = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    AppendU16(cmap, static_cast<uint16_t>(2 * (seg_count - i) + 2 * array_at));
    array_at += segments[i].glyphs.size();
  }
  AppendU16(cmap, 0);
  for (const Segment& seg : segments) {
    for (uint16_t g : seg.glyphs) AppendU16(cmap, g);
  }

  std::string head(TableData(*Find("head")));
  PutU32(head, 8, 0);   // checkSumAdjustment, set below
  PutU16(head, 50, 1);  // long loca
  std::string hhea(TableData(*Find("hhea")));
  PutU16(hhea, 34, glyph_count);
  std::string maxp(TableData(*Find("maxp")));
  PutU16(maxp, 4, glyph_count);
  std::string post;
  AppendU32(post, 0x00030000);  // no glyph names
  if (const Table* p = Find("post"); p != nullptr && p->length >= 32) {
    post += TableData(*p).substr(4, 28);
  } else {
    post.append(28, '\0');
  }

  std::vector<std::pair<std::string, std::string>> out = {
      {"cmap", std::move(cmap)}, {"glyf", std::move(glyf)}, {"head", std::move(head)},
      {"hhea", std::move(hhea)}, {"hmtx", std::move(hmtx)}, {"loca", std::move(loca)},
      {"maxp", std::move(maxp)}, {"post", std::move(post)}};
  for (std::string_view tag : kCopiedTables) {
    if (const Table* t = Find(tag)) out.emplace_back(std::string(tag), TableData(*t));
  }
  std::sort(out.begin(), out.end());

  const auto num_tables = static_cast<uint16_t>(out.size());
  uint16_t table_search = 1, table_selector = 0;
  while (table_search * 2 <= num_tables) {
    table_search *= 2;
    ++table_selector;
  }
  std::string font;
  AppendU32(font, 0x00010000);
  AppendU16(font, num_tables);
  AppendU16(font, static_cast<uint16_t>(table_search * 16));
  AppendU16(font, table_selector);
  AppendU16(font, static_cast<uint16_t>(num_tables * 16 - table_search * 16));
  size_t offset = 12 + 16ull * num_tables;
  size_t head_offset = 0;
  for (const auto& [tag, data] : out) {
    font += tag;
    AppendU32(font, CheckSum(data));
    AppendU32(font, static_cast<uint32_t>(offset));
    AppendU32(font, static_cast<uint32_t>(data.size()));
    if (tag == "head") head_offset = offset;
    offset += (data.size() + 3) / 4 * 4;
  }
  for (const auto& [tag, data] : out) {
    font += data;
    PadTo4(font);
  }
  PutU32(font, head_offset + 8, 0xB1B0AFBA - CheckSum(font));
  return font;
}

}  // namespace ledgerdesk::pdfexport
