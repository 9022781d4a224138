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
    s.Given(Decide(s.model, ContractOf(kNipA, "K111111", "FG100", "FG200"), s.context));
    s.Given(Decide(s.model, ContractOf(kNipB, "K222222", "FG300", "FG400"), s.context));
    v1::Envelope partner;
    partner.set_stream("organization-" + std::string(kNipA));
    partner.set_stream_version(s.model.StreamVersion(partner.stream()) + 1);
    partner.mutable_organization_partner_assigned()->set_organization_id(kNipA);
    partner.mutable_organization_partner_assigned()->set_partner_name("ResellerX");
    s.Given({partner});
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
