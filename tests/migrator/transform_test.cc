#include "migrator/transform.h"

#include <gtest/gtest.h>

#include "core/domain/dates.h"

namespace ledgerdesk::migrator {
namespace {

using std::chrono::system_clock;

const v1::Date kAsOf = domain::MakeDate(2026, 11, 22);

LegacyCustomer Customer(std::string nip, int64_t id = 1) {
  return {.id = id, .nip = std::move(nip), .name = "Acme Sp. z o.o.", .partner_name = "Reseller"};
}

LegacyContract Contract(int64_t id = 10, std::string number = "K123456",
                        std::string status = "active", std::string ends_on = "2027-12-31") {
  return {.id = id,
          .number = std::move(number),
          .customer_id = 1,
          .package = "SOS",
          .support_window = "24x7",
          .replacement = "NBD",
          .starts_on = "2024-01-01",
          .ends_on = std::move(ends_on),
          .status = std::move(status)};
}

LegacyContractItem Item(int64_t id, std::string serial, int64_t contract_id = 10,
                        std::string kind = "device") {
  return {.id = id, .contract_id = contract_id, .serial = std::move(serial), .kind = kind};
}

// ---- customers ------------------------------------------------------------------------------

TEST(TransformCustomerTest, NipInEveryTypedForm) {
  for (const char* typed : {"5260250274", "526-025-02-74", "PL 5260250274", "pl5260250274",
                            " 526 025 02 74 ", "PL-526-025-02-74"}) {
    const auto out = TransformCustomer(Customer(typed));
    ASSERT_TRUE(out.moved()) << typed;
    EXPECT_EQ(out.value().nip.value(), "5260250274") << typed;
    EXPECT_EQ(out.value().partner_name, "Reseller");
  }
}

TEST(TransformCustomerTest, ChecksumFailsIsQuarantined) {
  const auto out = TransformCustomer(Customer("5260250275"));
  ASSERT_NE(out.quarantined(), nullptr);
  EXPECT_EQ(out.quarantined()->reason, "invalid_nip");
  EXPECT_EQ(out.quarantined()->detail, "checksum fails");
}

TEST(TransformCustomerTest, WrongLengthIsQuarantined) {
  for (const char* typed : {"526025027", "52602502740", "", "PL", "526O250274", "n/a"}) {
    const auto out = TransformCustomer(Customer(typed));
    ASSERT_NE(out.quarantined(), nullptr) << typed;
    EXPECT_EQ(out.quarantined()->reason, "invalid_nip");
    EXPECT_EQ(out.quarantined()->detail, "wrong length") << typed;
  }
}

TEST(TransformCustomerTest, Windows1250NameIsDecoded) {
  LegacyCustomer row = Customer("5260250274");
  row.name =
      "\xA3\xF3"
      "d\x9F SA";
  EXPECT_EQ(TransformCustomer(row).value().name, "Łódź SA");
}

TEST(TransformCustomerTest, AnOverlongPartnerNameIsDroppedWithAWarningNotTheCustomer) {
  LegacyCustomer row = Customer("5260250274");
  row.partner_name = std::string(201, 'x');
  const auto out = TransformCustomer(row);
  ASSERT_TRUE(out.moved());
  EXPECT_EQ(out.value().partner_name, "");
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_EQ(out.warnings[0].table, "customers");
  EXPECT_EQ(out.warnings[0].reason, "partner_name_too_long");
  row.partner_name = std::string(200, 'x');
  EXPECT_EQ(TransformCustomer(row).value().partner_name.size(), 200u);
}

// ---- contracts ------------------------------------------------------------------------------

Outcome<MovedCustomer> Owner() { return TransformCustomer(Customer("5260250274")); }

TEST(TransformContractTest, ActiveContractMovesWithTermsItemsAndLegacyId) {
  const auto owner = Owner();
  const auto out =
      TransformContract(Contract(10, "  k123456 "), &owner,
                        {Item(1, "(H)-FG1234567890"), Item(2, "(H)FG0000000002"),
                         Item(3, "AB12-CD34-EF56-GH78", 10, "licence"), Item(4, "  FG3 ")},
                        kAsOf);
  ASSERT_TRUE(out.moved());
  const domain::RegisterContract& c = out.value().command;
  EXPECT_EQ(c.number.value(), "K123456");
  EXPECT_EQ(c.nip.value(), "5260250274");
  EXPECT_EQ(c.legacy_contract_id, 10);
  EXPECT_EQ(c.package, v1::SERVICE_PACKAGE_SOS);
  EXPECT_EQ(c.support_window, v1::SUPPORT_WINDOW_24X7);
  EXPECT_EQ(c.replacement, v1::REPLACEMENT_NBD);
  EXPECT_EQ(domain::FormatDate(c.starts_on), "2024-01-01");
  EXPECT_EQ(domain::FormatDate(c.ends_on), "2027-12-31");
  EXPECT_EQ(c.organization_name, "Acme Sp. z o.o.");
  EXPECT_EQ(c.partner_name, "Reseller");
  ASSERT_EQ(c.items.size(), 4u);
  EXPECT_EQ(c.items[0].serial.value(), "FG1234567890");
  EXPECT_EQ(c.items[1].serial.value(), "FG0000000002");
  EXPECT_EQ(c.items[2].serial.value(), "AB12-CD34-EF56-GH78");
  EXPECT_EQ(c.items[2].kind, v1::ITEM_KIND_LICENCE);
  EXPECT_EQ(c.items[3].serial.value(), "FG3");
  EXPECT_EQ(out.value().fate.kind, ContractFate::Kind::kMoved);
  EXPECT_EQ(out.value().fate.organization_id, "5260250274");
  EXPECT_EQ(out.value().fate.items.at(1)->value(), "FG1234567890");
  EXPECT_TRUE(out.warnings.empty());
}

TEST(TransformContractTest, InvalidNumberIsQuarantined) {
  const auto owner = Owner();
  for (const char* number : {"K12345", "KK123456", "123456", "K 123456", ""}) {
    const auto out = TransformContract(Contract(10, number), &owner, {Item(1, "FG1")}, kAsOf);
    ASSERT_NE(out.quarantined(), nullptr) << number;
    EXPECT_EQ(out.quarantined()->reason, "invalid_number");
  }
}

TEST(TransformContractTest, ExpiredCancelledAndPastEndAreDropped) {
  const auto owner = Owner();
  EXPECT_EQ(TransformContract(Contract(10, "K123456", "expired"), &owner, {Item(1, "A")}, kAsOf)
                .dropped()
                ->reason,
            "expired");
  EXPECT_EQ(TransformContract(Contract(10, "K123456", "cancelled"), &owner, {Item(1, "A")}, kAsOf)
                .dropped()
                ->reason,
            "cancelled");
  EXPECT_EQ(TransformContract(Contract(10, "K123456", "active", "2026-11-21"), &owner,
                              {Item(1, "A")}, kAsOf)
                .dropped()
                ->reason,
            "past_end");
  // ends_on is inclusive: a contract ending on the migration date still moves.
  EXPECT_TRUE(TransformContract(Contract(10, "K123456", "active", "2026-11-22"), &owner,
                                {Item(1, "A")}, kAsOf)
                  .moved());
}

TEST(TransformContractTest, ContractOfQuarantinedCustomerIsQuarantined) {
  const auto owner = TransformCustomer(Customer("5260250275"));
  const auto out = TransformContract(Contract(), &owner, {Item(1, "A")}, kAsOf);
  ASSERT_NE(out.quarantined(), nullptr);
  EXPECT_EQ(out.quarantined()->reason, "customer_quarantined");
  EXPECT_EQ(TransformContract(Contract(), nullptr, {Item(1, "A")}, kAsOf).quarantined()->reason,
            "customer_quarantined");
}

TEST(TransformContractTest, BadTermsItemsAndStatusAreQuarantined) {
  const auto owner = Owner();
  LegacyContract bad_package = Contract();
  bad_package.package = "GOLD";
  EXPECT_EQ(TransformContract(bad_package, &owner, {Item(1, "A")}, kAsOf).quarantined()->reason,
            "invalid_terms");
  LegacyContract unknown = Contract(10, "K123456", "suspended");
  EXPECT_EQ(TransformContract(unknown, &owner, {Item(1, "A")}, kAsOf).quarantined()->reason,
            "invalid_status");
  EXPECT_EQ(TransformContract(Contract(), &owner, {}, kAsOf).quarantined()->reason, "no_items");
  EXPECT_EQ(TransformContract(Contract(), &owner, {Item(1, "(H)-")}, kAsOf).quarantined()->reason,
            "invalid_serial");
}

TEST(TransformContractTest, SameSerialTwiceInOneContractIsMergedWithAWarning) {
  const auto owner = Owner();
  const auto out =
      TransformContract(Contract(), &owner, {Item(1, "(H)-FG1"), Item(2, "FG1")}, kAsOf);
  ASSERT_TRUE(out.moved());
  EXPECT_EQ(out.value().command.items.size(), 1u);
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_EQ(out.warnings[0].table, "contract_items");
  EXPECT_EQ(out.warnings[0].id, 2);
  EXPECT_EQ(out.warnings[0].reason, "duplicate_serial_in_contract");
  // A ticket on the second row still finds the device.
  EXPECT_EQ(out.value().fate.items.at(2)->value(), "FG1");
}

TEST(DuplicateSerialsTest, SameSerialOnActiveContractsOfTwoOrganizationsReportsBoth) {
  DuplicateSerials duplicates;
  duplicates.Add(Item(1, "(H)-FG1", 10), "K000010", "5260250274");
  duplicates.Add(Item(2, "FG2", 10), "K000010", "5260250274");
  duplicates.Add(Item(7, "FG1", 20), "K000020", "1234563218");
  const auto entries = duplicates.Entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].id, 1);
  EXPECT_EQ(entries[1].id, 7);
  for (const auto& e : entries) {
    EXPECT_EQ(e.table, "contract_items");
    EXPECT_EQ(e.reason, "duplicate_serial");
    EXPECT_NE(e.detail.find("another organization"), std::string::npos) << e.detail;
  }
  EXPECT_NE(entries[0].detail.find("K000020"), std::string::npos);
  EXPECT_EQ(duplicates.ItemIds(), (std::set<int64_t>{1, 7}));

