#include "core/domain/outbox/outbox.h"

#include "core/domain/model.h"

namespace ledgerdesk::domain {

std::string MailStream(std::string_view mail_id) { return "mail-" + std::string(mail_id); }

Result<std::vector<v1::Envelope>> Decide(const Model& model, const RecordEmailSent& command,
                                         const CommandContext& context) {
  const std::string stream = MailStream(command.mail_id);
  if (!model.pending_mails().contains(command.mail_id)) {
    if (model.StreamVersion(stream) > 0) {
      return FailedPrecondition("mail " + command.mail_id + " is already recorded as sent");
    }
    return NotFound("no queued mail " + command.mail_id);
  }
  EventBuilder events(context, [&](const std::string& s) { return model.StreamVersion(s); });
  auto* sent = events.Add(stream).mutable_email_sent();
  sent->set_mail_id(command.mail_id);
  sent->set_transport(command.transport);
  return events.Take();
}

}  // namespace ledgerdesk::domain
