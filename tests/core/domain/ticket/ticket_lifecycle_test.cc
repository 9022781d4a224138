// Given / When / Then: status, close, reopen, escalate, partner access, attachments (AddCc:
// add_cc_test.cc).

#include "tests/core/domain/ticket/ticket_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::AddCcOf;
using testing::CustomerOf;
using testing::EmailOf;
using testing::Engineer;
using testing::IndexOf;
using testing::kNipA;
using testing::kNipB;
using testing::PartnerOf;
using testing::TicketTest;
using testing::Unsealed;

TEST_F(TicketTest, EngineersChangeTheStatusAndTheCustomerHears) {
  GivenOpenTicket();
  auto events = Decide(s.model,
                       ChangeStatus{.ticket_id = "t1",
                                    .caller = Engineer(),
                                    .status = v1::TICKET_STATUS_WAITING_FOR_CUSTOMER},
                       s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].ticket_status_changed().from(), v1::TICKET_STATUS_OPEN);
  EXPECT_EQ((*events)[0].ticket_status_changed().to(), v1::TICKET_STATUS_WAITING_FOR_CUSTOMER);
  EXPECT_TRUE((*events)[1].has_notification_queued());
  EXPECT_TRUE((*events)[2].has_email_queued());
  s.Given(*events);
  EXPECT_EQ(Ticket().status, v1::TICKET_STATUS_WAITING_FOR_CUSTOMER);

  // Setting the status it already has changes nothing.
  auto same = Decide(s.model,
                     ChangeStatus{.ticket_id = "t1",
                                  .caller = Engineer(),
                                  .status = v1::TICKET_STATUS_WAITING_FOR_CUSTOMER},
                     s.context, s.sealer);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());
}

