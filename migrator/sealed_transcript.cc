#include "migrator/sealed_transcript.h"

#include "migrator/sealed_transcript.pb.h"

namespace ledgerdesk::migrator {
namespace {

int64_t UnixMicros(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

}  // namespace

Result<std::string> SealTranscript(const pdfexport::Transcript& transcript,
                                   const TranscriptSubjects& subjects, domain::Sealer& sealer) {
  if (subjects.messages.size() != transcript.messages.size()) {
    return InvalidArgument("a sealed transcript needs one subject per message");
  }
  SealedTranscript sealed;
  LD_ASSIGN_OR_RETURN(*sealed.mutable_title(), sealer.Seal(subjects.title, transcript.title));
  sealed.set_legacy_ticket_id(transcript.legacy_ticket_id);
  sealed.set_contract_number(transcript.contract_number);
  sealed.set_serial(transcript.serial);
  TranscriptText text;
  for (size_t i = 0; i < transcript.messages.size(); ++i) {
    const pdfexport::TranscriptMessage& message = transcript.messages[i];
    auto* out = sealed.add_messages();
    text.set_author(message.author);
    text.set_body(message.body);
    LD_ASSIGN_OR_RETURN(*out->mutable_text(),
                        sealer.Seal(subjects.messages[i], text.SerializeAsString()));
    out->set_from_engineer(message.role == pdfexport::Role::kEngineer);
    out->set_sent_at_unix_micros(UnixMicros(message.sent_at));
    for (const auto& name : message.attachment_names) out->add_attachment_names(name);
  }
  return sealed.SerializeAsString();
}

Result<pdfexport::Transcript> OpenTranscript(std::string_view bytes,
                                             const app::PersonalData& personal) {
  SealedTranscript sealed;
  if (!sealed.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return DataLoss("not a sealed transcript");
  }
  pdfexport::Transcript transcript;
  LD_ASSIGN_OR_RETURN(transcript.title, personal.Open(sealed.title()));
  transcript.legacy_ticket_id = sealed.legacy_ticket_id();
  transcript.contract_number = sealed.contract_number();
  transcript.serial = sealed.serial();
  for (const auto& in : sealed.messages()) {
    pdfexport::TranscriptMessage message;
    LD_ASSIGN_OR_RETURN(const std::string plain, personal.Open(in.text()));
    TranscriptText text;
    if (plain == app::kErased) {
      message.author = message.body = std::string(app::kErased);
    } else if (text.ParseFromString(plain)) {
      message.author = text.author();
      message.body = text.body();
    } else {
      return DataLoss("a sealed transcript's message does not parse");
    }
    message.role = in.from_engineer() ? pdfexport::Role::kEngineer : pdfexport::Role::kCustomer;
    message.sent_at =
        std::chrono::system_clock::time_point(std::chrono::microseconds(in.sent_at_unix_micros()));
    message.attachment_names.assign(in.attachment_names().begin(), in.attachment_names().end());
    transcript.messages.push_back(std::move(message));
  }
  return transcript;
}

}  // namespace ledgerdesk::migrator
