// Given / When / Then: adding a CC address to a ticket.

#include "tests/core/domain/ticket/ticket_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::AddCcOf;
using testing::IndexOf;
using testing::TicketTest;
using testing::Unsealed;

TEST_F(TicketTest, CcAddressesAreAddedSealedAndCapped) {
  GivenOpenTicket();
  for (size_t i = Ticket().cc.size(); i < kMaxCcAddresses; ++i) {
    s.Given(Decide(s.model, AddCcOf("t1", "cc" + std::to_string(i) + "@example.pl"), s.context,
                   s.sealer));
  }
  EXPECT_EQ(Ticket().cc.size(), kMaxCcAddresses);
  EXPECT_EQ(Ticket().cc_subjects.size(), kMaxCcAddresses);
  auto one_more = Decide(s.model, AddCcOf("t1", "x@example.pl"), s.context, s.sealer);
  EXPECT_EQ(one_more.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(TicketTest, AnAddedUnknownAddressBecomesAContactThatAnotherTicketReuses) {
  GivenOpenTicket();  // ops@example.pl is cc 0
  auto events = Decide(s.model, AddCcOf("t1", "Kasia@Example.pl"), s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  const auto& added = (*events)[0].cc_added();
  EXPECT_EQ(added.subject_id(), "contact-cc-t1-1");
  EXPECT_EQ(added.email().key_id(), "key-of-contact-cc-t1-1");
  EXPECT_EQ(Unsealed(added.email()), "Kasia@example.pl");
  const v1::Envelope& made = (*events)[1];
  EXPECT_EQ(made.stream(), "subject-contact-cc-t1-1");
  EXPECT_EQ(made.subject_key_created().subject_id(), "contact-cc-t1-1");
  EXPECT_EQ(made.subject_key_created().email_index(), IndexOf("kasia@example.pl"));
  EXPECT_EQ(made.subject_key_created().email().key_id(), "key-of-contact-cc-t1-1");
  s.Given(*events);
  EXPECT_EQ(Ticket().cc_subjects, (std::vector<std::string>{"contact-cc-t1-0", "contact-cc-t1-1"}));

  // Another ticket, the address spelled otherwise: the same contact, no new one.
  s.Given(Decide(s.model, OpenCommand("t2"), s.context, s.sealer, testing::DueInAnHour));
  auto again = Decide(s.model, AddCcOf("t2", "KASIA@example.PL"), s.context, s.sealer);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].cc_added().subject_id(), "contact-cc-t1-1");
  EXPECT_EQ((*again)[0].cc_added().email().key_id(), "key-of-contact-cc-t1-1");
}

TEST_F(TicketTest, AnAddedAccountsConfirmedAddressIsSealedWithThatAccountsKey) {
  GivenAccount("carol", "carol@example.pl", /*confirmed=*/true);
  GivenOpenTicket();
  auto events = Decide(s.model, AddCcOf("t1", "CAROL@example.pl"), s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);  // no contact
  EXPECT_EQ((*events)[0].cc_added().subject_id(), "carol");
  EXPECT_EQ((*events)[0].cc_added().email().key_id(), "key-of-carol");
}

TEST_F(TicketTest, AnAddedAddressOfAnErasedContactMakesANewContact) {
  GivenOpenTicket();
  s.Given(Decide(s.model, AddCcOf("t1", "kasia@example.pl"), s.context, s.sealer));
  GivenErased("contact-cc-t1-1");
  s.Given(Decide(s.model, OpenCommand("t2"), s.context, s.sealer, testing::DueInAnHour));
  auto events = Decide(s.model, AddCcOf("t2", "kasia@example.pl"), s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].cc_added().subject_id(), "contact-cc-t2-1");
  EXPECT_EQ((*events)[0].cc_added().email().key_id(), "key-of-contact-cc-t2-1");
  EXPECT_EQ((*events)[1].subject_key_created().subject_id(), "contact-cc-t2-1");
}

TEST_F(TicketTest, AnAddedAddressNeedsItsIndex) {
  GivenOpenTicket();
  AddCc command = AddCcOf("t1", "kasia@example.pl");
  command.email_index.clear();
  EXPECT_EQ(Decide(s.model, command, s.context, s.sealer).status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace ledgerdesk::domain
