#pragma once

// Mail through an SMTP server (Poco's client): `serve --smtp HOST:PORT`.

#include <memory>
#include <string>

#include "core/mail/mail_transport.h"

namespace ledgerdesk::tools {

// Sends each mail in its own SMTP session to `host_port`. Errors become kUnavailable sentences.
std::unique_ptr<mail::MailTransport> NewSmtpTransport(std::string host_port, std::string from);

}  // namespace ledgerdesk::tools
