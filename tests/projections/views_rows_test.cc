// The read models without RocksDB: given events, then the rows and the queries over MemoryRows.

#include <gtest/gtest.h>

#include "core/domain/dates.h"
#include "core/domain/event_builder.h"
#include "projections/accounts_projection.h"
#include "projections/contracts_projection.h"
#include "projections/memory_rows.h"
#include "projections/notifications_projection.h"
#include "projections/queries.h"
#include "projections/queue_projection.h"
#include "projections/tickets_projection.h"
#include "tests/support/scenario.h"

namespace ledgerdesk::projections {
namespace {

using testing::Utc;

// Builds envelopes with increasing versions per stream and times given by the test.
class Events {
 public:
  v1::Envelope& Add(const std::string& stream, std::string_view at) {
    v1::Envelope& event = events_.emplace_back();
    event.set_stream(stream);
    event.set_stream_version(++versions_[stream]);
    *event.mutable_occurred_at() = domain::ToTimestamp(Utc(at));
    return event;
  }
  // Folds every event through every read model into `rows`.
  void ApplyTo(MemoryRows& rows) const {
    const ContractsProjection contracts;
    const TicketsProjection tickets;
    const QueueProjection queue;
    const NotificationsProjection notifications;
    const AccountsProjection accounts;
    uint64_t position = 0;
    for (const auto& event : events_) {
      log::LogRecord record{log::Position{position++}, event.stream(), event.SerializeAsString()};
      for (const Projection* projection : std::initializer_list<const Projection*>{
               &contracts, &tickets, &queue, &notifications, &accounts}) {
        Status status = projection->Apply(record, event, rows);
        ASSERT_TRUE(status.ok()) << status.ToString();
      }
    }
  }

 private:
  std::vector<v1::Envelope> events_;
  std::map<std::string, uint64_t> versions_;
};

v1::Sealed Sealed(const std::string& text) {
  v1::Sealed sealed;
  sealed.set_key_id("k");
  sealed.set_ciphertext("sealed:" + text);
  return sealed;
}

void Open(Events& events, const std::string& id, const std::string& org, std::string_view at,
          std::string_view due, v1::TicketPriority priority = v1::TICKET_PRIORITY_NORMAL) {
  auto* opened = events.Add("ticket-" + id, at).mutable_ticket_opened();
  opened->set_ticket_id(id);
  opened->set_number("LD-" + id);
  opened->set_organization_id(org);
  opened->set_contract_number("K000001");
  opened->set_serial("FG100");
  *opened->mutable_title() = Sealed("title " + id);
  opened->set_opened_by("alice");
  opened->set_priority(priority);
  *opened->mutable_response_due_at() = domain::ToTimestamp(Utc(due));
}

void Message(Events& events, const std::string& id, std::string_view at, const std::string& body) {
  auto* posted = events.Add("ticket-" + id, at).mutable_message_posted();
  posted->set_ticket_id(id);
  posted->set_message_id(body);
  posted->set_author_account_id("alice");
  posted->set_author_role(v1::ROLE_CUSTOMER);
  *posted->mutable_body() = Sealed(body);
}

std::vector<std::string> Keys(const MemoryRows& rows, std::string_view cf,
                              std::string_view prefix) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : rows.rows(cf)) {
    if (key.starts_with(prefix)) keys.push_back(key);
  }
  return keys;
}

TEST(TicketsProjection, TheActivityIndexMovesAndKeepsOneEntryPerTicket) {
  Events events;
  Open(events, "t1", "org", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
  Open(events, "t2", "org", "2026-01-01T10:01:00Z", "2026-01-01T11:01:00Z");
  Message(events, "t1", "2026-01-01T10:02:00Z", "first");
  Message(events, "t1", "2026-01-01T10:03:00Z", "second");
  MemoryRows rows;
  events.ApplyTo(rows);
  const auto index =
      Keys(rows, TicketsProjection::kColumnFamily, TicketsProjection::ActivityPrefix("org"));
  ASSERT_EQ(index.size(), 2u);
  const int64_t last_activity_us = 1767261780LL * 1'000'000;  // 2026-01-01T10:03:00Z
  EXPECT_EQ(index[0], TicketsProjection::ActivityKey("org", last_activity_us, "t1"));
  EXPECT_TRUE(index[1].ends_with("/t2"));
  // The dialog: newest first by key order.
  const auto messages =
      Keys(rows, TicketsProjection::kColumnFamily, TicketsProjection::MessagesPrefix("t1"));
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0], TicketsProjection::MessageKey("t1", 2));
  EXPECT_EQ(messages[1], TicketsProjection::MessageKey("t1", 1));
  MemoryRowsReader reader(rows);
  auto detail = GetTicket(reader, {.role = v1::ROLE_ENGINEER}, "t1");
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(testing::Unsealed(detail->messages[0].body), "second");
}

