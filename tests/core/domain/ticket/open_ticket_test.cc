// Given / When / Then: opening a ticket.

#include "tests/core/domain/ticket/ticket_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::CustomerOf;
using testing::DueInAnHour;
using testing::EmailOf;
using testing::Engineer;
using testing::IndexOf;
using testing::kNipA;
using testing::kNipB;
using testing::NumberOf;
using testing::SerialOf;
using testing::TicketTest;
using testing::Unsealed;

TEST_F(TicketTest, OpensOnADeviceOfTheCallersContract) {
  auto events = Decide(s.model, OpenCommand(), s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);  // the opening, its number, the CC address's new contact
  const v1::Envelope& envelope = (*events)[0];
  EXPECT_EQ(envelope.stream(), "ticket-t1");
  EXPECT_EQ(envelope.stream_version(), 1u);
  const auto& opened = envelope.ticket_opened();
  EXPECT_EQ(opened.number(), "LD-000001");
  EXPECT_EQ(opened.organization_id(), kNipA);
  EXPECT_EQ(opened.contract_number(), "K111111");
  EXPECT_EQ(opened.serial(), "FG100");
  EXPECT_EQ(opened.opened_by(), "alice");
  EXPECT_EQ(Unsealed(opened.title()), "Firewall reboots");
  EXPECT_EQ(opened.title().key_id(), "key-of-alice");
  ASSERT_EQ(opened.cc_size(), 1);
  EXPECT_EQ(Unsealed(opened.cc(0)), "ops@example.pl");
  EXPECT_EQ(FromTimestamp(opened.response_due_at()), s.context.now + std::chrono::hours(1));
  EXPECT_FALSE(opened.has_urgent_fee());
}

TEST_F(TicketTest, TheNumberIsTakenFromTheSequenceStream) {
  GivenOpenTicket();
  auto events = Decide(s.model, OpenCommand("t2"), s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].ticket_opened().number(), "LD-000002");
  const v1::Envelope& assigned = (*events)[1];
  EXPECT_EQ(assigned.stream(), kTicketNumbersStream);
  EXPECT_EQ(assigned.stream_version(), 2u);
  EXPECT_EQ(assigned.ticket_number_assigned().ticket_id(), "t2");
  EXPECT_EQ(assigned.ticket_number_assigned().number(), "LD-000002");
}

TEST_F(TicketTest, TwoOpensDecidedOnTheSameStateClaimTheSameSequenceVersion) {
  GivenOpenTicket();
  auto second = Decide(s.model, OpenCommand("t2"), s.context, s.sealer, DueInAnHour);
  auto third = Decide(s.model, OpenCommand("t3"), s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(third.ok());
  // The same number, but also the same version of the sequence: only one of them can land (the
  // writer refuses the other with kAborted and the write service decides it again).
  EXPECT_EQ((*second)[1].stream_version(), (*third)[1].stream_version());
  s.Given(*second);
  auto again = Decide(s.model, OpenCommand("t3"), s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].ticket_opened().number(), "LD-000003");
  EXPECT_EQ((*again)[1].stream_version(), 3u);
}

TEST_F(TicketTest, ANumberAnImportedTicketHoldsIsSkipped) {
  GivenOpenTicket();
  v1::Envelope imported;
  imported.set_stream(TicketStream("legacy-7"));
  imported.set_stream_version(1);
  imported.mutable_ticket_imported()->set_ticket_id("legacy-7");
  imported.mutable_ticket_imported()->set_number("LD-000003");
  s.Given({imported});
  auto events = Decide(s.model, OpenCommand("t2"), s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[0].ticket_opened().number(), "LD-000004");
}

