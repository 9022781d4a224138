#pragma once

// A scenario with two organizations (A sold by reseller "ResellerX", B), a contract each, and a
// ticket opened by Alice of A.

#include <gtest/gtest.h>

#include "core/domain/account/account.h"
#include "core/domain/contact/legacy_contact.h"
#include "core/domain/model.h"
#include "tests/core/domain/domain_fixtures.h"
#include "tests/support/scenario.h"

namespace ledgerdesk::testing {

// Alice (of A) adds `email` to the CC of `ticket_id`, with IndexOf as its index.
inline domain::AddCc AddCcOf(const std::string& ticket_id, const std::string& email) {
  return {.ticket_id = ticket_id,
          .caller = CustomerOf(kNipA),
          .email = EmailOf(email),
          .email_index = IndexOf(email)};
}

class TicketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // ResellerX sold A's contract: the registration assigns it as A's partner.
    auto sold = ContractOf(kNipA, "K111111", "FG100", "FG200");
    sold.partner_name = "ResellerX";
    s.Given(Decide(s.model, sold, s.context));
    s.Given(Decide(s.model, ContractOf(kNipB, "K222222", "FG300", "FG400"), s.context));
  }

  domain::OpenTicket OpenCommand(const std::string& ticket_id = "t1") {
    return {.ticket_id = ticket_id,
            .caller = CustomerOf(kNipA),
            .contract_number = NumberOf("K111111"),
            .serial = SerialOf("FG100"),
            .title = "Firewall reboots",
            .description = "It reboots every night at 02:00.",
            .cc = {EmailOf("ops@example.pl")},
            .cc_email_indexes = {IndexOf("ops@example.pl")}};
  }

  // Opens ticket "t1" as Alice.
  void GivenOpenTicket() {
    s.Given(domain::Decide(s.model, OpenCommand(), s.context, s.sealer, DueInAnHour));
  }

  const domain::TicketState& Ticket(const std::string& id = "t1") {
    return *s.model.FindTicket(id);
  }

  // Account `account_id` registered with `email` (IndexOf gives its index) and, when `confirmed`,
  // the address confirmed.
  void GivenAccount(const std::string& account_id, const std::string& email, bool confirmed) {
    const std::string token = "confirm-" + account_id;
    s.Given(domain::Decide(s.model,
                           domain::RegisterAccount{.account_id = account_id,
                                                   .email = EmailOf(email),
                                                   .email_index = IndexOf(email),
                                                   .password_hash = "hash:correct horse battery",
                                                   .name = "Carol",
                                                   .phone = *values::Phone::Parse("600100400"),
                                                   .nip = NipOf(kNipA),
                                                   .confirmation_token = token,
                                                   .confirmation_token_hash = "sha:" + token},
                           s.context, s.sealer));
    if (confirmed) {
      s.Given(
          domain::Decide(s.model, domain::ConfirmEmail{.token_hash = "sha:" + token}, s.context));
    }
  }

  // The SubjectErased `audit erase` appends for `subject_id` (its key id as the sealer names it).
  void GivenErased(const std::string& subject_id) {
    v1::Envelope erased;
    erased.set_stream(domain::SubjectStream(subject_id));
    erased.set_stream_version(s.model.StreamVersion(erased.stream()) + 1);
    erased.mutable_actor()->set_role(v1::ROLE_AUDITOR);
    erased.mutable_subject_erased()->set_subject_id(subject_id);
    erased.mutable_subject_erased()->set_key_id("key-of-" + subject_id);
    s.Given({erased});
  }

  Scenario s;
};

}  // namespace ledgerdesk::testing