// The queue's open entry of `ticket` holds exactly the ticket's queue row, or there is none.
void ExpectOpenEntryIsTheRow(const Events& events, const std::string& ticket, bool queued) {
  MemoryRows rows;
  events.ApplyTo(rows);
  const auto& table = rows.rows(QueueProjection::kColumnFamily);
  const auto row = table.find(QueueProjection::TicketKey(ticket));
  ASSERT_NE(row, table.end());
  const auto entries = Keys(rows, QueueProjection::kColumnFamily, QueueProjection::kOpenPrefix);
  if (!queued) {
    EXPECT_TRUE(entries.empty());
    return;
  }
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(table.find(entries[0])->second, row->second) << entries[0];
}

TEST(QueueProjection, TheOpenEntryStaysACopyOfTheTicketsRowThroughEveryChange) {
  Events events;
  Open(events, "t1", "org", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
  ExpectOpenEntryIsTheRow(events, "t1", true);
  auto* responded = events.Add("ticket-t1", "2026-01-01T12:00:00Z").mutable_ticket_responded();
  responded->set_ticket_id("t1");
  responded->set_responded_by("eng");
  *responded->mutable_responded_at() = domain::ToTimestamp(Utc("2026-01-01T12:00:00Z"));
  responded->set_breached(true);
  ExpectOpenEntryIsTheRow(events, "t1", true);
  auto* changed = events.Add("ticket-t1", "2026-01-01T12:01:00Z").mutable_ticket_status_changed();
  changed->set_ticket_id("t1");
  changed->set_to(v1::TICKET_STATUS_WAITING_FOR_CUSTOMER);
  ExpectOpenEntryIsTheRow(events, "t1", true);
  events.Add("ticket-t1", "2026-01-01T12:02:00Z").mutable_ticket_closed()->set_ticket_id("t1");
  ExpectOpenEntryIsTheRow(events, "t1", false);
  events.Add("ticket-t1", "2026-01-01T12:03:00Z").mutable_ticket_reopened()->set_ticket_id("t1");
  ExpectOpenEntryIsTheRow(events, "t1", true);
  changed = events.Add("ticket-t1", "2026-01-01T12:04:00Z").mutable_ticket_status_changed();
  changed->set_ticket_id("t1");
  changed->set_to(v1::TICKET_STATUS_IN_PROGRESS);
  ExpectOpenEntryIsTheRow(events, "t1", true);
  MemoryRows rows;
  events.ApplyTo(rows);
  MemoryRowsReader reader(rows);
  auto queue = EngineerQueue(reader, {.role = v1::ROLE_ENGINEER});
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ((*queue)[0].status, v1::TICKET_STATUS_IN_PROGRESS);
  EXPECT_TRUE((*queue)[0].breached);
}

void Escalate(Events& events, const std::string& id, std::string_view at, const std::string& why) {
  auto* escalated = events.Add("ticket-" + id, at).mutable_ticket_escalated();
  escalated->set_ticket_id(id);
  escalated->set_escalated_by("alice");
  *escalated->mutable_reason() = Sealed(why);
}

std::vector<std::string> QueueIds(const MemoryRows& rows) {
  MemoryRowsReader reader(rows);
  auto queue = EngineerQueue(reader, {.role = v1::ROLE_ENGINEER});
  std::vector<std::string> ids;
  if (!queue.ok()) return {queue.status().ToString()};
  for (const auto& entry : *queue) ids.push_back(entry.ticket_id);
  return ids;
}

TEST(TicketsProjection, AnEscalationShowsOnTheTicketAndQueuesItWithTheUrgentOnesUntilClosed) {
  Events events;
  Open(events, "late", "org", "2026-01-01T10:00:00Z", "2026-01-01T13:00:00Z");
  Open(events, "soon", "org", "2026-01-01T10:01:00Z", "2026-01-01T11:00:00Z");
  Open(events, "urgent", "org", "2026-01-01T10:02:00Z", "2026-01-01T12:00:00Z",
       v1::TICKET_PRIORITY_URGENT);
  MemoryRows before;
  events.ApplyTo(before);
  EXPECT_EQ(QueueIds(before), (std::vector<std::string>{"urgent", "soon", "late"}));

  Escalate(events, "late", "2026-01-01T10:05:00Z", "first");
  Escalate(events, "late", "2026-01-01T10:06:00Z", "production is down");
  MemoryRows escalated;
  events.ApplyTo(escalated);
  // With the urgent ones, by due time among them.
  EXPECT_EQ(QueueIds(escalated), (std::vector<std::string>{"urgent", "late", "soon"}));
  // The open entry is the row as escalated, under the urgent group's key.
  const auto& table = escalated.rows(QueueProjection::kColumnFamily);
  const int64_t due_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             Utc("2026-01-01T13:00:00Z").time_since_epoch())
                             .count();
  const auto entry = table.find(QueueProjection::OpenKey(/*urgent=*/true, due_us, "late"));
  ASSERT_NE(entry, table.end());
  EXPECT_EQ(entry->second, table.find(QueueProjection::TicketKey("late"))->second);
  MemoryRowsReader reader(escalated);
  auto detail = GetTicket(reader, {.role = v1::ROLE_ENGINEER}, "late");
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(detail->ticket.escalated_at, Utc("2026-01-01T10:06:00Z"));  // the latest
  EXPECT_EQ(testing::Unsealed(detail->ticket.escalation_reason), "production is down");
  MemoryRowsReader queue_reader(escalated);
  auto queue = EngineerQueue(queue_reader, {.role = v1::ROLE_ENGINEER});
  ASSERT_TRUE(queue.ok());
  EXPECT_EQ((*queue)[1].escalated_at, Utc("2026-01-01T10:06:00Z"));
  EXPECT_EQ((*queue)[2].escalated_at, std::nullopt);

  // A close ends it: reopened, the ticket is queued by its priority again.
  events.Add("ticket-late", "2026-01-01T10:07:00Z").mutable_ticket_closed()->set_ticket_id("late");
  events.Add("ticket-late", "2026-01-01T10:08:00Z")
      .mutable_ticket_reopened()
      ->set_ticket_id("late");
  MemoryRows reopened;
  events.ApplyTo(reopened);
  EXPECT_EQ(QueueIds(reopened), (std::vector<std::string>{"urgent", "soon", "late"}));
  MemoryRowsReader reopened_reader(reopened);
  detail = GetTicket(reopened_reader, {.role = v1::ROLE_ENGINEER}, "late");
  ASSERT_TRUE(detail.ok());
  EXPECT_EQ(detail->ticket.escalated_at, std::nullopt);
  EXPECT_TRUE(detail->ticket.escalation_reason.ciphertext().empty());
}

