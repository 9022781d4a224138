// SubjectIndexProjection: given events, then who they are about (no RocksDB); LayeredRows.

#include "projections/subject_index_projection.h"

#include <gtest/gtest.h>

#include "core/domain/account/account.h"
#include "core/domain/contract/contract.h"
#include "projections/memory_rows.h"
#include "projections/projection_rows.pb.h"
#include "projections/row_codec.h"
#include "projections/row_reader.h"
#include "tests/core/domain/domain_fixtures.h"
#include "tests/support/scenario.h"
#include "tests/support/test_events.h"

namespace ledgerdesk::projections {
namespace {

using testing::MakeEvent;

const std::string kAliceHmac(32, '\xa1');
const std::string kBobHmac(32, '\xb0');

Status ApplyAll(const std::vector<v1::Envelope>& events, RowSink& rows, uint64_t first = 0) {
  SubjectIndexProjection projection;
  uint64_t position = first;
  for (const auto& event : events) {
    log::LogRecord record{log::Position{position++}, event.stream(), event.SerializeAsString()};
    LD_RETURN_IF_ERROR(projection.Apply(record, event, rows));
  }
  return OkStatus();
}

v1::Envelope Registered(const std::string& account, const std::string& hmac) {
  v1::Envelope event = MakeEvent("account-" + account, 1);
  auto* registered = event.mutable_account_registered();
  registered->set_account_id(account);
  registered->set_email_index(hmac);
  registered->mutable_email()->set_key_id("k-" + account);
  registered->set_nip("5260250274");
  return event;
}

std::vector<uint64_t> Positions(const SubjectMatch& match) {
  std::vector<uint64_t> out;
  for (auto position : match.positions) out.push_back(position.value);
  return out;
}

// A little story: an organization, Alice (customer) and Bob (engineer) on one ticket.
std::vector<v1::Envelope> Story() {
  std::vector<v1::Envelope> events;
  v1::Envelope org = MakeEvent("organization-o1", 1);  // 0
  org.mutable_organization_registered()->set_organization_id("o1");
  org.mutable_organization_registered()->set_nip("5260250274");
  events.push_back(org);
  events.push_back(Registered("alice", kAliceHmac));      // 1
  events.push_back(Registered("bob", kBobHmac));          // 2
  v1::Envelope verified = MakeEvent("account-alice", 2);  // 3
  verified.mutable_account_verified()->set_account_id("alice");
  verified.mutable_account_verified()->set_organization_id("o1");
  verified.mutable_account_verified()->set_nip("5260250274");
  events.push_back(verified);
  v1::Envelope opened = MakeEvent("ticket-t1", 1);  // 4
  opened.mutable_actor()->set_account_id("alice");
  opened.mutable_ticket_opened()->set_ticket_id("t1");
  opened.mutable_ticket_opened()->set_organization_id("o1");
  opened.mutable_ticket_opened()->set_opened_by("alice");
  events.push_back(opened);
  v1::Envelope reply = MakeEvent("ticket-t1", 2);  // 5: Bob's reply, on Alice's ticket
  reply.mutable_actor()->set_account_id("bob");
  reply.mutable_message_posted()->set_ticket_id("t1");
  reply.mutable_message_posted()->set_author_account_id("bob");
  events.push_back(reply);
  v1::Envelope other = MakeEvent("ticket-t2", 1);  // 6: not about Alice
  other.mutable_ticket_opened()->set_ticket_id("t2");
  other.mutable_ticket_opened()->set_organization_id("o2");
  events.push_back(other);
  v1::Envelope changed = MakeEvent("account-alice", 3);  // 7: a new address, same account
  changed.mutable_email_changed()->set_account_id("alice");
  changed.mutable_email_changed()->set_email_index(std::string(32, '\xa2'));
  events.push_back(changed);
  return events;
}

TEST(SubjectIndexProjection, FindsAPersonByTheKeyedHashOfTheirAddress) {
  MemoryRows rows;
  ASSERT_TRUE(ApplyAll(Story(), rows).ok());
  MemoryRowsReader reader(rows);
  auto alice = FindSubject(reader, {.email_index = kAliceHmac});
  ASSERT_TRUE(alice.ok()) << alice.status().message();
  EXPECT_EQ(alice->accounts, std::vector<std::string>{"alice"});
  EXPECT_EQ(Positions(*alice), (std::vector<uint64_t>{1, 3, 4, 5, 7}));
  auto new_address = FindSubject(reader, {.email_index = std::string(32, '\xa2')});
  EXPECT_EQ(Positions(*new_address), Positions(*alice));
  auto bob = FindSubject(reader, {.email_index = kBobHmac});
  EXPECT_EQ(Positions(*bob), (std::vector<uint64_t>{2, 5}));
  auto nobody = FindSubject(reader, {.email_index = std::string(32, '\x01')});
  EXPECT_TRUE(nobody->accounts.empty());
  EXPECT_TRUE(nobody->positions.empty());
}

TEST(SubjectIndexProjection, FindsAnOrganizationByNipWithItsTickets) {
  MemoryRows rows;
  ASSERT_TRUE(ApplyAll(Story(), rows).ok());
  MemoryRowsReader reader(rows);
  auto org = FindSubject(reader, {.nip = "5260250274"});
  ASSERT_TRUE(org.ok());
  EXPECT_EQ(org->organizations, std::vector<std::string>{"o1"});
  EXPECT_EQ(Positions(*org), (std::vector<uint64_t>{0, 3, 4, 5}));
}

TEST(SubjectIndexProjection, KeepsNoPlaintextAddressAndEscapesIds) {
  MemoryRows rows;
  ASSERT_TRUE(ApplyAll({Registered("we/ird%id", kAliceHmac)}, rows).ok());
  for (const auto& [key, value] : rows.rows(kSubjectIndexColumnFamily)) {
    EXPECT_EQ(key.find('@'), std::string::npos) << key;
  }
  MemoryRowsReader reader(rows);
  auto match = FindSubject(reader, {.email_index = kAliceHmac});
  EXPECT_EQ(match->accounts, std::vector<std::string>{"we/ird%id"});
  EXPECT_EQ(Positions(*match), std::vector<uint64_t>{0});
}

TEST(SubjectIndexProjection, ALegacyContactIsFoundByItsKeyEventAndTheFieldsNamingIt) {
  MemoryRows rows;
  v1::Envelope key = MakeEvent("subject-contact-7", 1);
  key.mutable_subject_key_created()->set_subject_id("contact-7");
  key.mutable_subject_key_created()->set_key_id("k7");
  key.mutable_subject_key_created()->set_email_index(kBobHmac);
  v1::Envelope message = MakeEvent("ticket-t9", 2);
  message.mutable_message_posted()->set_ticket_id("t9");
  message.mutable_message_posted()->set_author_account_id("contact-7");
  ASSERT_TRUE(ApplyAll({key, MakeEvent("ticket-t9", 1), message}, rows).ok());
  MemoryRowsReader reader(rows);
  auto contact = FindSubject(reader, {.email_index = kBobHmac});
  EXPECT_EQ(contact->accounts, std::vector<std::string>{"contact-7"});
  EXPECT_EQ(Positions(*contact), (std::vector<uint64_t>{0, 2}));
}

TEST(SubjectIndexProjection, AMigratedTicketIsInTheHistoryOfItsOpenerCcAndParticipants) {
  MemoryRows rows;
  auto contact = [](const std::string& id, const std::string& hmac) {
    v1::Envelope key = MakeEvent("subject-" + id, 1);
    key.mutable_subject_key_created()->set_subject_id(id);
    key.mutable_subject_key_created()->set_email_index(hmac);
    return key;
  };
  v1::Envelope imported = MakeEvent("ticket-t9", 1);  // 2
  imported.mutable_ticket_imported()->set_ticket_id("t9");
  imported.mutable_ticket_imported()->set_organization_id("o1");
  imported.mutable_ticket_imported()->set_opened_by("contact-jan");
  imported.mutable_ticket_imported()->add_cc_account_ids("contact-it");
  v1::Envelope transcript = MakeEvent("ticket-t9", 2);  // 3
  transcript.mutable_attachment_added()->set_ticket_id("t9");
  transcript.mutable_attachment_added()->set_subject_id("o1");
  transcript.mutable_attachment_added()->add_participant_account_ids("contact-serwis");
  v1::Envelope later = MakeEvent("ticket-t9", 3);  // 4: a status change in the new system
  later.mutable_ticket_status_changed()->set_ticket_id("t9");
  ASSERT_TRUE(ApplyAll({contact("contact-jan", kAliceHmac), contact("contact-it", kBobHmac),
                        imported, transcript, later},
                       rows)
                  .ok());
  MemoryRowsReader reader(rows);
  // The opener: their key, the ticket, and everything of the ticket after it.
  auto jan = FindSubject(reader, {.email_index = kAliceHmac});
  EXPECT_EQ(jan->accounts, std::vector<std::string>{"contact-jan"});
  EXPECT_EQ(Positions(*jan), (std::vector<uint64_t>{0, 2, 3, 4}));
  // A CC address: its key and the ticket that names it.
  auto it = FindSubject(reader, {.email_index = kBobHmac});
  EXPECT_EQ(Positions(*it), (std::vector<uint64_t>{1, 2}));
  // A participant named by the transcript: that event (in the postings of block 0).
  const auto& postings = rows.rows(kSubjectIndexColumnFamily);
  ASSERT_EQ(postings.count("account/contact-serwis/" + rows::Hex16(0)), 1u);
  rows::PostingsRow serwis;
  ASSERT_TRUE(serwis.ParseFromString(postings.at("account/contact-serwis/" + rows::Hex16(0))));
  EXPECT_EQ(std::vector<uint32_t>(serwis.offsets().begin(), serwis.offsets().end()),
            std::vector<uint32_t>{3});
}

// A portal ticket's CC addresses are data subjects named by the fields the ticket decisions fill
// (TicketOpened.cc_account_ids, CcAdded.subject_id, EmailQueued.cc_account_ids): a CC-only address
// (a contact) and a registered one (an account) each find the ticket and the mails sent to them,
// and not the ticket's other events.
TEST(SubjectIndexProjection, APortalTicketsCcAddressesFindTheTicketAndTheirMails) {
  MemoryRows rows;
  v1::Envelope opened = MakeEvent("ticket-t1", 1);  // 1
  opened.mutable_actor()->set_account_id("alice");
  opened.mutable_ticket_opened()->set_ticket_id("t1");
  opened.mutable_ticket_opened()->set_organization_id("o1");
  opened.mutable_ticket_opened()->set_opened_by("alice");
  opened.mutable_ticket_opened()->add_cc_account_ids("contact-cc-t1-0");
  opened.mutable_ticket_opened()->add_cc_account_ids("carol");
  v1::Envelope key = MakeEvent("subject-contact-cc-t1-0", 1);  // 2: made known after the opening
  key.mutable_subject_key_created()->set_subject_id("contact-cc-t1-0");
  key.mutable_subject_key_created()->set_email_index(kBobHmac);
  v1::Envelope reply = MakeEvent("ticket-t1", 2);  // 3: not about the CCs
  reply.mutable_message_posted()->set_ticket_id("t1");
  reply.mutable_message_posted()->set_author_account_id("eve");
  v1::Envelope mail = MakeEvent("ticket-t1", 3);  // 4: the mail the reply sends
  mail.mutable_email_queued()->set_ticket_id("t1");
  mail.mutable_email_queued()->add_to_account_ids("alice");
  mail.mutable_email_queued()->add_cc_account_ids("contact-cc-t1-0");
  mail.mutable_email_queued()->add_cc_account_ids("carol");
  v1::Envelope other = MakeEvent("ticket-t2", 1);  // 5: another ticket of Alice's
  other.mutable_ticket_opened()->set_ticket_id("t2");
  other.mutable_ticket_opened()->set_organization_id("o1");
  other.mutable_ticket_opened()->set_opened_by("alice");
  v1::Envelope added = MakeEvent("ticket-t2", 2);  // 6: the contact added to it
  added.mutable_cc_added()->set_ticket_id("t2");
  added.mutable_cc_added()->set_subject_id("contact-cc-t1-0");
  ASSERT_TRUE(
      ApplyAll({Registered("carol", kAliceHmac), opened, key, reply, mail, other, added}, rows)
          .ok());
  MemoryRowsReader reader(rows);
  auto contact = FindSubject(reader, {.email_index = kBobHmac});
  ASSERT_TRUE(contact.ok()) << contact.status().message();
  EXPECT_EQ(contact->accounts, std::vector<std::string>{"contact-cc-t1-0"});
  EXPECT_EQ(Positions(*contact), (std::vector<uint64_t>{1, 2, 4, 6}));
  auto carol = FindSubject(reader, {.email_index = kAliceHmac});
  ASSERT_TRUE(carol.ok()) << carol.status().message();
  EXPECT_EQ(carol->accounts, std::vector<std::string>{"carol"});
  EXPECT_EQ(Positions(*carol), (std::vector<uint64_t>{0, 1, 4}));
}

// The events the real Decide functions make, in log order from position 0, each applied to the
// write model before the next decision.
class Decided {
 public:
  // Adds a decision's events; returns their positions.
  std::vector<uint64_t> Then(const Result<std::vector<v1::Envelope>>& decided) {
    EXPECT_TRUE(decided.ok()) << decided.status().ToString();
    std::vector<uint64_t> positions;
    if (!decided.ok()) return positions;
    s.Given(*decided);
    for (const auto& event : *decided) {
      positions.push_back(events.size());
      events.push_back(event);
    }
    return positions;
  }