  // The contracts move without the duplicated item; one left with no item is quarantined.
  const auto owner = Owner();
  const auto first =
      TransformContract(Contract(10, "K000010"), &owner,
                        {Item(1, "(H)-FG1", 10), Item(2, "FG2", 10)}, kAsOf, duplicates.ItemIds());
  ASSERT_TRUE(first.moved());
  ASSERT_EQ(first.value().command.items.size(), 1u);
  EXPECT_EQ(first.value().command.items[0].serial.value(), "FG2");
  EXPECT_FALSE(first.value().fate.items.at(1).has_value());
  EXPECT_EQ(TransformContract(Contract(20, "K000020"), &owner, {Item(7, "FG1", 20)}, kAsOf,
                              duplicates.ItemIds())
                .quarantined()
                ->reason,
            "no_items");
}

TEST(DuplicateSerialsTest, ActiveFilterForTheFirstPass) {
  EXPECT_TRUE(ContractIsActive(Contract(), kAsOf));
  EXPECT_FALSE(ContractIsActive(Contract(10, "K1", "expired"), kAsOf));
  EXPECT_FALSE(ContractIsActive(Contract(10, "K1", "active", "2020-01-01"), kAsOf));
}

// ---- tickets --------------------------------------------------------------------------------

ContractFate MovedFate() {
  const auto owner = Owner();
  auto contract =
      TransformContract(Contract(), &owner, {Item(1, "(H)-FG1"), Item(2, "FG2")}, kAsOf);
  return contract.value().fate;
}

