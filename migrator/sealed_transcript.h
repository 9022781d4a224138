#pragma once

// A migrated transcript's sealed source: the pdfexport::Transcript with its personal parts sealed,
// each with its person's key (the title with the opener's, each message's author and body with the
// author's). The migrator stores it in the blob store beside the PDF; an erasure opens it (a
// destroyed key reads "[erased]"), renders the PDF again and replaces the old one
// (transcript_redaction.h). Serialized as migrator/sealed_transcript.proto.

#include <string>
#include <string_view>
#include <vector>

#include "core/app/personal_data.h"
#include "core/common/status.h"
#include "core/domain/sealer.h"
#include "pdfexport/transcript.h"

namespace ledgerdesk::migrator {

// Whose key seals each personal part (subject ids: legacy contacts or the organization).
struct TranscriptSubjects {
  std::string title;
  std::vector<std::string> messages;  // one per transcript message, in its order
};

// The sealed source's bytes. Errors: kInvalidArgument when `subjects` does not name one subject
// per message; the sealer's.
Result<std::string> SealTranscript(const pdfexport::Transcript& transcript,
                                   const TranscriptSubjects& subjects, domain::Sealer& sealer);

// The transcript again, what erased keys sealed as "[erased]" (its author and body both).
// Errors: kDataLoss when `bytes` is no sealed transcript or a value does not authenticate.
Result<pdfexport::Transcript> OpenTranscript(std::string_view bytes,
                                             const app::PersonalData& personal);

}  // namespace ledgerdesk::migrator