  testing::Scenario s;
  std::vector<v1::Envelope> events;
};

std::vector<uint64_t> Joined(std::initializer_list<std::vector<uint64_t>> parts) {
  std::vector<uint64_t> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// An account's mails (confirm_email, password_reset, ...) are queued on its own stream naming the
// account in no field: the address is sealed in `to`, and a reset is asked for anonymously.
TEST(SubjectIndexProjection, APasswordResetAndItsMailAreInTheAccountsHistory) {
  using testing::IndexOf;
  Decided d;
  d.Then(domain::Decide(d.s.model, testing::ContractOf(testing::kNipA, "K111111"), d.s.context));
  auto registration = [&](const std::string& id, const std::string& email) {
    return domain::RegisterAccount{.account_id = id,
                                   .email = testing::EmailOf(email),
                                   .email_index = IndexOf(email),
                                   .password_hash = "hash:pw",
                                   .name = "Jan Kowalski",
                                   .phone = *values::Phone::Parse("600100200"),
                                   .nip = testing::NipOf(testing::kNipA),
                                   .confirmation_token = "confirm-" + id,
                                   .confirmation_token_hash = "sha:confirm-" + id};
  };
  auto reset = [&](const std::string& email, const std::string& token) {
    return domain::RequestPasswordReset{
        .email_index = IndexOf(email), .token = token, .token_hash = "sha:" + token};
  };
  const auto registered = d.Then(domain::Decide(
      d.s.model, registration("alice", "alice@example.pl"), d.s.context, d.s.sealer));
  const auto confirmed = d.Then(domain::Decide(
      d.s.model, domain::ConfirmEmail{.token_hash = "sha:confirm-alice"}, d.s.context));
  const auto others = d.Then(
      domain::Decide(d.s.model, registration("bob", "bob@example.pl"), d.s.context, d.s.sealer));
  const auto requested =
      d.Then(domain::Decide(d.s.model, reset("alice@example.pl", "r1"), d.s.context, d.s.sealer));
  const auto bobs_reset =
      d.Then(domain::Decide(d.s.model, reset("bob@example.pl", "r2"), d.s.context, d.s.sealer));
  ASSERT_EQ(requested.size(), 2u);
  const v1::Envelope& mail = d.events[requested[1]];
  ASSERT_TRUE(d.events[requested[0]].has_password_reset_requested());
  ASSERT_TRUE(mail.has_email_queued());
  ASSERT_EQ(mail.email_queued().template_(), "password_reset");
  ASSERT_TRUE(mail.actor().account_id().empty());  // asked for without a session

  MemoryRows rows;
  ASSERT_TRUE(ApplyAll(d.events, rows).ok());
  MemoryRowsReader reader(rows);
  auto alice = FindSubject(reader, {.email_index = IndexOf("alice@example.pl")});
  ASSERT_TRUE(alice.ok()) << alice.status().message();
  EXPECT_EQ(alice->accounts, std::vector<std::string>{"alice"});
  EXPECT_EQ(Positions(*alice), Joined({registered, confirmed, requested}));
  auto bob = FindSubject(reader, {.email_index = IndexOf("bob@example.pl")});
  ASSERT_TRUE(bob.ok()) << bob.status().message();
  EXPECT_EQ(Positions(*bob), Joined({others, bobs_reset}));
}

// ContractRenewed names only its contract's number: the index ties the number to the organization
// that its terms name (registered or imported) and posts the renewal there.
TEST(SubjectIndexProjection, AContractsRenewalIsInItsOrganizationsHistory) {
  using testing::NumberOf;
  Decided d;
  const auto a = d.Then(
      domain::Decide(d.s.model, testing::ContractOf(testing::kNipA, "K111111"), d.s.context));
  const auto b = d.Then(domain::Decide(
      d.s.model, testing::ContractOf(testing::kNipB, "K222222", "FG300", "FG400"), d.s.context));
  auto renewal = [&](const std::string& number, int year) {
    return domain::RenewContract{.number = NumberOf(number),
                                 .ends_on = domain::MakeDate(year, 12, 31),
                                 .today = domain::MakeDate(2026, 6, 1)};
  };
  const auto renewed_a = d.Then(domain::Decide(d.s.model, renewal("K111111", 2027), d.s.context));
  const auto renewed_b = d.Then(domain::Decide(d.s.model, renewal("K222222", 2027), d.s.context));
  const auto again_a = d.Then(domain::Decide(d.s.model, renewal("K111111", 2028), d.s.context));
  ASSERT_EQ(renewed_a.size(), 1u);
  ASSERT_TRUE(d.events[renewed_a[0]].has_contract_renewed());
  // An imported contract's terms tie it too; a renewal of a number no terms named is nobody's.
  const uint64_t imported = d.events.size();
  v1::Envelope import = MakeEvent("contract-K333333", 1);
  auto* terms = import.mutable_contract_imported()->mutable_terms();
  terms->set_contract_number("K333333");
  terms->set_organization_id("o3");
  terms->set_nip("1234563218");
  d.events.push_back(import);
  v1::Envelope renewed_import = MakeEvent("contract-K333333", 2);
  renewed_import.mutable_contract_renewed()->set_contract_number("K333333");
  d.events.push_back(renewed_import);
  v1::Envelope unknown = MakeEvent("contract-K999999", 2);
  unknown.mutable_contract_renewed()->set_contract_number("K999999");
  d.events.push_back(unknown);

  MemoryRows rows;
  ASSERT_TRUE(ApplyAll(d.events, rows).ok());
  MemoryRowsReader reader(rows);
  auto by_nip = [&](const RowReader& from, const std::string& nip) {
    auto match = FindSubject(from, {.nip = nip});
    EXPECT_TRUE(match.ok()) << match.status().message();
    return match.ok() ? Positions(*match) : std::vector<uint64_t>{};
  };
  EXPECT_EQ(by_nip(reader, testing::kNipA), Joined({a, renewed_a, again_a}));
  EXPECT_EQ(by_nip(reader, testing::kNipB), Joined({b, renewed_b}));
  EXPECT_EQ(by_nip(reader, "1234563218"), (std::vector<uint64_t>{imported, imported + 1}));

  // Beside a running serve the renewal is folded in memory over the committed contract row.
  MemoryRows committed;
  ASSERT_TRUE(ApplyAll({d.events.begin(), d.events.begin() + renewed_a[0]}, committed).ok());
  MemoryRowsReader base(committed);
  LayeredRows layered(base);
  ASSERT_TRUE(
      ApplyAll({d.events.begin() + renewed_a[0], d.events.end()}, layered, renewed_a[0]).ok());
  EXPECT_EQ(by_nip(layered, testing::kNipA), Joined({a, renewed_a, again_a}));
}

TEST(SubjectIndexProjection, PostingsSpanBlocksAndKeepOneRowPerSubjectAndBlock) {
  MemoryRows rows;
  const uint64_t block = uint64_t{1} << kPostingBlockBits;
  // From block - 2 on: Alice's registration, her ticket's opening, her verification (in the
  // next block), then two more events of the ticket.
  v1::Envelope opened = MakeEvent("ticket-t1", 1);
  opened.mutable_ticket_opened()->set_ticket_id("t1");
  opened.mutable_ticket_opened()->set_organization_id("o1");
  opened.mutable_ticket_opened()->set_opened_by("alice");
  v1::Envelope verified = MakeEvent("account-alice", 2);
  verified.mutable_account_verified()->set_account_id("alice");
  std::vector<v1::Envelope> events = {Registered("alice", kAliceHmac), opened, verified};
  for (uint64_t version = 2; version <= 3; ++version) {
    v1::Envelope closed = MakeEvent("ticket-t1", version);
    closed.mutable_ticket_closed()->set_ticket_id("t1");
    events.push_back(closed);
  }
  ASSERT_TRUE(ApplyAll(events, rows, block - 2).ok());
  MemoryRowsReader reader(rows);
  auto alice = FindSubject(reader, {.email_index = kAliceHmac});
  ASSERT_TRUE(alice.ok()) << alice.status().message();
  EXPECT_EQ(Positions(*alice),
            (std::vector<uint64_t>{block - 2, block - 1, block, block + 1, block + 2}));
  size_t alice_rows = 0;
  for (const auto& [key, value] : rows.rows(kSubjectIndexColumnFamily)) {
    alice_rows += key.starts_with("account/alice/");
  }
  EXPECT_EQ(alice_rows, 2u);  // blocks 0 and 1: her own events; the ticket's are the ticket's
}

TEST(SubjectIndexProjection, ATicketsEventsArePostedOnceUnderTheTicket) {
  MemoryRows rows;
  ASSERT_TRUE(ApplyAll(Story(), rows).ok());
  const auto& index = rows.rows(kSubjectIndexColumnFamily);
  rows::TicketSubjectsRow ticket;
  ASSERT_TRUE(ticket.ParseFromString(index.at("ticket/t1")));
  EXPECT_EQ(std::vector<uint64_t>(ticket.positions().begin(), ticket.positions().end()),
            (std::vector<uint64_t>{4, 5}));
  // Alice's and the organization's own postings hold none of it but name the ticket; Bob, who
  // only replied, has his reply posted as his.
  auto postings = [&](const std::string& key) {
    rows::PostingsRow row;
    EXPECT_TRUE(row.ParseFromString(index.at(key))) << key;
    return row;
  };
  auto offsets = [&](const std::string& key) {
    const auto row = postings(key);
    return std::vector<uint32_t>(row.offsets().begin(), row.offsets().end());
  };
  auto tickets = [&](const std::string& key) {
    const auto row = postings(key);
    return std::vector<std::string>(row.tickets().begin(), row.tickets().end());
  };
  EXPECT_EQ(offsets("account/alice/" + rows::Hex16(0)), (std::vector<uint32_t>{1, 3, 7}));
  EXPECT_EQ(tickets("account/alice/" + rows::Hex16(0)), std::vector<std::string>{"t1"});
  EXPECT_EQ(offsets("org/o1/" + rows::Hex16(0)), (std::vector<uint32_t>{0, 3}));
  EXPECT_EQ(tickets("org/o1/" + rows::Hex16(0)), std::vector<std::string>{"t1"});
  EXPECT_EQ(offsets("account/bob/" + rows::Hex16(0)), (std::vector<uint32_t>{2, 5}));
  EXPECT_TRUE(tickets("account/bob/" + rows::Hex16(0)).empty());
}

TEST(SubjectIndexProjection, ATicketOpenedAgainIsItsEarlierOpenersOnlyUntilThen) {
  // The write side opens a ticket once; a log may still hold a second opening under the same id
  // with another opener and organization. Each sees the events of its own opening on.
  auto opening = [](uint64_t version, const std::string& by, const std::string& org) {
    v1::Envelope opened = MakeEvent("ticket-t1", version);
    opened.mutable_ticket_opened()->set_ticket_id("t1");
    opened.mutable_ticket_opened()->set_organization_id(org);
    opened.mutable_ticket_opened()->set_opened_by(by);
    return opened;
  };
  auto closed = [](uint64_t version) {
    v1::Envelope event = MakeEvent("ticket-t1", version);
    event.mutable_ticket_closed()->set_ticket_id("t1");
    return event;
  };
  MemoryRows rows;
  ASSERT_TRUE(ApplyAll({Registered("alice", kAliceHmac), Registered("bob", kBobHmac),  // 0 1
                        opening(1, "alice", "o1"), closed(2),                          // 2 3
                        opening(3, "bob", "o2"), closed(4),                            // 4 5
                        opening(5, "alice", "o1"), closed(6)},                         // 6 7
                       rows)
                  .ok());
  MemoryRowsReader reader(rows);
  EXPECT_EQ(Positions(*FindSubject(reader, {.email_index = kAliceHmac})),
            (std::vector<uint64_t>{0, 2, 3, 6, 7}));
  EXPECT_EQ(Positions(*FindSubject(reader, {.email_index = kBobHmac})),
            (std::vector<uint64_t>{1, 4, 5}));
}

TEST(SubjectIndexProjection, PostingsNamingAMissingTicketRowAreDataLoss) {
  MemoryRows rows;
  ASSERT_TRUE(ApplyAll({Registered("alice", kAliceHmac)}, rows).ok());
  rows::PostingsRow dangling;
  dangling.add_tickets("t404");
  ASSERT_TRUE(rows.Put(kSubjectIndexColumnFamily, "account/alice/" + rows::Hex16(1),
                       dangling.SerializeAsString())
                  .ok());
  MemoryRowsReader reader(rows);
  auto alice = FindSubject(reader, {.email_index = kAliceHmac});
  ASSERT_FALSE(alice.ok());
  EXPECT_EQ(alice.status().code(), StatusCode::kDataLoss);
}

TEST(SubjectIndexProjection, ABrokenPostingsRowIsDataLossNotSilence) {
  MemoryRows rows;
  ASSERT_TRUE(ApplyAll({Registered("alice", kAliceHmac)}, rows).ok());
  ASSERT_TRUE(rows.Put(kSubjectIndexColumnFamily, "account/alice/" + rows::Hex16(0), "\xff").ok());
  MemoryRowsReader reader(rows);
  auto alice = FindSubject(reader, {.email_index = kAliceHmac});
  ASSERT_FALSE(alice.ok());
  EXPECT_EQ(alice.status().code(), StatusCode::kDataLoss);
}

TEST(SubjectIndexProjection, APostingsRowWithoutABlockNumberIsDataLoss) {
  MemoryRows rows;
  ASSERT_TRUE(ApplyAll({Registered("alice", kAliceHmac)}, rows).ok());
  ASSERT_TRUE(rows.Put(kSubjectIndexColumnFamily, "account/alice/not-hex", "").ok());
  MemoryRowsReader reader(rows);
  auto alice = FindSubject(reader, {.email_index = kAliceHmac});
  ASSERT_FALSE(alice.ok());
  EXPECT_EQ(alice.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(alice.status().message().find("block number"), std::string::npos);
}

TEST(LayeredRows, ATailFoldedInMemoryAddsToTheCommittedRows) {
  const auto story = Story();
  MemoryRows committed;
  ASSERT_TRUE(ApplyAll({story.begin(), story.begin() + 4}, committed).ok());
  MemoryRowsReader base(committed);
  LayeredRows layered(base);
  ASSERT_TRUE(ApplyAll({story.begin() + 4, story.end()}, layered, 4).ok());
  MemoryRows whole;
  ASSERT_TRUE(ApplyAll(story, whole).ok());
  MemoryRowsReader reader(whole);
  auto expected = FindSubject(reader, {.email_index = kAliceHmac});
  auto got = FindSubject(layered, {.email_index = kAliceHmac});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Positions(*got), Positions(*expected));
  EXPECT_EQ(committed.rows(kSubjectIndexColumnFamily).count("ticket/t1"), 0u);  // untouched
}

TEST(LayeredRows, ARowEditedParsedStartsFromTheBaseAndLeavesTheBaseAlone) {
  MemoryRows committed;
  rows::PostingsRow base;
  base.add_offsets(1);
  ASSERT_TRUE(
      committed.Put(kSubjectIndexColumnFamily, "account/a/0", base.SerializeAsString()).ok());
  MemoryRowsReader reader(committed);
  LayeredRows layered(reader);
  auto* edited = *rows::EditRow<rows::PostingsRow>(layered, kSubjectIndexColumnFamily,
                                                   "account/a/0", /*create=*/false);
  ASSERT_NE(edited, nullptr);
  EXPECT_EQ(edited->offsets_size(), 1);
  edited->add_offsets(5);
  rows::PostingsRow seen;
  ASSERT_TRUE(seen.ParseFromString(**layered.Get(kSubjectIndexColumnFamily, "account/a/0")));
  EXPECT_EQ(seen.offsets_size(), 2);
  rows::PostingsRow untouched;
  ASSERT_TRUE(
      untouched.ParseFromString(committed.rows(kSubjectIndexColumnFamily).at("account/a/0")));
  EXPECT_EQ(untouched.offsets_size(), 1);
}

}  // namespace
}  // namespace ledgerdesk::projections
