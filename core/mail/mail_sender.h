#pragma once

// Delivers the outbox: every mail queued and not yet recorded as sent is opened (its sealed
// fields, through the personal-data accessor), addressed (accounts by their current address;
// erased ones skipped), delivered, then recorded as sent. A crash between delivery and the record
// delivers it again on restart (at least once); a mail recorded as sent is never delivered again.

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "core/app/personal_data.h"
#include "core/app/write_service.h"
#include "core/mail/mail_transport.h"

namespace ledgerdesk::mail {

struct DeliveryCounts {
  size_t sent = 0;
  size_t failed = 0;    // left in the outbox, to be tried again after a while
  size_t deferred = 0;  // failed before and not due to be tried again yet
};

class MailSender {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // A mail that failed is tried again after kFirstRetry, then after twice as long each time it
  // fails again, up to kLongestRetry: a recipient's server that refuses it is not hammered, and
  // the rest of the outbox is not held up. (In memory: a restarted sender tries everything once.)
  static constexpr std::chrono::seconds kFirstRetry{5};
  static constexpr std::chrono::seconds kLongestRetry{600};

  // All three outlive the sender.
  MailSender(app::WriteService& service, const app::PersonalData& personal,
             MailTransport& transport, Clock clock = std::chrono::steady_clock::now)
      : service_(service), personal_(personal), transport_(transport), clock_(std::move(clock)) {}

  // One round over the outbox as it stands (but the failed mails not due yet). Errors only when
  // the log cannot be written.
  Result<DeliveryCounts> DeliverPending();

 private:
  struct Retry {
    std::chrono::steady_clock::time_point due;
    std::chrono::seconds wait;
  };
  // Notes a failure of `mail_id`: when it is next due.
  void Failed(const std::string& mail_id);

  app::WriteService& service_;
  const app::PersonalData& personal_;
  MailTransport& transport_;
  Clock clock_;
  std::map<std::string, Retry> retries_;  // by mail id
};

}  // namespace ledgerdesk::mail
