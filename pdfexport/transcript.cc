#include "pdfexport/transcript.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>

#include "core/sla/warsaw_time.h"
#include "pdfexport/access_report.h"
#include "pdfexport/hpdf_document.h"
#include "pdfexport/line_breaker.h"
#include "pdfexport/text_cleaner.h"
#include "pdfexport/true_type_font.h"

namespace ledgerdesk::pdfexport {
namespace {

// A4 portrait, in points.
constexpr double kPageWidth = 595.276;
constexpr double kPageHeight = 841.890;
constexpr double kMarginX = 56;
constexpr double kMarginTop = 56;
constexpr double kMarginBottom = 64;
constexpr double kFooterBaseline = 32;
constexpr double kTextWidth = kPageWidth - 2 * kMarginX;

constexpr double kLabelSize = 9;
constexpr double kTitleSize = 15;
constexpr double kMetaSize = 10;
constexpr double kHeadingSize = 10;
constexpr double kBodySize = 10;
constexpr double kAttachmentSize = 9;
constexpr double kFooterSize = 8;
constexpr double kLeadingFactor = 1.3;
constexpr double kBodyIndent = 12;

struct PlacedText {
  double x;
  double y;
  double size;
  std::u32string text;
};

struct PageLayout {
  std::vector<PlacedText> texts;
  std::vector<double> rules;  // horizontal lines across the text width, at these heights
};

// Places text top to bottom, breaking lines and starting pages as needed. Pure.
class Layout {
 public:
  explicit Layout(const TrueTypeFont& font) : font_(font) { NewPage(); }

  // Breaks `text` into lines at `size` (points) and places them at `indent` from the margin.
  void Paragraph(std::u32string_view text, double size, double indent = 0) {
    const double max_units = (kTextWidth - indent) * 1000 / size;
    for (auto& line : BreakLines(text, max_units, [this](char32_t c) { return Advance(c); })) {
      Line(std::move(line), size, indent);
    }
  }

  void Line(std::u32string text, double size, double indent = 0) {
    const double leading = size * kLeadingFactor;
    if (y_ - leading < kMarginBottom) NewPage();
    pages_.back().texts.push_back({kMarginX + indent, y_ - size, size, std::move(text)});
    y_ -= leading;
  }

  // Starts a new page unless `height` points are left on this one.
  void KeepTogether(double height) {
    if (y_ - height < kMarginBottom && y_ < kPageHeight - kMarginTop) NewPage();
  }

  void Space(double height) { y_ -= height; }

  void Rule() {
    if (y_ - 6 < kMarginBottom) return NewPage();  // a page start is separation enough
    pages_.back().rules.push_back(y_ - 3);
    y_ -= 8;
  }

  // Adds "<prefix>page N of M" right-aligned at the bottom of every page.
  void Footers(std::u32string_view prefix) {
    const size_t total = pages_.size();
    for (size_t i = 0; i < total; ++i) {
      std::u32string text(prefix);
      for (char c : "page " + std::to_string(i + 1) + " of " + std::to_string(total)) {
        text.push_back(static_cast<unsigned char>(c));
      }
      double units = 0;
      for (char32_t c : text) units += Advance(c);
      const double width = units * kFooterSize / 1000;
      pages_[i].texts.push_back(
          {kPageWidth - kMarginX - width, kFooterBaseline, kFooterSize, std::move(text)});
    }
  }

  std::vector<PageLayout>& pages() { return pages_; }

 private:
  double Advance(char32_t c) const { return font_.Advance(c); }
  void NewPage() {
    pages_.emplace_back();
    y_ = kPageHeight - kMarginTop;
  }

