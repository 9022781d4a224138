// Given / When / Then: the dialog of a ticket.

#include "tests/core/domain/ticket/ticket_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::CustomerOf;
using testing::Engineer;
using testing::kNipB;
using testing::PartnerOf;
using testing::TicketTest;
using testing::Unsealed;

PostMessage Message(const Caller& caller, const std::string& body = "Any news?") {
  return {.ticket_id = "t1", .message_id = "m1", .caller = caller, .body = body};
}

TEST_F(TicketTest, ACustomerMessageIsPostedSealed) {
  GivenOpenTicket();
  auto events = Decide(s.model, Message(testing::CustomerOf(testing::kNipA)), s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  const auto& posted = (*events)[0].message_posted();
  EXPECT_EQ(posted.author_role(), v1::ROLE_CUSTOMER);
  EXPECT_EQ(Unsealed(posted.body()), "Any news?");
  EXPECT_EQ((*events)[0].stream_version(), 2u);
}

TEST_F(TicketTest, TheFirstEngineerReplyRespondsAndNotifies) {
  GivenOpenTicket();
  s.At("2026-11-23T10:30:00Z");
  auto events = Decide(s.model, Message(Engineer(), "We are on it."), s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 4u);
  EXPECT_TRUE((*events)[0].has_message_posted());
  ASSERT_TRUE((*events)[1].has_ticket_responded());
  EXPECT_FALSE((*events)[1].ticket_responded().breached());
  ASSERT_TRUE((*events)[2].has_notification_queued());
  EXPECT_EQ((*events)[2].notification_queued().account_id(), "alice");
  ASSERT_TRUE((*events)[3].has_email_queued());
  const auto& mail = (*events)[3].email_queued();
  ASSERT_EQ(mail.to_account_ids_size(), 1);
  EXPECT_EQ(mail.to_account_ids(0), "alice");
  ASSERT_EQ(mail.to_size(), 1);
  EXPECT_EQ(Unsealed(mail.to(0)), "ops@example.pl");
  s.Given(*events);
  EXPECT_TRUE(Ticket().responded_at.has_value());

  // The second reply notifies again but responds no more.
  auto second = Decide(s.model, Message(Engineer(), "Fixed."), s.context, s.sealer);
  ASSERT_TRUE(second.ok());
  for (const auto& event : *second) EXPECT_FALSE(event.has_ticket_responded());
}

TEST_F(TicketTest, AFirstReplyAfterTheDueTimeIsABreach) {
  GivenOpenTicket();
  s.At("2026-11-23T11:00:01Z");
  auto events = Decide(s.model, Message(Engineer()), s.context, s.sealer);
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE((*events)[1].ticket_responded().breached());
}

TEST_F(TicketTest, ACustomerMessageReopensAClosedTicket) {
  GivenOpenTicket();
  s.Given(Decide(s.model, CloseTicket{.ticket_id = "t1", .caller = CustomerOf(testing::kNipA)},
                 s.context, s.sealer));
  auto events =
      Decide(s.model, Message(CustomerOf(testing::kNipA), "It is back."), s.context, s.sealer);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 4u);
  EXPECT_TRUE((*events)[0].has_ticket_reopened());
  // Reopening is a status change: the opener hears of it (notification and mail).
  EXPECT_EQ((*events)[1].notification_queued().kind(), "status_changed");
  EXPECT_EQ(Unsealed((*events)[1].notification_queued().text()),
            "Status of ticket " + Ticket().number + ": open");
  EXPECT_TRUE((*events)[2].has_email_queued());
  EXPECT_TRUE((*events)[3].has_message_posted());
  s.Given(*events);
  EXPECT_EQ(Ticket().status, v1::TICKET_STATUS_OPEN);
}

TEST_F(TicketTest, OtherOrganizationsAndPartnersCannotPost) {
  GivenOpenTicket();
  EXPECT_EQ(Decide(s.model, Message(CustomerOf(kNipB, "bob")), s.context, s.sealer).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Decide(s.model, Message(PartnerOf("ResellerX")), s.context, s.sealer).status().code(),
            StatusCode::kNotFound);  // no consent yet: the partner does not even see it
  s.Given(Decide(
      s.model,
      ChangePartnerAccess{.ticket_id = "t1", .caller = CustomerOf(testing::kNipA), .granted = true},
      s.context));
  EXPECT_EQ(Decide(s.model, Message(PartnerOf("ResellerX")), s.context, s.sealer).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(TicketTest, AnEmptyBodyIsRefused) {
  GivenOpenTicket();
  EXPECT_EQ(Decide(s.model, Message(Engineer(), "\n "), s.context, s.sealer).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ledgerdesk::domain