LegacyTicket Ticket(std::string status = "open", std::optional<int64_t> item = 1) {
  return {.id = 31,
          .contract_id = 10,
          .item_id = item,
          .title = "Printer on fire",
          .status = std::move(status),
          .priority = std::nullopt,
          .partner_access = std::nullopt,
          .opened_by = "jan@example.com",
          .opened_at = "2025-07-01 12:00:00"};
}

TEST(TransformTicketTest, StatusMapping) {
  const ContractFate fate = MovedFate();
  EXPECT_EQ(TransformTicket(Ticket("new"), fate).value().status, v1::TICKET_STATUS_OPEN);
  EXPECT_EQ(TransformTicket(Ticket("open"), fate).value().status, v1::TICKET_STATUS_OPEN);
  EXPECT_EQ(TransformTicket(Ticket("waiting"), fate).value().status,
            v1::TICKET_STATUS_WAITING_FOR_CUSTOMER);
  EXPECT_EQ(TransformTicket(Ticket("closed"), fate).dropped()->reason, "closed");
  EXPECT_EQ(TransformTicket(Ticket("pending"), fate).quarantined()->reason, "invalid_status");
}

TEST(TransformTicketTest, KeepsTitleOpeningTimeDevicePriorityAndPartnerAccess) {
  LegacyTicket row = Ticket();
  row.priority = "urgent";
  row.partner_access = 1;
  const auto out = TransformTicket(row, MovedFate());
  ASSERT_TRUE(out.moved());
  const TicketImport& t = out.value();
  EXPECT_EQ(t.legacy_ticket_id, 31);
  EXPECT_EQ(t.title, "Printer on fire");
  EXPECT_EQ(t.contract_number.value(), "K123456");
  EXPECT_EQ(t.organization_id, "5260250274");
  ASSERT_TRUE(t.serial.has_value());
  EXPECT_EQ(t.serial->value(), "FG1");
  EXPECT_EQ(t.priority, v1::TICKET_PRIORITY_URGENT);
  EXPECT_TRUE(t.partner_access);
  // 12:00 in Warsaw in July (CEST) is 10:00 UTC.
  EXPECT_EQ(t.opened_at,
            std::chrono::sys_days(std::chrono::year(2025) / 7 / 1) + std::chrono::hours(10));
  EXPECT_EQ(t.ticket_id, LegacyEventId("tickets", 31, 0));
  EXPECT_EQ(t.transcript.legacy_ticket_id, 31);
  EXPECT_EQ(t.transcript.serial, "FG1");
  EXPECT_EQ(t.transcript.contract_number, "K123456");
  EXPECT_TRUE(out.warnings.empty());
}

