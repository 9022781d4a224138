// Given / When / Then: importing a ticket of the legacy helpdesk (the migrator's load stage).

#include "tests/core/domain/ticket/ticket_test_base.h"

namespace ledgerdesk::domain {
namespace {

using testing::CustomerOf;
using testing::EmailOf;
using testing::Engineer;
using testing::kNipA;
using testing::NumberOf;
using testing::PartnerOf;
using testing::SerialOf;
using testing::TicketTest;
using testing::Unsealed;
using testing::Utc;

ImportedFile FileOf(const std::string& id, const std::string& name) {
  return {.attachment_id = id,
          .sha256 = std::string(32, 'x'),
          .size = 1234,
          .file_name = name,
          .content_type = ""};
}

class ImportTicketTest : public TicketTest {
 protected:
  ImportTicket Command() {
    return {.ticket_id = "legacy-7",
            .number = "LD-L000007",
            .legacy_ticket_id = 7,
            .contract_number = NumberOf("K111111"),
            .serial = SerialOf("FG200"),
            .title = "Drukarka nie działa",
            .status = v1::TICKET_STATUS_WAITING_FOR_CUSTOMER,
            .priority = v1::TICKET_PRIORITY_URGENT,
            .partner_access = true,
            .opened_at = Utc("2018-03-01T08:15:00Z"),
            .cc = {EmailOf("it@firma.pl")},
            .transcript = FileOf("pdf-7", "ticket-7-dialog.pdf"),
            .attachments = {FileOf("att-70", "../../etc/passwd")}};
  }
};

TEST_F(ImportTicketTest, ImportsTheTicketWithItsTranscriptAndAttachments) {
  auto events = Decide(s.model, Command(), s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  for (size_t i = 0; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].stream(), "ticket-legacy-7");
    EXPECT_EQ((*events)[i].stream_version(), i + 1);
  }
  const auto& imported = (*events)[0].ticket_imported();
  EXPECT_EQ(imported.ticket_id(), "legacy-7");
  EXPECT_EQ(imported.number(), "LD-L000007");
  EXPECT_EQ(imported.legacy_ticket_id(), 7);
  EXPECT_EQ(imported.organization_id(), kNipA);
  EXPECT_EQ(imported.contract_number(), "K111111");
  EXPECT_EQ(imported.serial(), "FG200");
  EXPECT_EQ(Unsealed(imported.title()), "Drukarka nie działa");
  EXPECT_EQ(imported.title().key_id(), std::string("key-of-") + kNipA);
  EXPECT_EQ(imported.status(), v1::TICKET_STATUS_WAITING_FOR_CUSTOMER);
  EXPECT_EQ(imported.priority(), v1::TICKET_PRIORITY_URGENT);
  EXPECT_TRUE(imported.partner_access());
  EXPECT_EQ(FromTimestamp(imported.opened_at()), Utc("2018-03-01T08:15:00Z"));
  ASSERT_EQ(imported.cc_size(), 1);
  EXPECT_EQ(Unsealed(imported.cc(0)), "it@firma.pl");
  EXPECT_EQ(imported.transcript_attachment_id(), "pdf-7");

  const auto& transcript = (*events)[1].attachment_added();
  EXPECT_EQ(transcript.attachment_id(), "pdf-7");
  EXPECT_EQ(transcript.file_name(), "ticket-7-dialog.pdf");
  EXPECT_EQ(transcript.content_type(), "application/octet-stream");
  EXPECT_EQ(transcript.subject_id(), kNipA);
  const auto& attachment = (*events)[2].attachment_added();
  EXPECT_EQ(attachment.attachment_id(), "att-70");
  EXPECT_EQ(attachment.file_name(), "passwd");
  EXPECT_EQ(attachment.size(), 1234u);

