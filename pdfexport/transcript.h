#pragma once

// Renders a legacy ticket's dialog as a PDF transcript (libharu, embedded TrueType font).
//
//   LD_ASSIGN_OR_RETURN(auto renderer, TranscriptRenderer::Create({}));  // once: reads the font
//   LD_ASSIGN_OR_RETURN(std::string pdf, renderer->Render(transcript));  // any thread
//
// The transcript: a header (title, legacy ticket id, contract number, serial), then every message
// newest first with its author, role, Europe/Warsaw local time, full body and attachment names;
// A4 pages numbered "page N of M". Text is cleaned first (see text_cleaner.h): invalid UTF-8,
// control characters and characters the font lacks come out as U+FFFD, never dropped.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/common/status.h"

namespace ledgerdesk::pdfexport {

enum class Role { kCustomer, kEngineer };

struct TranscriptMessage {
  std::string author;
  Role role = Role::kCustomer;
  std::chrono::system_clock::time_point sent_at;  // UTC
  std::string body;                               // UTF-8; anything else is cleaned
  std::vector<std::string> attachment_names;
};

struct Transcript {
  std::string title;
  int64_t legacy_ticket_id = 0;
  std::string contract_number;
  std::string serial;
  std::vector<TranscriptMessage> messages;  // any order: rendered newest first
};

inline constexpr const char* kDefaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

struct RenderOptions {
  // A TrueType (glyf) font with a Unicode cmap; it is embedded in every PDF.
  std::filesystem::path font_path = kDefaultFontPath;
  // Embed only the glyphs each document uses (a subset built in memory per document) instead of
  // letting libharu load the whole font: same text, far faster and smaller. See README.md.
  bool subset_font = true;
  // Deflate page content and the font.
  bool compress = true;
};

class TrueTypeFont;
struct AccessReport;  // access_report.h

class TranscriptRenderer {
 public:
  // Reads and parses the font once. NotFound if options.font_path does not exist,
  // InvalidArgument if it is not a usable TrueType font.
  static Result<std::unique_ptr<TranscriptRenderer>> Create(RenderOptions options);
  ~TranscriptRenderer();
  TranscriptRenderer(const TranscriptRenderer&) = delete;
  TranscriptRenderer& operator=(const TranscriptRenderer&) = delete;

  // The PDF bytes. Thread-safe: each call has its own libharu document, so any number of threads
  // may render at once. Errors from libharu come back as a Status (Internal, or InvalidArgument
  // for a font libharu rejects).
  Result<std::string> Render(const Transcript& transcript) const;

  // The GDPR access report (access_report.h), with the same font and options. Thread-safe.
  Result<std::string> RenderAccessReport(const AccessReport& report) const;

  // Render() written to `path` (replaced if it exists).
  Status RenderToFile(const Transcript& transcript, const std::filesystem::path& path) const;

 private:
  TranscriptRenderer(RenderOptions options, std::unique_ptr<TrueTypeFont> font);

  RenderOptions options_;
  std::unique_ptr<TrueTypeFont> font_;
};

// One-shot convenience: a renderer per distinct options is built on first use and kept for the
// life of the process. Thread-safe.
Result<std::string> RenderTranscriptPdf(const Transcript& transcript, const RenderOptions& options);

}  // namespace ledgerdesk::pdfexport
