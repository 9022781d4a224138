#pragma once

// Delivers the outbox: every mail queued and not yet recorded as sent is opened (its sealed
// fields, through the personal-data accessor), addressed (accounts by their current address;
// erased ones skipped), delivered, then recorded as sent. A crash between delivery and the record
// delivers it again on restart (at least once); a mail recorded as sent is never delivered again.

#include <string>

#include "core/app/personal_data.h"
#include "core/app/write_service.h"
#include "core/mail/mail_transport.h"

namespace ledgerdesk::mail {

struct DeliveryCounts {
  size_t sent = 0;
  size_t failed = 0;  // left in the outbox for the next round
};

class MailSender {
 public:
  // All three outlive the sender.
  MailSender(app::WriteService& service, const app::PersonalData& personal,
             MailTransport& transport)
      : service_(service), personal_(personal), transport_(transport) {}

  // One round over the outbox as it stands. Errors only when the log cannot be written.
  Result<DeliveryCounts> DeliverPending();

 private:
  app::WriteService& service_;
  const app::PersonalData& personal_;
  MailTransport& transport_;
};

}  // namespace ledgerdesk::mail