TEST(TicketsProjection, IdsThatLookLikePathsStayApart) {
  Events events;
  Open(events, "a", "org", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
  Open(events, "a/b", "org", "2026-01-01T10:01:00Z", "2026-01-01T11:01:00Z");
  Message(events, "a/b", "2026-01-01T10:02:00Z", "of a/b");
  MemoryRows rows;
  events.ApplyTo(rows);
  MemoryRowsReader reader(rows);
  auto detail = GetTicket(reader, {.role = v1::ROLE_ENGINEER}, "a");
  ASSERT_TRUE(detail.ok());
  EXPECT_TRUE(detail->messages.empty());
  auto list = ListTickets(reader, {.role = v1::ROLE_CUSTOMER, .organization_id = "org"});
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].ticket_id, "a/b");
}

TEST(TicketsProjection, ImportedTicketsAreListedAtTheirLegacyTimeAndQueuedUnlessClosed) {
  Events events;
  auto* imported = events.Add("ticket-old", "2026-06-01T00:00:00Z").mutable_ticket_imported();
  imported->set_ticket_id("old");
  imported->set_number("LD-old");
  imported->set_legacy_ticket_id(42);
  imported->set_organization_id("org");
  imported->set_contract_number("K000001");
  *imported->mutable_title() = Sealed("legacy");
  imported->set_status(v1::TICKET_STATUS_IN_PROGRESS);
  *imported->mutable_opened_at() = domain::ToTimestamp(Utc("2019-03-01T08:00:00Z"));
  imported->set_transcript_attachment_id("pdf-1");
  Open(events, "new", "org", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
  MemoryRows rows;
  events.ApplyTo(rows);
  MemoryRowsReader reader(rows);
  auto list = ListTickets(reader, {.role = v1::ROLE_CUSTOMER, .organization_id = "org"});
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].ticket_id, "new");
  EXPECT_EQ((*list)[1].ticket_id, "old");
  EXPECT_EQ((*list)[1].legacy_ticket_id, 42);
  EXPECT_FALSE((*list)[1].response_due_at.has_value());
  auto detail = GetTicket(reader, {.role = v1::ROLE_ENGINEER}, "old");
  EXPECT_EQ(detail->transcript_attachment_id, "pdf-1");
  auto queue = EngineerQueue(reader, {.role = v1::ROLE_ENGINEER});
  ASSERT_EQ(queue->size(), 2u);
  EXPECT_EQ((*queue)[0].ticket_id, "new");  // no due time: last
  EXPECT_EQ((*queue)[1].ticket_id, "old");
}