TEST(TransformTicketTest, NullPriorityIsNormalAndNullPartnerAccessIsNotGranted) {
  LegacyTicket row = Ticket();
  const auto out = TransformTicket(row, MovedFate());
  EXPECT_EQ(out.value().priority, v1::TICKET_PRIORITY_NORMAL);
  EXPECT_FALSE(out.value().partner_access);
  row.partner_access = 0;
  row.priority = "normal";
  EXPECT_FALSE(TransformTicket(row, MovedFate()).value().partner_access);
  row.priority = "blocker";
  const auto odd = TransformTicket(row, MovedFate());
  EXPECT_EQ(odd.value().priority, v1::TICKET_PRIORITY_NORMAL);
  EXPECT_EQ(odd.warnings.at(0).reason, "unknown_priority");
}

TEST(TransformTicketTest, NullOrForeignItemMovesWithoutADeviceAndIsReported) {
  const auto no_item = TransformTicket(Ticket("open", std::nullopt), MovedFate());
  ASSERT_TRUE(no_item.moved());
  EXPECT_FALSE(no_item.value().serial.has_value());
  ASSERT_EQ(no_item.warnings.size(), 1u);
  EXPECT_EQ(no_item.warnings[0],
            (ReportEntry{"tickets", 31, "no_item", "item_id is NULL: moved without a device"}));

  const auto foreign = TransformTicket(Ticket("open", 99), MovedFate());
  ASSERT_TRUE(foreign.moved());
  EXPECT_FALSE(foreign.value().serial.has_value());
  EXPECT_EQ(foreign.warnings.at(0).reason, "item_of_other_contract");
  EXPECT_EQ(foreign.value().transcript.serial, "");
}

