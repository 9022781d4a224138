#pragma once

// Erasing a legacy contact from the migrated transcripts. A transcript PDF shows everybody's
// messages, so it is neither kept (it would hold the erased person's plaintext) nor deleted (the
// others' messages stay): it is rendered again from its sealed source (sealed_transcript.h) once
// the person's key is destroyed, showing "[erased]" for their name, address and messages, and its
// bytes replace the old PDF's under the digest the events name (blobs::BlobStore::Replace).

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/app/personal_data.h"
#include "core/blobs/blob_store.h"
#include "core/common/status.h"
#include "pdfexport/transcript.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::migrator {

struct TranscriptToRedact {
  std::string ticket_id;
  std::string attachment_id;
  std::string sha256;         // of the PDF, as its AttachmentAdded names it
  std::string source_sha256;  // of its sealed source
};

// The transcript that `event` adds, when it shows one of `subjects` (an AttachmentAdded whose
// participant_account_ids name one); else nothing.
std::optional<TranscriptToRedact> TranscriptShowing(const v1::Envelope& event,
                                                    const std::set<std::string>& subjects);

// Renders each transcript again from its sealed source, opened through `personal` (so call it once
// the erased keys are destroyed), and replaces the PDF's bytes. Errors: kDataLoss naming the
// attachment when its sealed source is missing or corrupt; the blob store's and renderer's.
Status RedactTranscripts(const std::vector<TranscriptToRedact>& transcripts,
                         blobs::BlobStore& blobs, const app::PersonalData& personal,
                         const pdfexport::TranscriptRenderer& renderer);

}  // namespace ledgerdesk::migrator
