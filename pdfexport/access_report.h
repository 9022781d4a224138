#pragma once

// The GDPR access report (`ledgerdesk audit history --format pdf`): who did what and when, for
// every event about a data subject, after a summary of what data is held about them. Rendered with
// the transcripts' layout and font (transcript.h): A4, text cleaned, pages numbered.

#include <string>
#include <vector>

#include "core/common/status.h"
#include "pdfexport/transcript.h"

namespace ledgerdesk::pdfexport {

struct AccessReportEntry {
  std::string when;                  // RFC 3339 UTC, as recorded
  std::string who;                   // the actor
  std::string what;                  // the event
  std::vector<std::string> details;  // "field: value" lines of the personal data it holds
};

struct AccessReport {
  std::string subject;                     // "the person with the e-mail address ..."
  std::string generated_at;                // RFC 3339
  std::vector<std::string> summary;        // lines
  std::vector<AccessReportEntry> entries;  // in log order
};

// The PDF bytes. Errors as TranscriptRenderer::Render.
Result<std::string> RenderAccessReport(const AccessReport& report, const RenderOptions& options);

}  // namespace ledgerdesk::pdfexport
