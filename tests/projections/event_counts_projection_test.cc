// EventCountsProjection: given events, then the rows (no RocksDB).

#include "projections/event_counts_projection.h"

#include <gtest/gtest.h>

#include "projections/memory_rows.h"
#include "tests/support/test_events.h"

namespace ledgerdesk::projections {
namespace {

using testing::MakeEvent;

Status ApplyAll(const std::vector<v1::Envelope>& events, MemoryRows& rows) {
  EventCountsProjection projection;
  uint64_t position = 0;
  for (const auto& event : events) {
    log::LogRecord record{log::Position{position++}, event.stream(), event.SerializeAsString()};
    LD_RETURN_IF_ERROR(projection.Apply(record, event, rows));
  }
  return OkStatus();
}

TEST(EventCountsProjection, CountsPerTypeAndPerStream) {
  MemoryRows rows;
  v1::Envelope closed = MakeEvent("ticket-b", 2);
  closed.mutable_ticket_closed()->set_ticket_id("ticket-b");
  closed.set_event_type("ledgerdesk.v1.TicketClosed");
  ASSERT_TRUE(ApplyAll({MakeEvent("ticket-a", 1), MakeEvent("ticket-b", 1),
                        MakeEvent("ticket-a", 2), closed},
                       rows)
                  .ok());
  const auto& table = rows.rows("event_counts");
  EXPECT_EQ(table.at("type/ledgerdesk.v1.TicketStatusChanged"), "3");
  EXPECT_EQ(table.at("type/ledgerdesk.v1.TicketClosed"), "1");
  EXPECT_EQ(table.at("stream/ticket-a"), "2");
  EXPECT_EQ(table.at("stream/ticket-b"), "2");
  EXPECT_EQ(table.size(), 4u);
}

TEST(EventCountsProjection, DerivesTheTypeWhenTheEnvelopeIsNotStamped) {
  MemoryRows rows;
  v1::Envelope event = MakeEvent("ticket-a", 1);
  event.clear_event_type();
  ASSERT_TRUE(ApplyAll({event}, rows).ok());
  EXPECT_EQ(rows.rows("event_counts").at("type/ledgerdesk.v1.TicketStatusChanged"), "1");
}

TEST(EventCountsProjection, CountsBeyondOneDigit) {
  MemoryRows rows;
  std::vector<v1::Envelope> events;
  for (int version = 1; version <= 123; ++version) events.push_back(MakeEvent("busy", version));
  ASSERT_TRUE(ApplyAll(events, rows).ok());
  EXPECT_EQ(rows.rows("event_counts").at("stream/busy"), "123");
}

TEST(EventCountsProjection, ACorruptCountIsAnErrorNotAGuess) {
  MemoryRows rows;
  ASSERT_TRUE(rows.Put("event_counts", "stream/s", "12x").ok());
  Status status = ApplyAll({MakeEvent("s", 1)}, rows);
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace ledgerdesk::projections