TEST_F(TicketTest, PersonalTextNeverLeavesUnsealed) {
  auto events = Decide(s.model, OpenCommand(), s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(events.ok());
  const std::string bytes = (*events)[0].ticket_opened().SerializeAsString();
  // Everything personal went through the sealer (whose marker it carries).
  EXPECT_NE(bytes.find("sealed:It reboots"), std::string::npos);
  EXPECT_EQ(bytes.find("ops@example.pl"), bytes.find("sealed:ops@example.pl") + 7);
}

TEST_F(TicketTest, AnUrgentTicketRecordsTheFee) {
  auto command = OpenCommand();
  command.priority = v1::TICKET_PRIORITY_URGENT;
  auto events = Decide(s.model, command, s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[0].ticket_opened().urgent_fee().minor_units(), kUrgentFeeGrosze);
}

TEST_F(TicketTest, OnlyVerifiedCustomersOpen) {
  auto unverified = OpenCommand();
  unverified.caller = CustomerOf("");
  EXPECT_EQ(Decide(s.model, unverified, s.context, s.sealer, DueInAnHour).status().code(),
            StatusCode::kPermissionDenied);
  auto engineer = OpenCommand();
  engineer.caller = Engineer();
  EXPECT_EQ(Decide(s.model, engineer, s.context, s.sealer, DueInAnHour).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(TicketTest, AnotherOrganizationsContractIsNotFound) {
  auto command = OpenCommand();
  command.contract_number = NumberOf("K222222");
  command.serial = SerialOf("FG300");
  EXPECT_EQ(Decide(s.model, command, s.context, s.sealer, DueInAnHour).status().code(),
            StatusCode::kNotFound);
  command.caller = CustomerOf(kNipB, "bob");
  EXPECT_TRUE(Decide(s.model, command, s.context, s.sealer, DueInAnHour).ok());
}

TEST_F(TicketTest, TheSerialMustBeOnThatContract) {
  auto command = OpenCommand();
  command.serial = SerialOf("FG300");
  auto refused = Decide(s.model, command, s.context, s.sealer, DueInAnHour);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("FG300"), std::string::npos);
}

TEST_F(TicketTest, TheContractMustBeActiveInWarsawToday) {
  // 2026-12-31T23:30Z is already 2027-01-01 in Warsaw: the contract has ended.
  s.At("2026-12-31T22:30:00Z");
  EXPECT_TRUE(Decide(s.model, OpenCommand(), s.context, s.sealer, DueInAnHour).ok());
  s.At("2026-12-31T23:30:00Z");
  auto ended = Decide(s.model, OpenCommand(), s.context, s.sealer, DueInAnHour);
  EXPECT_EQ(ended.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(ended.status().message().find("2026-12-31"), std::string::npos);
}

TEST_F(TicketTest, TitleAndDescriptionAreRequired) {
  auto no_title = OpenCommand();
  no_title.title = "   ";
  auto refused = Decide(s.model, no_title, s.context, s.sealer, DueInAnHour);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("title"), std::string::npos);
  auto no_description = OpenCommand();
  no_description.description = "";
  EXPECT_EQ(Decide(s.model, no_description, s.context, s.sealer, DueInAnHour).status().code(),
            StatusCode::kInvalidArgument);
  auto long_title = OpenCommand();
  long_title.title = std::string(kMaxTitleLength + 1, 'x');
  EXPECT_EQ(Decide(s.model, long_title, s.context, s.sealer, DueInAnHour).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(TicketTest, TheModelKnowsTheOpenedTicket) {
  GivenOpenTicket();
  const TicketState& ticket = Ticket();
  EXPECT_EQ(ticket.status, v1::TICKET_STATUS_OPEN);
  EXPECT_EQ(ticket.cc.size(), 1u);
  EXPECT_EQ(ticket.response_due_at, s.context.now + std::chrono::hours(1));
  EXPECT_FALSE(ticket.responded_at.has_value());
}

// Every CC address is a data subject: one nobody is yet becomes a contact of its own, made known
// (key, keyed hash, sealed address) after the opening that names it.
TEST_F(TicketTest, AnUnknownCcAddressBecomesAContactOfItsOwn) {
  auto command = OpenCommand();
  command.cc = {EmailOf("ops@example.pl"), EmailOf("Boss@Example.pl")};
  command.cc_email_indexes = {IndexOf("ops@example.pl"), IndexOf("Boss@Example.pl")};
  auto events = Decide(s.model, command, s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 4u);
  const auto& opened = (*events)[0].ticket_opened();
  ASSERT_EQ(opened.cc_size(), 2);
  ASSERT_EQ(opened.cc_account_ids_size(), 2);
  EXPECT_EQ(opened.cc_account_ids(0), "contact-cc-t1-0");
  EXPECT_EQ(opened.cc_account_ids(1), "contact-cc-t1-1");
  EXPECT_EQ(opened.cc(0).key_id(), "key-of-contact-cc-t1-0");  // not the opener's
  EXPECT_EQ(opened.cc(1).key_id(), "key-of-contact-cc-t1-1");
  EXPECT_EQ(opened.title().key_id(), "key-of-alice");  // the opener's own text stays hers
  for (int i = 0; i < 2; ++i) {
    const v1::Envelope& made = (*events)[2 + i];
    const std::string contact = opened.cc_account_ids(i);
    EXPECT_EQ(made.stream(), SubjectStream(contact));
    EXPECT_EQ(made.stream_version(), 1u);
    const auto& created = made.subject_key_created();
    EXPECT_EQ(created.subject_id(), contact);
    EXPECT_EQ(created.email_index(), command.cc_email_indexes[i]);
    EXPECT_EQ(Unsealed(created.email()), Unsealed(opened.cc(i)));
    EXPECT_EQ(created.email().key_id(), "key-of-" + contact);
    EXPECT_EQ(created.key_id(), created.email().key_id());
  }
  s.Given(*events);
  EXPECT_EQ(Ticket().cc_subjects, (std::vector<std::string>{"contact-cc-t1-0", "contact-cc-t1-1"}));
  ASSERT_NE(s.model.FindSubjectByEmailIndex(IndexOf("boss@example.pl")), nullptr);
  EXPECT_EQ(*s.model.FindSubjectByEmailIndex(IndexOf("boss@example.pl")), "contact-cc-t1-1");
}

TEST_F(TicketTest, ACcThatIsAnAccountsConfirmedAddressIsSealedWithThatAccountsKey) {
  GivenAccount("carol", "carol@example.pl", /*confirmed=*/true);
  auto command = OpenCommand();
  command.cc = {EmailOf("Carol@Example.pl")};
  command.cc_email_indexes = {IndexOf("Carol@Example.pl")};
  auto events = Decide(s.model, command, s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);  // no contact: she is someone already
  const auto& opened = (*events)[0].ticket_opened();
  ASSERT_EQ(opened.cc_account_ids_size(), 1);
  EXPECT_EQ(opened.cc_account_ids(0), "carol");
  EXPECT_EQ(opened.cc(0).key_id(), "key-of-carol");
  EXPECT_EQ(Unsealed(opened.cc(0)), "Carol@example.pl");  // as typed: it is what is mailed
}

// Anyone may register an address they do not own: until it is confirmed, the address in a CC is
// not that account's (its key must not hold a stranger's data), but a contact's.
TEST_F(TicketTest, AnUnconfirmedAccountsAddressInACcIsAContactOfItsOwn) {
  GivenAccount("mallory", "ops@example.pl", /*confirmed=*/false);
  auto events = Decide(s.model, OpenCommand(), s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].ticket_opened().cc_account_ids(0), "contact-cc-t1-0");
  EXPECT_TRUE((*events)[2].has_subject_key_created());
}

TEST_F(TicketTest, ASecondTicketNamingTheAddressReusesItsContactInAnySpelling) {
  GivenOpenTicket();  // ops@example.pl: contact-cc-t1-0
  auto command = OpenCommand("t2");
  command.cc = {EmailOf("OPS@Example.PL")};
  command.cc_email_indexes = {IndexOf("OPS@Example.PL")};
  auto events = Decide(s.model, command, s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);  // no second contact
  const auto& opened = (*events)[0].ticket_opened();
  ASSERT_EQ(opened.cc_account_ids_size(), 1);
  EXPECT_EQ(opened.cc_account_ids(0), "contact-cc-t1-0");
  EXPECT_EQ(opened.cc(0).key_id(), "key-of-contact-cc-t1-0");
  // An address the opening names twice is one CC entry and one contact.
  command = OpenCommand("t3");
  command.cc = {EmailOf("new@example.pl"), EmailOf("NEW@example.pl")};
  command.cc_email_indexes = {IndexOf("new@example.pl"), IndexOf("NEW@example.pl")};
  auto twice = Decide(s.model, command, s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(twice.ok()) << twice.status().ToString();
  ASSERT_EQ(twice->size(), 3u);
  EXPECT_EQ((*twice)[0].ticket_opened().cc_account_ids_size(), 1);
  EXPECT_EQ((*twice)[2].subject_key_created().subject_id(), "contact-cc-t3-0");
}

// An erased contact's key is gone: a later CC of the address is a new contact (with a new key),
// never the erased one.
TEST_F(TicketTest, AnErasedContactIsNotUsedAgain) {
  GivenOpenTicket();
  GivenErased("contact-cc-t1-0");
  EXPECT_EQ(s.model.FindSubjectByEmailIndex(IndexOf("ops@example.pl")), nullptr);
  auto events = Decide(s.model, OpenCommand("t2"), s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].ticket_opened().cc_account_ids(0), "contact-cc-t2-0");
  EXPECT_EQ((*events)[0].ticket_opened().cc(0).key_id(), "key-of-contact-cc-t2-0");
  EXPECT_EQ((*events)[2].subject_key_created().subject_id(), "contact-cc-t2-0");
  s.Given(*events);
  EXPECT_EQ(*s.model.FindSubjectByEmailIndex(IndexOf("ops@example.pl")), "contact-cc-t2-0");
  ASSERT_NE(s.model.FindErasedContactKey("contact-cc-t1-0"), nullptr);
  EXPECT_EQ(*s.model.FindErasedContactKey("contact-cc-t1-0"), "key-of-contact-cc-t1-0");
  EXPECT_EQ(s.model.FindErasedContactKey("contact-cc-t2-0"), nullptr);
}

TEST_F(TicketTest, EachCcAddressNeedsItsIndex) {
  auto command = OpenCommand();
  command.cc_email_indexes.clear();
  EXPECT_EQ(Decide(s.model, command, s.context, s.sealer, DueInAnHour).status().code(),
            StatusCode::kInternal);
  command.cc_email_indexes = {""};
  EXPECT_EQ(Decide(s.model, command, s.context, s.sealer, DueInAnHour).status().code(),
            StatusCode::kInternal);
}

}  // namespace
}  // namespace ledgerdesk::domain