TEST(TransformTicketTest, TicketsOfContractsThatDoNotMove) {
  ContractFate dropped;
  dropped.kind = ContractFate::Kind::kDropped;
  EXPECT_EQ(TransformTicket(Ticket(), dropped).dropped()->reason, "contract_not_moved");
  EXPECT_EQ(TransformTicket(Ticket("closed"), dropped).dropped()->reason, "closed");
  ContractFate quarantined;
  quarantined.kind = ContractFate::Kind::kQuarantined;
  EXPECT_EQ(TransformTicket(Ticket(), quarantined).quarantined()->reason, "contract_quarantined");
}

TEST(TransformTicketTest, InvalidOpeningTimeIsQuarantined) {
  LegacyTicket row = Ticket();
  row.opened_at = "yesterday";
  EXPECT_EQ(TransformTicket(row, MovedFate()).quarantined()->reason, "invalid_opened_at");
}

TEST(TransformTicketTest, InvalidCcAddressesAreReportedNotMoved) {
  auto t = TransformTicket(Ticket(), MovedFate()).value();
  const auto warnings = AddCcs(t, {{31, "anna@example.com"},
                                   {31, "not-an-address"},
                                   {31, " Anna@EXAMPLE.com "},
                                   {31, "piotr@example.pl"},
                                   {31, "a b@example.com"}});
  ASSERT_EQ(t.cc.size(), 2u);
  EXPECT_EQ(t.cc[0].value(), "anna@example.com");
  EXPECT_EQ(t.cc[1].value(), "piotr@example.pl");
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(warnings[0].table, "ticket_cc");
  EXPECT_EQ(warnings[0].id, 31);
  EXPECT_EQ(warnings[0].reason, "invalid_cc");
  EXPECT_NE(warnings[0].detail.find("not-an-address"), std::string::npos);
  EXPECT_EQ(warnings[1].reason, "duplicate_cc");
  EXPECT_EQ(warnings[2].reason, "invalid_cc");
}

TEST(TransformTicketTest, MessagesBecomeTheTranscriptWithDecodedBodiesAndSafeAttachments) {
  auto t = TransformTicket(Ticket(), MovedFate()).value();
  const LegacyMessage customer{.id = 100,
                               .ticket_id = 31,
                               .author_name = "Jan Kowalski",
                               .author_email = "jan@example.com",
                               .from_staff = false,
                               .body = "Drukarka si\xEA pali, \xBF\xF3\xB3w.\nP\xF8\xEDli\x9A",
                               .sent_at = "2018-01-15 09:30:00"};
  const LegacyMessage engineer{.id = 101,
                               .ticket_id = 31,
                               .author_email = "eng@vendor.pl",
                               .from_staff = true,
                               .body = "Już jadę — ąćęłńóśźż",
                               .sent_at = "garbage"};
  auto warnings = AddMessage(
      t, customer,
      {{.id = 5, .message_id = 100, .filename = "../../etc/passwd"},
       {.id = 6, .message_id = 100, .filename = "C:\\temp\\log.txt", .content_type = "text/plain"},
       {.id = 7, .message_id = 100, .filename = "photo.jpg"}});
  const auto more = AddMessage(t, engineer, {});
  warnings.insert(warnings.end(), more.begin(), more.end());

  ASSERT_EQ(t.transcript.messages.size(), 2u);
  const auto& m0 = t.transcript.messages[0];
  EXPECT_EQ(m0.author, "Jan Kowalski");
  EXPECT_EQ(m0.role, pdfexport::Role::kCustomer);
  EXPECT_EQ(m0.body, "Drukarka się pali, żółw.\nPříliš");
  // 09:30 in Warsaw in January (CET) is 08:30 UTC.
  EXPECT_EQ(m0.sent_at, std::chrono::sys_days(std::chrono::year(2018) / 1 / 15) +
                            std::chrono::hours(8) + std::chrono::minutes(30));
  EXPECT_EQ(m0.attachment_names, (std::vector<std::string>{"passwd", "log.txt", "photo.jpg"}));
  const auto& m1 = t.transcript.messages[1];
  EXPECT_EQ(m1.author, "eng@vendor.pl");
  EXPECT_EQ(m1.role, pdfexport::Role::kEngineer);
  EXPECT_EQ(m1.body, "Już jadę — ąćęłńóśźż");
  EXPECT_EQ(m1.sent_at, t.opened_at);

  ASSERT_EQ(t.attachments.size(), 3u);
  EXPECT_EQ(t.attachments[0].file_name, "passwd");
  EXPECT_EQ(t.attachments[0].content_type, "application/octet-stream");
  EXPECT_EQ(t.attachments[1].content_type, "text/plain");
  EXPECT_EQ(t.attachments[1].attachment_id, LegacyEventId("ticket_attachments", 6, 0));
  EXPECT_EQ(t.attachments[2].legacy_message_id, 100);

  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(warnings[0], (ReportEntry{"ticket_attachments", 5, "unsafe_file_name",
                                      "'../../etc/passwd' -> 'passwd'"}));
  EXPECT_EQ(warnings[1].id, 6);
  EXPECT_EQ(warnings[2], (ReportEntry{"ticket_messages", 101, "invalid_sent_at",
                                      "'garbage': the ticket's opening time is shown"}));
}