  const TrueTypeFont& font_;
  std::vector<PageLayout> pages_;
  double y_ = 0;
};

std::u32string Ascii(std::string_view s) { return std::u32string(s.begin(), s.end()); }

std::string_view RoleName(Role role) { return role == Role::kEngineer ? "engineer" : "customer"; }

std::vector<PageLayout> LayOut(const Transcript& t, const TrueTypeFont& font) {
  const GlyphPredicate has_glyph = [&font](char32_t c) { return font.HasGlyph(c); };
  const CleanOptions clean{.replacement = ChooseReplacement(has_glyph)};
  const auto clean_or = [&](std::string_view s, std::string_view if_empty) {
    std::u32string text = CleanText(s, has_glyph, clean);
    return text.empty() ? Ascii(if_empty) : text;
  };
  // Single-line fields: line breaks inside them become spaces.
  const auto one_line = [](std::u32string s) {
    std::replace(s.begin(), s.end(), U'\n', U' ');
    return s;
  };

  Layout layout(font);
  layout.Line(Ascii("Legacy helpdesk transcript"), kLabelSize);
  layout.Space(2);
  layout.Paragraph(clean_or(t.title, "(no title)"), kTitleSize);
  layout.Space(4);
  layout.Paragraph(Ascii("Legacy ticket: " + std::to_string(t.legacy_ticket_id)), kMetaSize);
  layout.Paragraph(Ascii("Contract: ") + one_line(clean_or(t.contract_number, "(none)")),
                   kMetaSize);
  layout.Paragraph(Ascii("Serial: ") + one_line(clean_or(t.serial, "(no device)")), kMetaSize);
  layout.Paragraph(Ascii("Messages: " + std::to_string(t.messages.size()) +
                         (t.messages.size() > 1 ? ", newest first" : "")),
                   kMetaSize);
  layout.Space(6);
  layout.Rule();

  std::vector<size_t> order(t.messages.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return t.messages[a].sent_at > t.messages[b].sent_at;
  });
  for (size_t index : order) {
    const TranscriptMessage& m = t.messages[index];
    layout.KeepTogether((kHeadingSize + kBodySize) * kLeadingFactor + 4);
    std::u32string heading = Ascii(sla::FormatWarsawTime(m.sent_at) + "  ");
    heading += one_line(clean_or(m.author, "(unknown author)"));
    heading += Ascii(" (" + std::string(RoleName(m.role)) + ")");
    layout.Paragraph(heading, kHeadingSize);
    layout.Space(2);
    layout.Paragraph(clean_or(m.body, "(empty message)"), kBodySize, kBodyIndent);
    if (!m.attachment_names.empty()) {
      layout.Space(3);
      layout.Paragraph(Ascii("Attachments (" + std::to_string(m.attachment_names.size()) + "):"),
                       kAttachmentSize, kBodyIndent);
      const std::u32string bullet = font.HasGlyph(U'\u2022') ? U"\u2022 " : U"- ";
      for (const std::string& name : m.attachment_names) {
        layout.Paragraph(bullet + one_line(clean_or(name, "(no name)")), kAttachmentSize,
                         2 * kBodyIndent);
      }
    }
    layout.Space(4);
    layout.Rule();
  }
  layout.Footers(Ascii("Legacy ticket " + std::to_string(t.legacy_ticket_id) + " - "));
  return std::move(layout.pages());
}

std::vector<PageLayout> LayOutReport(const AccessReport& r, const TrueTypeFont& font) {
  const GlyphPredicate has_glyph = [&font](char32_t c) { return font.HasGlyph(c); };
  const CleanOptions clean{.replacement = ChooseReplacement(has_glyph)};
  const auto text = [&](std::string_view s) { return CleanText(s, has_glyph, clean); };
  Layout layout(font);
  layout.Line(Ascii("GDPR access report (Art. 15)"), kLabelSize);
  layout.Space(2);
  layout.Paragraph(text("Data about " + r.subject), kTitleSize);
  layout.Space(4);
  layout.Paragraph(Ascii("Generated: " + r.generated_at), kMetaSize);
  layout.Space(6);
  layout.Rule();
  layout.Paragraph(Ascii("Summary"), kHeadingSize);
  layout.Space(2);
  for (const auto& line : r.summary) layout.Paragraph(text(line), kBodySize, kBodyIndent);
  layout.Space(4);
  layout.Rule();
  layout.Paragraph(Ascii("Events (" + std::to_string(r.entries.size()) + ", oldest first)"),
                   kHeadingSize);
  layout.Space(4);
  for (const auto& entry : r.entries) {
    layout.KeepTogether((kHeadingSize + kBodySize) * kLeadingFactor + 4);
    layout.Paragraph(text(entry.when + "  " + entry.what), kHeadingSize);
    layout.Paragraph(text("by " + entry.who), kBodySize, kBodyIndent);
    for (const auto& detail : entry.details) {
      layout.Paragraph(text(detail), kAttachmentSize, 2 * kBodyIndent);
    }
    layout.Space(3);
  }
  layout.Footers(Ascii("GDPR access report - "));
  return std::move(layout.pages());
}

// A file holding bytes for libharu to open by path (it has no in-memory font loading): an
// anonymous memory file (memfd) when the kernel offers one, else a file in the temp dir. Closed
// and gone when the object goes.
class ScratchFile {
 public:
  static Result<std::unique_ptr<ScratchFile>> Write(std::string_view bytes) {
    std::unique_ptr<ScratchFile> file(new ScratchFile());
    file->fd_ = memfd_create("ledgerdesk-font", MFD_CLOEXEC);
    if (file->fd_ >= 0) {
      file->path_ = "/proc/self/fd/" + std::to_string(file->fd_);
    } else {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "ledgerdesk-font-XXXXXX").string();
      file->fd_ = mkstemp(pattern.data());
      if (file->fd_ < 0) return Unavailable("cannot create a scratch file for the font subset");
      file->path_ = pattern;
      file->unlink_ = true;
    }
    size_t written = 0;
    while (written < bytes.size()) {
      const ssize_t n = ::write(file->fd_, bytes.data() + written, bytes.size() - written);
      if (n <= 0) return Unavailable("cannot write the font subset to " + file->path_);
      written += static_cast<size_t>(n);
    }
    return file;
  }
  ~ScratchFile() {
    if (fd_ >= 0) ::close(fd_);
    if (unlink_) ::unlink(path_.c_str());
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  ScratchFile() = default;
  int fd_ = -1;
  std::string path_;
  bool unlink_ = false;
};

}  // namespace

