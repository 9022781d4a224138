// The read models end to end: the real Decide functions produce the events, a MemoryLog holds
// them, a ProjectionRunner applies every default projection into a real Store, and the queries
// answer from it — then a rebuild of the same log has the same digest.

#include <gtest/gtest.h>

#include "core/domain/contract/contract.h"
#include "core/domain/dates.h"
#include "core/domain/ticket/ticket.h"
#include "projections/default_projections.h"
#include "projections/queries.h"
#include "projections/rebuild.h"
#include "projections/runner.h"
#include "projections/store.h"
#include "tests/core/domain/domain_fixtures.h"
#include "tests/support/memory_log.h"
#include "tests/support/scenario.h"
#include "tests/support/temp_dir.h"

namespace ledgerdesk::projections {
namespace {

using namespace ledgerdesk::testing;  // NOLINT: the fixtures' vocabulary
using domain::Caller;

class ViewsScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cfs = ColumnFamiliesOf(DefaultProjections());
    ASSERT_TRUE(cfs.ok());
    auto store = Store::Open({.dir = dir_.path() / "live", .column_families = *cfs});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto runner =
        ProjectionRunner::Create(log_, *store_, DefaultProjections(), {.max_batch_events = 7});
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    runner_ = std::move(*runner);
  }

  // Applies a decision to the write model and appends it to the log; then the views catch up.
  void Do(const Result<std::vector<v1::Envelope>>& decided) {
    ASSERT_TRUE(decided.ok()) << decided.status().ToString();
    s_.Given(*decided);
    if (decided->empty()) return;
    ASSERT_TRUE(log_.Append(*decided).ok());
    ASSERT_TRUE(runner_->CatchUp().ok());
  }

  std::string Open(const Caller& caller, const std::string& ticket_id, const std::string& contract,
                   const std::string& serial, const std::string& title,
                   v1::TicketPriority priority = v1::TICKET_PRIORITY_NORMAL,
                   bool partner_access = false) {
    domain::OpenTicket command{.ticket_id = ticket_id,
                               .caller = caller,
                               .contract_number = NumberOf(contract),
                               .serial = SerialOf(serial),
                               .title = title,
                               .description = "details of " + title,
                               .cc = {EmailOf("boss@a.example")},
                               .cc_email_indexes = {IndexOf("boss@a.example")},
                               .partner_access = partner_access,
                               .priority = priority};
    Do(domain::Decide(s_.model, command, s_.context, s_.sealer, DueInAnHour));
    return ticket_id;
  }
  void Post(const Caller& caller, const std::string& ticket_id, const std::string& body) {
    Do(domain::Decide(s_.model,
                      domain::PostMessage{.ticket_id = ticket_id,
                                          .message_id = "m-" + std::to_string(++messages_),
                                          .caller = caller,
                                          .body = body},
                      s_.context, s_.sealer));
  }
  void AssignPartner(const std::string& organization_id, const std::string& partner) {
    domain::EventBuilder events(
        s_.context, [this](const std::string& st) { return s_.model.StreamVersion(st); });
    auto* assigned = events.Add(domain::OrganizationStream(organization_id))
                         .mutable_organization_partner_assigned();
    assigned->set_organization_id(organization_id);
    assigned->set_partner_name(partner);
    Do(events.Take());
  }

  std::unique_ptr<RowReader> Reader() { return store_->Reader(); }

  TempDir dir_;
  MemoryLog log_;
  Scenario s_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ProjectionRunner> runner_;
  int messages_ = 0;
};

std::vector<std::string> Ids(const std::vector<TicketSummary>& tickets) {
  std::vector<std::string> ids;
  for (const auto& ticket : tickets) ids.push_back(ticket.ticket_id);
  return ids;
}
std::vector<std::string> Ids(const std::vector<QueueEntry>& entries) {
  std::vector<std::string> ids;
  for (const auto& entry : entries) ids.push_back(entry.ticket_id);
  return ids;
}