TEST(TransformTicketTest, AContentTypeThatIsNoMediaTypeMovesAsOctetStreamWithAWarning) {
  TicketImport t = TransformTicket(Ticket(), MovedFate()).value();
  const LegacyMessage message{.id = 100,
                              .ticket_id = 31,
                              .from_staff = false,
                              .body = "x",
                              .sent_at = "2018-01-15 09:30:00"};
  const auto warnings = AddMessage(
      t, message,
      {{.id = 8,
        .message_id = 100,
        .filename = "a.txt",
        .content_type = "text/plain\r\nSet-Cookie: injected=1"},
       {.id = 9, .message_id = 100, .filename = "b.txt", .content_type = "  text/plain  "},
       {.id = 10,
        .message_id = 100,
        .filename = "raport_\xB3\xF3"
                    "d\x9F.txt",  // windows-1250
        .content_type = "garbage"}});
  ASSERT_EQ(t.attachments.size(), 3u);
  EXPECT_EQ(t.attachments[0].content_type, "application/octet-stream");
  EXPECT_EQ(t.attachments[1].content_type, "text/plain");
  EXPECT_EQ(t.attachments[2].content_type, "application/octet-stream");
  EXPECT_EQ(t.attachments[2].file_name, "raport_łódź.txt");
  // A name that is only re-encoded is no unsafe name.
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].id, 8);
  EXPECT_EQ(warnings[0].reason, "invalid_content_type");
  EXPECT_EQ(warnings[1].id, 10);
  EXPECT_EQ(warnings[1].reason, "invalid_content_type");
}

TEST(TransformTicketTest, AnOverlongTitleIsShortenedAtACharacterAndTheTranscriptKeepsItWhole) {
  LegacyTicket row = Ticket();
  std::string title;
  for (int i = 0; i < 150; ++i) title += "ą";  // two bytes each
  row.title = title;
  const auto out = TransformTicket(row, MovedFate());
  ASSERT_TRUE(out.moved());
  const std::string& moved = out.value().title;
  EXPECT_LE(moved.size(), 200u);
  EXPECT_TRUE(IsValidUtf8(moved));
  EXPECT_TRUE(moved.ends_with("\u2026")) << moved;
  EXPECT_EQ(out.value().transcript.title, title);
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_EQ(out.warnings[0].reason, "title_shortened");
  row.title = std::string(200, 'x');  // as long as a portal title may be: as it is
  EXPECT_EQ(TransformTicket(row, MovedFate()).value().title, std::string(200, 'x'));
}