  s.Given(*events);
  const TicketState& ticket = Ticket("legacy-7");
  EXPECT_EQ(ticket.legacy_ticket_id, 7);
  EXPECT_TRUE(ticket.opened_by.empty());
  EXPECT_EQ(ticket.attachment_ids, (std::set<std::string>{"pdf-7", "att-70"}));
  // The organization's customers see it; another organization's do not.
  EXPECT_TRUE(CanSee(s.model, CustomerOf(kNipA), ticket));
  EXPECT_FALSE(CanSee(s.model, CustomerOf(testing::kNipB, "bob"), ticket));
  EXPECT_TRUE(CanSee(s.model, PartnerOf("ResellerX"), ticket));
}

TEST_F(ImportTicketTest, EachPersonsTextIsSealedWithTheirLegacyContactsKey) {
  auto command = Command();
  command.opened_by = "contact-jan";
  command.cc = {EmailOf("it@firma.pl"), EmailOf("ops@firma.pl"), EmailOf("IT@firma.pl")};
  command.cc_subjects = {"contact-it", "contact-ops", "contact-it"};  // listed twice: kept once
  command.transcript_participants = {"contact-jan", "contact-serwis"};
  command.transcript_source_sha256 = std::string(32, 's');
  command.attachments[0].subject_id = "contact-jan";
  auto events = Decide(s.model, command, s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  const auto& imported = (*events)[0].ticket_imported();
  EXPECT_EQ(imported.opened_by(), "contact-jan");
  EXPECT_EQ(imported.title().key_id(), "key-of-contact-jan");
  ASSERT_EQ(imported.cc_size(), 2);
  EXPECT_EQ(imported.cc(0).key_id(), "key-of-contact-it");
  EXPECT_EQ(Unsealed(imported.cc(1)), "ops@firma.pl");
  EXPECT_EQ(imported.cc(1).key_id(), "key-of-contact-ops");
  EXPECT_EQ(
      std::vector<std::string>(imported.cc_account_ids().begin(), imported.cc_account_ids().end()),
      (std::vector<std::string>{"contact-it", "contact-ops"}));
  // The transcript shows everybody: the organization's, naming its participants and its source.
  const auto& transcript = (*events)[1].attachment_added();
  EXPECT_EQ(transcript.subject_id(), kNipA);
  EXPECT_EQ(std::vector<std::string>(transcript.participant_account_ids().begin(),
                                     transcript.participant_account_ids().end()),
            (std::vector<std::string>{"contact-jan", "contact-serwis"}));
  EXPECT_EQ(transcript.source_sha256(), std::string(32, 's'));
  // An attachment is its author's.
  const auto& attachment = (*events)[2].attachment_added();
  EXPECT_EQ(attachment.subject_id(), "contact-jan");
  EXPECT_TRUE(attachment.participant_account_ids().empty());
  EXPECT_TRUE(attachment.source_sha256().empty());

  auto mismatched = Command();
  mismatched.cc_subjects = {"contact-it", "contact-ops"};  // two subjects, one address
  EXPECT_EQ(Decide(s.model, mismatched, s.context, s.sealer).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ImportTicketTest, ASecondImportOfTheSameRowDecidesNothing) {
  s.Given(Decide(s.model, Command(), s.context, s.sealer));
  auto again = Decide(s.model, Command(), s.context, s.sealer);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->empty());

  auto other_row = Command();
  other_row.legacy_ticket_id = 8;
  EXPECT_EQ(Decide(s.model, other_row, s.context, s.sealer).status().code(),
            StatusCode::kAlreadyExists);
}

TEST_F(ImportTicketTest, AnImportCutShortIsCompletedWithTheSameEventIds) {
  int n = 0;
  s.context.new_id = [&n] { return "id-" + std::to_string(n++); };
  auto full = Decide(s.model, Command(), s.context, s.sealer);
  ASSERT_TRUE(full.ok());
  ASSERT_EQ(full->size(), 3u);
  // Only the first two events reached the log.
  s.Given(std::vector<v1::Envelope>(full->begin(), full->begin() + 2));
  n = 0;
  auto rest = Decide(s.model, Command(), s.context, s.sealer);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].event_id(), (*full)[2].event_id());
  EXPECT_EQ((*rest)[0].stream_version(), 3u);
  EXPECT_EQ((*rest)[0].attachment_added().attachment_id(), "att-70");
  s.Given(*rest);
  EXPECT_EQ(Ticket("legacy-7").attachment_ids, (std::set<std::string>{"pdf-7", "att-70"}));
}

TEST_F(ImportTicketTest, ATicketWithoutADeviceImports) {
  auto command = Command();
  command.serial.reset();
  auto events = Decide(s.model, command, s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ((*events)[0].ticket_imported().serial(), "");
}

TEST_F(ImportTicketTest, TheContractAndSerialMustExist) {
  auto command = Command();
  command.contract_number = NumberOf("K999999");
  EXPECT_EQ(Decide(s.model, command, s.context, s.sealer).status().code(), StatusCode::kNotFound);
  command = Command();
  command.serial = SerialOf("FG300");  // organization B's device
  EXPECT_EQ(Decide(s.model, command, s.context, s.sealer).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ImportTicketTest, RefusesWhatAnImportCannotBe) {
  auto closed = Command();
  closed.status = v1::TICKET_STATUS_CLOSED;
  EXPECT_EQ(Decide(s.model, closed, s.context, s.sealer).status().code(),
            StatusCode::kInvalidArgument);
  auto untitled = Command();
  untitled.title = "  ";
  EXPECT_EQ(Decide(s.model, untitled, s.context, s.sealer).status().code(),
            StatusCode::kInvalidArgument);
  auto no_digest = Command();
  no_digest.attachments[0].sha256.clear();
  EXPECT_EQ(Decide(s.model, no_digest, s.context, s.sealer).status().code(),
            StatusCode::kInvalidArgument);
  auto same_id = Command();
  same_id.attachments[0].attachment_id = "pdf-7";
  EXPECT_EQ(Decide(s.model, same_id, s.context, s.sealer).status().code(),
            StatusCode::kInvalidArgument);
  auto many_cc = Command();
  many_cc.cc.assign(kMaxCcAddresses + 1, EmailOf("a@b.pl"));
  EXPECT_EQ(Decide(s.model, many_cc, s.context, s.sealer).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ImportTicketTest, EngineersAnswerAnImportedTicketAndOnlyCcIsMailed) {
  s.Given(Decide(s.model, Command(), s.context, s.sealer));
  auto events = Decide(
      s.model,
      PostMessage{
          .ticket_id = "legacy-7", .message_id = "m1", .caller = Engineer(), .body = "Sprawdzamy."},
      s.context, s.sealer);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  // No opener to notify and the response was given in the old system: a post and a mail to CC.
  ASSERT_EQ(events->size(), 2u);
  EXPECT_TRUE((*events)[0].has_message_posted());
  EXPECT_TRUE((*events)[1].has_email_queued());
}

}  // namespace
}  // namespace ledgerdesk::domain
