#pragma once

// Where mails go: .eml files in a mail dir (the default) or an SMTP server (tools/ wraps Poco's
// client). Delivering the same mail again must be harmless where the transport allows: the mail
// dir keeps one file per mail id.

#include <filesystem>
#include <memory>
#include <string>

#include "core/common/status.h"
#include "core/mail/eml.h"

namespace ledgerdesk::mail {

class MailTransport {
 public:
  virtual ~MailTransport() = default;
  // Delivers one mail. Errors: kUnavailable when the destination cannot take it now (retry later).
  virtual Status Deliver(const OutgoingMail& mail) = 0;
  virtual std::string name() const = 0;  // recorded in EmailSent: "maildir", "smtp"
};

// Writes DIR/<mail_id>.eml (temp file, fsync, rename): a redelivery replaces the same file.
std::unique_ptr<MailTransport> NewMaildirTransport(std::filesystem::path dir, std::string from);

}  // namespace ledgerdesk::mail
