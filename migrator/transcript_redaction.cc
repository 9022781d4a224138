#include "migrator/transcript_redaction.h"

#include "core/log/envelope_codec.h"
#include "migrator/sealed_transcript.h"

namespace ledgerdesk::migrator {

std::optional<TranscriptToRedact> TranscriptShowing(const v1::Envelope& event,
                                                    const std::set<std::string>& subjects) {
  if (!event.has_attachment_added()) return std::nullopt;
  const auto& added = event.attachment_added();
  if (added.source_sha256().empty()) return std::nullopt;
  for (const auto& participant : added.participant_account_ids()) {
    if (subjects.contains(participant)) {
      return TranscriptToRedact{.ticket_id = added.ticket_id(),
                                .attachment_id = added.attachment_id(),
                                .sha256 = added.sha256(),
                                .source_sha256 = added.source_sha256()};
    }
  }
  return std::nullopt;
}

Status RedactTranscripts(const std::vector<TranscriptToRedact>& transcripts,
                         blobs::BlobStore& blobs, const app::PersonalData& personal,
                         const pdfexport::TranscriptRenderer& renderer) {
  for (const TranscriptToRedact& t : transcripts) {
    const std::string which = "the transcript " + t.attachment_id + " of ticket " + t.ticket_id;
    auto source = blobs.Get(t.source_sha256);
    if (!source.ok()) {
      return DataLoss(which + " cannot be rendered again: its sealed source " +
                      log::Hex(t.source_sha256) + " is gone (" + source.status().message() + ")");
    }
    auto transcript = OpenTranscript(*source, personal);
    if (!transcript.ok()) return transcript.status().WithContext(which);
    LD_ASSIGN_OR_RETURN(std::string pdf, renderer.Render(*transcript));
    LD_RETURN_IF_ERROR(blobs.Replace(t.sha256, pdf).status().WithContext(which));
  }
  return OkStatus();
}

}  // namespace ledgerdesk::migrator