TEST_F(TicketTest, CustomersDoNotSetTheStatus) {
  GivenOpenTicket();
  auto refused = Decide(
      s.model,
      ChangeStatus{
          .ticket_id = "t1", .caller = CustomerOf(kNipA), .status = v1::TICKET_STATUS_RESOLVED},
      s.context, s.sealer);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(TicketTest, CloseAndReopenAtAnyTimeButNotTwice) {
  GivenOpenTicket();
  const CloseTicket close{.ticket_id = "t1", .caller = CustomerOf(kNipA)};
  const ReopenTicket reopen{.ticket_id = "t1", .caller = CustomerOf(kNipA)};
  EXPECT_EQ(Decide(s.model, reopen, s.context, s.sealer).status().code(),
            StatusCode::kFailedPrecondition);
  s.Given(Decide(s.model, close, s.context, s.sealer));
  EXPECT_EQ(Ticket().status, v1::TICKET_STATUS_CLOSED);
  EXPECT_EQ(Decide(s.model, close, s.context, s.sealer).status().code(),
            StatusCode::kFailedPrecondition);
  s.At("2030-01-01T00:00:00Z");  // years later, still allowed
  s.Given(Decide(s.model, reopen, s.context, s.sealer));
  EXPECT_EQ(Ticket().status, v1::TICKET_STATUS_OPEN);
  // Engineers close too.
  EXPECT_TRUE(
      Decide(s.model, CloseTicket{.ticket_id = "t1", .caller = Engineer()}, s.context, s.sealer)
          .ok());
}

// Closing and reopening are status changes: whoever does it, the opener gets a notification and
// the opener and every CC address a mail.
TEST_F(TicketTest, ClosingAndReopeningTellTheOpenerAndTheCcAddresses) {
  GivenOpenTicket();  // opened by alice, with ops@example.pl in CC
  const auto expect_told = [&](const Result<std::vector<v1::Envelope>>& events,
                               const std::string& status) {
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    ASSERT_EQ(events->size(), 3u);
    const auto& notification = (*events)[1].notification_queued();
    EXPECT_EQ(notification.account_id(), "alice");
    EXPECT_EQ(notification.kind(), "status_changed");
    EXPECT_EQ(Unsealed(notification.text()), "Status of ticket " + Ticket().number + ": " + status);
    const auto& mail = (*events)[2].email_queued();
    ASSERT_EQ(mail.to_size(), 1);
    EXPECT_EQ(Unsealed(mail.to(0)), "ops@example.pl");
    ASSERT_EQ(mail.to_account_ids_size(), 1);
    EXPECT_EQ(mail.to_account_ids(0), "alice");
    // The CC's data subject, so that an audit of the address finds the mail.
    ASSERT_EQ(mail.cc_account_ids_size(), 1);
    EXPECT_EQ(mail.cc_account_ids(0), "contact-cc-t1-0");
  };
  for (const Caller& caller : {CustomerOf(kNipA), Engineer()}) {
    auto closed =
        Decide(s.model, CloseTicket{.ticket_id = "t1", .caller = caller}, s.context, s.sealer);
    expect_told(closed, "closed");
    s.Given(*closed);
    auto reopened =
        Decide(s.model, ReopenTicket{.ticket_id = "t1", .caller = caller}, s.context, s.sealer);
    expect_told(reopened, "open");
    s.Given(*reopened);
  }
}

TEST_F(TicketTest, EscalationNeedsAReasonAndAnOpenTicket) {
  GivenOpenTicket();
  auto events = Decide(
      s.model,
      EscalateTicket{.ticket_id = "t1", .caller = CustomerOf(kNipA), .reason = "Production down"},
      s.context, s.sealer);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(Unsealed((*events)[0].ticket_escalated().reason()), "Production down");
  EXPECT_EQ(Decide(s.model, EscalateTicket{.ticket_id = "t1", .caller = CustomerOf(kNipA)},
                   s.context, s.sealer)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

// An address is in a ticket's CC once, whatever its case: a second add is a conflict, and an
// opening that names one twice mails it once.
TEST_F(TicketTest, AnAddressIsInTheCcOnce) {
  GivenOpenTicket();  // with ops@example.pl
  auto again = Decide(s.model, AddCcOf("t1", "OPS@Example.pl"), s.context, s.sealer);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  OpenTicket twice = OpenCommand("t2");
  twice.cc = {EmailOf("a@example.pl"), EmailOf("b@example.pl"), EmailOf("A@example.pl")};
  twice.cc_email_indexes = {IndexOf("a@example.pl"), IndexOf("b@example.pl"),
                            IndexOf("A@example.pl")};
  auto opened = Decide(s.model, twice, s.context, s.sealer, testing::DueInAnHour);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  const auto& cc = (*opened)[0].ticket_opened().cc();
  ASSERT_EQ(cc.size(), 2);
  EXPECT_EQ(Unsealed(cc[0]), "a@example.pl");
  EXPECT_EQ(Unsealed(cc[1]), "b@example.pl");
}

// Events from before CC addresses had data subjects (TicketOpened without cc_account_ids, CcAdded
// without subject_id, each address sealed with the opener's key) replay as they did: the ticket's
// CC entries have no subject (""), its mails still go to every address and name no CC subject,
// and an address already there is still found by opening it.
TEST_F(TicketTest, CcEntriesFromBeforeSubjectsReplayAsBefore) {
  OpenTicket command = OpenCommand("t9");
  command.cc.clear();
  command.cc_email_indexes.clear();
  auto opening = Decide(s.model, command, s.context, s.sealer, testing::DueInAnHour);
  ASSERT_TRUE(opening.ok()) << opening.status().ToString();
  *(*opening)[0].mutable_ticket_opened()->add_cc() = *s.sealer.Seal("alice", "old@example.pl");
  s.Given(*opening);
  v1::Envelope added;
  added.set_stream(TicketStream("t9"));
  added.set_stream_version(2);
  added.mutable_cc_added()->set_ticket_id("t9");
  *added.mutable_cc_added()->mutable_email() = *s.sealer.Seal("alice", "later@example.pl");
  s.Given({added});
  EXPECT_EQ(Ticket("t9").cc.size(), 2u);
  EXPECT_EQ(Ticket("t9").cc_subjects, (std::vector<std::string>{"", ""}));

  auto changed = Decide(
      s.model,
      ChangeStatus{.ticket_id = "t9", .caller = Engineer(), .status = v1::TICKET_STATUS_RESOLVED},
      s.context, s.sealer);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  ASSERT_EQ(changed->size(), 3u);
  const auto& mail = (*changed)[2].email_queued();
  ASSERT_EQ(mail.to_size(), 2);
  EXPECT_EQ(Unsealed(mail.to(0)), "old@example.pl");
  EXPECT_EQ(mail.to(0).key_id(), "key-of-alice");
  EXPECT_EQ(Unsealed(mail.to(1)), "later@example.pl");
  EXPECT_EQ(mail.to_account_ids_size(), 1);
  EXPECT_EQ(mail.cc_account_ids_size(), 0);

  auto again = Decide(s.model, AddCcOf("t9", "OLD@example.pl"), s.context, s.sealer);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  // A new address on the old ticket is a subject like any other.
  auto fresh = Decide(s.model, AddCcOf("t9", "new@example.pl"), s.context, s.sealer);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ((*fresh)[0].cc_added().subject_id(), "contact-cc-t9-2");
  s.Given(*fresh);
  EXPECT_EQ(Ticket("t9").cc_subjects, (std::vector<std::string>{"", "", "contact-cc-t9-2"}));
}

TEST_F(TicketTest, PartnersSeeOnlyWithConsentAndOnlyTheirCustomers) {
  GivenOpenTicket();
  EXPECT_FALSE(CanSee(s.model, PartnerOf("ResellerX"), Ticket()));
  s.Given(Decide(
      s.model, ChangePartnerAccess{.ticket_id = "t1", .caller = CustomerOf(kNipA), .granted = true},
      s.context));
  EXPECT_TRUE(CanSee(s.model, PartnerOf("ResellerX"), Ticket()));
  EXPECT_FALSE(CanSee(s.model, PartnerOf("ResellerY"), Ticket()));
  EXPECT_FALSE(CanSee(s.model, CustomerOf(kNipB, "bob"), Ticket()));
  EXPECT_FALSE(CanSee(s.model, CustomerOf("", "unverified"), Ticket()));
  EXPECT_TRUE(CanSee(s.model, Engineer(), Ticket()));
  // Only the customer gives or withdraws consent.
  EXPECT_EQ(Decide(s.model,
                   ChangePartnerAccess{.ticket_id = "t1", .caller = Engineer(), .granted = false},
                   s.context)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  s.Given(
      Decide(s.model,
             ChangePartnerAccess{.ticket_id = "t1", .caller = CustomerOf(kNipA), .granted = false},
             s.context));
  EXPECT_FALSE(CanSee(s.model, PartnerOf("ResellerX"), Ticket()));
}

TEST_F(TicketTest, AttachmentsGetSafeNamesAndASizeLimit) {
  GivenOpenTicket();
  AddAttachment command{.ticket_id = "t1",
                        .attachment_id = "a1",
                        .caller = CustomerOf(kNipA),
                        .sha256 = std::string(32, '\x01'),
                        .size = 1234,
                        .file_name = "../../etc/passwd",
                        .content_type = "text/plain"};
  auto events = Decide(s.model, command, s.context);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ((*events)[0].attachment_added().file_name(), "passwd");
  command.size = kMaxAttachmentBytes + 1;
  EXPECT_EQ(Decide(s.model, command, s.context).status().code(), StatusCode::kInvalidArgument);
}

TEST(IsMediaTypeTest, TypeSlashSubtypeWithTokenOrQuotedParameters) {
  for (const char* good :
       {"text/plain", "image/png", "application/vnd.ms-excel", "text/plain; charset=utf-8",
        "multipart/mixed;boundary=\"a b\"", "application/octet-stream ; q=1"}) {
    EXPECT_TRUE(IsMediaType(good)) << good;
  }
  for (const char* bad :
       {"", "text", "text/", "/plain", "text/plain;", "text/plain; charset", "text/html\"; x",
        "text/plain\r\nX-Evil: 1", "text/plain; a=\"open", "text/pl ain", "tekst/zażółć"}) {
    EXPECT_FALSE(IsMediaType(bad)) << bad;
  }
  EXPECT_FALSE(IsMediaType("text/" + std::string(300, 'a')));
}

TEST(SafeFileNameTest, KeepsABaseNameOnly) {
  EXPECT_EQ(SafeFileName("../../etc/passwd"), "passwd");
  EXPECT_EQ(SafeFileName("C:\\temp\\log.txt"), "log.txt");
  EXPECT_EQ(SafeFileName("report 2026.pdf"), "report 2026.pdf");
  EXPECT_EQ(SafeFileName("zażółć.txt"), "zażółć.txt");
  EXPECT_EQ(SafeFileName(".."), "attachment");
  EXPECT_EQ(SafeFileName(".hidden"), "hidden");
  EXPECT_EQ(SafeFileName("a\nb\x01.txt"), "a_b_.txt");
  EXPECT_EQ(SafeFileName(""), "attachment");
  const std::string long_name = std::string(300, 'x') + ".log";
  const std::string safe = SafeFileName(long_name);
  EXPECT_EQ(safe.size(), 200u);
  EXPECT_EQ(safe.substr(safe.size() - 4), ".log");
}

TEST(TicketStatusTest, NamesRoundTrip) {
  for (auto status : {v1::TICKET_STATUS_OPEN, v1::TICKET_STATUS_IN_PROGRESS,
                      v1::TICKET_STATUS_WAITING_FOR_CUSTOMER, v1::TICKET_STATUS_RESOLVED,
                      v1::TICKET_STATUS_CLOSED}) {
    EXPECT_EQ(*ParseTicketStatus(TicketStatusName(status)), status);
  }
  EXPECT_FALSE(ParseTicketStatus("Closed").ok());
  EXPECT_EQ(*ParseTicketPriority(""), v1::TICKET_PRIORITY_NORMAL);
  EXPECT_FALSE(ParseTicketPriority("high").ok());
}

}  // namespace
}  // namespace ledgerdesk::domain