TranscriptRenderer::TranscriptRenderer(RenderOptions options, std::unique_ptr<TrueTypeFont> font)
    : options_(std::move(options)), font_(std::move(font)) {}

TranscriptRenderer::~TranscriptRenderer() = default;

Result<std::unique_ptr<TranscriptRenderer>> TranscriptRenderer::Create(RenderOptions options) {
  LD_ASSIGN_OR_RETURN(auto font, TrueTypeFont::LoadFile(options.font_path));
  if (!font->HasGlyph(U' ') || !font->HasGlyph(U'0') || !font->HasGlyph(U'a')) {
    return InvalidArgument("font " + options.font_path.string() + " lacks basic Latin letters");
  }
  return std::unique_ptr<TranscriptRenderer>(
      new TranscriptRenderer(std::move(options), std::move(font)));
}

namespace {

// Draws laid-out pages with `font_file` (subset to the characters used unless options say not).
Result<std::string> RenderPages(std::vector<PageLayout> pages, const TrueTypeFont& font_file,
                                const RenderOptions& options) {
  std::unique_ptr<ScratchFile> subset_file;
  std::string font_path = options.font_path.string();
  if (options.subset_font) {
    std::vector<bool> used(0x10000, false);
    for (const PageLayout& page : pages) {
      for (const PlacedText& text : page.texts) {
        for (char32_t c : text.text) {
          if (c < 0x10000) used[c] = true;  // cleaned text is all in the BMP
        }
      }
    }
    std::vector<char32_t> code_points;
    for (char32_t c = 0; c < 0x10000; ++c) {
      if (used[c]) code_points.push_back(c);
    }
    LD_ASSIGN_OR_RETURN(subset_file, ScratchFile::Write(font_file.Subset(code_points)));
    font_path = subset_file->path();
  }

  LD_ASSIGN_OR_RETURN(auto doc, HpdfDocument::Create());
  HPDF_Doc pdf = doc->get();
  LD_RETURN_IF_ERROR(
      doc->Check(HPDF_SetCompressionMode(pdf, options.compress ? HPDF_COMP_ALL : HPDF_COMP_NONE),
                 "setting compression"));
  LD_RETURN_IF_ERROR(doc->Check(HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "ledgerdesk pdfexport"),
                                "setting the creator"));
  // Exactly once per document: a second call breaks it (libharu 2.3.0).
  LD_RETURN_IF_ERROR(doc->Check(HPDF_UseUTFEncodings(pdf), "enabling UTF-8"));
  const char* font_name = HPDF_LoadTTFontFromFile(pdf, font_path.c_str(), HPDF_TRUE);
  LD_RETURN_IF_ERROR(doc->CheckHandle(font_name, "loading font " + options.font_path.string()));
  HPDF_Font font = HPDF_GetFont(pdf, font_name, "UTF-8");
  LD_RETURN_IF_ERROR(doc->CheckHandle(font, "selecting the font with UTF-8 encoding"));