TEST_F(ViewsScenario, TheWholeStoryThroughEveryQuery) {
  const std::string org_a = kNipA;
  const std::string org_b = kNipB;
  Do(domain::Decide(s_.model, ContractOf(kNipA, "K000001"), s_.context));
  Do(domain::Decide(s_.model, ContractOf(kNipB, "K000002", "XB100", "XB200"), s_.context));
  const Caller alice = CustomerOf(org_a, "alice");
  const Caller bob = CustomerOf(org_b, "bob");
  const Caller eve = Engineer("eve");
  const Caller partner = PartnerOf("Resell Ltd");
  const Caller unverified{.account_id = "ursula", .role = v1::ROLE_CUSTOMER};

  // Contracts: one prefix scan per organization, status from the date.
  const v1::Date today = domain::MakeDate(2026, 11, 23);
  {
    auto reader = Reader();
    auto contracts = ListContracts(*reader, alice, today);
    ASSERT_TRUE(contracts.ok());
    ASSERT_EQ(contracts->size(), 1u);
    EXPECT_EQ((*contracts)[0].number, "K000001");
    EXPECT_EQ((*contracts)[0].status, "active");
    EXPECT_EQ((*contracts)[0].items.size(), 2u);
    EXPECT_EQ(ListContracts(*reader, alice, domain::MakeDate(2027, 1, 1))->at(0).status, "expired");
    EXPECT_EQ(GetContract(*reader, alice, "K000002", today).status().code(), StatusCode::kNotFound);
    EXPECT_TRUE(GetContract(*reader, eve, "K000002", today).ok());
    EXPECT_TRUE(ListContracts(*reader, unverified, today)->empty());
  }

  s_.At("2026-11-23T10:00:00Z");
  Open(alice, "t1", "K000001", "FG100", "Printer on fire");
  s_.At("2026-11-23T10:05:00Z");
  Open(alice, "t2", "K000001", "FG200", "VPN down", v1::TICKET_PRIORITY_URGENT);
  s_.At("2026-11-23T10:06:00Z");
  Open(bob, "t3", "K000002", "XB100", "B's problem");
  s_.At("2026-11-23T10:10:00Z");
  Post(alice, "t1", "any news?");  // t1 is now the newest activity of organization A
  {
    auto reader = Reader();
    EXPECT_EQ(Ids(*ListTickets(*reader, alice)), (std::vector<std::string>{"t1", "t2"}));
    EXPECT_EQ(Ids(*ListTickets(*reader, bob)), (std::vector<std::string>{"t3"}));
    EXPECT_TRUE(ListTickets(*reader, unverified)->empty());
    // The queue: urgent first, then by due time.
    EXPECT_EQ(Ids(*EngineerQueue(*reader, eve)), (std::vector<std::string>{"t2", "t1", "t3"}));
    EXPECT_EQ(EngineerQueue(*reader, alice).status().code(), StatusCode::kPermissionDenied);
  }

  // An engineer replies late to t1 (due 11:00): a breach, a notification; then status changes.
  s_.At("2026-11-23T10:50:00Z");
  Post(eve, "t2", "rebooting");  // in time (due 11:05)
  s_.At("2026-11-23T11:30:00Z");
  Post(eve, "t1", "we are on it");
  s_.At("2026-11-23T11:40:00Z");
  Do(domain::Decide(
      s_.model,
      domain::ChangeStatus{
          .ticket_id = "t1", .caller = eve, .status = v1::TICKET_STATUS_WAITING_FOR_CUSTOMER},
      s_.context, s_.sealer));
  {
    auto reader = Reader();
    auto detail = GetTicket(*reader, alice, "t1");
    ASSERT_TRUE(detail.ok()) << detail.status().ToString();
    EXPECT_EQ(detail->ticket.number, "LD-000001");
    EXPECT_EQ(Unsealed(detail->ticket.title), "Printer on fire");
    EXPECT_EQ(detail->ticket.status, v1::TICKET_STATUS_WAITING_FOR_CUSTOMER);
    EXPECT_EQ(detail->ticket.opened_by, "alice");
    EXPECT_EQ(detail->ticket.opened_at, Utc("2026-11-23T10:00:00Z"));
    EXPECT_EQ(detail->ticket.response_due_at, Utc("2026-11-23T11:00:00Z"));
    EXPECT_EQ(detail->ticket.responded_at, Utc("2026-11-23T11:30:00Z"));
    EXPECT_TRUE(detail->ticket.breached);
    EXPECT_EQ(detail->ticket.last_activity_at, Utc("2026-11-23T11:40:00Z"));
    ASSERT_EQ(detail->cc.size(), 1u);
    EXPECT_EQ(Unsealed(detail->cc[0]), "boss@a.example");
    ASSERT_EQ(detail->messages.size(), 2u);  // newest first
    EXPECT_EQ(Unsealed(detail->messages[0].body), "we are on it");
    EXPECT_EQ(detail->messages[0].author_role, v1::ROLE_ENGINEER);
    EXPECT_EQ(Unsealed(detail->messages[1].body), "any news?");

    auto breaches = SlaBreaches(*reader, eve);
    ASSERT_TRUE(breaches.ok());
    EXPECT_EQ(Ids(*breaches), (std::vector<std::string>{"t1"}));
    // At 12:00 t3 (due 11:06, no reply yet) is overdue too; t2 was answered in time.
    auto with_overdue = SlaBreaches(*reader, eve, Utc("2026-11-23T12:00:00Z"));
    EXPECT_EQ(Ids(*with_overdue), (std::vector<std::string>{"t1", "t3"}));
    EXPECT_TRUE((*with_overdue)[1].breached);  // unanswered past its due time: late already
    EXPECT_FALSE((*with_overdue)[1].responded_at.has_value());
    // The queue says so too, at the same moment.
    auto queue = EngineerQueue(*reader, eve, Utc("2026-11-23T12:00:00Z"));
    ASSERT_TRUE(queue.ok());
    ASSERT_EQ(Ids(*queue), (std::vector<std::string>{"t2", "t1", "t3"}));
    EXPECT_FALSE((*queue)[0].breached);  // answered in time
    EXPECT_TRUE((*queue)[2].breached);
    EXPECT_FALSE((*EngineerQueue(*reader, eve, Utc("2026-11-23T11:00:00Z")))[2].breached);

    auto notifications = ListNotifications(*reader, alice);
    ASSERT_TRUE(notifications.ok());
    ASSERT_EQ(notifications->size(), 3u);  // newest first
    EXPECT_EQ((*notifications)[0].kind, "status_changed");
    EXPECT_EQ((*notifications)[0].ticket_id, "t1");
    EXPECT_EQ(Unsealed((*notifications)[1].text), "we are on it");
    EXPECT_EQ((*notifications)[2].ticket_id, "t2");
    EXPECT_TRUE(ListNotifications(*reader, bob)->empty());

    // Filters.
    EXPECT_EQ(Ids(*ListTickets(*reader, alice, {.status = v1::TICKET_STATUS_WAITING_FOR_CUSTOMER})),
              (std::vector<std::string>{"t1"}));
    EXPECT_EQ(Ids(*ListTickets(*reader, alice, {.contract_number = "K000002"})),
              (std::vector<std::string>{}));
    EXPECT_EQ(Ids(*ListTickets(*reader, alice, {.limit = 1})), (std::vector<std::string>{"t1"}));
  }

  // Isolation: organization B guesses organization A's ids and gets "not found".
  {
    auto reader = Reader();
    EXPECT_EQ(GetTicket(*reader, bob, "t1").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(GetTicket(*reader, bob, "t-does-not-exist").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(GetTicket(*reader, unverified, "t1").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(GetTicket(*reader, partner, "t1").status().code(), StatusCode::kNotFound);
    EXPECT_TRUE(GetTicket(*reader, eve, "t3").ok());
  }

  // Attachments, close and reopen.
  s_.At("2026-11-23T12:00:00Z");
  Do(domain::Decide(s_.model,
                    domain::AddAttachment{.ticket_id = "t1",
                                          .attachment_id = "a1",
                                          .caller = alice,
                                          .sha256 = std::string(32, 'x'),
                                          .size = 1234,
                                          .file_name = "../../etc/log.txt",
                                          .content_type = "text/plain"},
                    s_.context));
  s_.At("2026-11-23T12:05:00Z");
  Do(domain::Decide(s_.model, domain::CloseTicket{.ticket_id = "t1", .caller = alice}, s_.context,
                    s_.sealer));
  {
    auto reader = Reader();
    EXPECT_EQ(Ids(*EngineerQueue(*reader, eve)), (std::vector<std::string>{"t2", "t3"}));
    EXPECT_EQ(Ids(*ListTickets(*reader, alice, {.status = v1::TICKET_STATUS_CLOSED})),
              (std::vector<std::string>{"t1"}));
    auto detail = GetTicket(*reader, alice, "t1");
    ASSERT_EQ(detail->attachments.size(), 1u);
    EXPECT_EQ(detail->attachments[0].file_name, "log.txt");
    EXPECT_EQ(detail->attachments[0].size, 1234u);
    EXPECT_TRUE(GetAttachment(*reader, alice, "t1", "a1").ok());
    EXPECT_EQ(GetAttachment(*reader, bob, "t1", "a1").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(GetAttachment(*reader, alice, "t1", "a2").status().code(), StatusCode::kNotFound);
  }
  s_.At("2026-11-23T12:10:00Z");
  Do(domain::Decide(s_.model, domain::ReopenTicket{.ticket_id = "t1", .caller = alice}, s_.context,
                    s_.sealer));
  {
    auto reader = Reader();
    EXPECT_EQ(GetTicket(*reader, alice, "t1")->ticket.status, v1::TICKET_STATUS_OPEN);
    EXPECT_EQ(Ids(*EngineerQueue(*reader, eve)), (std::vector<std::string>{"t2", "t1", "t3"}));
  }
  // t3 (due 11:06) closed with no reply: it missed the SLA all the same, and stays listed once
  // whether reopened, overdue again, or answered late after all.
  s_.At("2026-11-23T12:11:00Z");
  Do(domain::Decide(s_.model, domain::CloseTicket{.ticket_id = "t3", .caller = bob}, s_.context,
                    s_.sealer));
  s_.At("2026-11-23T12:12:00Z");
  Do(domain::Decide(s_.model, domain::ReopenTicket{.ticket_id = "t3", .caller = bob}, s_.context,
                    s_.sealer));
  {
    auto reader = Reader();
    auto breaches = SlaBreaches(*reader, eve, Utc("2026-11-23T12:13:00Z"));
    ASSERT_TRUE(breaches.ok());
    EXPECT_EQ(Ids(*breaches), (std::vector<std::string>{"t3", "t1"}));  // newest first
    EXPECT_TRUE((*breaches)[0].breached);
    EXPECT_FALSE((*breaches)[0].responded_at.has_value());
  }
  s_.At("2026-11-23T12:14:00Z");
  Post(eve, "t3", "sorry for the wait");
  {
    auto reader = Reader();
    EXPECT_EQ(Ids(*SlaBreaches(*reader, eve, Utc("2026-11-23T12:15:00Z"))),
              (std::vector<std::string>{"t3", "t1"}));
  }

  // Partner visibility: the organization's reseller, and only while consent is granted.
  AssignPartner(org_a, "Resell Ltd");
  {
    auto reader = Reader();
    EXPECT_EQ(GetTicket(*reader, partner, "t1").status().code(), StatusCode::kNotFound);
  }
  Do(domain::Decide(
      s_.model, domain::ChangePartnerAccess{.ticket_id = "t1", .caller = alice, .granted = true},
      s_.context));
  {
    auto reader = Reader();
    EXPECT_TRUE(GetTicket(*reader, partner, "t1").ok());
    EXPECT_EQ(GetTicket(*reader, PartnerOf("Other Ltd"), "t1").status().code(),
              StatusCode::kNotFound);
    EXPECT_EQ(GetTicket(*reader, partner, "t2").status().code(), StatusCode::kNotFound);
  }
  Do(domain::Decide(
      s_.model, domain::ChangePartnerAccess{.ticket_id = "t1", .caller = alice, .granted = false},
      s_.context));
  {
    auto reader = Reader();
    EXPECT_EQ(GetTicket(*reader, partner, "t1").status().code(), StatusCode::kNotFound);
    // The list ordering moved with every activity and kept one entry per ticket.
    EXPECT_EQ(Ids(*ListTickets(*reader, alice)), (std::vector<std::string>{"t1", "t2"}));
  }

  // Live equals a rebuild of the same log, over every projection.
  auto live = Digest(*store_);
  ASSERT_TRUE(live.ok());
  auto rebuilt = Rebuild(log_, DefaultProjections(), dir_.path() / "rebuilt");
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  auto cfs = ColumnFamiliesOf(DefaultProjections());
  auto rebuilt_store = Store::Open({.dir = dir_.path() / "rebuilt", .column_families = *cfs});
  ASSERT_TRUE(rebuilt_store.ok());
  EXPECT_EQ(*Digest(**rebuilt_store), *live);
}

}  // namespace
}  // namespace ledgerdesk::projections