TEST(ContractsProjection, RenewalsMoveTheEndAndTheStatus) {
  Events events;
  auto* org = events.Add("organization-5260250274", "2026-01-01T00:00:00Z")
                  .mutable_organization_registered();
  org->set_organization_id("5260250274");
  org->set_nip("5260250274");
  org->set_name("Acme");
  auto* terms = events.Add("contract-K000001", "2026-01-01T00:00:00Z")
                    .mutable_contract_registered()
                    ->mutable_terms();
  terms->set_contract_number("K000001");
  terms->set_organization_id("5260250274");
  *terms->mutable_starts_on() = domain::MakeDate(2025, 1, 1);
  *terms->mutable_ends_on() = domain::MakeDate(2025, 12, 31);
  terms->add_items()->set_serial("FG100");
  MemoryRows rows;
  events.ApplyTo(rows);
  MemoryRowsReader reader(rows);
  const domain::Caller customer{.role = v1::ROLE_CUSTOMER, .organization_id = "5260250274"};
  const v1::Date today = domain::MakeDate(2026, 3, 1);
  EXPECT_EQ(GetContract(reader, customer, "K000001", today)->status, "expired");

  Events renewal = events;
  auto* renewed =
      renewal.Add("contract-K000001", "2026-03-01T00:00:00Z").mutable_contract_renewed();
  renewed->set_contract_number("K000001");
  *renewed->mutable_ends_on() = domain::MakeDate(2026, 12, 31);
  MemoryRows renewed_rows;
  renewal.ApplyTo(renewed_rows);
  MemoryRowsReader renewed_reader(renewed_rows);
  auto contracts = ListContracts(renewed_reader, customer, today);
  ASSERT_EQ(contracts->size(), 1u);
  EXPECT_EQ((*contracts)[0].status, "active");
  EXPECT_EQ(domain::FormatDate((*contracts)[0].ends_on), "2026-12-31");
  EXPECT_EQ(GetContract(renewed_reader, customer, "K000001", today)->status, "active");
  EXPECT_EQ(ListContracts(renewed_reader, customer, domain::MakeDate(2024, 6, 1))->at(0).status,
            "upcoming");
  EXPECT_EQ(GetContract(renewed_reader, {.role = v1::ROLE_CUSTOMER, .organization_id = "other"},
                        "K000001", today)
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST(NotificationsProjection, PerAccountNewestFirst) {
  Events events;
  for (int i = 1; i <= 12; ++i) {
    auto* queued = events.Add("ticket-t", "2026-01-01T10:00:00Z").mutable_notification_queued();
    queued->set_notification_id("n" + std::to_string(i));
    queued->set_account_id(i % 3 == 0 ? "bob" : "alice");
    queued->set_ticket_id("t");
    queued->set_kind("engineer_reply");
  }
  MemoryRows rows;
  events.ApplyTo(rows);
  MemoryRowsReader reader(rows);
  auto alice = ListNotifications(reader, {.account_id = "alice", .role = v1::ROLE_CUSTOMER});
  ASSERT_EQ(alice->size(), 8u);
  EXPECT_EQ((*alice)[0].notification_id, "n11");
  EXPECT_EQ((*alice)[7].notification_id, "n1");
  auto limited = ListNotifications(reader, {.account_id = "bob"}, 2);
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[0].notification_id, "n12");
  EXPECT_EQ(rows.rows("notifications").at(NotificationsProjection::CountKey("alice")), "8");
}

TEST(Queries, ACorruptRowIsDataLossNotAGuess) {
  MemoryRows rows;
  ASSERT_TRUE(rows.Put(TicketsProjection::kColumnFamily, TicketsProjection::TicketKey("t"),
                       "\xff\xff garbage")
                  .ok());
  MemoryRowsReader reader(rows);
  EXPECT_EQ(GetTicket(reader, {.role = v1::ROLE_ENGINEER}, "t").status().code(),
            StatusCode::kDataLoss);
}

TEST(AccountsView, ShowsTheAccountToItselfAndEngineersAndListsVerifiedMembers) {
  Events events;
  for (const char* id : {"a1", "a2", "b1"}) {
    auto* registered = events.Add(std::string("account-") + id, "2026-11-02T08:00:00Z")
                           .mutable_account_registered();
    registered->set_account_id(id);
    *registered->mutable_email() = Sealed(std::string(id) + "@example.pl");
    registered->set_nip("5260250274");
  }
  auto verify = [&](const char* id, const char* org, bool admin) {
    auto* verified =
        events.Add(std::string("account-") + id, "2026-11-02T09:00:00Z").mutable_account_verified();
    verified->set_account_id(id);
    verified->set_organization_id(org);
    verified->set_organization_admin(admin);
  };
  verify("a1", "org-a", true);
  verify("a2", "org-a", false);
  verify("b1", "org-b", true);
  events.Add("account-a2", "2026-11-02T10:00:00Z").mutable_totp_enabled()->set_account_id("a2");
  events.Add("account-a2", "2026-11-02T10:01:00Z").mutable_account_locked()->set_account_id("a2");
  MemoryRows rows;
  events.ApplyTo(rows);
  MemoryRowsReader reader(rows);

  const domain::Caller a2{
      .account_id = "a2", .role = v1::ROLE_CUSTOMER, .organization_id = "org-a"};
  auto own = GetAccount(reader, a2, "a2");
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_EQ(own->organization_id, "org-a");
  EXPECT_FALSE(own->organization_admin);
  EXPECT_TRUE(own->totp_enabled);
  EXPECT_TRUE(own->locked);
  EXPECT_EQ(own->email.ciphertext(), "sealed:a2@example.pl");  // sealed as in the event
  EXPECT_EQ(GetAccount(reader, a2, "a1").status().code(), StatusCode::kNotFound);
  const domain::Caller engineer{.account_id = "e", .role = v1::ROLE_ENGINEER};
  EXPECT_TRUE(GetAccount(reader, engineer, "b1").ok());

  auto members = ListMembers(reader, a2);
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].account_id, "a1");
  EXPECT_TRUE((*members)[0].organization_admin);
  EXPECT_EQ((*members)[1].account_id, "a2");
  const domain::Caller unverified{.account_id = "x", .role = v1::ROLE_CUSTOMER};
  EXPECT_TRUE(ListMembers(reader, unverified)->empty());
}

}  // namespace
}  // namespace ledgerdesk::projections