  for (const PageLayout& layout : pages) {
    HPDF_Page page = HPDF_AddPage(pdf);
    LD_RETURN_IF_ERROR(doc->CheckHandle(page, "adding a page"));
    LD_RETURN_IF_ERROR(doc->Check(HPDF_Page_SetWidth(page, kPageWidth), "sizing the page"));
    LD_RETURN_IF_ERROR(doc->Check(HPDF_Page_SetHeight(page, kPageHeight), "sizing the page"));
    if (!layout.rules.empty()) {
      LD_RETURN_IF_ERROR(doc->Check(HPDF_Page_SetLineWidth(page, 0.5), "drawing a rule"));
      LD_RETURN_IF_ERROR(doc->Check(HPDF_Page_SetGrayStroke(page, 0.6), "drawing a rule"));
      for (double y : layout.rules) {
        LD_RETURN_IF_ERROR(doc->Check(HPDF_Page_MoveTo(page, kMarginX, y), "drawing a rule"));
        LD_RETURN_IF_ERROR(
            doc->Check(HPDF_Page_LineTo(page, kPageWidth - kMarginX, y), "drawing a rule"));
      }
      LD_RETURN_IF_ERROR(doc->Check(HPDF_Page_Stroke(page), "drawing a rule"));
    }
    LD_RETURN_IF_ERROR(doc->Check(HPDF_Page_BeginText(page), "starting text"));
    double size = 0;
    for (const PlacedText& text : layout.texts) {
      if (text.text.empty()) continue;
      if (text.size != size) {
        size = text.size;
        LD_RETURN_IF_ERROR(doc->Check(HPDF_Page_SetFontAndSize(page, font, size), "setting font"));
      }
      const std::string utf8 = EncodeUtf8(text.text);
      LD_RETURN_IF_ERROR(
          doc->Check(HPDF_Page_TextOut(page, text.x, text.y, utf8.c_str()), "drawing text"));
    }
    LD_RETURN_IF_ERROR(doc->Check(HPDF_Page_EndText(page), "ending text"));
  }
  return doc->SaveToString();
}

}  // namespace

Result<std::string> TranscriptRenderer::Render(const Transcript& transcript) const {
  return RenderPages(LayOut(transcript, *font_), *font_, options_);
}

Result<std::string> TranscriptRenderer::RenderAccessReport(const AccessReport& report) const {
  return RenderPages(LayOutReport(report, *font_), *font_, options_);
}

Status TranscriptRenderer::RenderToFile(const Transcript& transcript,
                                        const std::filesystem::path& path) const {
  LD_ASSIGN_OR_RETURN(std::string pdf, Render(transcript));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
  out.close();
  if (!out) return Unavailable("cannot write " + path.string());
  return OkStatus();
}

namespace {

// One renderer per distinct options, built on first use and kept for the life of the process.
Result<std::shared_ptr<const TranscriptRenderer>> SharedRenderer(const RenderOptions& options) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const TranscriptRenderer>> renderers;
  const std::string key = options.font_path.string() + (options.subset_font ? "|s" : "|f") +
                          (options.compress ? "|c" : "|n");
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = renderers.find(key); it != renderers.end()) return it->second;
  }
  LD_ASSIGN_OR_RETURN(std::shared_ptr<const TranscriptRenderer> created,
                      TranscriptRenderer::Create(options));
  std::lock_guard<std::mutex> lock(mutex);
  return renderers.try_emplace(key, std::move(created)).first->second;
}

}  // namespace

Result<std::string> RenderTranscriptPdf(const Transcript& transcript,
                                        const RenderOptions& options) {
  LD_ASSIGN_OR_RETURN(auto renderer, SharedRenderer(options));
  return renderer->Render(transcript);
}

Result<std::string> RenderAccessReport(const AccessReport& report, const RenderOptions& options) {
  LD_ASSIGN_OR_RETURN(auto renderer, SharedRenderer(options));
  return renderer->RenderAccessReport(report);
}

}  // namespace ledgerdesk::pdfexport
