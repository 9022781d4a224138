#pragma once

// A scenario with two organizations (A sold by reseller "ResellerX", B), a contract each, and a
// ticket opened by Alice of A.

#include <gtest/gtest.h>

#include "core/domain/model.h"
#include "tests/core/domain/domain_fixtures.h"
#include "tests/support/scenario.h"

namespace ledgerdesk::testing {

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
            .cc = {EmailOf("ops@example.pl")}};
  }

  // Opens ticket "t1" as Alice.
  void GivenOpenTicket() {
    s.Given(domain::Decide(s.model, OpenCommand(), s.context, s.sealer, DueInAnHour));
  }

  const domain::TicketState& Ticket(const std::string& id = "t1") {
    return *s.model.FindTicket(id);
  }

  Scenario s;
};

}  // namespace ledgerdesk::testing
