#pragma once

// The outbox: mails are events (EmailQueued, on the stream of what they are about); a sender
// delivers each at least once and records it sent on the mail's own stream ("mail-<id>"), so a
// mail recorded as sent is never delivered again.

#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "core/domain/event_builder.h"
#include "schemas/ledgerdesk/v1/envelope.pb.h"

namespace ledgerdesk::domain {

class Model;

std::string MailStream(std::string_view mail_id);

struct RecordEmailSent {
  std::string mail_id;
  std::string transport;  // "maildir" or "smtp"
};

// Errors: kNotFound for a mail never queued; kFailedPrecondition for one already recorded as sent.
Result<std::vector<v1::Envelope>> Decide(const Model& model, const RecordEmailSent& command,
                                         const CommandContext& context);

}  // namespace ledgerdesk::domain
