#include "core/mail/mail_sender.h"

#include <algorithm>

#include "core/domain/model.h"
#include "core/domain/outbox/outbox.h"

namespace ledgerdesk::mail {
namespace {

struct Addressed {
  v1::EmailQueued queued;
  std::vector<v1::Sealed> to;  // the queued addresses plus the accounts' current ones
  std::chrono::system_clock::time_point date;
};

}  // namespace

Result<DeliveryCounts> MailSender::DeliverPending() {
  std::vector<Addressed> outbox;
  service_.Read([&](const domain::Model& model) {
    for (const auto& [mail_id, queued] : model.pending_mails()) {
      Addressed mail{.queued = queued, .to = {queued.to().begin(), queued.to().end()}, .date = {}};
      for (const auto& account_id : queued.to_account_ids()) {
        if (const auto* account = model.FindAccount(account_id)) mail.to.push_back(account->email);
      }
      outbox.push_back(std::move(mail));
    }
  });
  DeliveryCounts counts;
  v1::Actor system;
  system.set_role(v1::ROLE_SYSTEM);
  const auto now = clock_();
  for (const Addressed& mail : outbox) {
    if (auto retry = retries_.find(mail.queued.mail_id());
        retry != retries_.end() && now < retry->second.due) {
      ++counts.deferred;
      continue;
    }
    OutgoingMail outgoing{.mail_id = mail.queued.mail_id(),
                          .date = std::chrono::system_clock::now()};
    for (const auto& sealed : mail.to) {
      auto address = personal_.Open(sealed);
      if (address.ok() && *address != app::kErased) outgoing.to.push_back(*address);
    }
    auto subject = personal_.Open(mail.queued.subject());
    auto body = personal_.Open(mail.queued.body());
    if (!subject.ok() || !body.ok()) {
      ++counts.failed;  // a value that does not authenticate: leave it for an operator to see
      Failed(outgoing.mail_id);
      continue;
    }
    outgoing.subject = *subject;
    outgoing.body = *body;
    // Nobody left to write to (everyone erased): recorded as sent, so it is not retried forever.
    if (!outgoing.to.empty()) {
      if (!transport_.Deliver(outgoing).ok()) {
        ++counts.failed;
        Failed(outgoing.mail_id);
        continue;
      }
    }
    auto recorded = service_.Execute(system, [&](const domain::Model& model, const auto& context) {
      return domain::Decide(
          model,
          domain::RecordEmailSent{.mail_id = outgoing.mail_id, .transport = transport_.name()},
          context);
    });
    if (!recorded.ok() && recorded.status().code() != StatusCode::kFailedPrecondition) {
      return recorded.status();
    }
    ++counts.sent;
    retries_.erase(outgoing.mail_id);
  }
  return counts;
}

void MailSender::Failed(const std::string& mail_id) {
  auto [retry, first] = retries_.try_emplace(mail_id, Retry{{}, kFirstRetry});
  if (!first) retry->second.wait = std::min(retry->second.wait * 2, kLongestRetry);
  retry->second.due = clock_() + retry->second.wait;
}

}  // namespace ledgerdesk::mail
