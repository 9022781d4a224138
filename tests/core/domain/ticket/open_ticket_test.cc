// Given / When / Then: opening a ticket.

#include "tests/core/domain/ticket/ticket_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::CustomerOf;
using testing::DueInAnHour;
using testing::Engineer;
using testing::kNipA;
using testing::kNipB;
using testing::NumberOf;
using testing::SerialOf;
using testing::TicketTest;
using testing::Unsealed;

TEST_F(TicketTest, OpensOnADeviceOfTheCallersContract) {
  auto events = Decide(s.model, OpenCommand(), s.context, s.sealer, DueInAnHour);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
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

}  // namespace
}  // namespace ledgerdesk::domain