TEST(TransformTicketTest, ThePeopleWhoseDataMovesAreTheirValidAddresses) {
  LegacyTicket row = Ticket();
  row.opened_by = "  Jan@Example.com ";
  auto t = TransformTicket(row, MovedFate()).value();
  ASSERT_TRUE(t.opened_by.has_value());
  EXPECT_EQ(t.opened_by->LookupKey(), "jan@example.com");
  row.opened_by = "not an address";
  EXPECT_FALSE(TransformTicket(row, MovedFate()).value().opened_by.has_value());
  row.opened_by = std::nullopt;
  EXPECT_FALSE(TransformTicket(row, MovedFate()).value().opened_by.has_value());

  const LegacyMessage named{.id = 1,
                            .ticket_id = 31,
                            .author_name = "Ola",
                            .author_email = "ola@example.com",
                            .body = "a",
                            .sent_at = "2018-01-15 09:30:00"};
  const LegacyMessage nameless{.id = 2,
                               .ticket_id = 31,
                               .author_name = "Ktoś",
                               .body = "b",
                               .sent_at = "2018-01-15 09:31:00"};
  AddMessage(t, named, {{.id = 9, .message_id = 1, .filename = "a.txt"}});
  AddMessage(t, nameless, {});
  ASSERT_EQ(t.message_authors.size(), 2u);
  EXPECT_EQ(t.message_authors[0]->value(), "ola@example.com");
  EXPECT_FALSE(t.message_authors[1].has_value());
  ASSERT_EQ(t.attachments.size(), 1u);
  EXPECT_EQ(t.attachments[0].author->value(), "ola@example.com");
}

TEST(TransformTicketTest, Windows1250TitleIsDecoded) {
  LegacyTicket row = Ticket();
  row.title = "Awaria serwera w \xA3odzi";
  EXPECT_EQ(TransformTicket(row, MovedFate()).value().title, "Awaria serwera w Łodzi");
}

// ---- ids ------------------------------------------------------------------------------------

TEST(LegacyEventIdTest, DeterministicSixteenBytes) {
  const std::string id = LegacyEventId("tickets", 42, 0);
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id, LegacyEventId("tickets", 42, 0));
  // sha256("ledgerdesk-legacy/v1/tickets/42/0"), first 16 bytes.
  static constexpr unsigned char kExpected[16] = {0xfc, 0xde, 0x42, 0x6a, 0x9b, 0x13, 0x02, 0xbe,
                                                  0xbd, 0x25, 0x97, 0xb8, 0x34, 0xab, 0xda, 0x0f};
  EXPECT_EQ(id, std::string(reinterpret_cast<const char*>(kExpected), 16));
  EXPECT_NE(id, LegacyEventId("tickets", 42, 1));
  EXPECT_NE(id, LegacyEventId("tickets", 43, 0));
  EXPECT_NE(id, LegacyEventId("contracts", 42, 0));
  // No ambiguity between ids that would concatenate alike.
  EXPECT_NE(LegacyEventId("tickets", 1, 12), LegacyEventId("tickets", 11, 2));
}

TEST(ParseLegacyLocalTimeTest, FormsAndDaylightSaving) {
  using namespace std::chrono;
  EXPECT_EQ(ParseLegacyLocalTime("2026-01-10 10:00:00"), sys_days(year(2026) / 1 / 10) + 9h);
  EXPECT_EQ(ParseLegacyLocalTime("2026-07-10 10:00"), sys_days(year(2026) / 7 / 10) + 8h);
  EXPECT_FALSE(ParseLegacyLocalTime("2026-02-30 10:00:00"));
  EXPECT_FALSE(ParseLegacyLocalTime("2026-01-10 25:00:00"));
  EXPECT_FALSE(ParseLegacyLocalTime(""));
}

}  // namespace
}  // namespace ledgerdesk::migrator
